"""The consultation builder under /workspace/consultations, for officers and Parent Carer Voice.

Plain forms that post and redirect, so it all works without JavaScript. Drafts hold the raw
instrument (the TOML format); the rules for changing one live in `surveys.authoring`. A forum
member sees only their team's drafts; anyone else's draft is a 404, like anyone else's survey.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any, Callable

import tomli_w
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from consent.purposes import OPTIONAL_PURPOSES
from feedback.accounts.audit import audit
from feedback.accounts.auth import Account, can_see, signed_in
from feedback.rendering import render
from feedback.respond.symbols import symbol_url
from surveys import authoring, easy_check, symbols
from surveys.authoring import ChangeRefused, Draft
from surveys.instrument import SLUG_PATTERN, VARIANTS, Instrument, InstrumentInvalid, Page, Problem, built_in_instruments
from surveys.readability import Advice
from surveys.runs import Run, get_run, get_run_by_id, list_runs, open_run
from surveys.storage import is_unique_violation
from surveys.tables import InstrumentDraft
from surveys.validation import clean_text, field_values, validate_page

BASE = "/workspace/consultations"
PREVIEW_SPLIT = "<!--builder-preview-content-->"

QUESTION_FIELDS = (
    "key", "type", "text", "hint", "optional", "error", "exclusive", "scale", "bands", "dont_know",
    "not_applicable", "min", "max", "max_length", "suffix", "page", "show_if_question", "show_if_values",
    "easy_text", "easy_hint", "easy_symbol",
)
SECTION_FIELDS = ("title", "intro", "easy_text", "easy_hint", "easy_symbol")
DETAIL_FIELDS = ("title", "description", "run_by", "what_happens_next", "minutes", "audience", "notice",
                 "retention_free_text", "retention_days", "easy_title")
FLAGS = ("optional", "dont_know", "not_applicable")


def _account(request: Request) -> Account:
    return request.state.account


def can_see_draft(account: Account, draft: Draft) -> bool:
    """Officers (and admins) see every draft; a forum member sees their own team's."""
    if account.role in ("admin", "officer"):
        return True
    return draft.team is not None and draft.team == account.team


async def _draft_lineage(draft_id: int) -> str | None:
    """The survey a draft continues (kept from what it was copied from), if any."""
    row = await InstrumentDraft.select(InstrumentDraft.lineage).where(InstrumentDraft.id == draft_id).first()
    return row["lineage"] if row else None


async def _draft_or_404(request: Request, draft_id: int) -> Draft:
    draft = await authoring.get_draft(draft_id)
    if draft is None or not can_see_draft(_account(request), draft):
        raise NotFoundException()  # someone else's draft looks like one that does not exist
    return draft


def _see_other(url: str) -> Redirect:
    return Redirect(path=url, status_code=303, headers={"Cache-Control": "no-store"})


def _url(draft: Draft, step: str = "") -> str:
    return f"{BASE}/{draft.id}" + (f"/{step}" if step else "")


def _one(form, name: str, limit: int = 20_000) -> str:
    return (field_values(form, name) or [""])[0][:limit]


