"""The workspace's analysis pages: the officer dashboard (full figures with a warning), themes and
the quote review queue. Same permissions as the survey page: someone else's survey is a 404."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from feedback.accounts.auth import signed_in, visible_or_404
from feedback.rendering import render
from feedback.results.service import find_chart, results_context, svg_to_png
from surveys.runs import get_run_by_id


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
        goal, target_error = _target(target, request.app.state.settings.satisfaction_target)
        context = await results_context(request.state.account, run, goal)
        context.update({
            "page_title": f"Results: {run.title}", "account": request.state.account, "run": run,
            "target_error": target_error, "target_input": target if target_error else None,
            "chart_downloads": f"/workspace/surveys/{run.id}/analysis/charts",
        })
        return render(request, "workspace/analysis/dashboard.html", context)

    @get("/{run_id:int}/analysis/charts/{name:str}", media_type="image/svg+xml")
    async def chart_download(self, request: Request, run_id: FromPath[int], name: FromPath[str]) -> Response:
        """One chart of the results page as SVG or PNG (drawn on our server) for slides."""
        run = await _visible_run(request, run_id)
        chart_id, _, extension = name.rpartition(".")
        if extension not in ("svg", "png") or not chart_id:
            raise NotFoundException()
        context = await results_context(request.state.account, run, request.app.state.settings.satisfaction_target)
        chart = find_chart(context, chart_id)
        if chart is None:
            raise NotFoundException()
        filename = f"{run.slug}-{chart.id}.{extension}"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        if extension == "svg":
            return Response(chart.standalone_svg, media_type="image/svg+xml", headers=headers)
        return Response(svg_to_png(chart.standalone_svg), media_type="image/png", headers=headers)
