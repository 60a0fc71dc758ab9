""""You said, we did" in the workspace: write, move along, publish, bulk-update by CSV, and the
list of people to tell. Officers and admins see every update; a forum member sees their team's."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from feedback.accounts.audit import audit
from feedback.accounts.auth import Account, can_see, signed_in
from feedback.rendering import render
from feedback.publishing.tables import Update
from feedback.publishing.updates import (
    STATUS_TAGS,
    STATUSES,
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
from feedback.publishing.quotes import MAX_ID, approved_quotes, attach_quotes, draft_you_said, quotes_of_update
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


def _action(form) -> str:
    return (field_values(form, "action") or ["save"])[0][:20]


def _raw_form(form) -> dict[str, Any]:
    raw = {name: (field_values(form, name) or [""])[0] for name in (
        "title", "you_said", "we_did", "easy_read_you_said", "easy_read_we_did", "owner", "status", "reason",
        "progress", "due_on", "run")}
    raw["themes"] = field_values(form, "themes")
    return raw


def _quote_ids(form) -> tuple[list[int], str | None]:
    """The quote ids ticked in the form; anything that is not one is a problem to show."""
    raw = field_values(form, "quotes")
    ids = [int(v) for v in raw if v.isascii() and v.isdigit() and len(v) <= 19 and 0 < int(v) <= MAX_ID]
    return ids, ("Select quotes from the list" if len(ids) != len(raw) or len(ids) > 200 else None)


async def _check_quotes(run_id: int | None, ids: list[int]) -> str | None:
    """Only approved, still-consented quotes of the update's survey can be attached."""
    if not ids:
        return None
    allowed = {q.id for q in await approved_quotes(run_id)} if run_id is not None else set()
    return None if set(ids) <= allowed else "Select quotes from the list: only approved quotes from this survey can be shown"


class UpdatesController(Controller):
    path = "/workspace/updates"
    guards = [signed_in]
    include_in_schema = False

    async def _form_context(self, request: Request, values: dict[str, Any], errors: dict[str, str], update: Update | None,
                            drafted: bool = False) -> dict[str, Any]:
        account = _account(request)
        themes = await theme_labels()
        options = []
        runs = await _visible_runs(account)
        # `run` comes from the query string or the form: quotes only of a survey this person may open.
        if values.get("run") not in {r.id for r in runs}:
            values["run"] = None
        if values.get("run"):
            for quote in await approved_quotes(values["run"]):
                options.append({"id": quote.id, "text": quote.text,
                                "theme_names": ", ".join(themes.get(t, t) for t in (quote.themes or []))})
        if "quotes" not in values:
            values["quotes"] = [q.id for q in await quotes_of_update(update.id)] if update else []
        return {
            "quote_options": options, "drafted": drafted,
            "page_title": ("Error: " if errors else "") + ("Edit update" if update else "New update"),
            "account": account, "values": values, "errors": errors, "update": update,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
            "statuses": STATUSES, "themes": themes, "runs": runs,
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
        checked = await self._checked(request, form, None)
        if isinstance(checked, Response):
            return checked
        values, quote_ids = checked
        update = await save_update(values, account.email, team=account.team if account.role == "pcv" else None)
        await attach_quotes(update.id, update.run, quote_ids, account.email, strict=False)
        return Redirect(path=f"/workspace/updates/{update.id}", status_code=303)

    async def _checked(self, request: Request, form, update: Update | None) -> Response | tuple[dict[str, Any], list[int]]:
        """The update form checked: the values to save and the quotes to show with it, or the page
        to answer with instead (a drafted "you said", or the form again with its errors)."""
        runs = await _visible_runs(_account(request))
        checked = check_update_form(_raw_form(form), await theme_labels(), [r.id for r in runs])
        quote_ids, problem = _quote_ids(form)
        checked.values["quotes"] = quote_ids
        if _action(form) == "draft":
            return await self._draft(request, checked, runs, update)
        problem = problem or await _check_quotes(checked.values["run"], quote_ids)
        if problem:
            checked.errors["quotes"] = problem
        if checked.errors:
            return render(request, "workspace/updates/edit.html",
                          await self._form_context(request, checked.values, checked.errors, update), status_code=422)
        return {k: v for k, v in checked.values.items() if k != "quotes"}, quote_ids

    async def _draft(self, request: Request, checked, runs, update: Update | None) -> Response:
        """Fill "you said" with a draft from the chosen survey's published figures and approved
        quotes; nothing is saved, and text already typed is kept above the draft."""
        values, errors = checked.values, {}
        run = next((r for r in runs if r.id == values.get("run")), None)
        if run is None:
            errors["run"] = "Select the survey to draft ‘You said’ from"
            return render(request, "workspace/updates/edit.html",
                          await self._form_context(request, values, errors, update), status_code=422)
        draft, quote_ids = await draft_you_said(run, values.get("themes") or [], await theme_labels(), request.app.state.settings.satisfaction_target)
        values["quotes"] = list(dict.fromkeys([*(values.get("quotes") or []), *quote_ids]))
        typed = (values.get("you_said") or "").strip()
        values["you_said"] = f"{typed}\n\n{draft}" if typed and draft not in typed else (typed or draft)
        return render(request, "workspace/updates/edit.html", await self._form_context(request, values, {}, update, drafted=True))

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
        checked = await self._checked(request, form, update)
        if isinstance(checked, Response):
            return checked
        values, quote_ids = checked
        note = (field_values(form, "note") or [""])[0].strip()[:2000]
        saved = await save_update(values, account.email, update_id=update.id, note=note)
        await attach_quotes(saved.id, saved.run, quote_ids, account.email, strict=False)
        if update.published:
            await audit(account.email, "published", object=f"update {update.id}", detail="edited while published")
        return Redirect(path=f"/workspace/updates/{update.id}?saved=1", status_code=303)

    @post("/{update_id:int}/publish")
    async def publish(self, request: Request, update_id: FromPath[int]) -> Response:
        update = await _update_or_404(request, update_id)
        publish = (field_values(await request.form(), "action") or [""])[0] == "publish"
        if publish:
            await quotes_of_update(update.id)  # consent checked again now: withdrawn quotes are removed first
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
                await audit(account.email, "updates_uploaded", detail=f"status of {applied} updates from a spreadsheet", count=applied)
        return render(request, "workspace/updates/bulk.html", {
            "page_title": ("Error: " if problems else "") + "Update statuses from a spreadsheet",
            "account": account, "problems": problems, "applied": applied,
            "error_list": [{"text": p, "href": "#file"} for p in problems],
        }, status_code=422 if problems else 200)
