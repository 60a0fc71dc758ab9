"""A survey's opening and closing dates, changed by the people who manage it: a GOV.UK date-input
form at /workspace/surveys/{id}/dates (works without JavaScript), linked from the survey's page.
A future opening date schedules the survey; reopening one whose closing date has passed comes here."""

from __future__ import annotations

from datetime import datetime, timezone

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from feedback.accounts.audit import audit
from feedback.accounts.auth import Account, signed_in, visible_or_404
from feedback.rendering import render
from feedback.workspace.dates import PARTS, SurveyDates, date_field_values, read_survey_dates
from surveys.runs import Run, get_run_by_id, set_dates, set_status
from surveys.validation import field_values


def _account(request: Request) -> Account:
    return request.state.account


def _page(request: Request, run: Run, dates: SurveyDates | None, reopen: bool, status_code: int = 200) -> Response:
    values = ({"opens": dates.opens.values, "closes": dates.closes.values} if dates is not None else
              {"opens": date_field_values(run.opens_at), "closes": date_field_values(run.closes_at)})
    errors = {f.name: f for f in dates.errors} if dates is not None else {}
    return render(request, "workspace/dates.html", {
        "page_title": ("Error: " if errors else "") + f"Dates: {run.title}", "account": _account(request), "run": run,
        "values": values, "errors": errors, "reopen": reopen and run.status == "closed",
        "error_list": [{"text": f.error, "href": f"#{f.first_error_id}"} for f in errors.values()],
    }, status_code=status_code)


class SurveyDatesController(Controller):
    path = "/workspace/surveys/{run_id:int}/dates"
    guards = [signed_in]
    include_in_schema = False

    @get("/")
    async def dates_page(self, request: Request, run_id: FromPath[int]) -> Response:
        run = visible_or_404(_account(request), await get_run_by_id(run_id), manage=True)
        return _page(request, run, None, reopen=request.query_params.get("reopen") == "1")

    @post("/")
    async def change_dates(self, request: Request, run_id: FromPath[int]) -> Response:
        run = visible_or_404(_account(request), await get_run_by_id(run_id), manage=True)
        form = await request.form()
        values = {f"{name}-{part}": (field_values(form, f"{name}-{part}") or [""])[0]
                  for name in ("opens", "closes") for part in PARTS}
        reopen = (field_values(form, "reopen") or [""])[0] == "yes"
        dates = read_survey_dates(values, datetime.now(timezone.utc).date())
        if dates.errors:
            return _page(request, run, dates, reopen, status_code=422)
        await set_dates(run.slug, dates.opens_at, dates.closes_at)
        detail = (f"opens {dates.opens.value.isoformat() if dates.opens.value else 'straight away'}, "
                  f"closes {dates.closes.value.isoformat() if dates.closes.value else 'when closed'}")
        await audit(_account(request).email, "survey_dates_changed", object=run.slug, detail=detail)
        if reopen and run.status == "closed":
            await set_status(run.slug, "open")
            await audit(_account(request).email, "survey_reopened", object=run.slug)
        return Redirect(path=f"/workspace/surveys/{run.id}?dates=saved", status_code=303)
