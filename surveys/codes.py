"""References and resume codes: random, unguessable, easy to read aloud and type on a phone."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# No 0/O, 1/I/L or 5/S pairs that are easy to confuse when read from a screen or a phone call.
ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"
_GROUP = 4


def random_code(groups: int = 3) -> str:
    """E.g. 'K7PM-4X2Q-TR9B': 12 characters from 29 gives about 58 bits, far beyond guessing."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(_GROUP)) for _ in range(groups))


def normalise_code(text: str) -> str:
    """Accept codes typed in lower case, with spaces or without dashes."""
    letters = re.sub(r"[^A-Za-z0-9]", "", text or "").upper()
    return "-".join(letters[i : i + _GROUP] for i in range(0, len(letters), _GROUP))


def looks_like_code(text: str, groups: int = 3) -> bool:
    code = normalise_code(text)
    return len(code) == groups * _GROUP + groups - 1 and all(c in ALPHABET or c == "-" for c in code)


def hash_code(code: str, secret: str) -> str:
    """Codes are stored only as keyed hashes, so a copy of the database cannot be used to resume."""
    return hmac.new(secret.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()


def new_browser_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
