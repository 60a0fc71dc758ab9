"""The quote review queue of a survey: /workspace/surveys/{id}/quotes. Officers and admins for
every survey, a forum member only for their own team's (a survey merely shared with their team is
a 404, like someone else's). Plain forms, POST then redirect; htmx is not needed."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

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


class QuotesController(Controller):
    path = "/workspace/surveys"
    guards = [signed_in]
    include_in_schema = False

    async def _page(self, request: Request, run, errors: dict[str, str] | None = None, wording: dict[int, str] | None = None,
                    message: str | None = None, status_code: int = 200) -> Response:
        errors = errors or {}
        themes = await theme_labels()
        quotes = await quotes_for_run(run.id)
        groups: dict[str, list[Any]] = {}
        for quote in quotes:
            groups.setdefault((quote.themes or ["uncoded"])[0], []).append(quote)
        ordered = sorted(groups.items(), key=lambda kv: themes.get(kv[0], kv[0]))
        _, lists_problem = partnership_lists()
        counts = {s: sum(1 for q in quotes if q.status == s) for s in STATUSES}
        return render(request, "workspace/analysis/quotes.html", {
            "page_title": ("Error: " if errors else "") + f"Quotes: {run.title}",
            "account": request.state.account, "run": run, "groups": ordered, "themes": themes,
            "statuses": STATUSES, "counts": counts, "errors": errors, "wording": wording or {},
            "error_list": [{"text": m, "href": f"#wording-{k}" if isinstance(k, int) else "#quotes"} for k, m in errors.items()],
            "message": message, "lists_problem": lists_problem, "max_quote": MAX_QUOTE,
            "pending": PENDING, "approved": APPROVED, "rejected": REJECTED,
        }, status_code=status_code)

    @get("/{run_id:int}/quotes")
    async def review(self, request: Request, run_id: FromPath[int], done: FromQuery[str | None] = None,
                     added: FromQuery[str | None] = None) -> Response:
        run = await _run_for_quotes(request, run_id)
        message = DONE_MESSAGES.get(done or "")
        if added is not None and added.isdigit() and len(added) < 7:
            message = f"{added} new {'quote' if added == '1' else 'quotes'} put forward for review"
        elif done == "gone":
            message = "That person no longer agrees to be quoted, so their quote has been removed"
        return await self._page(request, run, message=message)

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
        action = _first(form, "action", 20)
        wording = (field_values(form, "wording") or [""])[0]
        if action == "approve" and wording.strip() and wording.replace("\r\n", "\n").strip() != quote.text:
            action = "edit"  # changed wording is never dropped, whichever button was pressed
        try:
            done = await decide(quote, action, request.state.account.email, run.slug, wording=wording if action == "edit" else None)
        except QuoteProblem as problem:
            if await get_quote(run.id, quote_id) is None:  # consent withdrawn meanwhile: the quote is gone
                return Redirect(path=f"/workspace/surveys/{run.id}/quotes?done=gone", status_code=303)
            # Keep what was typed (up to a sane length) so nothing is lost, and say what is wrong.
            return await self._page(request, run, errors={quote.id: str(problem)}, wording={quote.id: wording[:MAX_QUOTE * 2]},
                                    status_code=422)
        return Redirect(path=f"/workspace/surveys/{run.id}/quotes?done={done.replace(' ', '+')}#quote-{quote.id}", status_code=303)
