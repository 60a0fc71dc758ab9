"""Workspace accounts, their signed-in sessions, and the audit log.

Registered in the `feedback` Piccolo app (`feedback/database/piccolo_app.py`), whose migration history
predates the feature packages."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="workspace_user"):
    email = Varchar(length=254, null=False, unique=True)
    password_hash = Varchar(length=200, null=True, default=None)  # None until an invitation is accepted
    role = Varchar(length=20, null=False)  # admin | officer | pcv
    team = Varchar(length=80, null=False, default="partnership")
    disabled = Boolean(null=False, default=False)
    invitation_hash = Varchar(length=64, null=True, default=None, index=True)
    invitation_expires_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    last_sign_in_at = Timestamptz(null=True, default=None)


class WorkspaceSession(Table, tablename="workspace_session"):
    """A signed-in browser. Kept in the database so every server worker sees the same sessions."""

    token_hash = Varchar(length=64, null=False, unique=True)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=False)


class AuditEntry(Table, tablename="audit_log"):
    """Who did what to which object, and when. Never answers."""

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = Varchar(length=254, null=False)
    action = Varchar(length=60, null=False, index=True)
    object = Varchar(length=200, null=False, default="")
    detail = Varchar(length=500, null=False, default="")
    count = Integer(null=True, default=None)
