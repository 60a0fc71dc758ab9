"""Event mode: a shared tablet at an event, where one person after another answers.

A browser becomes a tablet only from the workspace (`start_event_mode`), which gives it a signed
token; the server keeps only the token's hash, tied to the run, so a hand-made cookie is ignored
and ending event mode revokes every tablet of the run at once.

Each person's answers are theirs only during their own turn: once `idle_seconds` pass without a
save, or they hand the tablet over, the draft's browser binding is dropped on the server (the draft
stays, unfinished, and nothing on the tablet can reach it again: a cached or replayed cookie finds
nothing).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from feedback.respond.tables import EventTablet
from surveys.tables import Response

EVENT_CHANNEL = "event"


def _now() -> datetime:
    """The clock, one place to move it in tests."""
    return datetime.now(timezone.utc)


def _signature(secret: str, run_id: int, nonce: str) -> str:
    return hmac.new(secret.encode(), f"event-tablet:{run_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_event_mode(run_id: int, started_by: str, secret: str) -> str:
    """Make a browser a tablet for this run; returns the token for its cookie."""
    nonce = secrets.token_urlsafe(24)
    token = f"{run_id}.{nonce}.{_signature(secret, run_id, nonce)}"
    await EventTablet(run=run_id, token_hash=_hash(token), started_by=started_by).save()
    return token


def _well_formed(run_id: int, token: str, secret: str) -> bool:
    """Cheap checks first: a token of another run or with a wrong signature never reaches the database."""
    parts = token.split(".")
    if len(token) > 200 or len(parts) != 3 or parts[0] != str(run_id):
        return False
    return hmac.compare_digest(parts[2], _signature(secret, run_id, parts[1]))


async def is_event_tablet(run_id: int, token: str | None, secret: str) -> bool:
    if not token or not _well_formed(run_id, token, secret):
        return False
    return await EventTablet.exists().where(
        (EventTablet.token_hash == _hash(token)) & (EventTablet.run == run_id) & (EventTablet.ended_at.is_null())
    )


async def tablets_in_use(run_id: int) -> int:
    return await EventTablet.count().where((EventTablet.run == run_id) & (EventTablet.ended_at.is_null()))


async def end_event_mode(run_id: int) -> int:
    """Revoke every tablet of the run, and end the turn of anyone still answering on one.
    Returns how many tablets were in use."""
    count = await tablets_in_use(run_id)
    await EventTablet.update({EventTablet.ended_at: _now()}).where(
        (EventTablet.run == run_id) & (EventTablet.ended_at.is_null())
    )
    await Response.update({Response.browser_token_hash: None}).where(
        (Response.run == run_id) & (Response.channel == EVENT_CHANNEL) & (Response.browser_token_hash.is_not_null())
    )
    return count


def turn_is_over(last_saved: datetime | None, idle_seconds: int, now: datetime | None = None) -> bool:
    """True once `idle_seconds` have passed since the person's last save."""
    if last_saved is None:
        return True
    if last_saved.tzinfo is None:  # SQLite hands back naive UTC
        last_saved = last_saved.replace(tzinfo=timezone.utc)
    return (now or _now()) - last_saved >= timedelta(seconds=idle_seconds)


async def end_turn(response_id: int) -> None:
    """The person's answers stay as an unfinished draft, but no browser can reach them any more."""
    await Response.update({Response.browser_token_hash: None}).where(Response.id == response_id)


async def end_idle_turns(run_id: int, idle_seconds: int) -> None:
    """Drop the binding of every event draft of the run left idle, whichever tablet it was on."""
    cutoff = _now() - timedelta(seconds=idle_seconds)
    await Response.update({Response.browser_token_hash: None}).where(
        (Response.run == run_id) & (Response.channel == EVENT_CHANNEL)
        & (Response.browser_token_hash.is_not_null()) & (Response.updated_at < cutoff)
    )


async def mark_saved(response_id: int) -> None:
    """Steps that save something other than answers (taking part, choices) start the idle clock again."""
    await Response.update({Response.updated_at: _now()}).where(Response.id == response_id)
