"""Workspace accounts: Argon2 password hashes, database-backed sessions that rotate at sign-in,
roles, and the object-level rule for who may see which survey."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from email_validator import EmailNotValidError, validate_email
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware.csrf import generate_csrf_hash
from zxcvbn import zxcvbn

from feedback.errors import SignInRequired  # noqa: F401 (raised by the guards, re-exported)
from feedback.accounts.tables import User, WorkspaceSession
from feedback.accounts.two_factor import is_enrolled
from surveys.runs import Run

ROLES = ("admin", "officer", "pcv")
ROLE_LABELS = {"admin": "Administrator", "officer": "Council or health officer", "pcv": "Parent Carer Voice member"}
SESSION_IDLE = timedelta(hours=2)
SESSION_MAX = timedelta(hours=12)
INVITATION_DAYS = 7
MIN_PASSWORD = 12
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps the timing the same as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")




@dataclass(frozen=True)
class Account:
    id: int
    email: str
    role: str
    team: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.role]


def _account(user: User) -> Account:
    return Account(id=user.id, email=user.email, role=user.role, team=user.team)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_token(token: str) -> str:
    """How one-time tokens (invitations, enrolment links, sessions) are kept: only their SHA-256."""
    return _hash_token(token)


def new_one_time_token(lifetime: timedelta) -> tuple[str, str, datetime]:
    """A token to hand out once, its hash to store, and when it expires (invitations, enrolment links)."""
    token = secrets.token_urlsafe(24)
    return token, _hash_token(token), datetime.now(timezone.utc) + lifetime


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def valid_email(email: str) -> str:
    """The address, normalised, or ValueError with the GOV.UK message. email-validator checks the
    syntax properly (RFC 5322 / 6531, no quoted local parts, no special-use domains), so addresses
    like `"><img src=x>@x.org` never reach a stored row, a page or a mail header. No DNS lookups."""
    email = normalise_email(email)
    if not email or len(email) > 254:
        raise ValueError(EMAIL_FORMAT)
    try:
        checked = validate_email(email, check_deliverability=False, allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError:
        raise ValueError(EMAIL_FORMAT) from None
    if not EMAIL.match(checked.normalized) or any(c in checked.normalized for c in "<>\"'`"):
        raise ValueError(EMAIL_FORMAT)
    return normalise_email(checked.normalized)


def password_problem(password: str, email: str = "", team: str = "") -> str | None:
    """Why a password would not do, or None. Length first, then zxcvbn's estimate of how many guesses it
    would take (score 3 or more: at least 10^8), with the person's email and team as words it knows."""
    if len(password) < MIN_PASSWORD:
        return f"Password must be {MIN_PASSWORD} characters or more"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    email = normalise_email(email)
    inputs = [email, *re.split(r"[^a-z0-9]+", email), team, "send", "feedback", "workspace", "parent carer voice", "council"]
    # zxcvbn's cost grows with length; the first 72 characters tell whether a password is guessable.
    strength = zxcvbn(password[:72], user_inputs=[word for word in inputs if word])
    if strength["score"] >= 3:
        return None
    warning = strength["feedback"].get("warning") or ""
    suggestion = " ".join(strength["feedback"].get("suggestions") or []) or "Use three or four unrelated words."
    return " ".join(part for part in ["This password would be easy to guess.", warning, suggestion] if part).rstrip(".")


async def create_user(email: str, role: str, password: str | None = None, team: str = "partnership") -> tuple[User, str | None]:
    """Create an account. Without a password it gets an invitation token (returned once)."""
    email = valid_email(email)
    if role not in ROLES:
        raise ValueError(f"Role must be one of {', '.join(ROLES)}")
    if await User.exists().where(User.email == email):
        raise ValueError("There is already an account with that email address")
    invitation = None
    user = User(email=email, role=role, team=team or "partnership")
    if password is not None:
        problem = password_problem(password, email, team)
        if problem:
            raise ValueError(problem)
        user.password_hash = _hasher.hash(password)
    else:
        invitation, user.invitation_hash, user.invitation_expires_at = new_one_time_token(timedelta(days=INVITATION_DAYS))
    await user.save()
    return user, invitation


async def authenticate(email: str, password: str) -> Account | None:
    user = await User.objects().where(User.email == normalise_email(email)).first()
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled or not user.password_hash:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        await User.update({User.password_hash: _hasher.hash(password)}).where(User.id == user.id)
    return _account(user)


async def accept_invitation(token: str, password: str) -> Account | None:
    """None when the invitation is unknown, used or expired; ValueError when the password would not do."""
    user = await User.objects().where(User.invitation_hash == _hash_token(token)).first()
    if user is None or user.disabled or user.invitation_expires_at is None or user.invitation_expires_at < datetime.now(timezone.utc):
        return None
    problem = password_problem(password, user.email, user.team)
    if problem:
        raise ValueError(problem)
    await User.update(
        {User.password_hash: _hasher.hash(password), User.invitation_hash: None, User.invitation_expires_at: None}
    ).where(User.id == user.id)
    return _account(user)


async def start_session(account: Account, old_token: str | None = None) -> str:
    """A brand-new session id at every sign-in (the old one, if any, is destroyed)."""
    if old_token:
        await WorkspaceSession.delete().where(WorkspaceSession.token_hash == _hash_token(old_token))
    token = secrets.token_urlsafe(32)
    now = datetime.now(timezone.utc)
    await WorkspaceSession(token_hash=_hash_token(token), user=account.id, expires_at=now + SESSION_MAX).save()
    await User.update({User.last_sign_in_at: now}).where(User.id == account.id)
    return token


