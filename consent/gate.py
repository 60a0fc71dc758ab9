"""The one gate every consumer of answers goes through: exports, analysis and publishing.

`permitted(subject, purpose)` answers for one person; `permitted_subjects` filters many at once.
The latest decision for a purpose wins. Taking part is permitted until withdrawn; every optional
purpose only when the latest decision is "granted". Unknown people are never permitted.
"""

from __future__ import annotations

import json
from typing import Iterable

from consent.purposes import ALL_PURPOSES, PARTICIPATION
from consent.tables import ConsentRecord

_BATCH = 500


async def latest_decisions(subjects: Iterable[str]) -> dict[str, dict[str, str]]:
    """For each subject, the latest decision per purpose (records are applied oldest first)."""
    wanted = list(dict.fromkeys(str(s) for s in subjects))
    decisions: dict[str, dict[str, str]] = {s: {} for s in wanted}
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        rows = await ConsentRecord.select(ConsentRecord.id, ConsentRecord.subject, ConsentRecord.purposes).where(
            ConsentRecord.subject.is_in(chunk)
        )
        # Oldest first, sorted here: ORDER BY id could lead the planner to scan every record by rowid.
        for row in sorted(rows, key=lambda r: r["id"]):
            purposes = row["purposes"]
            if isinstance(purposes, str):
                purposes = json.loads(purposes)
            decisions[row["subject"]].update(purposes)
    return decisions


def _allows(decisions: dict[str, str], purpose: str) -> bool:
    if purpose not in ALL_PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    if decisions.get(PARTICIPATION) in (None, "withdrawn"):
        return False  # no record of taking part, or withdrawn: nothing may be used
    if purpose == PARTICIPATION:
        return True
    return decisions.get(purpose) == "granted"


async def permitted(subject: str, purpose: str) -> bool:
    return _allows((await latest_decisions([subject]))[str(subject)], purpose)


async def permitted_subjects(purpose: str, subjects: Iterable[str]) -> set[str]:
    """The subset of `subjects` whose answers may be used for `purpose`."""
    return {s for s, d in (await latest_decisions(subjects)).items() if _allows(d, purpose)}
