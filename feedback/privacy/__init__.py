"""What a data protection officer needs in the workspace: the audit trail (filtered by kind, person
and dates, paged through everything, exported as CSV), handling subject access and erasure requests
received by phone or email, and the "what we hold" summary for the DPIA and record of processing.

May use: the shell, `feedback.accounts` (roles, the audit log), `feedback.respond` (erasure and
withdrawal with everything drawn from the answers), `feedback.workspace` (date inputs), `surveys`,
`consent`.
"""
