"""Themes in free-text answers: stored codings (coded at submission, re-coded when the codebook
changes, officers' decisions kept), the review and uncoded queues, and codebook editing.

May use: the shell, `feedback.accounts`, `analysis`, `surveys`, `consent`; it reads
`feedback.publishing.tables` only to count the updates a theme appears in before it is removed.
"""
