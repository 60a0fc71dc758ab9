"""Live counts of responses per run: started, submitted, withdrawn, and the completion rate."""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.query.functions.aggregate import Count

from surveys.tables import Response


@dataclass(frozen=True)
class RunCounts:
    in_progress: int = 0
    submitted: int = 0
    withdrawn: int = 0

    @property
    def started(self) -> int:
        return self.in_progress + self.submitted + self.withdrawn

    @property
    def completion_rate(self) -> float | None:
        """Share of people who started and went on to send their answers."""
        return (self.submitted + self.withdrawn) / self.started if self.started else None


async def counts_by_run(run_ids: list[int]) -> dict[int, RunCounts]:
    if not run_ids:
        return {}
    rows = await Response.select(Response.run, Response.status, Count(Response.id, alias="n")).where(
        Response.run.is_in(run_ids)
    ).group_by(Response.run, Response.status)
    tallies: dict[int, dict[str, int]] = {rid: {} for rid in run_ids}
    for row in rows:
        tallies[row["run"]][row["status"]] = row["n"]
    return {rid: RunCounts(t.get("in_progress", 0), t.get("submitted", 0), t.get("withdrawn", 0)) for rid, t in tallies.items()}
