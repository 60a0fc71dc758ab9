"""The quote review queue of a survey: /workspace/surveys/{id}/quotes. Officers and admins for
every survey, a forum member only for their own team's (a survey merely shared with their team is
a 404, like someone else's). Plain forms, POST then redirect; htmx is not needed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from analysis.codebook import THEME_KEY
from feedback.accounts.auth import signed_in, visible_or_404
from feedback.publishing.quotes import (
    APPROVED,
    MAX_QUOTE,
    PENDING,
    REJECTED,
    STATUSES,
    QuoteProblem,
    decide,
    get_quote,
    partnership_lists,
    quotes_for_run,
    refresh_candidates,
)
from feedback.rendering import render
from feedback.publishing.updates import theme_labels
from surveys.runs import get_run_by_id
from surveys.validation import field_values

DONE_MESSAGES = {
    "approved": "Quote approved", "edited and approved": "Quote edited and approved", "rejected": "Quote rejected",
}


async def _run_for_quotes(request: Request, run_id: int):
    if not 0 < run_id <= 2**31 - 1:
        raise NotFoundException()
    return visible_or_404(request.state.account, await get_run_by_id(run_id), manage=True)


def _first(form, name: str, limit: int) -> str:
    return (field_values(form, name) or [""])[0][:limit]


QUOTES_PER_PAGE = 20  # a quote is a form with a text box: 100 on one page was 41,600 px long


@dataclass(frozen=True)
class QuoteView:
    """Which quotes the review shows: one theme or any, one status or any, and the page."""
    theme: str | None = None
    status: str | None = None
    page: int = 1

    @classmethod
    def from_values(cls, theme: str | None, status: str | None, page: str | None) -> "QuoteView":
        theme = theme if theme and THEME_KEY.match(theme) else None  # anything else means "any theme"
        status = status if status in STATUSES else None
        number = int(page) if page and page.isdecimal() and len(page) < 7 else 1
        return cls(theme, status, max(1, number))

    def matches(self, quote) -> bool:
        return (self.theme is None or self.theme in (quote.themes or [])) and (self.status is None or quote.status == self.status)

    def on_page(self, page: int) -> "QuoteView":
        return QuoteView(self.theme, self.status, page)

    def query(self, **extra: str) -> str:
        values = {k: v for k, v in (("theme", self.theme), ("status", self.status)) if v}
        if self.page > 1:
            values["page"] = str(self.page)
        values.update(extra)
        return urlencode(values)

    def url(self, run_id: int, **extra: str) -> str:
        query = self.query(**extra)
        return f"/workspace/surveys/{run_id}/quotes" + (f"?{query}" if query else "")


class QuotesController(Controller):
    path = "/workspace/surveys"
    guards = [signed_in]
    include_in_schema = False

    async def _page(self, request: Request, run, view: QuoteView, errors: dict[str, str] | None = None,
                    wording: dict[int, str] | None = None, message: str | None = None, status_code: int = 200) -> Response:
        errors = errors or {}
        themes = await theme_labels()
        quotes = await quotes_for_run(run.id)
        chosen = [q for q in quotes if view.matches(q)]
        pages = max(1, math.ceil(len(chosen) / QUOTES_PER_PAGE))
        view = view.on_page(min(view.page, pages))
        shown = chosen[(view.page - 1) * QUOTES_PER_PAGE : view.page * QUOTES_PER_PAGE]
        groups: dict[str, list[Any]] = {}
        for quote in shown:
            # Filtered by a theme, every quote sits under it; otherwise under its first theme.
            groups.setdefault(view.theme or (quote.themes or ["uncoded"])[0], []).append(quote)
        ordered = sorted(groups.items(), key=lambda kv: themes.get(kv[0], kv[0]))
        _, lists_problem = partnership_lists()
        counts = {s: sum(1 for q in quotes if q.status == s) for s in STATUSES}
        present = sorted({t for q in quotes for t in (q.themes or [])}, key=lambda k: themes.get(k, k))
        return render(request, "workspace/analysis/quotes.html", {
            "page_title": ("Error: " if errors else "") + f"Quotes: {run.title}" + (f" (page {view.page} of {pages})" if pages > 1 else ""),
            "account": request.state.account, "run": run, "groups": ordered, "themes": themes,
            "view": view, "page": view.page, "pages": pages, "total": len(chosen), "theme_options": present,
            "statuses": STATUSES, "counts": counts, "errors": errors, "wording": wording or {},
            "error_list": [{"text": m, "href": f"#wording-{k}" if isinstance(k, int) else "#quotes"} for k, m in errors.items()],
            "message": message, "lists_problem": lists_problem, "max_quote": MAX_QUOTE,
            "pending": PENDING, "approved": APPROVED, "rejected": REJECTED,
        }, status_code=status_code)

    @get("/{run_id:int}/quotes")
    async def review(self, request: Request, run_id: FromPath[int], done: FromQuery[str | None] = None,
                     added: FromQuery[str | None] = None, theme: FromQuery[str | None] = None,
                     status: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> Response:
        run = await _run_for_quotes(request, run_id)
        view = QuoteView.from_values(theme, status, page)
        message = DONE_MESSAGES.get(done or "")
        if added is not None and added.isdigit() and len(added) < 7:
            message = f"{added} new {'quote' if added == '1' else 'quotes'} put forward for review"
        elif done == "gone":
            message = "That person no longer agrees to be quoted, so their quote has been removed"
        return await self._page(request, run, view, message=message)

    @post("/{run_id:int}/quotes/refresh")
    async def refresh(self, request: Request, run_id: FromPath[int]) -> Response:
        run = await _run_for_quotes(request, run_id)
        result = await refresh_candidates(run, request.state.account.email)
        return Redirect(path=f"/workspace/surveys/{run.id}/quotes?added={result.added}", status_code=303)

    @post("/{run_id:int}/quotes/{quote_id:int}")
    async def decision(self, request: Request, run_id: FromPath[int], quote_id: FromPath[int]) -> Response:
        run = await _run_for_quotes(request, run_id)
        quote = await get_quote(run.id, quote_id)
        if quote is None:
            raise NotFoundException()
        form = await request.form()
        view = QuoteView.from_values(_first(form, "theme", 60), _first(form, "status", 20), _first(form, "page", 12))
        action = _first(form, "action", 20)
        wording = (field_values(form, "wording") or [""])[0]
        if action == "approve" and wording.strip() and wording.replace("\r\n", "\n").strip() != quote.text:
            action = "edit"  # changed wording is never dropped, whichever button was pressed
        try:
            done = await decide(quote, action, request.state.account.email, run.slug, wording=wording if action == "edit" else None)
        except QuoteProblem as problem:
            if await get_quote(run.id, quote_id) is None:  # consent withdrawn meanwhile: the quote is gone
                return Redirect(path=view.url(run.id, done="gone"), status_code=303)
            # Keep what was typed (up to a sane length) so nothing is lost, and say what is wrong.
            return await self._page(request, run, view, errors={quote.id: str(problem)}, wording={quote.id: wording[:MAX_QUOTE * 2]},
                                    status_code=422)
        return Redirect(path=view.url(run.id, done=done) + f"#quote-{quote.id}", status_code=303)
