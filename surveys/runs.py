"""Survey runs: an instrument opened for responses, with the exact definition it was opened with."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from surveys.instrument import Instrument, parse_instrument
from surveys.tables import SurveyRun
from surveys.storage import fixed_query, when_written

_instrument_cache: dict[tuple[int, str], Instrument] = {}


@dataclass(frozen=True)
class Run:
    id: int
    slug: str
    title: str
    status: str
    variants: tuple[str, ...]
    opens_at: datetime | None
    closes_at: datetime | None
    instrument: Instrument
    closed_at: datetime | None = None  # when someone closed it (the closing date stays as planned)
    team: str | None = None
    shared_with: tuple[str, ...] = ()
    lineage_key: str | None = None  # set when copied from another survey (see `lineage`)
    created_at: datetime | None = None

    def title_for(self, variant: str) -> str:
        """The survey's name as a version shows it: easy words in the easy-read and picture versions
        when the instrument has them (`easy_title`), else the run's title."""
        if variant in ("easy_read", "symbols") and self.instrument.easy_title:
            # Keep what tells two runs of one survey apart in a list ("(2026)", see `told_apart`).
            standard = self.instrument.title
            told_apart = self.title[len(standard):] if self.title.startswith(standard) else ""
            return self.instrument.easy_title + told_apart
        return self.title

    @property
    def year(self) -> str:
        """The year the run took answers in (when it opened, else when it was created), for trends."""
        when = self.opens_at or self.created_at or self.closes_at
        return str(when.year) if when else ""

    @property
    def lineage(self) -> str:
        """Which survey this run continues: every year of the annual survey shares one lineage, even
        when a year was copied in the builder (a new instrument key) rather than opened from the file."""
        return self.lineage_key or self.instrument.key

    def closed_since(self, now: datetime | None = None) -> datetime | None:
        """When the run stopped taking answers (closed by someone, or its closing date passed), or
        None while it takes answers or waits to open. Retention periods count from here."""
        now = now or datetime.now(timezone.utc)
        ends = [self.closes_at] if self.closes_at is not None and self.closes_at <= now else []
        if self.status == "closed" and self.closed_at is not None:
            ends.append(self.closed_at)
        return min(ends) if ends else None

    def is_scheduled(self, now: datetime | None = None) -> bool:
        """Open, but its opening date has not come yet: not listed, not answerable."""
        now = now or datetime.now(timezone.utc)
        return self.status == "open" and self.opens_at is not None and now < self.opens_at

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(timezone.utc)
        if self.status != "open":
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at


def _load_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _run_from_row(row: dict[str, Any]) -> Run:
    cache_key = (row["id"], row["instrument_version"])
    instrument = _instrument_cache.get(cache_key)
    if instrument is None:
        instrument = parse_instrument(_load_json(row["instrument"]), source=f"survey run {row['slug']}")
        _instrument_cache[cache_key] = instrument
    return Run(
        id=row["id"],
        slug=row["slug"],
        title=row["title"],
        status=row["status"],
        variants=tuple(_load_json(row["variants"])),
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        instrument=instrument,
        closed_at=row.get("closed_at"),
        team=row.get("team"),
        shared_with=tuple(_load_json(row.get("shared_with")) or ()),
        lineage_key=row.get("lineage"),
        created_at=row.get("created_at"),
    )


# Every respondent request looks its run up, so it is one fixed query without the (large, immutable)
# instrument definition, which is read once per run and version and then kept parsed in memory.
_RUN_SQL = (
    "SELECT id, slug, title, status, variants, opens_at, closes_at, closed_at, team, shared_with, instrument_version, lineage, created_at"
    " FROM survey_run WHERE {column} = {{}}"
)


async def _run_where(column: str, value: Any) -> Run | None:
    rows = await fixed_query(SurveyRun, _RUN_SQL.format(column=column), value)
    if not rows:
        return None
    row = dict(rows[0])
    if (row["id"], row["instrument_version"]) not in _instrument_cache:
        stored = await SurveyRun.select(SurveyRun.instrument).where(SurveyRun.id == row["id"]).first()
        row["instrument"] = stored["instrument"]
    return _run_from_row(row)


async def get_run(slug: str) -> Run | None:
    return await _run_where("slug", slug)


class RecentRuns:
    """The runs respondent pages look up, each read at most `FRESH_FOR` seconds ago in this process.

    Every respondent request (a page, a save) needs its run, and reading it costs as much as the
    draft it saves. A change made in this process (closing, dates, sharing, a new run, any write to
    the table through Piccolo) is seen at once: for `FRESH_FOR` seconds after it nothing is kept, so
    a transaction still committing cannot leave its old row behind. A change made by another
    process reaches this one within `FRESH_FOR` seconds. Staff pages read the run afresh each time."""

    FRESH_FOR = 1.0
    MOST = 1000  # unknown slugs are kept too (as None); the whole store is dropped past this

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._kept: dict[str, tuple[float, Run | None]] = {}
        self._written_at = float("-inf")

    def written(self) -> None:
        self._kept.clear()
        self._written_at = self.clock()

    async def get(self, slug: str) -> Run | None:
        now = self.clock()
        kept = self._kept.get(slug)
        if kept is not None and now - kept[0] < self.FRESH_FOR:
            return kept[1]
        run = await get_run(slug)
        if now - self._written_at >= self.FRESH_FOR:
            if len(self._kept) >= self.MOST:
                self._kept.clear()
            self._kept[slug] = (now, run)
        return run


