"""The respondent's journey in public: start, before you start, one question a page with a save on
every Continue, check your answers, submit, your choices (consent), resume later, event mode's
cookie, withdrawal, and the symbol-supported ("with pictures") and easy-read markup.

May use: the shell, `surveys`, `consent`, `feedback.accounts` (the audit log of withdrawals and
erasures), `feedback.themes` (coding a comment on submission) and `feedback.publishing` (removing
quotes on withdrawal). It queues messages through `feedback.messages` ("send me my code").
"""
