"""The officers' and forum's workspace for surveys: open, close, link, QR code and poster, live
counts, assisted (paper) entry and event mode, the consultation builder, exports (CSV, XLSX,
codebook) and the JSON API.

May use: the shell, `feedback.accounts` (roles, permissions, audit), `feedback.respond` (the cookies
that start assisted entry and event mode), `feedback.messages` (invitations and reminders), `surveys`, `consent`, `analysis`.
"""
