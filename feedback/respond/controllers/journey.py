"""The respondent journey at /s/{slug}: start, before you start, questions, check, confirmation.

Thin by design: the rules live in `surveys.journey`, `surveys.validation` and `surveys.responses`.
Every POST redirects (or, for htmx, the redirect is followed and only #page is swapped), so the
back button, refresh and JavaScript-off browsers all behave.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Hashable
from urllib.parse import quote

from litestar import Controller, Request, Response, get
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from consent.notices import parse_body
from consent.purposes import OPTIONAL_PURPOSES
from feedback.errors import error_page
from feedback.rate_limit import RateLimiter, client_key, public_post
from feedback.respond.event_mode import (
    EVENT_CHANNEL,
    end_idle_turns,
    end_turn,
    is_event_tablet,
    mark_saved,
    turn_is_over,
)
from feedback.rendering import CHOICE_FIELD_TYPES, render, render_shared
from feedback.respond.controllers.invited import record_invited_response
from feedback.settings import Settings
from feedback.themes.store import code_response
from surveys.codes import looks_like_code
from surveys.consent_steps import (
    choices_made,
    is_under_13,
    notice_for,
    record_choices,
    record_participation,
    validate_choices,
)
from surveys.instrument import Page
from surveys.journey import (
    CHECK_PAGE,
    CHOICES_STEP,
    missing_answers,
    next_page_key,
    page_if_visible,
    previous_page_key,
    progress,
    resume_page_key,
    terms_to_explain,
    visible_pages,
)
from surveys.responses import (
    AlreadySubmitted,
    Draft,
    Incomplete,
    create_resume_code,
    response_for_browser,
    resume_with_code,
    save_page,
    set_current_page,
    start_response,
    submit_response,
)
from surveys.runs import Run, get_run, recent_runs
from surveys.tables import Response as ResponseTable
from surveys.validation import field_values, validate_page

RESUME_COOKIE_DAYS = 30
resume_attempts = RateLimiter(limit=20, window_seconds=600, name="resume_attempts")


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def cookie_name(slug: str, settings: Settings) -> str:
    # __Host- cookies must be Secure with Path=/ and no Domain: they cannot be set by a sibling site.
    return f"{'__Host-' if settings.is_production else ''}resume-{slug}"


def resume_cookie(slug: str, token: str, settings: Settings, persistent: bool = True) -> Cookie:
    """The cookie that brings a respondent back to their answers. Not kept on shared devices
    (event mode, paper entry): it then lasts only until the browser closes or the answers are sent."""
    return Cookie(
        key=cookie_name(slug, settings),
        value=token,
        max_age=RESUME_COOKIE_DAYS * 24 * 3600 if persistent else None,
        path="/",
        httponly=True,
        secure=settings.is_production,
        samesite="lax",
    )


def _forget_cookie(name: str, settings: Settings) -> Cookie:
    return Cookie(key=name, value="", max_age=0, path="/", httponly=True, secure=settings.is_production, samesite="lax")


def kiosk_cookie_name(slug: str, settings: Settings) -> str:
    return f"{'__Host-' if settings.is_production else ''}kiosk-{slug}"


def kiosk_cookie(slug: str, token: str, settings: Settings) -> Cookie:
    """Marks this browser as a shared tablet at an event, until it is closed or event mode ends.
    The value is a token the workspace handed out (see `feedback.respond.event_mode`)."""
    return Cookie(key=kiosk_cookie_name(slug, settings), value=token, max_age=None, path="/",
                  httponly=True, secure=settings.is_production, samesite="lax")


async def in_kiosk(request: Request, run: Run) -> bool:
    token = request.cookies.get(kiosk_cookie_name(run.slug, _settings(request)))
    return await is_event_tablet(run.id, token, _settings(request).secret_key)


def idle_text(seconds: int) -> str:
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} seconds"


def _kiosk_turn(request: Request, run: Run, draft: Draft | None) -> dict[str, Any] | None:
    """What a page in a person's turn on a shared tablet needs: the idle reset (a meta refresh that
    works without JavaScript, and app.js's timer that hands over first, keeping the page's answers)."""
    if draft is None or draft.channel != EVENT_CHANNEL or draft.status != "in_progress":
        return None
    seconds = _settings(request).kiosk_idle_seconds
    return {
        "idle_seconds": seconds,
        "idle_text": idle_text(seconds),
        "reset_url": _url(run) + "?notice=timed-out",
        "hand_over_url": _url(run, "hand-over"),
    }


def _journey_page(request: Request, template: str, context: dict[str, Any], draft: Draft | None,
                  status_code: int = 200) -> Response:
    context = {**context, "kiosk_turn": _kiosk_turn(request, context["run"], draft)}
    return render(request, template, context, status_code=status_code)


def _frozen(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def shared_page_key(run: Run, page: Page, context: dict[str, Any]) -> Hashable | None:
    """What a question page is shared under (see `feedback.rendering.SharedPages`): the run, its
    instrument version, the page and everything else in its context. None when the page must be
    rendered for this person alone: errors, typed text (only chosen option values may be part of a
    key, so nobody's words stay in memory), or a turn on a shared tablet (its reset time)."""
    if context["errors"] or context["kiosk_turn"] is not None:
        return None
    for q in page.questions:
        value = context["values"].get(q.key)
        if value is None:
            continue
        chosen = value if isinstance(value, list) else [value]
        if q.type not in CHOICE_FIELD_TYPES or not all(isinstance(v, str) and v in q.option_values for v in chosen):
            return None
    return _context_key(run, context, page.key)


def shared_choices_key(run: Run, context: dict[str, Any]) -> Hashable | None:
    """The same for "your choices" as first shown (yes, no or not yet for each use; never the
    contact details, which only a page with errors shows back)."""
    if context["errors"] or context["kiosk_turn"] is not None:
        return None
    if not all(value in ("yes", "no", "") for value in context["raw"].values()):
        return None
    return _context_key(run, context, CHOICES_STEP)


def _context_key(run: Run, context: dict[str, Any], step: str) -> Hashable | None:
    rest = tuple(sorted((name, _frozen(value)) for name, value in context.items() if name not in ("run", "page")))
    key = (run.id, run.instrument.version, run.slug, run.title, run.status, run.variants, step, rest)
    try:
        hash(key)
    except TypeError:  # something in the context that cannot be compared safely: render it afresh
        return None
    return key


def _url(run: Run, step: str = "") -> str:
    return f"/s/{run.slug}" + (f"/{step}" if step else "")


def _page_url(run: Run, page_key: str, return_to_check: bool = False) -> str:
    if page_key == CHECK_PAGE:
        return _url(run, "check")
    return _url(run, f"q/{quote(page_key)}") + ("?return_to=check" if return_to_check else "")


# On the confirmation page: the answers posted last arrived after the response was sent (from
# another tab or window), so they are not in it; it says so, and how to ask for a correction.
LATE_CHANGE = "?notice=late-change"


def answers_fingerprint(answers: dict[str, Any], choices: dict[str, str]) -> str:
    """A short digest of the answers and choices a check page shows, sent back with "Send my answers"
    so answers changed in another tab since are shown before they are sent."""
    text = json.dumps([answers, choices], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _typed(page: Page, form) -> dict[str, Any]:
    """A page's fields exactly as typed, even if too long, to show back so nothing is retyped."""
    return {q.key: (field_values(form, q.key) if q.type == "multiple_choice" else (field_values(form, q.key) or [None])[0])
            for q in page.questions}


def _see_other(url: str, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(path=url, status_code=303, cookies=cookies or [], headers={"Cache-Control": "no-store"})


async def _run_or_404(slug: str, fresh: bool = False) -> Run:
    """Pages and saves take the run as read within the last second (surveys.runs.RecentRuns);
    `fresh` reads it now: starting and submitting, so none begins or is sent after a survey closed."""
    run = await (get_run(slug) if fresh else recent_runs.get(slug))
    if run is None or run.status == "draft":
        raise NotFoundException()
    return run


async def _draft(request: Request, run: Run) -> Draft | None:
    draft = await response_for_browser(run, request.cookies.get(cookie_name(run.slug, _settings(request))))
    if (draft is not None and draft.channel == EVENT_CHANNEL and draft.status == "in_progress"
            and turn_is_over(draft.updated_at, _settings(request).kiosk_idle_seconds)):
        # The person left the shared tablet: their answers stay as an unfinished draft nobody can reach.
        await end_turn(draft.id)
        return None
    return draft


def _variant(run: Run, version: str | None) -> str:
    """The version asked for (a query string or a form field), if this run offers it."""
    return version if version in run.variants else "standard"


def _closed(request: Request, run: Run) -> Response:
    variant = _variant(run, request.query_params.get("version"))
    if run.is_scheduled():  # not open yet: says when it opens (403: not answerable now, but not gone)
        return render(request, "respondent/closed.html", {"page_title": "This survey is not open yet", "run": run,
                                                          "variant": variant, "scheduled": True}, status_code=403)
    return render(request, "respondent/closed.html", {"page_title": "This survey has closed", "run": run, "variant": variant}, status_code=410)


def _no_draft(run: Run) -> Redirect:
    """No answers for this browser (cookie cleared, expired, or never started): back to the start."""
    return _see_other(_url(run) + "?notice=not-found")


def _error_list(errors) -> list[dict[str, str]]:
    return [{"text": e.message, "href": f"#{e.key}"} for e in errors]



def _date_in_words(iso: str) -> str:
    """2026-09-01 as "1 September 2026" (the text as it is when it is not a date)."""
    from datetime import date

    try:
        return date.fromisoformat(iso[:10]).strftime("%-d %B %Y")
    except ValueError:
        return iso

class RespondentController(Controller):
    path = "/s/{slug:str}"
    include_in_schema = False

    @get("/", name="survey-start")
    async def start_page(
        self, request: Request, slug: FromPath[str], notice: FromQuery[str | None] = None,
        version: FromQuery[str | None] = None,
    ) -> Response:
        run = await _run_or_404(slug)
        if not run.is_open():
            return _closed(request, run)
        kiosk = await in_kiosk(request, run)
        draft = None if kiosk else await _draft(request, run)  # a shared tablet never offers someone else's answers
        if kiosk:
            await end_idle_turns(run.id, _settings(request).kiosk_idle_seconds)
        continue_url = None
        if draft and draft.status == "in_progress":
            if draft.current_page is None:
                continue_url = _url(run, "before-you-start")
            else:
                continue_url = _page_url(run, resume_page_key(run.instrument, draft.answers, draft.current_page))
        return render(
            request,
            "respondent/start.html",
            {
                "page_title": run.title_for(version if version in run.variants else "standard"),
                "run": run,
                "instrument": run.instrument,
                "draft": draft,
                "continue_url": continue_url,
                "not_found": notice == "not-found" and not kiosk,
                "kiosk": kiosk,
                "kiosk_notice": notice if kiosk and notice in ("handed-over", "timed-out") else None,
                "kiosk_mode": kiosk,
                "variant": version if version in run.variants else "standard",
                "other_versions": [v for v in run.variants if v != (version if version in run.variants else "standard")],
                "paragraphs": run.instrument.description.splitlines(),
            },
        )

    @public_post("/start")
    async def start(self, request: Request, slug: FromPath[str]) -> Response:
        run = await _run_or_404(slug, fresh=True)
        if not run.is_open():
            return _closed(request, run)
        form = await request.form()
        variant = (field_values(form, "variant") or ["standard"])[0]
        kiosk = await in_kiosk(request, run)
        if kiosk:  # the previous person's turn ends when the next one starts
            previous = await _draft(request, run)
            if previous is not None and previous.channel == EVENT_CHANNEL:
                await end_turn(previous.id)
        draft, token = await start_response(run, variant=variant, channel="event" if kiosk else "web")
        assert token is not None
        cookie = resume_cookie(run.slug, token, _settings(request), persistent=not kiosk)
        return _see_other(_url(run, "before-you-start"), [cookie])

    # -- participation: which notice was shown, and that they chose to take part ----------------

    async def _participation_context(self, run: Run, variant: str = "standard") -> dict[str, Any]:
        notice = await notice_for(run.instrument, variant)
        return {
            "page_title": "Before you start",
            "run": run,
            "notice": notice,
            "summary": notice.summary.splitlines(),
            "back_url": _url(run) + (f"?version={variant}" if variant != "standard" else ""),
            "variant": variant,
        }

    @get("/before-you-start")
    async def participation_page(self, request: Request, slug: FromPath[str]) -> Response:
        run = await _run_or_404(slug)
        if not run.is_open():
            return _closed(request, run)
        draft = await _draft(request, run)
        if draft is None or draft.status != "in_progress":
            return _no_draft(run)
        return _journey_page(request, "respondent/participation.html", await self._participation_context(run, draft.variant), draft)

    @public_post("/before-you-start")
    async def participate(self, request: Request, slug: FromPath[str]) -> Response:
        run = await _run_or_404(slug)
        if not run.is_open():
            return _closed(request, run)
        draft = await _draft(request, run)
        if draft is None:
            return _no_draft(run)
        if draft.status != "in_progress":
            return _see_other(_url(run, "done"))
        if draft.current_page is None:
            context = await self._participation_context(run, draft.variant)
            form = await request.form()
            shown = (field_values(form, "notice_version") or [""])[0]
            if shown != str(context["notice"].version):
                # The notice changed since the page was shown: they must see the words we record.
                context["notice_updated"] = True
                return _journey_page(request, "respondent/participation.html", context, draft, status_code=409)
            # A paper form typed in by a forum volunteer is recorded as such.
            await record_participation(draft, context["notice"], actor="volunteer" if draft.channel == "paper" else "self")
            first = run.instrument.pages[0].key
            await set_current_page(draft, first)
            if draft.channel == EVENT_CHANNEL:
                await mark_saved(draft.id)
            return _see_other(_page_url(run, first))
        return _see_other(_page_url(run, resume_page_key(run.instrument, draft.answers, draft.current_page)))

    # -- question pages ---------------------------------------------------------------------------

    async def _journey_draft(self, request: Request, run: Run, keep_submitted: bool = False) -> Draft | Response:
        """This browser's draft, or where to send them instead (`keep_submitted`: a sent one too)."""
        draft = await _draft(request, run)
        if draft is None:
            return _no_draft(run)
        if draft.status == "submitted":
            return draft if keep_submitted else _see_other(_url(run, "done"))
        if draft.status != "in_progress":
            return _no_draft(run)
        if draft.current_page is None:
            return _see_other(_url(run, "before-you-start"))
        return draft

    def _question_context(
        self, run: Run, draft: Draft, page: Page, values: dict[str, Any], errors, return_to_check: bool
    ) -> dict[str, Any]:
        instrument = run.instrument
        previous = previous_page_key(instrument, draft.answers, page.key)
        if return_to_check:
            back_url = _url(run, "check")
        elif previous:
            back_url = _page_url(run, previous)
        else:
            back_url = _url(run, "before-you-start")
        number, total = progress(instrument, draft.answers, page.key)
        return {
            "page_title": ("Error: " if errors else "") + (
                (page.questions[0].easy_read.text or page.title) if draft.variant != "standard" and len(page.questions) == 1 else page.title
            ),
            "run": run,
            "page": page,
            "single": len(page.questions) == 1,
            "values": values,
            "errors": {e.key: e.message for e in errors},
            "error_list": _error_list(errors),
            "back_url": back_url,
            "action": _page_url(run, page.key, return_to_check),
            "page_number": number,
            "page_total": total,
            "variant": draft.variant,
            "explain": terms_to_explain(instrument, draft.answers, page.key) if draft.variant != "standard" else [],
            "can_save_for_later": draft.channel == "web",
        }

    async def _question(self, request: Request, slug: str, page_key: str, posting: bool = False) -> tuple[Run, Draft, Page] | Response:
        """The run, this browser's draft and the page asked for, or where to send them instead
        (`posting`: a draft already sent is returned too, so the post can say whether it was too late)."""
        run = await _run_or_404(slug)
        if not run.is_open():
            return _closed(request, run)
        draft = await self._journey_draft(request, run, keep_submitted=posting)
        if not isinstance(draft, Draft):
            return draft
        if page_key not in run.instrument.pages_by_key:
            raise NotFoundException()
        if draft.status == "submitted":
            return run, draft, run.instrument.pages_by_key[page_key]
        page = page_if_visible(run.instrument, draft.answers, page_key)
        if page is None:  # a page hidden by an earlier answer: go where they should be
            return _see_other(_page_url(run, resume_page_key(run.instrument, draft.answers, draft.current_page)))
        return run, draft, page

    @get("/q/{page_key:str}")
    async def question_page(
        self, request: Request, slug: FromPath[str], page_key: FromPath[str], return_to: FromQuery[str | None] = None
    ) -> Response:
        found = await self._question(request, slug, page_key)
        if isinstance(found, Response):
            return found
        run, draft, page = found
        values = {q.key: draft.answers.get(q.key) for q in page.questions}
        context = self._question_context(run, draft, page, values, [], return_to == "check")
        context["kiosk_turn"] = _kiosk_turn(request, run, draft)
        key = shared_page_key(run, page, context)
        if key is None:
            return render(request, "respondent/question.html", context)
        return render_shared(request, "respondent/question.html", context, key)

    @public_post("/q/{page_key:str}")
    async def answer_page(
        self, request: Request, slug: FromPath[str], page_key: FromPath[str], return_to: FromQuery[str | None] = None
    ) -> Response:
        found = await self._question(request, slug, page_key, posting=True)
        if isinstance(found, Response):
            return found
        run, draft, page = found
        form = await request.form()
        action = (field_values(form, "action") or ["continue"])[0]
        values, errors = validate_page(page.questions, form, draft.variant)
        if draft.status == "submitted":  # sent from another tab (or a replayed post): nothing can be added now
            unchanged = not errors and all(draft.answers.get(key) == value for key, value in values.items())
            return _see_other(_url(run, "done") + ("" if unchanged else LATE_CHANGE))
        return_to_check = return_to == "check"
        engine = ResponseTable._meta.db

        if action == "hand_over" and draft.channel == EVENT_CHANNEL:
            # Keep whatever on this page is valid, then the tablet is the next person's.
            bad = {e.key for e in errors}
            good = {k: v for k, v in values.items() if k not in bad and v is not None}
            try:
                await save_page(engine, draft, good, page.key)
            except AlreadySubmitted:
                pass
            await end_turn(draft.id)
            return self._handed_over(request, run)

        if action == "save_later" and draft.channel == "web":
            # Keep whatever on this page is valid; the rest can be finished later.
            bad = {e.key for e in errors}
            good = {k: v for k, v in values.items() if k not in bad and v is not None}
            try:
                await save_page(engine, draft, good, page.key)
            except AlreadySubmitted:  # sent from another tab while this was on its way
                return _see_other(_url(run, "done") + LATE_CHANGE)
            # Something typed that cannot be kept (too long, not a number): say so, with what they
            # typed shown back, rather than "saved" without it. An answer not given yet is fine.
            typed_wrong = [e for e in errors if any(v.strip() for v in field_values(form, e.key))]
            if typed_wrong:
                return _journey_page(
                    request, "respondent/question.html",
                    self._question_context(run, draft, page, _typed(page, form), typed_wrong, return_to_check), draft,
                    status_code=422,
                )
            code = await create_resume_code(draft, _settings(request).secret_key)
            return render(
                request, "respondent/saved.html",
                {"page_title": "Your answers have been saved", "run": run, "code": code, "variant": draft.variant,
                 "shared_device": draft.channel in ("event", "paper")},  # no "send it to me" on a shared tablet
            )

        if errors:
            # Show exactly what they typed, even if it was too long, so nothing has to be retyped.
            return _journey_page(
                request, "respondent/question.html",
                self._question_context(run, draft, page, _typed(page, form), errors, return_to_check), draft,
                status_code=422,
            )

        merged = {**draft.answers, **{k: v for k, v in values.items() if v is not None}}
        for key, value in values.items():
            if value is None:
                merged.pop(key, None)
        if return_to_check:
            gaps = missing_answers(run.instrument, merged)
            target = gaps[0].page_key if gaps else CHECK_PAGE
        else:
            target = next_page_key(run.instrument, merged, page.key)
        try:
            await save_page(engine, draft, values, target)
        except AlreadySubmitted:  # sent from another tab while this was on its way
            return _see_other(_url(run, "done") + LATE_CHANGE)
        if target == CHECK_PAGE and await choices_made(draft, run.instrument) is None:
            return _see_other(_url(run, "your-choices"))
        return _see_other(_page_url(run, target, return_to_check and target != CHECK_PAGE))

    # -- check your answers and submit ------------------------------------------------------------

    def _check_context(self, run: Run, draft: Draft, choices: dict[str, str], errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
        instrument = run.instrument
        pages = visible_pages(instrument, draft.answers)
        missing = missing_answers(instrument, draft.answers)
        error_list = errors or [
            {"text": f"Answer ‘{(m.question.easy_read.text or m.question.text) if draft.variant != 'standard' else m.question.text}’",
             "href": _page_url(run, m.page_key, True)} for m in missing
        ]
        return {
            "page_title": ("Error: " if error_list else "") + "Check your answers before sending them",
            "run": run,
            "pages": pages,
            "answers": draft.answers,
            "error_list": error_list,
            "back_url": _page_url(run, pages[-1].key) if pages else _url(run),
            "change_url": lambda key: _page_url(run, key, True),
            "variant": draft.variant,
            "choices": [(OPTIONAL_PURPOSES[p], decision) for p, decision in choices.items()],
            "easy_read_text": draft.variant != "standard",
            "choices_url": _url(run, "your-choices") + "?return_to=check",
            "answers_shown": answers_fingerprint(draft.answers, choices),
        }

    @get("/check")
    async def check_page(self, request: Request, slug: FromPath[str]) -> Response:
        run = await _run_or_404(slug)
        if not run.is_open():
            return _closed(request, run)
        draft = await self._journey_draft(request, run)
        if not isinstance(draft, Draft):
            return draft
        choices = await choices_made(draft, run.instrument)
        if choices is None and not missing_answers(run.instrument, draft.answers):
            return _see_other(_url(run, "your-choices"))
        if draft.current_page != CHECK_PAGE:
            await set_current_page(draft, CHECK_PAGE)
        return _journey_page(request, "respondent/check.html", self._check_context(run, draft, choices or {}), draft)

    @public_post("/check")
    async def submit(self, request: Request, slug: FromPath[str]) -> Response:
        run = await _run_or_404(slug, fresh=True)
        draft = await _draft(request, run)
        if draft is None:
            return _no_draft(run)
        if draft.status == "submitted":  # a double tap or a replayed request: same reference
            return _see_other(_url(run, "done"))
        if not run.is_open():
            return _closed(request, run)
        choices = await choices_made(draft, run.instrument)
        shown = (field_values(await request.form(), "answers_shown") or [None])[0]
        if shown and shown != answers_fingerprint(draft.answers, choices or {}):
            # Changed in another tab or window since this check page was shown: show them again.
            context = self._check_context(run, draft, choices or {})
            context["changed_elsewhere"] = True
            return _journey_page(request, "respondent/check.html", context, draft, status_code=409)
        try:
            if choices is None and not missing_answers(run.instrument, draft.answers):
                return _see_other(_url(run, "your-choices"))
            submitted = await submit_response(draft, run)
        except Incomplete:
            return _journey_page(request, "respondent/check.html", self._check_context(run, draft, choices or {}), draft, status_code=422)
        except AlreadySubmitted:
            return _no_draft(run)
        await code_response(submitted.id)  # never raises: an uncoded comment is coded later
        await record_invited_response(request, run.slug, run.id)  # "has responded" only, for reminders
        return _see_other(_url(run, "done"))

    @get("/done")
    async def confirmation(self, request: Request, slug: FromPath[str], notice: FromQuery[str | None] = None) -> Response:
        run = await _run_or_404(slug)
        draft = await _draft(request, run)
        if draft is None:
            return _no_draft(run)
        if draft.status == "in_progress":
            return _see_other(_url(run))
        if draft.status != "submitted":
            return _no_draft(run)
        shared_device = draft.channel in ("event", "paper")
        page = render(
            request, "respondent/confirmation.html",
            {
                "page_title": "Your answers have been sent",
                "run": run,
                "reference": draft.reference,
                "next_steps": run.instrument.what_happens_next.splitlines(),
                "kiosk": draft.channel == "event",
                "paper": draft.channel == "paper",
                "kiosk_mode": draft.channel == "event",
                "variant": draft.variant,
                "late_change": notice == LATE_CHANGE.removeprefix("?notice="),
            },
        )
        if shared_device:  # the next person must not be able to go back into these answers
            page.cookies.append(_forget_cookie(cookie_name(run.slug, _settings(request)), _settings(request)))
            await end_turn(draft.id)
        return page

    # -- event mode: handing the shared tablet to the next person ---------------------------------

    def _handed_over(self, request: Request, run: Run) -> Redirect:
        return _see_other(_url(run) + "?notice=handed-over",
                          [_forget_cookie(cookie_name(run.slug, _settings(request)), _settings(request))])

    @public_post("/hand-over")
    async def hand_over(self, request: Request, slug: FromPath[str]) -> Response:
        """"Finish and hand over" on a shared tablet: the answers so far stay as an unfinished draft."""
        run = await _run_or_404(slug)
        draft = await _draft(request, run)
        if draft is not None and draft.channel != EVENT_CHANNEL:
            return _see_other(_url(run))  # only a tablet's turn can be handed over
        if draft is not None:
            await end_turn(draft.id)
        return self._handed_over(request, run)

    # -- optional uses of the answers, asked once the respondent's age is known ------------------

    def _choices_context(self, run: Run, draft: Draft, raw: dict[str, str], errors, return_to_check: bool) -> dict[str, Any]:
        instrument = run.instrument
        pages = visible_pages(instrument, draft.answers)
        number, total = progress(instrument, draft.answers, CHOICES_STEP)
        return {
            "page_number": number,
            "page_total": total,
            "page_title": ("Error: " if errors else "") + "How we can use your answers",
            "run": run,
            "purposes": [OPTIONAL_PURPOSES[p] for p in instrument.consent_purposes],
            "under_13": is_under_13(instrument, draft.answers),
            "raw": raw,
            "errors": {e.key: e.message for e in errors},
            "error_list": _error_list(errors),
            "back_url": _url(run, "check") if return_to_check else (_page_url(run, pages[-1].key) if pages else _url(run)),
            "action": _url(run, "your-choices") + ("?return_to=check" if return_to_check else ""),
            "needs_contact": any(p in ("contact", "follow_up") for p in instrument.consent_purposes),
            "variant": draft.variant,
        }

    @get("/your-choices")
    async def choices_page(self, request: Request, slug: FromPath[str], return_to: FromQuery[str | None] = None) -> Response:
        run = await _run_or_404(slug)
        if not run.is_open():
            return _closed(request, run)
        draft = await self._journey_draft(request, run)
        if not isinstance(draft, Draft):
            return draft
        if not run.instrument.consent_purposes:
            return _see_other(_url(run, "check"))
        previous = await choices_made(draft, run.instrument) or {}
        raw = {p: {"granted": "yes", "refused": "no"}.get(d, "") for p, d in previous.items()}
        context = self._choices_context(run, draft, raw, [], return_to == "check")
        context["kiosk_turn"] = _kiosk_turn(request, run, draft)
        key = shared_choices_key(run, context)
        if key is None:
            return render(request, "respondent/choices.html", context)
        return render_shared(request, "respondent/choices.html", context, key)

    @public_post("/your-choices")
    async def make_choices(self, request: Request, slug: FromPath[str], return_to: FromQuery[str | None] = None) -> Response:
        run = await _run_or_404(slug)
        if not run.is_open():
            return _closed(request, run)
        draft = await self._journey_draft(request, run, keep_submitted=True)
        if not isinstance(draft, Draft):
            return draft
        form = await request.form()
        choices, errors, raw = validate_choices(run.instrument, draft.answers, form)
        if draft.status == "submitted":  # sent from another tab: a changed choice cannot be added now
            unchanged = not errors and choices.decisions == (await choices_made(draft, run.instrument) or {})
            return _see_other(_url(run, "done") + ("" if unchanged else LATE_CHANGE))
        if errors:
            return _journey_page(
                request, "respondent/choices.html",
                self._choices_context(run, draft, raw, errors, return_to == "check"), draft, status_code=422,
            )
        await record_choices(draft, run.instrument, choices)
        if draft.channel == EVENT_CHANNEL:
            await mark_saved(draft.id)
        gaps = missing_answers(run.instrument, draft.answers)
        return _see_other(_page_url(run, gaps[0].page_key, True) if gaps else _url(run, "check"))

    # -- coming back later ------------------------------------------------------------------------

    @get("/resume")
    async def resume_page(self, request: Request, slug: FromPath[str], version: FromQuery[str | None] = None) -> Response:
        run = await _run_or_404(slug)
        if not run.is_open():
            return _closed(request, run)
        return render(request, "respondent/resume.html", {"page_title": "Continue your answers", "run": run, "error": None,
                                                          "code": "", "variant": _variant(run, version)})

    @public_post("/resume")
    async def resume(self, request: Request, slug: FromPath[str]) -> Response:
        run = await _run_or_404(slug)
        if not run.is_open():
            return _closed(request, run)
        if not await resume_attempts.hit(client_key(request)):
            return error_page(request, 429)
        form = await request.form()
        code = (field_values(form, "code") or [""])[0][:100]
        error = None
        if not code.strip():
            error = "Enter the code you were given when you saved your answers"
        elif not looks_like_code(code):
            error = "Enter the code exactly as it was shown, like ABCD-EFGH-JKMN"
        else:
            found = await resume_with_code(run, code, _settings(request).secret_key)
            if found is not None:
                draft, token = found
                target = resume_page_key(run.instrument, draft.answers, draft.current_page)
                url = _url(run, "before-you-start") if draft.current_page is None else _page_url(run, target)
                return _see_other(url, [resume_cookie(run.slug, token, _settings(request))])
            error = "We could not find saved answers with that code. Check the code and try again"
        return render(
            request, "respondent/resume.html",
            {"page_title": "Error: Continue your answers", "run": run, "error": error, "code": code,
             "variant": _variant(run, (field_values(form, "variant") or [None])[0])},
            status_code=422,
        )

    @get("/privacy")
    async def privacy_notice(self, request: Request, slug: FromPath[str], version: FromQuery[str | None] = None) -> Response:
        run = await _run_or_404(slug)
        draft = await _draft(request, run)
        variant = draft.variant if draft else (version if version in run.variants else "standard")
        try:
            notice = await notice_for(run.instrument, variant)
        except LookupError:
            raise NotFoundException() from None
        return render(
            request, "respondent/privacy.html",
            {"page_title": notice.title, "run": run, "notice": notice, "sections": parse_body(notice.body),
             "summary": notice.summary.splitlines(), "variant": variant,
             "changed_on": _date_in_words(str(notice.published_on))},
            private=False,
        )
