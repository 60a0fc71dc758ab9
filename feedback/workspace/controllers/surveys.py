"""The workspace under /workspace: surveys (list, open, close, link, QR code, poster, live counts,
assisted entry, event mode) and exports. Every route checks the role and the object."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timezone
from typing import Any

import segno
from markupsafe import Markup
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from feedback.messages.service import public_link
from feedback.accounts.audit import audit
from feedback.accounts.controllers import csrf_cookie, session_cookie
from feedback.accounts.auth import (
    Account,
    can_manage,
    can_see,
    end_session,
    session_cookie_name,
    signed_in,
    visible_or_404,
)
from feedback.respond.controllers.journey import idle_text, kiosk_cookie, resume_cookie
from feedback.respond.event_mode import end_event_mode, start_event_mode, tablets_in_use
from feedback.workspace.exports import codebook, csv_for_excel, export_rows, write_xlsx
from feedback.rendering import render
from surveys.instrument import SLUG_PATTERN, built_in_instruments
from surveys.responses import start_response
from surveys.runs import ClosingDatePassed, Run, get_run, get_run_by_id, list_runs, open_run, set_status
from surveys.stats import counts_by_run
from surveys.validation import field_values

VARIANT_NAMES = {"standard": "Standard", "easy_read": "Easy read", "symbols": "With pictures (symbols)"}


def _account(request: Request) -> Account:
    return request.state.account


def _form(form, name: str, limit: int = 300) -> str:
    return (field_values(form, name) or [""])[0].strip()[:limit]


def public_url(request: Request, run: Run) -> str:
    """The link families are given (page, QR code, poster), made as the messages make theirs:
    FEEDBACK_PUBLIC_URL when set, so a forged Host header cannot reach a printed poster."""
    return public_link(request.app.state.settings, str(request.base_url), f"/s/{run.slug}")


async def _visible_run(request: Request, run_id: int, manage: bool = False) -> Run:
    return visible_or_404(_account(request), await get_run_by_id(run_id), manage=manage)


def _see_other(url: str, cookies=None) -> Redirect:
    return Redirect(path=url, status_code=303, cookies=cookies or [])


class WorkspaceController(Controller):
    path = "/workspace"
    guards = [signed_in]
    include_in_schema = False

    # -- surveys ----------------------------------------------------------------------------------

    @get("/")
    async def surveys(self, request: Request) -> Response:
        account = _account(request)
        runs = [r for r in await list_runs() if can_see(account, r)]
        counts = await counts_by_run([r.id for r in runs])
        return render(request, "workspace/surveys.html", {
            "page_title": "Surveys", "account": account, "runs": runs, "counts": counts,
            "now": datetime.now(timezone.utc),
        })

    @get("/surveys/new")
    async def new_survey_page(self, request: Request) -> Response:
        return render(request, "workspace/new_survey.html", self._new_context(request, {}, {}))

    def _new_context(self, request: Request, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
        instruments = built_in_instruments()
        return {
            "page_title": ("Error: " if errors else "") + "Open a survey",
            "account": _account(request),
            "instruments": sorted(instruments.values(), key=lambda i: i.title),
            "values": values,
            "errors": errors,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
            "variant_names": VARIANT_NAMES,
        }

    @post("/surveys/new")
    async def open_survey(self, request: Request) -> Response:
        account = _account(request)
        form = await request.form()
        instruments = built_in_instruments()
        values = {name: _form(form, name) for name in ("instrument", "slug", "title", "closes_on")}
        values["variants"] = field_values(form, "variants")
        errors: dict[str, str] = {}
        instrument = instruments.get(values["instrument"])
        if instrument is None:
            errors["instrument"] = "Select what to run"
        slug = values["slug"].lower()
        if not SLUG_PATTERN.match(slug):
            errors["slug"] = "Enter a web address name using lower case letters, numbers and hyphens, like annual-2027-parents"
        elif await get_run(slug) is not None:
            errors["slug"] = "That web address name is already used: choose another"
        closes_at = None
        if values["closes_on"]:
            try:
                closes_at = datetime.combine(date.fromisoformat(values["closes_on"]), time(23, 59), tzinfo=timezone.utc)
                if closes_at <= datetime.now(timezone.utc):
                    errors["closes_on"] = "The closing date must be in the future"
            except ValueError:
                errors["closes_on"] = "Enter the closing date as a real date, like 2027-03-31"
        variants = tuple(v for v in values["variants"] if v in VARIANT_NAMES) or ("standard",)
        if instrument is not None and any(v not in instrument.variants for v in variants):
            errors["variants"] = "This instrument does not have all the versions you selected"
        if errors:
            return render(request, "workspace/new_survey.html", self._new_context(request, values, errors), status_code=422)
        team = account.team if account.role == "pcv" else None
        run = await open_run(instrument, slug=slug, title=values["title"] or None, closes_at=closes_at,
                             variants=tuple(dict.fromkeys(("standard", *variants))), team=team)
        await audit(account.email, "survey_opened", object=run.slug)
        return _see_other(f"/workspace/surveys/{run.id}")

    @get("/surveys/{run_id:int}")
    async def survey(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _visible_run(request, run_id)
        counts = (await counts_by_run([run.id]))[run.id]
        return render(request, "workspace/survey.html", {
            "page_title": run.title, "account": _account(request), "run": run, "counts": counts,
            "public_url": public_url(request, run), "manage": can_manage(_account(request), run),
            "variant_names": VARIANT_NAMES,
            "tablets_in_use": await tablets_in_use(run.id),
            "kiosk_idle_text": idle_text(request.app.state.settings.kiosk_idle_seconds),
            "event_mode_ended": request.query_params.get("event_mode") == "ended",
        })

    @get("/surveys/{run_id:int}/counts")
    async def survey_counts(self, request: Request, run_id: FromPath[int]) -> Response:
        """The live counts, polled by htmx every 15 seconds (and a normal page without JavaScript)."""
        run = await _visible_run(request, run_id)
        counts = (await counts_by_run([run.id]))[run.id]
        return render(request, "workspace/_counts.html", {"page_title": run.title, "run": run, "counts": counts, "account": _account(request)})

    @post("/surveys/{run_id:int}/status")
    async def change_status(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _visible_run(request, run_id, manage=True)
        action = _form(await request.form(), "action")
        if action not in ("close", "open"):
            return _see_other(f"/workspace/surveys/{run.id}")
        try:
            await set_status(run.slug, "closed" if action == "close" else "open")
        except ClosingDatePassed:  # reopening needs a later closing date first: ask for one
            return _see_other(f"/workspace/surveys/{run.id}/dates?reopen=1")
        await audit(_account(request).email, "survey_closed" if action == "close" else "survey_reopened", object=run.slug)
        return _see_other(f"/workspace/surveys/{run.id}")

    @get("/surveys/{run_id:int}/qr.svg")
    async def qr_code(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _visible_run(request, run_id)
        svg = qr_svg(public_url(request, run))
        return Response(str(svg), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})

    @get("/surveys/{run_id:int}/poster")
    async def poster(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _visible_run(request, run_id)
        return render(request, "workspace/poster.html", {
            "page_title": f"Poster: {run.title}", "run": run, "public_url": public_url(request, run),
            "qr": qr_svg(public_url(request, run), title=f"QR code for {run.title}"),
        })

    @post("/surveys/{run_id:int}/enter")
    async def assisted_entry(self, request: Request, run_id: FromPath[int]) -> Response:
        """Type in a paper form: a fresh response on this browser, recorded as entered on paper."""
        run = await _visible_run(request, run_id, manage=True)
        if not run.is_open():
            return _see_other(f"/workspace/surveys/{run.id}")
        draft, token = await start_response(run, channel="paper")
        await audit(_account(request).email, "assisted_entry", object=run.slug)
        return _see_other(f"/s/{run.slug}/before-you-start", [resume_cookie(run.slug, token, request.app.state.settings, persistent=False)])

    @post("/surveys/{run_id:int}/kiosk")
    async def start_kiosk(self, request: Request, run_id: FromPath[int]) -> Response:
        """Event mode on a shared tablet: every person starts fresh, nothing is remembered."""
        run = await _visible_run(request, run_id, manage=True)
        settings = request.app.state.settings
        token = await start_event_mode(run.id, _account(request).email, settings.secret_key)
        await audit(_account(request).email, "kiosk_started", object=run.slug)
        # The tablet is handed to the public: the officer is signed out on it, so the next person
        # cannot open the workspace (their other devices stay signed in).
        await end_session(request.cookies.get(session_cookie_name(settings.is_production)))
        return _see_other(f"/s/{run.slug}", [
            kiosk_cookie(run.slug, token, settings), session_cookie(request, None), csrf_cookie(request, None),
        ])

    @post("/surveys/{run_id:int}/kiosk/end")
    async def end_kiosk(self, request: Request, run_id: FromPath[int]) -> Response:
        """Ends event mode on every tablet of the survey (a lost or stolen tablet included)."""
        run = await _visible_run(request, run_id, manage=True)
        count = await end_event_mode(run.id)
        await audit(_account(request).email, "kiosk_ended", object=run.slug, count=count)
        return _see_other(f"/workspace/surveys/{run.id}?event_mode=ended")

    # -- exports ----------------------------------------------------------------------------------

    @get("/surveys/{run_id:int}/export.csv")
    async def export_csv(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _visible_run(request, run_id, manage=True)  # raw rows: sharing gives aggregates only
        header, rows = await export_rows(run, labels=True)
        text, count = csv_for_excel(header, rows)
        await audit(_account(request).email, "export", object=run.slug, detail="csv", count=count)
        return _download(text.encode("utf-8"), f"{run.slug}-responses.csv", "text/csv; charset=utf-8")

    @get("/surveys/{run_id:int}/codebook.csv")
    async def export_codebook(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _visible_run(request, run_id)
        text, _ = csv_for_excel(*codebook(run))
        return _download(text.encode("utf-8"), f"{run.slug}-codebook.csv", "text/csv; charset=utf-8")

    @get("/surveys/{run_id:int}/export.xlsx")
    async def export_xlsx(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _visible_run(request, run_id, manage=True)  # raw rows: sharing gives aggregates only
        header, rows = await export_rows(run, labels=True)
        buffer = io.BytesIO()
        count = write_xlsx(header, rows, buffer, codebook_sheet=codebook(run))
        await audit(_account(request).email, "export", object=run.slug, detail="xlsx", count=count)
        return _download(buffer.getvalue(), f"{run.slug}-responses.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _download(data: bytes, filename: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
    })


def qr_svg(url: str, title: str = "QR code") -> Markup:
    """A QR code as SVG made on our server (segno), with a label for screen readers.

    segno's output holds only its own drawing (the URL is encoded as modules, never as text); the
    label can carry a survey title a forum member typed, so it goes in through escaping only."""
    qr = segno.make(url, error="m")
    drawing = qr.svg_inline(scale=6, dark="#0b0c0c", light="#ffffff", omitsize=True)
    if not drawing.startswith("<svg "):
        raise ValueError("segno's SVG no longer starts with <svg")
    return Markup('<svg role="img" aria-label="{}" ').format(title) + Markup(drawing.removeprefix("<svg "))

