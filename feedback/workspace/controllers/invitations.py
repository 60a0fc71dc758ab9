"""/workspace/surveys/{id}/invitations: import a contact list (CSV, with its lawful basis), send
the survey link, up to two reminders, and see how many responded or opted out. Managers only."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect

from feedback.accounts.audit import audit
from feedback.accounts.auth import signed_in, visible_or_404
from feedback.messages import service
from feedback.messages.invitations import LAWFUL_BASES, MAX_REMINDERS, import_list, invitation_summary, parse_contact_csv, send_round
from feedback.rendering import render
from surveys.runs import get_run_by_id
from surveys.validation import field_values

MAX_UPLOAD = 2_000_000


def _text(form, name: str, limit: int = 2000) -> str:
    return (field_values(form, name) or [""])[0].strip()[:limit]


class InvitationsController(Controller):
    path = "/workspace/surveys/{run_id:int}/invitations"
    guards = [signed_in]
    include_in_schema = False

    async def _page(self, request: Request, run, errors: list[dict] | None = None, values: dict | None = None,
                    notice: str | None = None, status_code: int = 200) -> Response:
        return render(request, "workspace/invitations.html", {
            "page_title": ("Error: " if errors else "") + "Invitations and reminders",
            "account": request.state.account, "run": run, "bases": LAWFUL_BASES, "values": values or {},
            "error_list": errors or [], "errors": {e["href"][1:]: e["text"] for e in errors or []},
            "summary": await invitation_summary(run.id), "channels": sorted(service.channels(request.app.state.settings)),
            "notice": notice, "max_reminders": MAX_REMINDERS,
        }, status_code=status_code)

    async def _run(self, request: Request, run_id: int):
        return visible_or_404(request.state.account, await get_run_by_id(run_id), manage=True)

    @get("/")
    async def page(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await self._run(request, run_id)
        sent = request.query_params.get("queued")
        imported = request.query_params.get("imported")
        notice = None
        if sent is not None:
            notice = f"{sent} messages queued to send."
        elif imported is not None:
            notice = f"{imported} people added to the list ({request.query_params.get('skipped', '0')} had opted out and were left off)."
        return await self._page(request, run, notice=notice)

    @post("/import")
    async def import_contacts(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await self._run(request, run_id)
        form = await request.form()
        values = {"lawful_basis": _text(form, "lawful_basis", 30), "basis_note": _text(form, "basis_note")}
        errors: list[dict] = []
        if values["lawful_basis"] not in LAWFUL_BASES:
            errors.append({"text": "Choose the lawful basis for contacting the people on this list", "href": "#lawful_basis"})
        if len(values["basis_note"]) < 10:
            errors.append({"text": "Say where the list came from and why you may use it (at least a sentence)", "href": "#basis_note"})
        if _text(form, "checked", 10) != "yes":
            errors.append({"text": "Confirm that the list may be used to invite these people", "href": "#checked"})
        upload = form.get("file")
        text = ""
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors.append({"text": "Choose a CSV file to upload", "href": "#file"})
        else:
            data = await upload.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                errors.append({"text": "The file must be 2 MB or smaller", "href": "#file"})
            else:
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    errors.append({"text": "The file must be a CSV saved as UTF-8 (in Excel: Save As, CSV UTF-8)", "href": "#file"})
        parsed = parse_contact_csv(text) if text and not errors else None
        if parsed is not None and parsed.problems:
            errors.extend({"text": p, "href": "#file"} for p in parsed.problems[:20])
        if errors:
            return await self._page(request, run, errors, values, status_code=422)
        account = request.state.account
        result = await import_list(request.app.state.settings, run.id, parsed, values["lawful_basis"], values["basis_note"], account.email)
        await audit(account.email, "invitations_imported", object=f"survey {run.id}",
                    detail=f"contact list, lawful basis {values['lawful_basis']}", count=result.added)
        return Redirect(path=f"/workspace/surveys/{run.id}/invitations?imported={result.added}&skipped={result.opted_out}", status_code=303)

    @post("/send")
    async def send(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await self._run(request, run_id)
        form = await request.form()
        settings = request.app.state.settings
        round_text = _text(form, "round", 2)
        if not service.channels(settings):
            return await self._page(request, run, [{"text": "Messages are off: set up GOV.UK Notify or an SMTP server first", "href": "#send"}], status_code=422)
        if round_text not in {str(n) for n in range(MAX_REMINDERS + 1)}:
            return await self._page(request, run, [{"text": "Choose what to send", "href": "#send"}], status_code=422)
        if not run.is_open():
            return await self._page(request, run, [{"text": "Open the survey before inviting people to it", "href": "#send"}], status_code=422)
        queued = await send_round(settings, run, str(request.base_url), int(round_text))
        await audit(request.state.account.email, "invitations_sent", object=f"survey {run.id}",
                    detail="invitations" if round_text == "0" else f"reminder {round_text}", count=queued)
        return Redirect(path=f"/workspace/surveys/{run.id}/invitations?queued={queued}", status_code=303)
