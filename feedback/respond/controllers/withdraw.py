"""/withdraw: withdrawing a consent, or all answers, with the reference from the confirmation page.
As easy as agreeing: no account, no email round trip. Rate-limited against guessing references."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect

from consent.purposes import OPTIONAL_PURPOSES
from feedback.errors import error_page
from feedback.publishing.quotes import QUOTES, remove_quotes_of
from feedback.rate_limit import RateLimiter, client_key, public_post_limit
from feedback.rendering import render
from feedback.themes.store import delete_codings
from surveys.data_rights import erase_response, find_by_reference, withdraw_consents, withdrawable_purposes
from surveys.responses import Draft
from surveys.runs import get_run_by_id
from surveys.validation import field_values

# Ten tries in ten minutes is plenty for someone typing their own reference.
reference_attempts = RateLimiter(limit=10, window_seconds=600)
NOT_FOUND = "We could not find answers with that reference. Check it is exactly as shown on your confirmation page, like ABCD-EFGH-JKMN"
DONE_MESSAGES = {
    "answers": ("Your answers have been withdrawn", [
        "We have deleted your answers. They will not be used in any figures, reports or exports from now on.",
        "Figures that were already published before today cannot be changed, but they never identified you.",
    ]),
    "consent": ("Your choice has been recorded", [
        "We will stop using your answers in the way you chose, from now on. If you withdrew permission to contact you, we have deleted your contact details.",
    ]),
}


def _form(form, name: str) -> str:
    return (field_values(form, name) or [""])[0][:100]


class WithdrawController(Controller):
    path = "/withdraw"
    include_in_schema = False
    before_request = public_post_limit

    @get("/")
    async def start(self, request: Request) -> Response:
        return render(request, "withdraw/start.html", {"page_title": "Withdraw your answers", "reference": "", "error": None})

    async def _lookup(self, request: Request, form) -> Draft | Response:
        """The submitted response a reference belongs to, or the page to show instead."""
        reference = _form(form, "reference")
        if not reference_attempts.allow(client_key(request)):
            return error_page(request, 429)
        draft = await find_by_reference(reference) if reference.strip() else None
        if draft is not None:
            return draft
        message = NOT_FOUND if reference.strip() else "Enter the reference from your confirmation page"
        return render(
            request, "withdraw/start.html",
            {"page_title": "Error: Withdraw your answers", "reference": reference, "error": message},
            status_code=422,
        )

    async def _choices(self, request: Request, draft: Draft, purposes: list[str], error: str | None = None) -> Response:
        run = await get_run_by_id(draft.run_id)
        return render(
            request, "withdraw/choose.html",
            {"page_title": ("Error: " if error else "") + "What do you want to withdraw?", "reference": draft.reference,
             "survey_title": run.title if run else "", "purposes": [OPTIONAL_PURPOSES[p] for p in purposes], "error": error},
            status_code=422 if error else 200,
        )

    @post("/")
    async def find(self, request: Request) -> Response:
        found = await self._lookup(request, await request.form())
        if isinstance(found, Response):
            return found
        return await self._choices(request, found, await withdrawable_purposes(found))

    @post("/confirm")
    async def confirm(self, request: Request) -> Response:
        form = await request.form()
        found = await self._lookup(request, form)
        if isinstance(found, Response):
            return found
        choice = _form(form, "withdraw")
        purposes = await withdrawable_purposes(found)
        if choice == "answers":
            await erase_response(found)
            await delete_codings(found.id)
            await remove_quotes_of(found.respondent_id)
            return Redirect(path="/withdraw/done?what=answers", status_code=303)
        if choice in purposes:
            await withdraw_consents(found, [choice])
            if choice == QUOTES:
                await remove_quotes_of(found.respondent_id)
            return Redirect(path="/withdraw/done?what=consent", status_code=303)
        return await self._choices(request, found, purposes, "Select what you want to withdraw")

    @get("/done")
    async def done(self, request: Request, what: FromQuery[str] = "answers") -> Response:
        title, paragraphs = DONE_MESSAGES.get(what, DONE_MESSAGES["answers"])
        return render(request, "withdraw/done.html", {"page_title": title, "paragraphs": paragraphs})
