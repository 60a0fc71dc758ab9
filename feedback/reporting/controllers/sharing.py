"""The sharing screen of a survey (admins only): which forum teams may see its results. A real
form (CSRF), audited with the teams added and removed."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from feedback.accounts.audit import audit
from feedback.accounts.auth import signed_in
from feedback.rendering import render
from feedback.reporting.sharing import forum_teams, share_results
from surveys.runs import get_run_by_id
from surveys.validation import field_values


class SharingController(Controller):
    path = "/workspace/surveys"
    guards = [signed_in]
    include_in_schema = False

    async def _run(self, request: Request, run_id: int):
        run = await get_run_by_id(run_id)
        if run is None or not request.state.account.is_admin:
            raise NotFoundException()
        return run

    @get("/{run_id:int}/sharing")
    async def sharing(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await self._run(request, run_id)
        return render(request, "workspace/sharing.html", {
            "page_title": f"Share results: {run.title}", "account": request.state.account, "run": run,
            "teams": [t for t in await forum_teams() if t != run.team], "saved": request.query_params.get("saved") == "1",
        })

    @post("/{run_id:int}/sharing")
    async def save(self, request: Request, run_id: FromPath[int]) -> Redirect:
        run = await self._run(request, run_id)
        form = await request.form()
        added, removed = await share_results(run, field_values(form, "teams"), await forum_teams())
        if added or removed:
            await audit(request.state.account.email, "results_shared", object=run.slug,
                        detail=f"added: {', '.join(added) or 'none'}; removed: {', '.join(removed) or 'none'}")
        return Redirect(f"/workspace/surveys/{run.id}/sharing?saved=1", status_code=303)
