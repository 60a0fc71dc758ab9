"""Publishing: "you said, we did" updates (drafting, timeline, bulk upload, "we did" notices
sent through `feedback.messages`, the Notify list as a fallback), quotes
(consent-gated candidates, redaction, officer review), the public pages (home, you said we did,
its easy-read version and print report, privacy, accessibility) and the disclosure-controlled
published figures.

May use: the shell, `feedback.accounts`, `feedback.themes`, `feedback.results` (the published
headline), `analysis`, `surveys`, `consent`.
"""