recent_runs = RecentRuns()
when_written(SurveyRun._meta.tablename, recent_runs.written)


async def get_run_by_id(run_id: int) -> Run | None:
    return await _run_where("id", run_id)


async def previous_run(run: Run) -> Run | None:
    """The most recent earlier run of the same lineage (for "change since last time"), if any."""
    earlier = [r for r in await lineage_runs(run) if r.id < run.id]
    return earlier[-1] if earlier else None


async def lineage_runs(run: Run) -> list[Run]:
    """Every run of `run`'s lineage up to and including it, oldest first (by when it opened)."""
    rows = await SurveyRun.select().where(
        ((SurveyRun.lineage == run.lineage) | ((SurveyRun.lineage.is_null()) & (SurveyRun.instrument_key == run.lineage)))
        & (SurveyRun.id <= run.id)
    ).order_by(SurveyRun.id)
    runs = [_run_from_row(row) for row in rows]
    if all(r.id != run.id for r in runs):
        runs.append(run)
    return sorted(runs, key=lambda r: r.id)


def told_apart(runs: list[Run]) -> list[Run]:
    """The runs with titles people can tell apart in a list: two runs called the same get their year
    added, or their web address when they are of the same year too."""
    from collections import Counter
    from dataclasses import replace

    same = Counter(r.title for r in runs)
    result = []
    for r in runs:
        if same[r.title] > 1:
            twins = [o for o in runs if o.title == r.title]
            unique_year = r.year and sum(1 for o in twins if o.year == r.year) == 1
            r = replace(r, title=f"{r.title} ({r.year})" if unique_year else f"{r.title} (/s/{r.slug})")
        result.append(r)
    return result


async def list_runs(status: str | None = None) -> list[Run]:
    query = SurveyRun.select().order_by(SurveyRun.id)
    if status:
        query = query.where(SurveyRun.status == status)
    return [_run_from_row(row) for row in await query]


async def list_open_runs() -> list[Run]:
    return [run for run in await list_runs("open") if run.is_open()]


async def open_run(
    instrument: Instrument,
    slug: str,
    title: str | None = None,
    closes_at: datetime | None = None,
    opens_at: datetime | None = None,
    variants: tuple[str, ...] | None = None,
    team: str | None = None,
    lineage: str | None = None,
) -> Run:
    """Create an open run from an instrument, copying its definition so answers refer to it.
    `lineage` names the survey it continues when that is not its instrument key (a builder copy)."""
    offered = tuple(v for v in (variants or instrument.variants) if v in instrument.variants) or ("standard",)
    row = SurveyRun(
        slug=slug,
        title=title or instrument.title,
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        instrument=instrument.raw,
        status="open",
        variants=list(offered),
        opens_at=opens_at,
        closes_at=closes_at,
        team=team,
        shared_with=[],
        lineage=lineage if lineage and lineage != instrument.key else None,
    )
    await row.save()
    run = await get_run(slug)
    assert run is not None
    return run


async def set_status(slug: str, status: str) -> None:
    if status not in {"draft", "open", "closed"}:
        raise ValueError(f"unknown status {status!r}")
    changes: dict[Any, Any] = {SurveyRun.status: status}
    run = await get_run(slug)
    now = datetime.now(timezone.utc)
    # The planned dates are never touched: closing records when it closed (retention counts from
    # there), reopening clears that, and a closing date that has passed must be moved first.
    if status == "closed" and run is not None and run.status != "closed":
        changes[SurveyRun.closed_at] = now
    if status == "open" and run is not None:
        if run.closes_at is not None and run.closes_at <= now:
            raise ClosingDatePassed(run.closes_at)
        changes[SurveyRun.closed_at] = None
    await SurveyRun.update(changes).where(SurveyRun.slug == slug)


class ClosingDatePassed(ValueError):
    """Reopening a survey whose closing date has passed: set a later closing date first."""

    def __init__(self, closes_at: datetime):
        self.closes_at = closes_at
        super().__init__(f"the closing date {closes_at:%Y-%m-%d} has passed")


async def set_dates(slug: str, opens_at: datetime | None, closes_at: datetime | None) -> None:
    """The survey's planned opening and closing dates (None: open straight away / no end date).
    An open survey with a future opening date is scheduled: not listed and not answerable yet."""
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise ValueError("the closing date must be after the opening date")
    await SurveyRun.update({SurveyRun.opens_at: opens_at, SurveyRun.closes_at: closes_at}).where(SurveyRun.slug == slug)