def _values(form, names: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {name: _one(form, name) for name in names}
    for flag in FLAGS:
        if flag in values:
            values[flag] = bool(values[flag])
    return values


def _question_values(form) -> dict[str, Any]:
    """The question form's fields, its answer rows among them (option-N-label and so on)."""
    values = _values(form, QUESTION_FIELDS)
    for name in form.keys():
        if name.startswith("option-") and len(name) <= 30:
            values[name] = _one(form, name)
    return values


# Fields whose id is not their name: "page" is the layout's own id (the region htmx swaps), so a
# second element with it would be swapped in too, outside the form, and left without its label.
FIELD_IDS = {"page": "screen-page", "options": "option-1-label"}


def _error_list(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": message, "href": f"#{FIELD_IDS.get(field, field)}"} for field, message in errors.items()]


def _problem_href(draft: Draft, definition: dict[str, Any], problem: Problem) -> str:
    kind, key = authoring.element_of(definition, problem)
    if kind == "details":
        return _url(draft, "details")
    if kind == "section":
        return _url(draft, f"sections/{key}")
    if kind == "question":
        return _url(draft, f"questions/{key}")
    return _url(draft)


def _described(draft: Draft, definition: dict[str, Any], problems: list[Problem]) -> list[dict[str, str]]:
    return [
        {"element": authoring.element_name(definition, p), "message": p.message, "href": _problem_href(draft, definition, p)}
        for p in problems
    ]


def _advice(draft: Draft, definition: dict[str, Any], advice: list[Advice]) -> list[dict[str, str]]:
    # Advice keys are "question", "question hint" or "question option value": name the element.
    return _described(draft, definition, [Problem("builder", a.key, a.message) for a in advice])


class BuilderController(Controller):
    path = BASE
    guards = [signed_in]
    include_in_schema = False

    # -- the list, new drafts and copies ----------------------------------------------------------

    @get("/")
    async def drafts(self, request: Request) -> Response:
        account = _account(request)
        drafts = [d for d in await authoring.list_drafts() if can_see_draft(account, d)]
        return render(request, "workspace/builder/list.html", {
            "page_title": "Consultations", "account": account, "drafts": drafts,
        })

    @get("/new")
    async def new_page(self, request: Request) -> Response:
        return render(request, "workspace/builder/new.html", {
            "page_title": "Start a new consultation", "account": _account(request), "values": {}, "errors": {},
            "error_list": [],
        })

    @post("/new")
    async def create(self, request: Request) -> Response:
        account = _account(request)
        form = await request.form()
        title = clean_text(_one(form, "title", 1000))
        errors = {}
        if not title:
            errors["title"] = "Enter a title for the consultation"
        elif len(title) > 200:
            errors["title"] = "The title must be 200 characters or fewer"
        if errors:
            return render(request, "workspace/builder/new.html", {
                "page_title": "Error: Start a new consultation", "account": account, "values": {"title": title},
                "errors": errors, "error_list": _error_list(errors),
            }, status_code=422)
        draft = await authoring.create_draft(title, account.team if account.role == "pcv" else None, account.email)
        return _see_other(_url(draft))

    @staticmethod
    def _files() -> dict[str, Instrument]:
        """The questionnaires shipped with the product, to start from (none if a file is broken)."""
        try:
            return built_in_instruments()
        except InstrumentInvalid:
            return {}

    async def _copy_context(self, request: Request, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
        account = _account(request)
        return {
            "page_title": ("Error: " if errors else "") + "Copy a previous consultation", "account": account,
            "drafts": [d for d in await authoring.list_drafts() if can_see_draft(account, d)],
            "runs": [r for r in await list_runs() if can_see(account, r)],
            "files": sorted(self._files().values(), key=lambda i: i.title),
            "values": values, "errors": errors, "error_list": _error_list(errors),
        }

    @get("/copy")
    async def copy_page(self, request: Request, source: FromQuery[str | None] = None) -> Response:
        return render(request, "workspace/builder/copy.html", await self._copy_context(request, {"source": source or ""}, {}))

    @post("/copy")
    async def copy(self, request: Request) -> Response:
        """A new draft from a draft, the exact definition a published survey ran with, or a built-in file."""
        account = _account(request)
        form = await request.form()
        values = {"source": _one(form, "source", 100), "title": clean_text(_one(form, "title", 1000))}
        errors: dict[str, str] = {}
        definition = None
        source_title = ""
        lineage = None  # a copy continues its source's survey, so next year's results show the trend
        kind, _, number = values["source"].partition("-")
        # isdecimal and a length limit: "²" or 5,000 digits are no id, never an error.
        if kind == "draft" and number.isdecimal() and len(number) <= 19 and int(number) <= authoring.MAX_ID:
            source = await authoring.get_draft(int(number))
            if source is not None and can_see_draft(account, source):
                definition, source_title = source.definition, source.title
                lineage = await _draft_lineage(source.id) or source.key
        elif kind == "run" and number.isdecimal() and len(number) <= 19 and int(number) <= authoring.MAX_ID:
            run = await get_run_by_id(int(number))
            if run is not None and can_see(account, run):
                definition, source_title, lineage = run.instrument.raw, run.title, run.lineage
        elif kind == "file":
            instrument = self._files().get(number)
            if instrument is not None:
                definition, source_title, lineage = instrument.raw, instrument.title, instrument.key
        if definition is None:
            errors["source"] = "Select the consultation or survey to copy"
        title = values["title"] or (f"Copy of {source_title}"[:200] if source_title else "")
        if len(title) > 200:
            errors["title"] = "The title must be 200 characters or fewer"
        if errors:
            return render(request, "workspace/builder/copy.html", await self._copy_context(request, values, errors), status_code=422)
        draft = await authoring.create_draft(title, account.team if account.role == "pcv" else None, account.email, definition)
        await InstrumentDraft.update({InstrumentDraft.lineage: lineage}).where(InstrumentDraft.id == draft.id)
        return _see_other(_url(draft))

    # -- the editor -------------------------------------------------------------------------------

    async def _editor_context(self, request: Request, draft: Draft, errors: dict[str, str] | None = None) -> dict[str, Any]:
        definition = draft.definition
        problems = authoring.problems_of(definition)
        missing = authoring.missing_easy_read(definition)
        published = []
        for item in draft.published:
            run = await get_run_by_id(item.get("run_id", 0))
            published.append({**item, "run": run, "visible": run is not None and can_see(_account(request), run)})
        return {
            "page_title": ("Error: " if errors else "") + draft.title, "account": _account(request), "draft": draft,
            "d": definition, "sections": authoring.sections_of(definition),
            "problems": _described(draft, definition, problems),
            "advice": _advice(draft, definition, authoring.readability(definition)) + self._picture_advice(draft, definition),
            "missing": missing, "missing_keys": {(kind, key) for kind, key, _ in missing},
            "offers_easy_read": authoring.offers_easy_read(definition),
            "published": published, "type_names": authoring.SHORT_TYPE_NAMES,
            "variant_names": authoring.VARIANT_LABELS, "audience_names": authoring.AUDIENCE_LABELS,
            "preview_pages": self._preview_pages(definition),
            "versions_text": ", ".join(authoring.VARIANT_LABELS.get(v, v) for v in definition.get("variants") or ["standard"]),
            "purposes_text": "; ".join(authoring.PURPOSE_LABELS.get(p, p) for p in definition.get("consent_purposes", ["quotes", "contact"])) or "None",
            "errors": errors or {}, "error_list": [{"text": m, "href": "#structure"} for m in (errors or {}).values()],
            "base": _url(draft),
        }

    @staticmethod
    def _picture_advice(draft: Draft, definition: dict[str, Any]) -> list[dict[str, str]]:
        """The picture warnings of the question pages (the sentence and word advice is already in
        the list), each linking to the field to change."""
        if not authoring.offers_easy_read(definition):
            return []
        warnings = easy_check.instrument_warnings(authoring.lenient_instrument(definition), easy_check.PICTURE_KINDS)
        return [{"element": authoring.element_name(definition, Problem("builder", w.question, "")), "message": w.message,
                 "href": _url(draft, f"questions/{w.question}") + f"#{w.field}"} for w in warnings]

    @staticmethod
    def _preview_pages(definition: dict[str, Any]) -> dict[str, str]:
        """Question key -> the preview page that asks it."""
        instrument = authoring.lenient_instrument(definition)
        if instrument is None:
            return {}
        return {q.key: page.key for page in instrument.pages for q in page.questions}

    @get("/{draft_id:int}")
    async def editor(self, request: Request, draft_id: FromPath[int]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        return render(request, "workspace/builder/editor.html", await self._editor_context(request, draft))

    async def _change(self, request: Request, draft: Draft, change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        try:
            return await authoring.change_draft(draft.id, change)
        except LookupError:  # the element was deleted by someone else meanwhile
            raise NotFoundException() from None

    # -- details ----------------------------------------------------------------------------------

    async def _details_context(self, request: Request, draft: Draft, values: dict[str, Any], errors: dict[str, str],
                               note: str | None = None) -> dict[str, Any]:
        return {
            "page_title": ("Error: " if errors else "") + "Consultation details", "account": _account(request),
            "draft": draft, "values": values, "errors": errors, "error_list": _error_list(errors),
            "notices": await authoring.notice_keys(), "audiences": authoring.AUDIENCE_LABELS,
            "variant_names": authoring.VARIANT_LABELS, "purpose_labels": {k: v for k, v in authoring.PURPOSE_LABELS.items() if k in OPTIONAL_PURPOSES},
            "retention_labels": authoring.RETENTION_LABELS, "base": _url(draft), "note": note,
            # the terms already written, and an empty row to write another in
            "terms": [*authoring.term_rows(values)[:authoring.MAX_TERMS], {"term": "", "means": ""}],
        }

    @get("/{draft_id:int}/details")
    async def details_page(self, request: Request, draft_id: FromPath[int]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        return render(request, "workspace/builder/details.html",
                      await self._details_context(request, draft, authoring.details_form_values(draft.definition), {}))

    @post("/{draft_id:int}/details")
    async def save_details(self, request: Request, draft_id: FromPath[int]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        form = await request.form()
        values = _values(form, DETAIL_FIELDS)
        values["variants"] = field_values(form, "variants")
        values["consent_purposes"] = field_values(form, "consent_purposes")
        for name in form.keys():
            if name.startswith("term-") and len(name) <= 20:
                values[name] = _one(form, name)
        if _one(form, "row_action", 20) == "add_term":  # another empty row; nothing saved yet
            return render(request, "workspace/builder/details.html", await self._details_context(
                request, draft, values, {}, "Not saved yet: select “Save the details” to keep your changes."))
        notices = await authoring.notice_keys()
        try:
            await self._change(request, draft, lambda d: authoring.apply_details(d, values, notices))
        except ChangeRefused as refused:
            return render(request, "workspace/builder/details.html",
                          await self._details_context(request, draft, values, refused.errors), status_code=422)
        return _see_other(_url(draft) + "#details")

    # -- sections ---------------------------------------------------------------------------------

    def _section_context(self, request: Request, draft: Draft, section_key: str | None, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
        return {
            "page_title": ("Error: " if errors else "") + ("Change a section" if section_key else "Add a section"),
            "account": _account(request), "draft": draft, "section_key": section_key, "values": values,
            "errors": errors, "error_list": _error_list(errors), "base": _url(draft),
            "action": _url(draft, f"sections/{section_key}" if section_key else "sections/new"),
            "needs_easy_read": authoring.offers_easy_read(draft.definition), "symbol_names": authoring.symbol_names(),
        }

    @get("/{draft_id:int}/sections/new")
    async def new_section_page(self, request: Request, draft_id: FromPath[int]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        return render(request, "workspace/builder/section.html", self._section_context(request, draft, None, {}, {}))

    @post("/{draft_id:int}/sections/new")
    async def add_section(self, request: Request, draft_id: FromPath[int]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        values = _values(await request.form(), SECTION_FIELDS)
        added: list[str] = []

        def change(definition):
            changed, key = authoring.apply_section(definition, None, values)
            added.append(key)
            return changed

        try:
            await self._change(request, draft, change)
        except ChangeRefused as refused:
            return render(request, "workspace/builder/section.html",
                          self._section_context(request, draft, None, values, refused.errors), status_code=422)
        return _see_other(_url(draft, f"sections/{added[0]}/questions/new"))

    def _section_or_404(self, draft: Draft, section_key: str) -> dict[str, Any]:
        found = authoring.find_section(draft.definition, section_key)
        if found is None:
            raise NotFoundException()
        return found[1]

    @get("/{draft_id:int}/sections/{section_key:str}")
    async def section_page(self, request: Request, draft_id: FromPath[int], section_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        section = self._section_or_404(draft, section_key)
        return render(request, "workspace/builder/section.html",
                      self._section_context(request, draft, section_key, authoring.section_form_values(section), {}))

    @post("/{draft_id:int}/sections/{section_key:str}")
    async def save_section(self, request: Request, draft_id: FromPath[int], section_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        self._section_or_404(draft, section_key)
        values = _values(await request.form(), SECTION_FIELDS)
        try:
            await self._change(request, draft, lambda d: authoring.apply_section(d, section_key, values)[0])
        except ChangeRefused as refused:
            return render(request, "workspace/builder/section.html",
                          self._section_context(request, draft, section_key, values, refused.errors), status_code=422)
        return _see_other(_url(draft) + f"#section-{section_key}")

    @post("/{draft_id:int}/sections/{section_key:str}/move")
    async def move_section(self, request: Request, draft_id: FromPath[int], section_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        direction = _one(await request.form(), "direction", 10)
        if direction in ("up", "down"):
            try:
                await self._change(request, draft, lambda d: authoring.move_section(d, section_key, direction))
            except ChangeRefused as refused:
                return await self._editor_refused(request, draft, refused)
        return _see_other(_url(draft) + f"#section-{section_key}")

    async def _editor_refused(self, request: Request, draft: Draft, refused: ChangeRefused) -> Response:
        return render(request, "workspace/builder/editor.html",
                      await self._editor_context(request, draft, refused.errors), status_code=422)

    @get("/{draft_id:int}/sections/{section_key:str}/delete")
    async def delete_section_page(self, request: Request, draft_id: FromPath[int], section_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        section = self._section_or_404(draft, section_key)
        return render(request, "workspace/builder/delete.html", self._delete_context(request, draft, "section", section, {}))

    def _delete_context(self, request, draft: Draft, kind: str, element: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
        name = element.get("title") if kind == "section" else element.get("text")
        return {
            "page_title": ("Error: " if errors else "") + f"Delete this {kind}?", "account": _account(request),
            "draft": draft, "kind": kind, "element": element, "name": name or element.get("key"),
            "questions": authoring.questions_of(element) if kind == "section" else [],
            "action": _url(draft, f"{kind}s/{element.get('key')}/delete"), "base": _url(draft),
            "errors": errors, "error_list": [{"text": m, "href": "#delete"} for m in errors.values()],
        }

    @post("/{draft_id:int}/sections/{section_key:str}/delete")
    async def delete_section(self, request: Request, draft_id: FromPath[int], section_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        section = self._section_or_404(draft, section_key)
        try:
            await self._change(request, draft, lambda d: authoring.delete_section(d, section_key))
        except ChangeRefused as refused:
            return render(request, "workspace/builder/delete.html",
                          self._delete_context(request, draft, "section", section, refused.errors), status_code=422)
        return _see_other(_url(draft) + "#structure")

    # -- questions --------------------------------------------------------------------------------

    def _question_context(self, request: Request, draft: Draft, section_key: str, question_key: str | None,
                          values: dict[str, Any], errors: dict[str, str], note: str | None = None) -> dict[str, Any]:
        definition = draft.definition
        others = [q for q in authoring.all_questions(definition) if q.get("key") != question_key]
        section = authoring.find_section(definition, section_key)
        rows = authoring.option_rows(values) or [dict.fromkeys(authoring.OPTION_FIELDS, "") for _ in range(2)]
        find = clean_text(values.get("find_symbol") or "")[:60]
        return {
            "page_title": ("Error: " if errors else "") + ("Change a question" if question_key else "Add a question"),
            "account": _account(request), "draft": draft, "values": values, "errors": errors,
            "error_list": _error_list(errors), "base": _url(draft), "question_key": question_key,
            "section": section[1] if section else {}, "rows": rows, "max_rows": authoring.MAX_OPTION_ROWS, "note": note,
            "action": _url(draft, f"questions/{question_key}" if question_key else f"sections/{section_key}/questions/new"),
            "types": authoring.TYPE_LABELS, "scales": authoring.SCALE_LABELS, "bands": authoring.BAND_LABELS,
            "others": others, "answers": {q.get("key"): authoring.option_values_of(q) for q in others},
            "needs_easy_read": authoring.offers_easy_read(definition), "symbol_names": authoring.symbol_names(),
            **self._easy_preview(values), "find": find, "found": self._symbol_results(find) if find else None,
            "preview_url": _url(draft, "easy-preview"), "symbols_url": _url(draft, "symbols"),
        }

    @staticmethod
    def _easy_preview(values: dict[str, Any]) -> dict[str, Any]:
        """The question's easy-read lines as the picture version shows them, and the warnings on them."""
        raw, _ = authoring.build_question(values)
        question = easy_check.preview_question(raw)
        warnings = easy_check.question_warnings(question) if question is not None else []
        return {"preview_question": question, "warnings": warnings}

    @staticmethod
    def _symbol_results(find: str) -> list[dict[str, str]]:
        try:
            found = symbols.search(find)
        except symbols.SymbolsInvalid:  # the dictionary is optional: pages work with words alone
            return []
        return [{"key": s.key, "word": s.words[0] if s.words else s.key.replace("_", " "), "alt": s.alt,
                 "src": symbol_url(s.hexcode)} for s in found]

    def _question_unsaved(self, request: Request, draft: Draft, section_key: str, question_key: str | None,
                          form, values: dict[str, Any]) -> Response | None:
        """A button on the question page that changes the form but saves nothing: add, remove or move
        an answer row, pick a picture, search the pictures, preview. None for the save buttons."""
        action = _one(form, "row_action", 20)
        pick = _one(form, "pick_symbol", 80)
        values["find_symbol"] = _one(form, "find_symbol", 200)
        if not action and not pick:
            return None
        note = "Not saved yet: select “Save” to keep your changes."
        if pick:
            values["easy_symbol"] = pick
            note = f"Picture ‘{pick[:40]}’ chosen. " + note
        elif action not in ("preview", "search"):
            rows = authoring.change_rows(authoring.option_rows(values), action)
            values = {k: v for k, v in values.items() if not k.startswith("option-")} | authoring.rows_as_values(rows)
        return render(request, "workspace/builder/question.html",
                      self._question_context(request, draft, section_key, question_key, values, {}, note))

    @post("/{draft_id:int}/easy-preview")
    async def easy_preview(self, request: Request, draft_id: FromPath[int]) -> Response:
        """The easy-read preview and its warnings for the question form as typed (htmx, as they type)."""
        await _draft_or_404(request, draft_id)
        values = _question_values(await request.form())
        return render(request, "workspace/builder/_easy_preview.html", {"values": values, **self._easy_preview(values)})

    @get("/{draft_id:int}/symbols")
    async def symbol_search(self, request: Request, draft_id: FromPath[int], find_symbol: FromQuery[str | None] = None) -> Response:
        """Pictures matching a word (htmx, as they type); without JavaScript the question form's own
        search button shows the same list."""
        await _draft_or_404(request, draft_id)
        find = clean_text((find_symbol or "")[:200])[:60]
        return render(request, "workspace/builder/_symbol_results.html",
                      {"find": find, "found": self._symbol_results(find) if find else None})

    @get("/{draft_id:int}/sections/{section_key:str}/questions/new")
    async def new_question_page(self, request: Request, draft_id: FromPath[int], section_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        self._section_or_404(draft, section_key)
        return render(request, "workspace/builder/question.html",
                      self._question_context(request, draft, section_key, None, {"bands": "child"}, {}))

    @post("/{draft_id:int}/sections/{section_key:str}/questions/new")
    async def add_question(self, request: Request, draft_id: FromPath[int], section_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        self._section_or_404(draft, section_key)
        form = await request.form()
        values = _question_values(form)
        unsaved = self._question_unsaved(request, draft, section_key, None, form, values)
        if unsaved is not None:
            return unsaved
        added: list[str] = []

        def change(definition):
            changed, key = authoring.apply_question(definition, section_key, None, values)
            added.append(key)
            return changed

        try:
            await self._change(request, draft, change)
        except ChangeRefused as refused:
            return render(request, "workspace/builder/question.html",
                          self._question_context(request, draft, section_key, None, values, refused.errors), status_code=422)
        if _one(form, "then") == "another":
            return _see_other(_url(draft, f"sections/{section_key}/questions/new"))
        return _see_other(_url(draft) + f"#question-{added[0]}")

    def _question_or_404(self, draft: Draft, question_key: str) -> tuple[str, dict[str, Any]]:
        found = authoring.find_question(draft.definition, question_key)
        if found is None:
            raise NotFoundException()
        s_index, _, question = found
        return authoring.sections_of(draft.definition)[s_index].get("key", ""), question

    @get("/{draft_id:int}/questions/{question_key:str}")
    async def question_page(self, request: Request, draft_id: FromPath[int], question_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        section_key, question = self._question_or_404(draft, question_key)
        return render(request, "workspace/builder/question.html", self._question_context(
            request, draft, section_key, question_key, authoring.question_form_values(question), {}))

    @post("/{draft_id:int}/questions/{question_key:str}")
    async def save_question(self, request: Request, draft_id: FromPath[int], question_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        section_key, _ = self._question_or_404(draft, question_key)
        form = await request.form()
        values = _question_values(form)
        unsaved = self._question_unsaved(request, draft, section_key, question_key, form, values)
        if unsaved is not None:
            return unsaved
        saved: list[str] = []

        def change(definition):
            found = authoring.find_question(definition, question_key)
            if found is None:
                raise LookupError(question_key)
            current_section = authoring.sections_of(definition)[found[0]].get("key", "")
            changed, key = authoring.apply_question(definition, current_section, question_key, values)
            saved.append(key)
            return changed

        try:
            await self._change(request, draft, change)
        except ChangeRefused as refused:
            return render(request, "workspace/builder/question.html", self._question_context(
                request, draft, section_key, question_key, values, refused.errors), status_code=422)
        return _see_other(_url(draft) + f"#question-{saved[0]}")

    @post("/{draft_id:int}/questions/{question_key:str}/move")
    async def move_question(self, request: Request, draft_id: FromPath[int], question_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        direction = _one(await request.form(), "direction", 10)
        if direction in ("up", "down"):
            try:
                await self._change(request, draft, lambda d: authoring.move_question(d, question_key, direction))
            except ChangeRefused as refused:
                return await self._editor_refused(request, draft, refused)
        return _see_other(_url(draft) + f"#question-{question_key}")

    @get("/{draft_id:int}/questions/{question_key:str}/delete")
    async def delete_question_page(self, request: Request, draft_id: FromPath[int], question_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        _, question = self._question_or_404(draft, question_key)
        return render(request, "workspace/builder/delete.html", self._delete_context(request, draft, "question", question, {}))

    @post("/{draft_id:int}/questions/{question_key:str}/delete")
    async def delete_question(self, request: Request, draft_id: FromPath[int], question_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        _, question = self._question_or_404(draft, question_key)
        try:
            await self._change(request, draft, lambda d: authoring.delete_question(d, question_key))
        except ChangeRefused as refused:
            return render(request, "workspace/builder/delete.html",
                          self._delete_context(request, draft, "question", question, refused.errors), status_code=422)
        return _see_other(_url(draft) + "#structure")

    # -- preview: the respondent's own templates, a made-up context, nothing stored ---------------

    @get("/{draft_id:int}/preview")
    async def preview_index(self, request: Request, draft_id: FromPath[int], variant: FromQuery[str | None] = None,
                            done: FromQuery[str | None] = None) -> Response:
        draft = await _draft_or_404(request, draft_id)
        instrument = authoring.lenient_instrument(draft.definition)
        return render(request, "workspace/builder/preview_index.html", {
            "page_title": f"Preview: {draft.title}", "account": _account(request), "draft": draft,
            "instrument": instrument, "variants": VARIANTS, "variant_names": authoring.VARIANT_LABELS,
            "offered": draft.definition.get("variants") or ["standard"], "base": _url(draft),
            "done": variant if done and variant in VARIANTS else None,
        })

    def _preview_page(self, draft: Draft, variant: str, page_key: str) -> tuple[Any, Page, int]:
        if variant not in VARIANTS:
            raise NotFoundException()
        instrument = authoring.lenient_instrument(draft.definition)
        if instrument is None or page_key not in instrument.pages_by_key:
            raise NotFoundException()
        index = [p.key for p in instrument.pages].index(page_key)
        return instrument, instrument.pages[index], index

    def _render_preview(self, request: Request, draft: Draft, variant: str, page_key: str,
                        values: dict[str, Any], errors, status_code: int = 200, note: str | None = None) -> Response:
        instrument, page, index = self._preview_page(draft, variant, page_key)
        pages = instrument.pages
        back_url = (_url(draft, f"preview/{variant}/{pages[index - 1].key}") if index > 0
                    else _url(draft, f"preview?variant={variant}"))
        fake_run = Run(id=0, slug=f"preview-{draft.key}", title=instrument.title, status="draft",
                       variants=tuple(VARIANTS), opens_at=None, closes_at=None, instrument=instrument, team=draft.team)
        single = len(page.questions) == 1
        # The same context the respondent controller builds for this page.
        context = {
            "page_title": ("Error: " if errors else "") + (
                (page.questions[0].easy_read.text or page.title) if variant != "standard" and single else page.title),
            "run": fake_run, "page": page, "single": single, "values": values,
            "errors": {e.key: e.message for e in errors},
            "error_list": [{"text": e.message, "href": f"#{e.key}"} for e in errors],
            "back_url": back_url, "action": _url(draft, f"preview/{variant}/{page.key}"),
            "page_number": index + 1, "page_total": len(pages), "variant": variant, "can_save_for_later": True,
            "easy_read": variant in ("easy_read", "symbols"), "uses_symbols": variant in ("easy_read", "symbols"),
        }
        before, content = self._respondent_html(request, "respondent/question.html", context)
        conditions = [
            (q.text, q.show_if.question, [instrument.questions_by_key[q.show_if.question].label_for(v) for v in q.show_if.values()])
            for q in page.questions if q.show_if is not None and q.show_if.question in instrument.questions_by_key
        ]
        return render(request, "workspace/builder/preview.html", {
            "page_title": f"Preview: {context['page_title']}", "draft": draft, "variant": variant,
            "variant_names": authoring.VARIANT_LABELS, "variants": VARIANTS, "page": page, "base": _url(draft),
            "offered": draft.definition.get("variants") or ["standard"],
            "respondent_before": before, "respondent_content": content, "conditions": conditions, "note": note,
        }, status_code=status_code)

    @staticmethod
    def _respondent_html(request: Request, template: str, context: dict[str, Any]) -> tuple[Markup, Markup]:
        """Render a respondent template as the respondent controller would, split into what goes
        before <main> (the back link) and what goes in it, to sit inside the preview frame."""
        environment = request.app.template_engine.engine
        token = ScopeState.from_scope(request.scope).csrf_token or ""
        full = {
            **context, "request": request, "layout": "workspace/builder/_preview_parts.html",
            "csrf_input": Markup('<input type="hidden" name="_csrf_token" value="{}" />').format(token),
        }
        rendered = environment.get_template(template).render(full)
        before, _, content = rendered.partition(PREVIEW_SPLIT)
        return Markup(before), Markup(content)

    @get("/{draft_id:int}/preview/{variant:str}/{page_key:str}")
    async def preview_page(self, request: Request, draft_id: FromPath[int], variant: FromPath[str], page_key: FromPath[str]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        return self._render_preview(request, draft, variant, page_key, {}, [])

    @post("/{draft_id:int}/preview/{variant:str}/{page_key:str}")
    async def preview_answer(self, request: Request, draft_id: FromPath[int], variant: FromPath[str], page_key: FromPath[str]) -> Response:
        """Checks the answers as the live survey would, then shows the next page. Stores nothing."""
        draft = await _draft_or_404(request, draft_id)
        instrument, page, index = self._preview_page(draft, variant, page_key)
        form = await request.form()
        action = _one(form, "action", 20)
        raw = {q.key: (field_values(form, q.key) if q.type == "multiple_choice" else (field_values(form, q.key) or [None])[0])
               for q in page.questions}
        if action == "save_later":
            return self._render_preview(request, draft, variant, page_key, raw, [],
                                        note="In the live survey this gives the person a code to come back later. Nothing is saved in a preview.")
        _, errors = validate_page(page.questions, form, variant)
        if errors:
            return self._render_preview(request, draft, variant, page_key, raw, errors, status_code=422)
        if index + 1 < len(instrument.pages):
            return _see_other(_url(draft, f"preview/{variant}/{instrument.pages[index + 1].key}"))
        return _see_other(_url(draft, f"preview?variant={variant}&done=1"))

    # -- download and publish ---------------------------------------------------------------------

    @get("/{draft_id:int}/download.toml")
    async def download(self, request: Request, draft_id: FromPath[int]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        header = (f"# {draft.title}\n# Built in the consultation builder. Format: surveys/instruments/README.md\n\n")
        body = header + tomli_w.dumps(authoring.in_file_order(draft.definition), multiline_strings=True)
        return Response(body.encode("utf-8"), media_type="application/toml; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{draft.key}.toml"', "Cache-Control": "no-store",
        })

    async def _publish_context(self, request: Request, draft: Draft, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
        try:
            authoring.frozen_instrument(draft)
            problems: list[dict[str, str]] = []
        except InstrumentInvalid as invalid:
            problems = _described(draft, draft.definition, invalid.problems)
        error_list = _error_list(errors) + [{"text": f"{p['element']}: {p['message']}", "href": p["href"]} for p in problems if errors]
        return {
            "page_title": ("Error: " if errors else "") + "Publish this consultation", "account": _account(request),
            "draft": draft, "values": values, "errors": errors, "error_list": error_list, "problems": problems,
            "offered": [v for v in draft.definition.get("variants") or ["standard"] if v != "standard"],
            "variant_names": authoring.VARIANT_LABELS, "base": _url(draft),
        }

    @get("/{draft_id:int}/publish")
    async def publish_page(self, request: Request, draft_id: FromPath[int]) -> Response:
        draft = await _draft_or_404(request, draft_id)
        slug = draft.key if await get_run(draft.key) is None else f"{draft.key}-v{draft.version}"[:80]
        values = {"slug": slug, "title": draft.title, "variants": [v for v in draft.definition.get("variants") or [] if v != "standard"]}
        return render(request, "workspace/builder/publish.html", await self._publish_context(request, draft, values, {}))

    @post("/{draft_id:int}/publish")
    async def publish(self, request: Request, draft_id: FromPath[int]) -> Response:
        """Freeze this version into an open survey run; later edits become the next version."""
        account = _account(request)
        draft = await _draft_or_404(request, draft_id)
        form = await request.form()
        values = {"slug": _one(form, "slug", 200).strip().lower(), "title": clean_text(_one(form, "title", 1000)),
                  "closes_on": _one(form, "closes_on", 40).strip(), "variants": field_values(form, "variants")}
        errors: dict[str, str] = {}
        try:
            instrument = authoring.frozen_instrument(draft)
        except InstrumentInvalid:
            instrument = None
            errors["problems"] = "Fix the problems listed below before publishing"
        if not SLUG_PATTERN.match(values["slug"]):
            errors["slug"] = "Enter a web address name using lower case letters, numbers and hyphens, like short-breaks-2027"
        elif await get_run(values["slug"]) is not None:
            errors["slug"] = "That web address name is already used: choose another"
        if len(values["title"]) > 200:
            errors["title"] = "The title must be 200 characters or fewer"
        closes_at = None
        if values["closes_on"]:
            try:
                closes_at = datetime.combine(date.fromisoformat(values["closes_on"]), time(23, 59), tzinfo=timezone.utc)
                if closes_at <= datetime.now(timezone.utc):
                    errors["closes_on"] = "The closing date must be in the future"
            except ValueError:
                errors["closes_on"] = "Enter the closing date as a real date, like 2027-03-31"
        offered = draft.definition.get("variants") or ["standard"]
        if any(v not in offered for v in values["variants"]):
            errors["variants"] = "Offer only the versions this consultation has: add the others in its details first"
        if not errors:
            variants = tuple(dict.fromkeys(("standard", *values["variants"])))
            try:
                run = await open_run(instrument, slug=values["slug"], title=values["title"] or None,
                                     closes_at=closes_at, variants=variants, team=draft.team,
                                     lineage=await _draft_lineage(draft.id))
            except Exception as error:  # someone took the same address a moment ago
                if not is_unique_violation(error):
                    raise
                errors["slug"] = "That web address name is already used: choose another"
        if errors:
            return render(request, "workspace/builder/publish.html",
                          await self._publish_context(request, draft, values, errors), status_code=422)
        await authoring.record_publication(draft.id, draft.version, run.id, run.slug)
        await audit(account.email, "survey_opened", object=run.slug, detail=f"consultation {draft.key} version {draft.version}")
        return _see_other(f"/workspace/surveys/{run.id}")

