"""Messages sent for real: the senders (GOV.UK Notify through its official client, or SMTP), the
durable outbox (one row a message, its recipient in a table of its own that is deleted once the
message no longer needs it), the worker that claims, sends, retries with backoff and records
delivery, Notify's signed status callback, and the wording of each kind of message.

May use: the shell and `feedback.accounts`. It sits low because respondents' "send me my code"
(respond) and "we did" notices (publishing) call it; it never imports them.
"""
