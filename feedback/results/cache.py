"""Computed results kept per survey, keyed on the last change to everything they are made from.

The results page, its chart downloads and the board report compute the same figures (every
question of every run of the lineage, the change since last year, the themes of two runs). They
change only when something they are made from changes: a response submitted, withdrawn or erased, a
consent record (quotes), a theme coded or an officer's decision on one, the codebook, the families
entered per group, or the runs themselves. `fingerprint` reads those with a few aggregate queries,
so a key is right in every worker process and a stale entry is simply never asked for again."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Hashable

from surveys.runs import Run
from surveys.tables import Response

MAX_ENTRIES = 16
_entries: OrderedDict[Hashable, Any] = OrderedDict()


def _placeholders(count: int) -> str:
    return ", ".join(["{}"] * count)


async def _one(sql: str, *values: Any) -> tuple:
    rows = await Response.raw(sql, *values)
    return tuple(str(v) for v in (rows[0].values() if rows else ()))


async def fingerprint(runs: list[Run], population_run: int) -> tuple:
    """What the results of these runs depend on, as a tuple that changes whenever any of it does."""
    ids = [r.id for r in runs]
    marks = _placeholders(len(ids))
    responses = await _one(
        f"SELECT count(*), sum(id), max(updated_at), max(submitted_at) FROM survey_response "
        f"WHERE run IN ({marks}) AND status = 'submitted'", *ids)
    consent = await _one(
        f"SELECT max(id), count(*) FROM consent_record WHERE subject IN "
        f"(SELECT CAST(respondent_id AS TEXT) FROM survey_response WHERE run IN ({marks}))", *ids)
    rights = await _one("SELECT max(id) FROM consent_event")
    codings = await _one(
        f"SELECT count(*), max(id), max(decided_at), sum(CASE WHEN status = 'removed' THEN id ELSE 0 END), "
        f"sum(CASE WHEN status = 'confirmed' THEN id ELSE 0 END) FROM comment_coding WHERE run IN ({marks})", *ids)
    coded = await _one(f"SELECT count(*), max(id) FROM coded_comment WHERE run IN ({marks})", *ids)
    codebook = await _one("SELECT max(id) FROM theme_codebook")
    populations = await _one(
        "SELECT count(*), max(id), max(updated_at) FROM group_population WHERE run_id = {}", population_run)
    shape = tuple((r.id, r.title, r.status, str(r.closed_at), r.lineage, r.instrument.version) for r in runs)
    return (shape, responses, consent, rights, codings, coded, codebook, populations)


def get(key: Hashable) -> Any | None:
    value = _entries.get(key)
    if value is not None:
        _entries.move_to_end(key)
    return value


def put(key: Hashable, value: Any) -> None:
    _entries[key] = value
    _entries.move_to_end(key)
    while len(_entries) > MAX_ENTRIES:
        _entries.popitem(last=False)


def clear() -> None:
    _entries.clear()