async def end_session(token: str | None) -> None:
    if token:
        await WorkspaceSession.delete().where(WorkspaceSession.token_hash == _hash_token(token))


async def end_all_sessions(user_id: int) -> None:
    await WorkspaceSession.delete().where(WorkspaceSession.user == user_id)


async def account_for_token(token: str | None) -> Account | None:
    if not token or len(token) > 100:
        return None
    row = await WorkspaceSession.select(
        WorkspaceSession.id, WorkspaceSession.last_seen_at, WorkspaceSession.expires_at,
        WorkspaceSession.user.id, WorkspaceSession.user.email, WorkspaceSession.user.role,
        WorkspaceSession.user.team, WorkspaceSession.user.disabled,
    ).where(WorkspaceSession.token_hash == _hash_token(token)).limit(1)  # token_hash is unique
    # Not .first(): its ORDER BY id lets the planner walk every session by rowid instead of the index.
    row = row[0] if row else None
    if row is None:
        return None
    now = datetime.now(timezone.utc)
    if row["user.disabled"] or row["expires_at"] < now or row["last_seen_at"] < now - SESSION_IDLE:
        await WorkspaceSession.delete().where(WorkspaceSession.id == row["id"])
        return None
    if row["last_seen_at"] < now - timedelta(minutes=5):  # do not write on every request
        await WorkspaceSession.update({WorkspaceSession.last_seen_at: now}).where(WorkspaceSession.id == row["id"])
    return Account(id=row["user.id"], email=row["user.email"], role=row["user.role"], team=row["user.team"])


# --- guards and the object rule -----------------------------------------------------------------


def session_cookie_name(production: bool) -> str:
    return "__Host-session" if production else "session"


class TwoFactorRequired(Exception):
    """An admin without a second factor in production: every workspace page sends them to enrolment."""


TWO_FACTOR_PATH = "/workspace/account/two-factor"


def csrf_token_for_session(session_token: str, secret_key: str) -> str:
    """The CSRF token of a signed-in session, in the form Litestar's CSRF middleware checks (a random-
    looking part and its HMAC), derived from the session id: a token from before sign-in, or from
    anyone else's session, is not this one. Set as the CSRF cookie at every sign-in."""
    part = hmac.new(secret_key.encode(), b"csrf for session\0" + session_token.encode(), hashlib.sha256).hexdigest()
    return part + generate_csrf_hash(token=part, secret=secret_key)


_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    settings = connection.app.state.settings
    session_token = connection.cookies.get(session_cookie_name(settings.is_production))
    account = await account_for_token(session_token)
    if account is None:
        raise SignInRequired()
    # The CSRF middleware has checked the form's token against the CSRF cookie; here the cookie must be
    # the one this session was given at sign-in.
    csrf_cookie = connection.cookies.get(connection.app.csrf_config.cookie_name) or ""
    if not hmac.compare_digest(csrf_cookie, csrf_token_for_session(session_token, settings.secret_key)):
        if connection.method not in _SAFE_METHODS:
            raise PermissionDeniedException("CSRF token not bound to this session")
        if not connection.url.path.startswith("/api/"):
            raise SignInRequired()  # a session from before tokens were bound: sign in again to get one
    connection.state.account = account
    if two_factor_required(account, settings.is_production) and connection.url.path != TWO_FACTOR_PATH:
        if not await is_enrolled(account.id):
            raise TwoFactorRequired()


ENROLMENT_LINK_PREFIX = "/two-factor/setup/"


def two_factor_required(account: Account, production: bool) -> bool:
    """Admins must have a second factor in production; everyone may, and in development nobody must."""
    return production and account.is_admin


def handle_two_factor_required(request, exc: Exception):
    from litestar import Response
    from litestar.response import Redirect

    if request.url.path.startswith("/api/"):
        return Response({"status_code": 403, "detail": "Set up two-factor sign-in first"}, status_code=403)
    if request.headers.get("hx-request") == "true":
        return Response(b"", status_code=204, headers={"HX-Redirect": TWO_FACTOR_PATH})
    return Redirect(path=TWO_FACTOR_PATH, status_code=303)


async def account_by_id(user_id: int) -> Account | None:
    user = await User.objects().where(User.id == user_id).first()
    if user is None or user.disabled or not user.password_hash:
        return None
    return _account(user)


def role_guard(*roles: str):
    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        await signed_in(connection, handler)
        if connection.state.account.role not in roles:
            raise NotFoundException()  # no hint that the page exists

    return guard


def can_see(account: Account, run: Run) -> bool:
    """Admins and officers see every survey; a forum member sees their team's and those shared with it."""
    if account.role in ("admin", "officer"):
        return True
    # A survey's results can be shared with a forum team (the partnership's joint survey too).
    return (run.team is not None and run.team == account.team) or account.team in run.shared_with


def can_manage(account: Account, run: Run) -> bool:
    """Open, close and enter responses: admins, officers, and the forum team that runs it."""
    if account.role in ("admin", "officer"):
        return True
    return run.team is not None and run.team == account.team


def visible_or_404(account: Account, run: Run | None, manage: bool = False) -> Run:
    """Someone else's survey looks exactly like one that does not exist: 404, not a hint."""
    if run is None or not (can_manage(account, run) if manage else can_see(account, run)):
        raise NotFoundException()
    return run
