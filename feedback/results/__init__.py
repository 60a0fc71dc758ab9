"""Results for officers and the forum: the analysis dashboard of a survey (figures with intervals,
the target, change since the previous run, breakdowns, themes) and the published headline that
disclosure control allows.

May use: the shell, `feedback.accounts`, `feedback.themes` (themes on the dashboard), `analysis`,
`surveys`, `consent`.
"""
