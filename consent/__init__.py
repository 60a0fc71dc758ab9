"""Consent and data rights: versioned notices and append-only consent records.

This package imports nothing else of ours: surveys and the workspace call it, never the reverse.
"""
