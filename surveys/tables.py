from piccolo.columns import JSON, ForeignKey, Integer, Timestamptz, UUID, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class SurveyRun(Table, tablename="survey_run"):
    """One opening of an instrument, e.g. the 2026 annual survey for parents and carers.

    The exact instrument definition is copied in when the run is created, so answers always refer
    to the wording people actually saw, even if the instrument file changes later.
    """

    slug = Varchar(length=80, null=False, unique=True)
    title = Varchar(length=200, null=False)
    instrument_key = Varchar(length=80, null=False)
    instrument_version = Varchar(length=40, null=False)
    instrument = JSON(null=False)
    status = Varchar(length=20, null=False, default="draft")  # draft | open | closed
    variants = JSON(null=False, default=["standard"])
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)  # the planned closing date
    closed_at = Timestamptz(null=True, default=None)  # when someone closed it (None while open)
    created_at = Timestamptz(default=TimestamptzNow())
    # Who runs it: None for the partnership (officers); a Parent Carer Voice team's name otherwise.
    team = Varchar(length=80, null=True, default=None)
    shared_with = JSON(null=False, default=[])  # teams that may see its results
    # The survey this one continues (e.g. last year's annual survey copied in the builder); None: its instrument key.
    lineage = Varchar(length=80, null=True, default=None)


class Response(Table, tablename="survey_response"):
    """One person's answers to one run: a draft until submitted."""

    run = ForeignKey(SurveyRun, null=False, on_delete=OnDelete.restrict, index=True)
    respondent_id = UUID(null=False, unique=True, default=UUID4())  # pseudonymous id shared with consent records
    reference = Varchar(length=20, null=False, unique=True)  # shown on the confirmation page
    browser_token_hash = Varchar(length=64, null=True, default=None, index=True)
    resume_code_hash = Varchar(length=64, null=True, default=None, index=True)
    status = Varchar(length=20, null=False, default="in_progress", index=True)  # in_progress | submitted | withdrawn
    variant = Varchar(length=20, null=False, default="standard")
    channel = Varchar(length=20, null=False, default="web")
    current_page = Varchar(length=80, null=True, default=None)
    answers = JSON(null=False, default={})
    pages_saved = Integer(null=False, default=0)
    started_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)


class InstrumentDraft(Table, tablename="instrument_draft"):
    """An instrument being written in the workspace's consultation builder.

    `definition` is the raw instrument, in the same format as the TOML files, so publishing it, the
    file download and the built-in loader all go through `parse_instrument`. Publishing copies the
    definition into a run and bumps `version`, so later edits never change what people answered.
    """

    key = Varchar(length=80, null=False, unique=True)  # the instrument key, fixed at creation
    title = Varchar(length=200, null=False)
    # Who owns it: None for the partnership (officers); a Parent Carer Voice team's name otherwise.
    team = Varchar(length=80, null=True, default=None, index=True)
    definition = JSON(null=False, default={})
    version = Integer(null=False, default=1)  # the version the next publication will carry
    published = JSON(null=False, default=[])  # [{"run_id", "slug", "version", "at"}], oldest first
    lineage = Varchar(length=80, null=True, default=None)  # kept from the survey it was copied from
    created_by = Varchar(length=254, null=False, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
