"""Tables owned by the application shell: workspace accounts, their sessions, and the audit log."""

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


class Update(Table, tablename="yswd_update"):
    """A "you said, we did" entry: what families said (from a survey's figures and themes), what the
    partnership did about it, who owns it and how far it has got."""

    run = Integer(null=True, default=None, index=True)  # the survey run it answers (id), if any
    themes = JSON(null=False, default=[])
    title = Varchar(length=200, null=False)
    you_said = Text(null=False, default="")
    we_did = Text(null=False, default="")
    easy_read_you_said = Text(null=False, default="")
    easy_read_we_did = Text(null=False, default="")
    owner = Varchar(length=200, null=False, default="")  # the service or team responsible
    status = Varchar(length=30, null=False, default="planned")  # planned | in_progress | done | not_taken_forward
    reason = Text(null=False, default="")  # why, when not taken forward
    progress = Integer(null=False, default=0)  # percent
    due_on = Varchar(length=10, null=False, default="")  # ISO date
    team = Varchar(length=80, null=True, default=None)  # the forum team that wrote it, if any
    published = Boolean(null=False, default=False)
    published_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class UpdateEvent(Table, tablename="yswd_event"):
    """The timeline of an update: each status change or progress note, dated."""

    update = ForeignKey(Update, null=False, on_delete=OnDelete.cascade, index=True)
    at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=30, null=False)
    note = Text(null=False, default="")
    actor = Varchar(length=254, null=False, default="")


class ThemeCodebook(Table, tablename="theme_codebook"):
    """A saved version of the workspace's theme codebook (the built-in analysis/codebook.toml is
    version 0, used while none is stored). Each save makes a new version; none is ever changed."""

    version = Integer(null=False, unique=True)
    definition = Text(null=False)  # the codebook as JSON (analysis.codebook.Codebook.to_json)
    fingerprint = Varchar(length=32, null=False, default="")
    note = Varchar(length=300, null=False, default="")  # what changed, e.g. "edited theme transport"
    created_by = Varchar(length=254, null=False, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class CommentCoding(Table, tablename="comment_coding"):
    """One theme of one free-text answer: suggested by the coder (with the terms that matched) or
    added by an officer, and the officer's decision on it. No comment text: that stays in the
    response (and is erased with it)."""

    run = Integer(null=False, index=True)
    response = Integer(null=False, index=True)  # survey_response id
    question = Varchar(length=80, null=False)
    theme = Varchar(length=60, null=False)
    terms = JSON(null=False, default=[])  # codebook terms that matched (not the respondent's words)
    source = Varchar(length=10, null=False, default="coder")  # coder | officer
    status = Varchar(length=12, null=False, default="suggested")  # suggested | confirmed | removed
    codebook_version = Integer(null=False, default=0)
    decided_by = Varchar(length=254, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    coded_at = Timestamptz(default=TimestamptzNow())


class CodedComment(Table, tablename="coded_comment"):
    """That a free-text answer has been coded, and with which codebook version (a comment no theme
    matched has no CommentCoding rows, so this tells "coded, no theme" from "not coded yet")."""

    run = Integer(null=False, index=True)
    response = Integer(null=False, index=True)
    question = Varchar(length=80, null=False)
    codebook_version = Integer(null=False, default=0)
    coded_at = Timestamptz(default=TimestamptzNow())


class Quote(Table, tablename="quote"):
    """A free-text answer put forward as a quote: only from respondents who agree to be quoted
    (re-checked through the consent gate at every read), stored redacted, and published only
    once an officer approves it. The respondent's own words are never stored here unredacted."""

    run = Integer(null=False, index=True)
    response = Integer(null=False, index=True)  # survey_response id
    respondent_id = Varchar(length=64, null=False, index=True)  # the consent subject
    question = Varchar(length=80, null=False)
    themes = JSON(null=False, default=[])  # theme keys of the comment when it was put forward
    text = Text(null=False, default="")  # the redacted wording, as approved or edited
    edited = Boolean(null=False, default=False)  # an officer changed the redacted wording
    status = Varchar(length=12, null=False, default="pending")  # pending | approved | rejected
    decided_by = Varchar(length=254, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    updates = JSON(null=False, default=[])  # ids of "you said, we did" updates that show it
    created_at = Timestamptz(default=TimestamptzNow())
