"""Theme pages of the workspace: the review queue and the uncoded queue of a survey
(/workspace/surveys/{id}/themes/...), and the codebook (/workspace/themes, officers and admins).

Survey pages follow the survey's permissions: seeing the queues is like seeing the results, and
deciding on a comment's themes is like managing the survey (someone else's survey is a 404).
Plain forms, POST then redirect; htmx is not needed. No comment text goes to the audit log."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from analysis.codebook import THEME_KEY, Codebook, CodebookInvalid, clean_term, term_problems
from feedback.accounts.audit import audit
from feedback.accounts.auth import can_manage, role_guard, signed_in, visible_or_404
from feedback.rendering import render
from feedback.themes.store import (
    confirm_suggestions,
    DecisionRefused,
    RemovalRefused,
    codebook_versions,
    decide,
    find_comment,
    latest_codebook,
    remove_theme,
    change_codebook,
    theme_usage,
)
from feedback.themes.views import review_context, uncoded_context
from surveys.runs import Run, get_run_by_id
from surveys.validation import field_values

MAX_ID = 2**31 - 1
MAX_LABEL = 80
MAX_DESCRIPTION = 500
MAX_TERMS_TEXT = 20_000
MAX_TERM = 100
DONE_MESSAGES = {
    "confirm": "Themes confirmed", "remove": "Theme removed", "add": "Theme added", "restore": "Theme put back",
}
TERM_PROBLEMS = {
    "term": "That phrase cannot be used as a term: use letters, digits and spaces only",
    "theme": "Select a theme to add the phrase to",
}


def _first(form, name: str, limit: int = 300) -> str:
    return (field_values(form, name) or [""])[0].strip()[:limit]


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text.isdecimal() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def _page_number(text: str | None) -> int:
    return _int(text) or 1


async def _run(request: Request, run_id: int, manage: bool = False) -> Run:
    if not 0 < run_id <= MAX_ID:
        raise NotFoundException()
    return visible_or_404(request.state.account, await get_run_by_id(run_id), manage=manage)


def _see_other(url: str) -> Redirect:
    return Redirect(path=url, status_code=303)


def _review_url(run: Run, show: str, theme: str | None, page: int, **extra: str) -> str:
    query = {"show": show}
    if theme:
        query["theme"] = theme
    if page > 1:
        query["page"] = str(page)
    query.update(extra)
    return f"/workspace/surveys/{run.id}/themes/review?{urlencode(query)}"


class ThemesController(Controller):
    path = "/workspace"
    guards = [signed_in]
    include_in_schema = False

    # -- the review queue ------------------------------------------------------------------------

    async def _review_page(self, request: Request, run: Run, show: str, theme: str | None, page: int,
                           message: str | None = None, error: str | None = None, anchor: str = "", status_code: int = 200) -> Response:
        context = await review_context(run, show, theme, page)
        context.update({
            "page_title": ("Error: " if error else "") + f"Review themes: {run.title}", "account": request.state.account,
            "run": run, "message": message, "manage": can_manage(request.state.account, run),
            "error_list": [{"text": error, "href": f"#{anchor}" if anchor else "#comments"}] if error else [],
        })
        return render(request, "workspace/themes/review.html", context, status_code=status_code)

    @get("/surveys/{run_id:int}/themes/review")
    async def review(self, request: Request, run_id: FromPath[int], show: FromQuery[str | None] = None,
                     theme: FromQuery[str | None] = None, page: FromQuery[str | None] = None,
                     done: FromQuery[str | None] = None) -> Response:
        run = await _run(request, run_id)
        show = "all" if show == "all" else "pending"
        theme = theme if theme and THEME_KEY.match(theme) else None
        message = DONE_MESSAGES.get(done or "")
        if done == "confirm_many":
            count = _int(request.query_params.get("confirmed")) or 0
            message = f"{count} {'comment' if count == 1 else 'comments'}: suggested themes confirmed"
        return await self._review_page(request, run, show, theme, _page_number(page), message)

    @post("/surveys/{run_id:int}/themes/review")
    async def decide_themes(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _run(request, run_id, manage=True)
        form = await request.form()
        action = _first(form, "action", 20)
        show = "all" if _first(form, "show", 10) == "all" else "pending"
        theme_filter = _first(form, "filter", 60) or None
        theme_filter = theme_filter if theme_filter and THEME_KEY.match(theme_filter) else None
        page = _page_number(_first(form, "page", 12))
        back = _review_url(run, show, theme_filter, page)
        if action not in DONE_MESSAGES:
            return _see_other(back)
        response_id = _int(_first(form, "response", 12))
        question = _first(form, "question", 80)
        comment = await find_comment(run, response_id, question) if response_id else None
        if comment is None:
            raise NotFoundException()  # a forged or stale id looks like a comment that does not exist
        theme = _first(form, "theme", 80) or None
        if theme is not None and not THEME_KEY.match(theme):
            theme = "?"  # refused below with a message
        account = request.state.account
        anchor = f"comment-{comment.response_id}-{comment.question}"
        try:
            detail = await decide(run, comment, action, account.email, theme)
        except DecisionRefused as refused:
            return await self._review_page(request, run, show, theme_filter, page, error=str(refused), anchor=anchor, status_code=400)
        await audit(account.email, "theme_decision", object=run.slug,
                    detail=f"response {comment.response_id} {comment.question}: {detail}")
        if _first(form, "queue", 10) == "uncoded":
            return _see_other(f"/workspace/surveys/{run.id}/themes/uncoded?{urlencode({'page': page, 'done': action})}")
        return _see_other(_review_url(run, show, theme_filter, page, done=action) + f"#{anchor}")

    @post("/surveys/{run_id:int}/themes/review/confirm")
    async def confirm_many(self, request: Request, run_id: FromPath[int]) -> Response:
        """Confirm a page of suggestions at once (`scope=page`, the page's comments listed as
        `comment=RESPONSE:QUESTION`), or every suggestion of one theme (`scope=theme`)."""
        run = await _run(request, run_id, manage=True)
        form = await request.form()
        scope = _first(form, "scope", 10)
        show = "all" if _first(form, "show", 10) == "all" else "pending"
        theme_filter = _first(form, "filter", 60) or None
        theme_filter = theme_filter if theme_filter and THEME_KEY.match(theme_filter) else None
        page = _page_number(_first(form, "page", 12))
        account = request.state.account
        if scope == "theme" and theme_filter:
            confirmed = await confirm_suggestions(run, account.email, theme=theme_filter)
            detail = f"confirmed {theme_filter} on {confirmed} comments"
            page = 1
        elif scope == "page":
            pairs = []
            for value in field_values(form, "comment")[:200]:  # a page holds 20; never an unbounded list
                response, _, question = value.partition(":")
                if _int(response) and question:
                    pairs.append((int(response), question[:80]))
            if not pairs:
                return await self._review_page(request, run, show, theme_filter, page,
                                               error="There are no suggestions on this page to confirm", status_code=400)
            confirmed = await confirm_suggestions(run, account.email, comments=pairs)
            detail = f"confirmed suggested themes on {confirmed} comments of a page"
        else:
            return _see_other(_review_url(run, show, theme_filter, page))
        await audit(account.email, "theme_decision", object=run.slug, detail=detail)
        return _see_other(_review_url(run, show, theme_filter, page, done="confirm_many", confirmed=str(confirmed)) + "#comments")

    # -- the uncoded queue -----------------------------------------------------------------------

    @get("/surveys/{run_id:int}/themes/uncoded")
    async def uncoded(self, request: Request, run_id: FromPath[int], page: FromQuery[str | None] = None,
                      added: FromQuery[str | None] = None, problem: FromQuery[str | None] = None,
                      done: FromQuery[str | None] = None) -> Response:
        run = await _run(request, run_id)
        account = request.state.account
        context = await uncoded_context(run, _page_number(page))
        error = TERM_PROBLEMS.get(problem or "")
        context.update({
            "page_title": ("Error: " if error else "") + f"Comments with no theme: {run.title}", "account": account,
            "run": run, "manage": can_manage(account, run), "edit_codebook": account.role in ("admin", "officer"),
            "message": DONE_MESSAGES.get(done or ""),
            "added": added if added and THEME_KEY.match(added) else None,
            "error_list": [{"text": error, "href": "#phrases"}] if error else [],
        })
        return render(request, "workspace/themes/uncoded.html", context, status_code=400 if error else 200)

    # -- the codebook (officers and admins) ------------------------------------------------------

    @get("/themes", guards=[role_guard("admin", "officer")])
    async def codebook(self, request: Request, saved: FromQuery[str | None] = None,
                       removed: FromQuery[str | None] = None) -> Response:
        version, codebook = await latest_codebook()
        return render(request, "workspace/themes/codebook.html", {
            "page_title": "Theme codebook", "account": request.state.account, "codebook": codebook, "version": version,
            "versions": await codebook_versions(10), "saved": saved if saved and THEME_KEY.match(saved) else None,
            "removed": removed if removed and THEME_KEY.match(removed) and removed not in codebook.themes else None,
        })

    @get("/themes/new", guards=[role_guard("admin", "officer")])
    async def new_theme(self, request: Request) -> Response:
        return self._theme_form(request, None, {}, {})

    @post("/themes/new", guards=[role_guard("admin", "officer")])
    async def add_theme(self, request: Request) -> Response:
        return await self._save_theme(request, None, await request.form())

    @get("/themes/{key:str}/edit", guards=[role_guard("admin", "officer")])
    async def edit_theme(self, request: Request, key: FromPath[str]) -> Response:
        _, codebook = await latest_codebook()
        theme = codebook.themes.get(key)
        if theme is None:
            raise NotFoundException()
        values = {"key": key, "label": theme.label, "description": theme.description,
                  "include": "\n".join(theme.include), "exclude": "\n".join(theme.exclude)}
        return self._theme_form(request, key, values, {})

    @post("/themes/{key:str}/edit", guards=[role_guard("admin", "officer")])
    async def save_theme(self, request: Request, key: FromPath[str]) -> Response:
        _, codebook = await latest_codebook()
        if key not in codebook.themes:
            raise NotFoundException()
        return await self._save_theme(request, key, await request.form())

    # removing a theme: a confirmation page, then a real POST form (works without JavaScript)

    async def _removal_page(self, request: Request, key: str, error: str | None = None, status_code: int = 200) -> Response:
        version, codebook = await latest_codebook()
        theme = codebook.themes[key]
        last = len(codebook.themes) <= 1
        return render(request, "workspace/themes/remove.html", {
            "page_title": ("Error: " if error else "") + f"Remove theme: {theme.label}", "account": request.state.account,
            "key": key, "theme": theme, "version": version, "usage": await theme_usage(key), "last": last,
            "error_list": [{"text": error, "href": "#remove-problem"}] if error else [],
        }, status_code=status_code)

    @get("/themes/{key:str}/remove", guards=[role_guard("admin", "officer")])
    async def confirm_removal(self, request: Request, key: FromPath[str]) -> Response:
        _, codebook = await latest_codebook()
        if key not in codebook.themes:
            raise NotFoundException()
        return await self._removal_page(request, key)

    @post("/themes/{key:str}/remove", guards=[role_guard("admin", "officer")])
    async def remove(self, request: Request, key: FromPath[str]) -> Response:
        version, codebook = await latest_codebook()
        if key not in codebook.themes:
            raise NotFoundException()
        form = await request.form()
        if _first(form, "version", 12) != str(version):
            # the codebook changed since the page was shown (or the form was not the page's): confirm again
            return _see_other(f"/workspace/themes/{key}/remove")
        account = request.state.account
        try:
            new_version = await remove_theme(key, account.email)
        except RemovalRefused as refused:
            return await self._removal_page(request, key, error=str(refused), status_code=400)
        except KeyError:  # removed by someone else a moment ago
            raise NotFoundException() from None
        await audit(account.email, "codebook_saved", object=f"codebook v{new_version}", detail=f"removed theme {key}")
        return _see_other(f"/workspace/themes?removed={key}")

    def _theme_form(self, request: Request, key: str | None, values: dict[str, str], errors: dict[str, str],
                    status_code: int = 200) -> Response:
        title = f"Edit theme: {values.get('label') or key}" if key else "Add a theme"
        return render(request, "workspace/themes/theme.html", {
            "page_title": ("Error: " if errors else "") + title, "title": title, "account": request.state.account,
            "key": key, "values": values, "errors": errors,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
        }, status_code=status_code)

    async def _save_theme(self, request: Request, key: str | None, form) -> Response:
        raw = {name: (field_values(form, name) or [""])[0] for name in ("key", "label", "description", "include", "exclude")}
        values = {name: value[: MAX_TERMS_TEXT + 1] for name, value in raw.items()}
        errors: dict[str, str] = {}
        version, current = await latest_codebook()
        codebook = current.copy()
        new_key = key or values["key"].strip().lower()
        if key is None:
            if not new_key:
                errors["key"] = "Enter a short name for the theme, like school_transport"
            elif not THEME_KEY.match(new_key):
                errors["key"] = "The short name must start with a letter and use only lower case letters, digits and _ (up to 60)"
            elif new_key in codebook.themes:
                errors["key"] = "There is already a theme with that short name"
        label = values["label"].strip()
        if not label:
            errors["label"] = "Enter the theme's name"
        elif len(label) > MAX_LABEL:
            errors["label"] = f"The theme's name must be {MAX_LABEL} characters or fewer"
        description = values["description"].strip()
        if len(description) > MAX_DESCRIPTION:
            errors["description"] = f"The description must be {MAX_DESCRIPTION} characters or fewer"
        terms: dict[str, list[str]] = {}
        for field in ("include", "exclude"):
            text = values[field]
            if len(text) > MAX_TERMS_TEXT:
                errors[field] = f"The terms must be {MAX_TERMS_TEXT:,} characters or fewer in all"
                continue
            cleaned, problems = [], []
            for line in text.splitlines():
                if not line.strip():
                    continue
                term = clean_term(line)
                if not term or len(term) > MAX_TERM:
                    problems.append(f"“{line.strip()[:40]}” is empty or longer than {MAX_TERM} characters")
                    continue
                problems.extend(term_problems(term, codebook.groups))
                if term not in cleaned:
                    cleaned.append(term)
            if problems:
                errors[field] = "Check the terms: " + "; ".join(problems[:3]) + ("…" if len(problems) > 3 else "")
            terms[field] = cleaned
        if not errors and not terms.get("include"):
            errors["include"] = "Enter at least one term that means a comment is about this theme"
        def apply(edited: Codebook) -> None:
            if key is None:
                edited.add_theme(new_key, label, description, include=terms["include"], exclude=terms["exclude"])
            else:
                theme = edited.theme(key)
                theme.label, theme.description = label, description
                theme.include, theme.exclude = list(terms["include"]), list(terms["exclude"])
                edited._changed()

        if not errors:
            try:
                apply(codebook)
                Codebook.from_dict(codebook.to_dict())
            except CodebookInvalid as invalid:
                errors["include"] = "Check the terms: " + "; ".join(invalid.problems[:3])
        account = request.state.account
        note = f"{'added' if key is None else 'edited'} theme {new_key}"
        if not errors:
            try:  # applied to the codebook as stored now: another officer's save meanwhile is kept
                version = await change_codebook(apply, account.email, note)
            except CodebookInvalid as invalid:  # it clashes with a change saved meanwhile
                errors["include"] = "Check the terms: " + "; ".join(invalid.problems[:3])
            except KeyError:  # the theme was removed a moment ago
                raise NotFoundException() from None
        if errors:
            shown = dict(values, key=new_key if key is None else key)
            return self._theme_form(request, key, shown, errors, status_code=422)
        await audit(account.email, "codebook_saved", object=f"codebook v{version}", detail=note)
        return _see_other(f"/workspace/themes?saved={new_key}")

    @post("/themes/terms", guards=[role_guard("admin", "officer")])
    async def add_term(self, request: Request) -> Response:
        """From the uncoded queue: add an emerging phrase as a term of a theme."""
        form = await request.form()
        run_id = _int(_first(form, "run", 12))
        run = await _run(request, run_id) if run_id else None
        back = f"/workspace/surveys/{run.id}/themes/uncoded" if run else "/workspace/themes"
        phrase = clean_term(_first(form, "phrase", MAX_TERM + 1))
        theme = _first(form, "theme", 80)
        _, current = await latest_codebook()
        if theme not in current.themes:
            return _see_other(f"{back}?problem=theme#phrases" if run else back)
        if not phrase or len(phrase) > MAX_TERM or term_problems(phrase, current.groups):
            return _see_other(f"{back}?problem=term#phrases" if run else back)
        exclude = _first(form, "kind", 10) == "exclude"  # a suggestion learned from officers' removals
        account = request.state.account
        note = f"added {'an exclude term' if exclude else 'a term'} to theme {theme}"
        try:  # applied to the codebook as stored now: another officer's save meanwhile is kept
            version = await change_codebook(
                lambda edited: edited.add_terms(theme, **({"exclude": [phrase]} if exclude else {"include": [phrase]})),
                account.email, note)
        except (CodebookInvalid, KeyError):  # a clash, or the theme was removed a moment ago
            return _see_other(f"{back}?problem=term#phrases" if run else back)
        await audit(account.email, "codebook_saved", object=f"codebook v{version}", detail=note)
        return _see_other(f"{back}?added={theme}" if run else f"/workspace/themes?saved={theme}")
