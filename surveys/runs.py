"""Survey runs: an instrument opened for responses, with the exact definition it was opened with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from surveys.instrument import Instrument, parse_instrument
from surveys.tables import SurveyRun

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
    team: str | None = None
    shared_with: tuple[str, ...] = ()

    def closed_since(self, now: datetime | None = None) -> datetime | None:
        """When the run stopped taking answers, or None while it is open."""
        now = now or datetime.now(timezone.utc)
        if self.closes_at is not None and self.closes_at <= now:
            return self.closes_at
        return None

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
        team=row.get("team"),
        shared_with=tuple(_load_json(row.get("shared_with")) or ()),
    )


# Every respondent request looks its run up, so it is one fixed query without the (large, immutable)
# instrument definition, which is read once per run and version and then kept parsed in memory.
_RUN_SQL = (
    "SELECT id, slug, title, status, variants, opens_at, closes_at, team, shared_with, instrument_version"
    " FROM survey_run WHERE {column} = {{}}"
)


async def _run_where(column: str, value: Any) -> Run | None:
    rows = await SurveyRun.raw(_RUN_SQL.format(column=column), value)
    if not rows:
        return None
    row = dict(rows[0])
    if (row["id"], row["instrument_version"]) not in _instrument_cache:
        stored = await SurveyRun.select(SurveyRun.instrument).where(SurveyRun.id == row["id"]).first()
        row["instrument"] = stored["instrument"]
    return _run_from_row(row)


async def get_run(slug: str) -> Run | None:
    return await _run_where("slug", slug)


async def get_run_by_id(run_id: int) -> Run | None:
    return await _run_where("id", run_id)


async def previous_run(run: Run) -> Run | None:
    """The most recent earlier run of the same instrument (for "change since last time"), if any."""
    row = (
        await SurveyRun.select()
        .where((SurveyRun.instrument_key == run.instrument.key) & (SurveyRun.id < run.id))
        .order_by(SurveyRun.id, ascending=False)
        .first()
    )
    return _run_from_row(row) if row else None


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
) -> Run:
    """Create an open run from an instrument, copying its definition so answers refer to it."""
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
    if status == "closed" and run is not None and (run.closes_at is None or run.closes_at > now):
        changes[SurveyRun.closes_at] = now  # when it closed: retention periods count from here
    if status == "open" and run is not None and run.closes_at is not None and run.closes_at <= now:
        changes[SurveyRun.closes_at] = None  # reopened with no end date until one is set
    await SurveyRun.update(changes).where(SurveyRun.slug == slug)
