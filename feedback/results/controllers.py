"""The workspace's analysis pages: the officer dashboard (full figures with a warning), themes and
the quote review queue. Same permissions as the survey page: someone else's survey is a 404."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery

from analysis.loading import load_run
from feedback.results.dashboard import dashboard_context
from feedback.accounts.auth import can_see, signed_in, visible_or_404
from feedback.rendering import render
from feedback.themes.views import themes_overview
from surveys.runs import get_run_by_id, previous_run


async def _visible_run(request: Request, run_id: int, manage: bool = False):
    return visible_or_404(request.state.account, await get_run_by_id(run_id), manage=manage)


def _target(text: str | None, default: float) -> tuple[float, str | None]:
    """The target to compare against: the partnership's, or one an officer tries out (a percentage)."""
    if text is None or not text.strip():
        return default, None
    try:
        percent = float(text.strip().rstrip("%"))
    except ValueError:
        return default, "Enter the target as a number, like 90"
    if not 0 < percent <= 100:
        return default, "Enter a target between 1 and 100"
    return percent / 100, None


class AnalysisController(Controller):
    path = "/workspace/surveys"
    guards = [signed_in]
    include_in_schema = False

    @get("/{run_id:int}/analysis")
    async def dashboard(
        self, request: Request, run_id: FromPath[int], target: FromQuery[str | None] = None
    ) -> Response:
        run = await _visible_run(request, run_id)
        data = await load_run(run)
        earlier = await previous_run(run)
        if earlier is not None and not can_see(request.state.account, earlier):
            earlier = None
        goal, target_error = _target(target, request.app.state.settings.satisfaction_target)
        context = dashboard_context(data, goal, await load_run(earlier) if earlier else None)
        context.update(await themes_overview(run, data))
        context.update({
            "page_title": f"Results: {run.title}", "account": request.state.account, "run": run,
            "previous_run": earlier, "target_error": target_error, "target_input": target if target_error else None,
        })
        return render(request, "workspace/analysis/dashboard.html", context)
