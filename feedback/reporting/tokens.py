"""API tokens: made, listed, revoked and checked. A token is 32 random bytes (URL-safe, with a
`sendfb_` prefix so secret scanners and people recognise it); only its SHA-256 is stored, which is
enough for a random secret of that length (a password hash is for guessable secrets)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from feedback.accounts.auth import Account, can_manage, can_see
from feedback.accounts.tables import User
from feedback.reporting.tables import ApiToken
from surveys.runs import Run

PREFIX = "sendfb_"
PARTNERSHIP = "partnership"  # the scope of the partnership's own surveys (run.team is None)
MAX_DAYS = 366
DEFAULT_DAYS = 90
NAME_LIMIT = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenAccess:
    """Who a request with a valid token acts as: the token's owner, narrowed to the token's team."""

    token_id: int
    name: str
    owner: Account
    team: str
    may_read_responses: bool

    def may_read(self, run: Run) -> bool:
        """Within the owner's own permissions, and only the token's team's surveys (or those shared with it)."""
        if not can_see(self.owner, run):
            return False
        return (run.team or PARTNERSHIP) == self.team or self.team in run.shared_with

    def may_read_raw(self, run: Run) -> bool:
        """Raw answers: a token made to read them, whose owner manages the survey, scoped to the team
        that runs it. A survey shared with the token's team gives aggregated figures only."""
        return (self.may_read_responses and self.may_read(run) and can_manage(self.owner, run)
                and (run.team or PARTNERSHIP) == self.team)


class TokenProblem(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def teams_for(account: Account, known_teams: list[str]) -> list[str]:
    """The scopes this person may give a token: officers and admins any team, a forum member their own."""
    if account.role in ("admin", "officer"):
        return [PARTNERSHIP, *[t for t in known_teams if t and t != PARTNERSHIP]]
    return [account.team]


async def create_token(account: Account, name: str, team: str, days: str, read_responses: bool,
                       known_teams: list[str]) -> tuple[str, int]:
    """A new token (returned once, never stored) and its id, or TokenProblem with what to fix."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Enter a name for the token, like Power BI board dashboard"
    elif len(name) > NAME_LIMIT:
        errors["name"] = f"The name must be {NAME_LIMIT} characters or fewer"
    if team not in teams_for(account, known_teams):
        errors["team"] = "Select whose surveys the token may read"
    try:
        lifetime = int(days.strip()) if days.strip() else DEFAULT_DAYS
        if not 1 <= lifetime <= MAX_DAYS:
            raise ValueError
    except ValueError:
        lifetime = DEFAULT_DAYS
        errors["days"] = f"Enter how many days the token lasts, from 1 to {MAX_DAYS}"
    if read_responses and account.role not in ("admin", "officer"):
        errors["responses"] = "Only officers can make tokens that read responses"
    if errors:
        raise TokenProblem(errors)
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name, token_hash=_hash(token), prefix=token[: len(PREFIX) + 4], owner_id=account.id, team=team,
        may_read_responses=bool(read_responses), expires_at=datetime.now(timezone.utc) + timedelta(days=lifetime),
    )
    await row.save()
    return token, row.id


async def tokens_of(account: Account) -> list[dict]:
    """This person's tokens (admins: everyone's), newest first, without any secret."""
    query = ApiToken.select().order_by(ApiToken.id, ascending=False)
    if not account.is_admin:
        query = query.where(ApiToken.owner_id == account.id)
    rows = await query
    now = datetime.now(timezone.utc)
    for row in rows:
        row["state"] = "Revoked" if row["revoked_at"] else "Expired" if row["expires_at"] <= now else "Active"
    return rows


async def revoke_token(account: Account, token_id: int) -> dict | None:
    """Revoke one of this person's tokens (admins: anyone's); None when it is not theirs or not there."""
    row = await ApiToken.select().where(ApiToken.id == token_id).first()
    if row is None or (row["owner_id"] != account.id and not account.is_admin):
        return None
    if row["revoked_at"] is None:
        await ApiToken.update({ApiToken.revoked_at: datetime.now(timezone.utc)}).where(ApiToken.id == token_id)
    return row


async def access_for(authorization: str | None) -> TokenAccess | None:
    """The access a `Bearer` token gives, or None (missing, unknown, revoked, expired, owner disabled)."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = await ApiToken.select().where(ApiToken.token_hash == _hash(token)).first()
    now = datetime.now(timezone.utc)
    if row is None or row["revoked_at"] is not None or row["expires_at"] <= now:
        return None
    user = await User.select(User.id, User.email, User.role, User.team, User.disabled).where(User.id == row["owner_id"]).first()
    if user is None or user["disabled"]:
        return None
    if row["last_used_at"] is None or row["last_used_at"] < now - timedelta(minutes=5):  # not a write per request
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    owner = Account(id=user["id"], email=user["email"], role=user["role"], team=user["team"] or "")
    return TokenAccess(row["id"], row["name"], owner, row["team"], bool(row["may_read_responses"]))
