""""You said, we did" in the workspace: write, move along, publish, bulk-update by CSV, and the
list of people to tell. Officers and admins see every update; a forum member sees their team's."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from feedback.audit import audit
from feedback.auth import Account, can_see, signed_in
from feedback.rendering import render
from feedback.tables import Update
from feedback.updates import (
    STATUS_TAGS,
    STATUSES,
    add_progress_note,
    apply_bulk,
    check_update_form,
    contacts_to_tell,
    notify_csv,
    parse_bulk_csv,
    save_update,
    set_published,
    theme_labels,
    timeline,
)
from surveys.runs import list_runs
from surveys.validation import field_values

MAX_UPLOAD = 1_000_000


def _account(request: Request) -> Account:
    return request.state.account


def _may_edit(account: Account, update: Update) -> bool:
    return account.role in ("admin", "officer") or (update.team is not None and update.team == account.team)


async def _update_or_404(request: Request, update_id: int) -> Update:
    update = await Update.objects().where(Update.id == update_id).output(load_json=True).first()
    if update is None or not _may_edit(_account(request), update):
        raise NotFoundException()
    return update


async def _visible_runs(account: Account):
    return [r for r in await list_runs() if can_see(account, r)]


def _raw_form(form) -> dict[str, Any]:
    raw = {name: (field_values(form, name) or [""])[0] for name in (
        "title", "you_said", "we_did", "easy_read_you_said", "easy_read_we_did", "owner", "status", "reason",
        "progress", "due_on", "run")}
    raw["themes"] = field_values(form, "themes")
    return raw


class UpdatesController(Controller):
    path = "/workspace/updates"
    guards = [signed_in]
    include_in_schema = False

    async def _form_context(self, request: Request, values: dict[str, Any], errors: dict[str, str], update: Update | None) -> dict[str, Any]:
        account = _account(request)
        return {
            "page_title": ("Error: " if errors else "") + ("Edit update" if update else "New update"),
            "account": account, "values": values, "errors": errors, "update": update,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
            "statuses": STATUSES, "themes": theme_labels(), "runs": await _visible_runs(account),
            "events": (await timeline([update.id]))[update.id] if update else [],
        }

    @get("/")
    async def list_updates(self, request: Request) -> Response:
        account = _account(request)
        updates = [u for u in await Update.objects().order_by(Update.updated_at, ascending=False).output(load_json=True)
                   if _may_edit(account, u)]
        runs = {r.id: r for r in await list_runs()}
        return render(request, "workspace/updates/list.html", {
            "page_title": "You said, we did", "account": account, "updates": updates, "runs": runs,
            "statuses": STATUSES, "tags": STATUS_TAGS,
        })

    @get("/new")
    async def new_page(self, request: Request, run: FromQuery[int | None] = None) -> Response:
        return render(request, "workspace/updates/edit.html", await self._form_context(
            request, {"status": "planned", "progress": 0, "run": run, "themes": []}, {}, None))

    @post("/new")
    async def create(self, request: Request) -> Response:
        account = _account(request)
        form = await request.form()
        runs = await _visible_runs(account)
        checked = check_update_form(_raw_form(form), theme_labels(), [r.id for r in runs])
        if checked.errors:
            return render(request, "workspace/updates/edit.html",
                          await self._form_context(request, checked.values, checked.errors, None), status_code=422)
        update = await save_update(checked.values, account.email, team=account.team if account.role == "pcv" else None)
        return Redirect(path=f"/workspace/updates/{update.id}", status_code=303)

    @get("/{update_id:int}")
    async def edit_page(self, request: Request, update_id: FromPath[int]) -> Response:
        update = await _update_or_404(request, update_id)
        values = {name: getattr(update, name) for name in (
            "title", "you_said", "we_did", "easy_read_you_said", "easy_read_we_did", "owner", "status", "reason",
            "progress", "due_on", "run", "themes")}
        return render(request, "workspace/updates/edit.html", await self._form_context(request, values, {}, update))

    @post("/{update_id:int}")
    async def save(self, request: Request, update_id: FromPath[int]) -> Response:
        account = _account(request)
        update = await _update_or_404(request, update_id)
        form = await request.form()
        runs = await _visible_runs(account)
        checked = check_update_form(_raw_form(form), theme_labels(), [r.id for r in runs])
        if checked.errors:
            return render(request, "workspace/updates/edit.html",
                          await self._form_context(request, checked.values, checked.errors, update), status_code=422)
        saved = await save_update(checked.values, account.email, update_id=update.id)
        note = (field_values(form, "note") or [""])[0].strip()[:2000]
        if note:
            await add_progress_note(saved, saved.status, note, account.email)
        if update.published:
            await audit(account.email, "published", object=f"update {update.id}", detail="edited while published")
        return Redirect(path=f"/workspace/updates/{update.id}?saved=1", status_code=303)

    @post("/{update_id:int}/publish")
    async def publish(self, request: Request, update_id: FromPath[int]) -> Response:
        update = await _update_or_404(request, update_id)
        publish = (field_values(await request.form(), "action") or [""])[0] == "publish"
        await set_published(update, publish)
        await audit(_account(request).email, "published", object=f"update {update.id}", detail="published" if publish else "withdrawn from the public page")
        return Redirect(path=f"/workspace/updates/{update.id}", status_code=303)

    @get("/{update_id:int}/notify.csv")
    async def notify_list(self, request: Request, update_id: FromPath[int], kind: FromQuery[str] = "email") -> Response:
        update = await _update_or_404(request, update_id)
        if kind not in ("email", "sms"):
            raise NotFoundException()
        link = f"{request.base_url}".rstrip("/") + f"/you-said-we-did#update-{update.id}"
        text, count = notify_csv(await contacts_to_tell(update), kind, update.title, link)
        await audit(_account(request).email, "export", object=f"update {update.id}", detail=f"notify {kind} list", count=count)
        return Response(text.encode(), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="update-{update.id}-notify-{kind}.csv"', "Cache-Control": "no-store"})

    @get("/bulk")
    async def bulk_page(self, request: Request) -> Response:
        return render(request, "workspace/updates/bulk.html", {"page_title": "Update statuses from a spreadsheet",
                                                              "account": _account(request), "problems": [], "applied": None,
                                                              "error_list": []})

    @post("/bulk")
    async def bulk(self, request: Request) -> Response:
        account = _account(request)
        form = await request.form()
        upload = form.get("file")
        problems: list[str] = []
        text = ""
        if not isinstance(upload, UploadFile) or not upload.filename:
            problems = ["Choose a CSV file to upload"]
        else:
            data = await upload.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                problems = ["The file must be 1 MB or smaller"]
            else:
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    problems = ["The file must be a CSV saved as UTF-8 (in Excel: Save As, CSV UTF-8)"]
        applied = None
        if not problems:
            mine = {u.id for u in await Update.objects() if _may_edit(account, u)}
            rows, problems = parse_bulk_csv(text, mine)
            if not problems and not rows:
                problems = ["The file has no rows to apply"]
            if not problems:
                applied = await apply_bulk(rows, account.email)
        return render(request, "workspace/updates/bulk.html", {
            "page_title": ("Error: " if problems else "") + "Update statuses from a spreadsheet",
            "account": account, "problems": problems, "applied": applied,
            "error_list": [{"text": p, "href": "#file"} for p in problems],
        }, status_code=422 if problems else 200)
