"""Removing personal details from free text before it is kept long-term or quoted.

Pattern-based and deliberately cautious: it may remove a little too much, never too little of what
it recognises. Local names (children, schools, staff) come from a list the partnership keeps.
"""

from __future__ import annotations

import re
from typing import Iterable

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
# UK phone numbers: 01632 960 001, 07700 900982, +44 7700 900 982, (020) 7946 0018
PHONE = re.compile(r"(?<!\d)(?:\+44\s?|0044\s?|\(?0)\d(?:[\s)-]{0,2}\d){8,9}(?!\d)")
# NHS numbers: 10 digits, often written 3-3-4
NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")
# UK postcodes, e.g. SW1A 1AA, M1 1AE, B33 8TH
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)

REPLACEMENTS = (
    (EMAIL, "[email removed]"),
    (NHS_NUMBER, "[number removed]"),
    (PHONE, "[phone number removed]"),
    (POSTCODE, "[postcode removed]"),
)


def redact(text: str, local_names: Iterable[str] = ()) -> str:
    """Replace emails, UK phone numbers, NHS numbers, postcodes and listed local names."""
    for pattern, replacement in REPLACEMENTS:
        text = pattern.sub(replacement, text)
    names = sorted({n.strip() for n in local_names if n and n.strip()}, key=len, reverse=True)
    if names:
        pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)
        text = pattern.sub("[name removed]", text)
    return text
