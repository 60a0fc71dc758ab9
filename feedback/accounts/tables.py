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


class TwoFactor(Table, tablename="workspace_two_factor"):
    """A user's authenticator app. `confirmed_at` is empty while enrolment waits for a first code.
    The TOTP secret is encrypted (feedback.accounts.two_factor); `last_step` stops a code being reused."""

    user_id = Integer(null=False, index=True)
    secret_encrypted = Varchar(length=300, null=False)
    confirmed_at = Timestamptz(null=True, default=None)
    last_step = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class RecoveryCode(Table, tablename="workspace_recovery_code"):
    """Single-use codes for when the authenticator is lost: only a keyed hash is kept."""

    user_id = Integer(null=False, index=True)
    code_hash = Varchar(length=64, null=False, index=True)
    used_at = Timestamptz(null=True, default=None)


class PendingSignIn(Table, tablename="workspace_pending_sign_in"):
    """The password was right and the code is still to come: not a session, it opens nothing else."""

    token_hash = Varchar(length=64, null=False, unique=True)
    user_id = Integer(null=False, index=True)
    expires_at = Timestamptz(null=False)


class EnrolmentLink(Table, tablename="workspace_enrolment_link"):
    """A one-time link to set up two-factor sign-in where it is required (admins in production), so that
    a stolen password alone cannot enrol the thief's authenticator. Issued by another admin or the CLI;
    only the token's hash is kept. `session_hash` names the session that used it: only that session may
    enrol, for a short while."""

    token_hash = Varchar(length=64, null=False, unique=True)
    user_id = Integer(null=False, index=True)
    issued_by = Varchar(length=254, null=False, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=False)
    used_at = Timestamptz(null=True, default=None)
    session_hash = Varchar(length=64, null=True, default=None)
