from piccolo.columns import Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class ApiToken(Table, tablename="api_token"):
    """A read-only token a reporting tool sends as `Authorization: Bearer …`. Only its SHA-256 is
    kept (the token is shown once, when made); it reads one team's surveys ("partnership" for the
    partnership's own), never more than the person who made it may see, until it expires or is revoked."""

    name = Varchar(length=100, null=False)
    token_hash = Varchar(length=64, null=False, unique=True)
    prefix = Varchar(length=12, null=False)  # the first characters, so people can tell tokens apart
    owner_id = Integer(null=False, index=True)  # the workspace user who made it (a disabled user's tokens stop)
    team = Varchar(length=80, null=False)
    may_read_responses = Boolean(null=False, default=False)  # officers' and admins' tokens only
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=False)
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
