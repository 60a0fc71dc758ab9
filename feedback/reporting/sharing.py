"""Sharing a survey's results with forum teams: admins choose which Parent Carer Voice teams may see
a survey's results (its results pages, board report and reporting API), e.g. the joint annual
survey shared with Parent Carer Voice. The team that runs a survey always sees it."""

from __future__ import annotations

from feedback.accounts.tables import User
from surveys.runs import Run, list_runs
from surveys.tables import SurveyRun

PARTNERSHIP = "partnership"


async def forum_teams() -> list[str]:
    """Every forum team we know of: teams of forum members and of surveys forums run."""
    teams = {r["team"] for r in await User.select(User.team).where(User.role == "pcv").distinct() if r["team"]}
    teams |= {r.team for r in await list_runs() if r.team}
    return sorted(teams - {PARTNERSHIP})


async def share_results(run: Run, teams: list[str], known: list[str]) -> tuple[list[str], list[str]]:
    """Set the teams a survey's results are shared with (only known forum teams, never its own).
    Returns (added, removed)."""
    wanted = sorted({t for t in teams if t in known and t != run.team})
    before = set(run.shared_with)
    await SurveyRun.update({SurveyRun.shared_with: wanted}).where(SurveyRun.id == run.id)
    return sorted(set(wanted) - before), sorted(before - set(wanted))
