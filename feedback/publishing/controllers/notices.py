"""/workspace/updates/{id}/notice: preview the "we did" notice (standard and easy-read wording, how
many people it goes to and how) and send it. Only published updates are told; the same update and
status are never told to a person twice; contacts are deleted once the notice is queued."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from feedback.accounts.audit import audit
from feedback.accounts.auth import signed_in
from feedback.messages import service
from feedback.publishing.controllers.updates import _account, _update_or_404
from feedback.publishing.notices import last_told, notice_record, plan_notice, previews, send_notice
from feedback.publishing.updates import STATUSES
from feedback.rendering import render


def _link(request: Request, update_id: int) -> str:
    return service.public_link(request.app.state.settings, str(request.base_url), f"/you-said-we-did#update-{update_id}")


class NoticesController(Controller):
    path = "/workspace/updates/{update_id:int}/notice"
    guards = [signed_in]
    include_in_schema = False

    async def _context(self, request: Request, update, sent: dict | None = None, error: str | None = None) -> dict:
        channels = service.channels(request.app.state.settings)
        plan = await plan_notice(update, channels)
        return {
            "page_title": ("Error: " if error else "") + "Tell the people who asked to hear back",
            "account": _account(request), "update": update, "statuses": STATUSES,
            "channels": sorted(channels), "plan": plan, "previews": previews(update, _link(request, update.id)),
            "record": await notice_record(update), "last_told": await last_told(update), "sent": sent,
            "error_list": [{"text": error, "href": "#send"}] if error else [],
        }

    @get("/")
    async def preview(self, request: Request, update_id: FromPath[int]) -> Response:
        update = await _update_or_404(request, update_id)
        sent = None
        if request.query_params.get("sent") is not None:
            sent = {"queued": request.query_params.get("sent", "0"), "deleted": request.query_params.get("deleted", "0")}
        return render(request, "workspace/updates/notice.html", await self._context(request, update, sent))

    @post("/")
    async def send(self, request: Request, update_id: FromPath[int]) -> Response:
        update = await _update_or_404(request, update_id)
        channels = service.channels(request.app.state.settings)
        error = None
        if not channels:
            error = "Messages are off: set up GOV.UK Notify or an SMTP server first (or use the lists for Notify below)"
        elif not update.published:
            error = "Publish the update first: the notice links to it on the public page"
        if error:
            return render(request, "workspace/updates/notice.html", await self._context(request, update, error=error), status_code=422)
        result = await send_notice(update, channels, _link(request, update.id))
        await audit(_account(request).email, "notice_sent", object=f"update {update.id}",
                    detail=f"'we did' notice queued ({STATUSES.get(update.status, update.status)}); contact details deleted",
                    count=result.queued)
        return Redirect(path=f"/workspace/updates/{update.id}/notice?sent={result.queued}&deleted={result.contacts_deleted}",
                        status_code=303)
