"""The workspace's analysis pages: the officer dashboard (full figures with a warning), themes and
the quote review queue. Same permissions as the survey page: someone else's survey is a 404."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from feedback.accounts.audit import audit
from feedback.accounts.auth import can_manage, signed_in, visible_or_404
from feedback.rendering import render
from analysis.loading import load_run
from feedback.results.populations import (
    MAX_UPLOAD, breakdowns_of, families_from_csv, families_from_form, groups_of, populations_of, save_populations,
)
from feedback.results.responses import answer_choices, opened_response, responses_behind_figure
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
        self, request: Request, run_id: FromPath[int], target: FromQuery[str | None] = None,
        weight: FromQuery[str | None] = None,
    ) -> Response:
        run = await _visible_run(request, run_id)
        goal, target_error = _target(target, request.app.state.settings.satisfaction_target)
        context = await results_context(request.state.account, run, goal, weight_by=(weight or "")[:40] or None)
        context.update({
            "page_title": f"Results: {run.title}", "account": request.state.account, "run": run,
            "target_error": target_error, "target_input": target if target_error else None,
            "chart_downloads": f"/workspace/surveys/{run.id}/analysis/charts",
            # Those who manage the survey may open the responses behind a figure (sharing gives figures only).
            "answer_choices": (lambda key: answer_choices(run, key)) if can_manage(request.state.account, run) else None,
        })
        return render(request, "workspace/analysis/dashboard.html", context)

    @get("/{run_id:int}/responses")
    async def responses_behind_a_figure(self, request: Request, run_id: FromPath[int], question: FromQuery[str] = "",
                                        answer: FromQuery[str] = "", page: FromQuery[int] = 1) -> Response:
        """The responses counted in one answer of a question, each linking to the response itself:
        for those who manage the survey, through the consent gate, the listing audited."""
        run = await _visible_run(request, run_id, manage=True)
        behind = await responses_behind_figure(run, question[:100], answer[:100], page)
        if behind is None:
            raise NotFoundException()
        await audit(request.state.account.email, "responses_listed", object=run.slug,
                    detail=f"{behind.total} responses answering {question[:100]}")
        return render(request, "workspace/analysis/responses.html", {
            "page_title": f"Responses: {run.title}", "account": request.state.account, "run": run,
            "behind": behind, "question_key": question[:100], "answer_value": answer[:100],
        })

    @get("/{run_id:int}/responses/{response_id:int}")
    async def one_response(self, request: Request, run_id: FromPath[int], response_id: FromPath[int],
                           back: FromQuery[str | None] = None) -> Response:
        """One response's answers, for those who manage the survey, while its respondent takes part.
        Every opening is audited (who, which response, when); anything else is a 404."""
        run = await _visible_run(request, run_id, manage=True)
        opened = await opened_response(run, response_id)
        if opened is None:
            raise NotFoundException()
        await audit(request.state.account.email, "response_opened", object=run.slug, detail=f"response {opened.response_id}")
        # Back to where the officer came from, only within this survey's pages.
        prefix = f"/workspace/surveys/{run.id}/"
        back_url = back if back and back.startswith(prefix) and "//" not in back and "\\" not in back else f"{prefix}analysis"
        return render(request, "workspace/analysis/response.html", {
            "page_title": f"Response {opened.response_id}: {run.title}", "account": request.state.account,
            "run": run, "response": opened, "back_url": back_url,
        })

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

    async def _population_page(self, request: Request, run, by: str | None, values: dict[str, str],
                               errors: dict[str, str], problems: list[str] | None = None, status_code: int = 200) -> Response:
        data = await load_run(run)
        options = breakdowns_of(data)
        by = by if by in options else next(iter(options), None)
        saved = (await populations_of(run.id)).get(by or "", {})
        groups = groups_of(data, by) if by else {}
        shown = {f"families-{g}": values.get(f"families-{g}", str(saved[g]) if g in saved else "") for g in groups}
        error_list = [{"text": problem, "href": "#csv"} for problem in problems or []]
        error_list += [{"text": text, "href": f"#{field}"} for field, text in errors.items()]
        return render(request, "workspace/analysis/population.html", {
            "page_title": ("Error: " if error_list else "") + f"Families in each group: {run.title}",
            "account": request.state.account, "run": run, "options": options, "by": by, "groups": groups,
            "values": shown, "errors": errors, "error_list": error_list,
        }, status_code=status_code)

    @get("/{run_id:int}/analysis/population")
    async def population(self, request: Request, run_id: FromPath[int], by: FromQuery[str | None] = None) -> Response:
        run = await _visible_run(request, run_id, manage=True)
        return await self._population_page(request, run, (by or "")[:40], {}, {})

    @post("/{run_id:int}/analysis/population")
    async def save_population(self, request: Request, run_id: FromPath[int]) -> Response:
        """Save the numbers typed in, or a CSV uploaded (all or nothing: errors save nothing)."""
        run = await _visible_run(request, run_id, manage=True)
        form = await request.form()
        by = str(form.get("by") or "")[:40]
        data = await load_run(run)
        if by not in breakdowns_of(data):
            return await self._population_page(request, run, None, {}, {}, ["Choose which groups the numbers are for"], status_code=422)
        groups = groups_of(data, by)
        upload = form.get("csv")
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(MAX_UPLOAD + 1)
            if len(content) > MAX_UPLOAD:
                families, problems = {}, ["The file must be 100 KB or smaller"]
            else:
                families, problems = families_from_csv(content, groups)
            if problems:
                return await self._population_page(request, run, by, {}, {}, problems, status_code=422)
        else:
            values = {k: str(v) for k, v in form.items() if isinstance(k, str) and k.startswith("families-")}
            families, errors = families_from_form(values, groups)
            if errors:
                return await self._population_page(request, run, by, values, errors, status_code=422)
        await save_populations(run.id, by, families, request.state.account.email)
        return Redirect(f"/workspace/surveys/{run.id}/analysis?weight={by}#representation", status_code=303)
