"""One-time links to set up two-factor sign-in where it is required (admins in production).

Without them, a stolen admin password was enough: the thief signed in and enrolled their own
authenticator. Now such a person can only enrol after opening a link another admin (or the CLI, for the
first admin of a fresh install) gave them, and entering their password on it. The token is made and
hashed as invitations are (feedback.accounts.auth.new_one_time_token); the link works once, for 24 hours,
and lets only the session it started enrol, for half an hour."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from feedback.accounts.auth import ENROLMENT_LINK_PREFIX, hash_token, new_one_time_token
from feedback.accounts.tables import EnrolmentLink, User
from feedback.accounts.two_factor import is_enrolled

LINK_HOURS = 24
GRANT_MINUTES = 30


def link_path(token: str) -> str:
    return ENROLMENT_LINK_PREFIX + token


async def issue_enrolment_link(user_id: int, issued_by: str) -> str:
    """A new link for the user (any unused earlier one stops working); the token is returned once."""
    await EnrolmentLink.delete().where((EnrolmentLink.user_id == user_id) & EnrolmentLink.used_at.is_null())
    token, token_hash, expires = new_one_time_token(timedelta(hours=LINK_HOURS))
    await EnrolmentLink(token_hash=token_hash, user_id=user_id, issued_by=issued_by, expires_at=expires).save()
    return token


async def user_for_link(token: str | None) -> User | None:
    """The active user an unused, unexpired link is for, else None. Never for someone who already has a
    second factor: the link starts a session with the password alone, so it would skip their code."""
    if not token or len(token) > 100:
        return None
    link = await EnrolmentLink.objects().where(
        (EnrolmentLink.token_hash == hash_token(token)) & EnrolmentLink.used_at.is_null()
    ).first()
    if link is None or link.expires_at < datetime.now(timezone.utc):
        return None
    user = await User.objects().where(User.id == link.user_id).first()
    if user is None or user.disabled or not user.password_hash or await is_enrolled(user.id):
        return None
    return user


async def use_enrolment_link(token: str, user_id: int, session_token: str) -> bool:
    """Use the link up (once: two requests racing with it cannot both win) for the given session."""
    now = datetime.now(timezone.utc)
    used = await EnrolmentLink.update({EnrolmentLink.used_at: now, EnrolmentLink.session_hash: hash_token(session_token)}).where(
        (EnrolmentLink.token_hash == hash_token(token)) & (EnrolmentLink.user_id == user_id)
        & EnrolmentLink.used_at.is_null() & (EnrolmentLink.expires_at > now)
    ).returning(EnrolmentLink.id)
    return bool(used)


async def enrolment_granted(user_id: int, session_token: str | None) -> bool:
    """Whether this session came in through an enrolment link for this user, recently."""
    if not session_token:
        return False
    since = datetime.now(timezone.utc) - timedelta(minutes=GRANT_MINUTES)
    return await EnrolmentLink.exists().where(
        (EnrolmentLink.user_id == user_id) & (EnrolmentLink.session_hash == hash_token(session_token))
        & (EnrolmentLink.used_at > since)
    )
