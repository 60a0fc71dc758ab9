"""Reporting tools' access: API tokens for Power BI and Excel Power Query (named, read-only, scoped
to one team's surveys, expiring, hashed at rest, revocable, audited) and the token-authenticated,
paginated JSON endpoints they read: published (disclosure-controlled) figures, themes and, for
officers' tokens, consent-gated responses. Also who may see a survey's results (sharing with a
forum team).

May use: the shell, `feedback.accounts`, `feedback.themes`, `feedback.results`, `feedback.publishing`,
`analysis`, `surveys`, `consent`.
"""
