"""Instruments, their validation, variants, the respondent journey, responses and answers."""
