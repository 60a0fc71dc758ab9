from piccolo.columns import JSON, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Notice(Table, tablename="consent_notice"):
    """One published version of a privacy notice. Published versions are never edited."""

    key = Varchar(length=80, null=False, index=True)
    version = Integer(null=False)
    audience = Varchar(length=20, null=False, default="standard")  # standard | easy_read
    title = Varchar(length=200, null=False)
    summary = Text(null=False)
    body = Text(null=False)
    published_on = Varchar(length=10, null=False)  # ISO date shown to readers
    edited_by = Varchar(length=254, null=False, default="")  # an admin's edit in the workspace; "" for the package's files
    created_at = Timestamptz(default=TimestamptzNow())


class ConsentRecord(Table, tablename="consent_record"):
    """Who agreed to what, when, on which notice, through which channel. Append-only."""

    subject = Varchar(length=64, null=False, index=True)  # pseudonymous respondent id
    actor = Varchar(length=30, null=False)  # self | parent_carer | practitioner | volunteer
    notice = ForeignKey(Notice, null=False, on_delete=OnDelete.restrict)
    channel = Varchar(length=20, null=False)  # web | easy_read_web | paper | event
    purposes = JSON(null=False)  # {"participation": "acknowledged", "quotes": "refused", ...}
    recorded_at = Timestamptz(default=TimestamptzNow())


class ContactDetail(Table, tablename="consent_contact"):
    """How to reach someone who asked to hear back. Kept apart from answers, and deleted on
    withdrawal or when its retention period ends."""

    subject = Varchar(length=64, null=False, index=True)
    purpose = Varchar(length=30, null=False, default="contact")
    email = Varchar(length=254, null=True, default=None)
    phone = Varchar(length=30, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class DataRightsEvent(Table, tablename="consent_event"):
    """That something happened to personal data (an erasure, a withdrawal, a retention run, a
    subject access export): never what the data was, and never whose."""

    kind = Varchar(length=30, null=False)
    count = Integer(null=False, default=1)
    detail = Varchar(length=200, null=False, default="")
    happened_at = Timestamptz(default=TimestamptzNow())


class CorrectionRequest(Table, tablename="consent_correction"):
    """A respondent's request to correct what is held ("ask us to correct it"), sent with their
    reference. The words are theirs: shown to officers only inside hx-disable, never logged, and
    deleted with the answers (erasure or the end of the retention period)."""

    subject = Varchar(length=64, null=False, index=True)
    survey = Varchar(length=80, null=False, default="")  # the survey's slug, for the officer's list
    what_is_wrong = Text(null=False, default="")
    should_say = Text(null=False, default="")
    status = Varchar(length=20, null=False, default="open")  # open | corrected | not_changed
    outcome = Text(null=False, default="")  # what the officer did, or why nothing was changed
    handled_by = Varchar(length=254, null=False, default="")
    handled_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(default=TimestamptzNow())
