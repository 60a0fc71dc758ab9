""""You said, we did" updates with their timelines, and quotes put forward for publishing.

Registered in the `feedback` Piccolo app (`feedback/database/piccolo_app.py`)."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


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
