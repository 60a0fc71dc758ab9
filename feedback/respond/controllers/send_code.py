"""POST /s/{slug}/send-code and /s/{slug}/send-reference: the "send it to me" forms on the saved
and confirmation pages. Thin: the checks and the queueing live in `feedback.respond.send_code`."""

from __future__ import annotations

from litestar import Controller, Request, Response
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from feedback.messages import service
from feedback.rate_limit import RateLimiter, client_key, public_post
from feedback.rendering import render
from feedback.respond.controllers.journey import cookie_name
from feedback.respond.send_code import read_send_form, send_reference, send_resume_code
from surveys.codes import hash_code, looks_like_code, normalise_code
from surveys.responses import response_for_browser
from surveys.runs import Run, get_run
from surveys.tables import Response as ResponseTable

# Per client: a few sends are plenty for one person; more looks like someone flooding an inbox.
send_attempts = RateLimiter(limit=6, window_seconds=600, name="send_attempts")
SHARED_CHANNELS = ("event", "paper")  # a shared tablet or a volunteer: no "send it to me"


async def _run(slug: str) -> Run:
    run = await get_run(slug)
    if run is None or run.status == "draft":
        raise NotFoundException()
    return run


def _sent_page(request: Request, run: Run, what: str, channel: str, variant: str) -> Response:
    return render(request, "respondent/code_sent.html", {
        "page_title": ("Your code is on its way" if what == "code" else "Your reference is on its way"),
        "run": run, "what": what, "channel": channel, "variant": variant,
    })


def _too_many(request: Request, run: Run, variant: str) -> Response:
    return render(request, "respondent/code_sent.html", {
        "page_title": "We cannot send it again", "run": run, "what": "limit", "channel": "", "variant": variant,
    }, status_code=429)


class SendCodeController(Controller):
    path = "/s/{slug:str}"
    include_in_schema = False

    @public_post("/send-code")
    async def send_code(self, request: Request, slug: FromPath[str]) -> Response:
        run = await _run(slug)
        settings = request.app.state.settings
        draft = await response_for_browser(run, request.cookies.get(cookie_name(run.slug, settings)))
        form = await request.form()
        code = normalise_code(form.get("code") or "")
        if draft is None or draft.status != "in_progress" or draft.channel in SHARED_CHANNELS or not looks_like_code(code):
            return render(request, "respondent/code_sent.html", {
                "page_title": "We could not send the code", "run": run, "what": "gone", "channel": "", "variant": "standard",
            }, status_code=400)
        # The code must be the one this browser's draft holds now (not an old one, not a guess).
        current = await ResponseTable.exists().where(
            (ResponseTable.id == draft.id) & (ResponseTable.resume_code_hash == hash_code(code, settings.secret_key)))
        if not current:
            return render(request, "respondent/code_sent.html", {
                "page_title": "We could not send the code", "run": run, "what": "gone", "channel": "", "variant": draft.variant,
            }, status_code=400)
        easy_read = draft.variant != "standard"
        send, errors, values = read_send_form(form, service.channels(settings), easy_read)
        if errors:
            return render(request, "respondent/saved.html", {
                "page_title": "Error: Your answers have been saved", "run": run, "code": code, "variant": draft.variant,
                "send_errors": errors, "send_values": values,
            }, status_code=422)
        if not await send_attempts.hit(client_key(request)):
            return _too_many(request, run, draft.variant)
        link = service.public_link(settings, str(request.base_url), f"/s/{run.slug}/resume" + ("?version=" + draft.variant if easy_read else ""))
        if not await send_resume_code(settings, draft.id, code, run.title, link, send, easy_read, form.get("form_token") or ""):
            return _too_many(request, run, draft.variant)
        return _sent_page(request, run, "code", send.channel, draft.variant)

    @public_post("/send-reference")
    async def send_reference(self, request: Request, slug: FromPath[str]) -> Response:
        run = await _run(slug)
        settings = request.app.state.settings
        draft = await response_for_browser(run, request.cookies.get(cookie_name(run.slug, settings)))
        form = await request.form()
        if draft is None or draft.status != "submitted" or draft.channel in SHARED_CHANNELS:
            return render(request, "respondent/code_sent.html", {
                "page_title": "We could not send the reference", "run": run, "what": "gone", "channel": "", "variant": "standard",
            }, status_code=400)
        easy_read = draft.variant != "standard"
        send, errors, values = read_send_form(form, service.channels(settings), easy_read)
        if errors:
            return render(request, "respondent/confirmation.html", {
                "page_title": "Error: Your answers have been sent", "run": run, "reference": draft.reference,
                "next_steps": run.instrument.what_happens_next.splitlines(), "kiosk": False, "paper": False,
                "variant": draft.variant, "send_errors": errors, "send_values": values,
            }, status_code=422)
        if not await send_attempts.hit(client_key(request)):
            return _too_many(request, run, draft.variant)
        link = service.public_link(settings, str(request.base_url), "/withdraw")
        if not await send_reference(settings, draft.id, draft.reference, run.title, link, send, easy_read, form.get("form_token") or ""):
            return _too_many(request, run, draft.variant)
        return _sent_page(request, run, "reference", send.channel, draft.variant)
