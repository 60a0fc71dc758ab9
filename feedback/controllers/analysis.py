"""The workspace's analysis pages: the officer dashboard (full figures with a warning), themes and
the quote review queue. Same permissions as the survey page: someone else's survey is a 404."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from analysis.loading import load_run
from feedback.analysis_views import dashboard_context
from feedback.auth import signed_in, visible_or_404
from feedback.rendering import render
from surveys.runs import get_run_by_id


async def _visible_run(request: Request, run_id: int, manage: bool = False):
    return visible_or_404(request.state.account, await get_run_by_id(run_id), manage=manage)


class AnalysisController(Controller):
    path = "/workspace/surveys"
    guards = [signed_in]
    include_in_schema = False

    @get("/{run_id:int}/analysis")
    async def dashboard(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _visible_run(request, run_id)
        data = await load_run(run)
        context = dashboard_context(data)
        context.update({"page_title": f"Results: {run.title}", "account": request.state.account, "run": run})
        return render(request, "workspace/analysis/dashboard.html", context)
