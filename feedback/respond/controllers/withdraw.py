"""/withdraw: withdrawing a consent, or all answers, with the reference from the confirmation page.
As easy as agreeing: no account, no email round trip. Rate-limited against guessing references."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect

from consent.purposes import OPTIONAL_PURPOSES
from feedback.accounts.audit import RESPONDENT
from feedback.errors import error_page
from feedback.rate_limit import RateLimiter, client_key, public_post
from feedback.rendering import render
from feedback.respond.rights import ask_for_correction, erase_answers, withdraw_consent
from surveys.data_rights import by_reference, withdrawable_purposes
from surveys.responses import SUBMITTED, WITHDRAWN, Draft
from surveys.runs import get_run_by_id
from surveys.validation import field_values

# Ten tries in ten minutes is plenty for someone typing their own reference.
reference_attempts = RateLimiter(limit=10, window_seconds=600, name="reference_attempts")
NOT_FOUND = "We could not find answers with that reference. Check it is exactly as shown on your confirmation page, like ABCD-EFGH-JKMN"
DONE_MESSAGES = {
    "answers": ("Your answers have been withdrawn", [
        "We have deleted your answers. They will not be used in any figures, reports or exports from now on.",
        "Figures that were already published before today cannot be changed, but they never identified you.",
    ]),
    "correction": ("We have your request to correct your answers", [
        "An officer will read it and correct what we hold, or tell the data protection officer why it was not changed.",
        "Nothing else changes: your answers are still used as you agreed until they are corrected.",
    ]),
    "consent": ("Your choice has been recorded", [
        "We will stop using your answers in the way you chose, from now on. If you withdrew permission to contact you, we have deleted your contact details.",
    ]),
    "consent-already": ("You have not given this permission", [
        "We are not using your answers in this way: you said no to it, or withdrew it before. Nothing has changed.",
    ]),
}
# A reference whose answers were withdrawn before (asked twice, a double tap, the back button).
ALREADY_WITHDRAWN = ("These answers have already been withdrawn", [
    "We deleted the answers with this reference when they were withdrawn. They are not used in any figures, reports or exports.",
    "There is nothing more to withdraw or correct. If you think something is wrong, contact us using the details in the privacy notice.",
])


# The easy-read words: a young person who sent the easy-read survey takes their answers back in
# easy read too (the confirmation page links here with ?version=).
EASY_VERSIONS = ("easy_read", "symbols")
EASY_NOT_FOUND = "We cannot find answers with that number. Check each letter. It looks like ABCD-EFGH-JKMN."
EASY_NO_REFERENCE = "Type in your answer number."
EASY_NO_CHOICE = "Choose what you want to do."
CORRECTION_ERRORS = {
    "standard": {"what_is_wrong": "Enter what is wrong in your answers", "should_say": "Enter what it should say"},
    "easy": {"what_is_wrong": "Tell us what is wrong.", "should_say": "Tell us what it should say."},
}
EASY_DONE = {
    "answers": ("Your answers are gone", ["We deleted your answers.", "We will not use them from now on."]),
    "correction": ("We will look at it", ["We have what you told us.", "Someone will check your answers and fix them."]),
    "consent": ("We have done what you asked", ["We will stop doing what you said no to.", "If we had your email or phone number, we deleted it."]),
    "consent-already": ("We do not do this", ["You said no to this before, or took it back.", "Nothing has changed."]),
}
EASY_ALREADY_WITHDRAWN = ("Your answers are already gone", ["We deleted these answers before.", "We do not use them."])


CORRECTION_LIMIT = 2000


def _form(form, name: str) -> str:
    return (field_values(form, name) or [""])[0][:100]


def _version(value: str | None) -> str:
    return value if value in EASY_VERSIONS else "standard"


class WithdrawController(Controller):
    path = "/withdraw"
    include_in_schema = False

    @get("/")
    async def start(self, request: Request, version: FromQuery[str | None] = None) -> Response:
        variant = _version(version)
        title = "Take your answers back" if variant != "standard" else "Withdraw your answers"
        return render(request, "withdraw/start.html", {"page_title": title, "reference": "", "error": None, "variant": variant})

    async def _lookup(self, request: Request, form) -> Draft | Response:
        """The submitted response a reference belongs to, or the page to show instead."""
        reference = _form(form, "reference")
        variant = _version(_form(form, "version"))
        if not await reference_attempts.hit(client_key(request)):
            return error_page(request, 429)
        draft = await by_reference(reference) if reference.strip() else None
        if draft is not None and draft.status == SUBMITTED:
            return draft
        easy = variant != "standard"
        if draft is not None and draft.status == WITHDRAWN:
            title, paragraphs = EASY_ALREADY_WITHDRAWN if easy else ALREADY_WITHDRAWN
            return render(request, "withdraw/done.html", {"page_title": title, "paragraphs": paragraphs, "variant": variant})
        if reference.strip():
            message = EASY_NOT_FOUND if easy else NOT_FOUND
        else:
            message = EASY_NO_REFERENCE if easy else "Enter the reference from your confirmation page"
        return render(
            request, "withdraw/start.html",
            {"page_title": "Error: " + ("Take your answers back" if easy else "Withdraw your answers"), "reference": reference,
             "error": message, "variant": variant},
            status_code=422,
        )

    async def _choices(
        self, request: Request, draft: Draft, purposes: list[str], error: str | None = None, variant: str = "standard",
    ) -> Response:
        run = await get_run_by_id(draft.run_id)
        easy = variant != "standard"
        return render(
            request, "withdraw/choose.html",
            {"page_title": ("Error: " if error else "") + ("What do you want to do?" if easy else "What do you want to withdraw?"),
             "reference": draft.reference, "survey_title": run.title if run else "",
             "purposes": [OPTIONAL_PURPOSES[p] for p in purposes], "error": error, "variant": variant},
            status_code=422 if error else 200,
        )

    @public_post("/")
    async def find(self, request: Request) -> Response:
        form = await request.form()
        found = await self._lookup(request, form)
        if isinstance(found, Response):
            return found
        return await self._choices(request, found, await withdrawable_purposes(found), variant=_version(_form(form, "version")))

    @public_post("/confirm")
    async def confirm(self, request: Request) -> Response:
        form = await request.form()
        found = await self._lookup(request, form)
        if isinstance(found, Response):
            return found
        choice = _form(form, "withdraw")
        variant = _version(_form(form, "version"))
        version = f"&version={variant}" if variant != "standard" else ""
        purposes = await withdrawable_purposes(found)
        if choice == "answers":
            await erase_answers(found, RESPONDENT)
            return Redirect(path="/withdraw/done?what=answers" + version, status_code=303)
        if choice in purposes:
            await withdraw_consent(found, [choice], RESPONDENT)
            return Redirect(path="/withdraw/done?what=consent" + version, status_code=303)
        if choice in OPTIONAL_PURPOSES:  # withdrawn already (the back button, asking twice) or never given
            return Redirect(path="/withdraw/done?what=consent-already" + version, status_code=303)
        error = EASY_NO_CHOICE if variant != "standard" else "Select what you want to withdraw"
        return await self._choices(request, found, purposes, error, variant)

    @get("/done")
    async def done(self, request: Request, what: FromQuery[str | None] = None, version: FromQuery[str | None] = None) -> Response:
        variant = _version(version)
        messages = EASY_DONE if variant != "standard" else DONE_MESSAGES
        if what not in messages:  # only where a withdrawal sends someone
            raise NotFoundException()
        title, paragraphs = messages[what]
        return render(request, "withdraw/done.html", {"page_title": title, "paragraphs": paragraphs, "variant": variant})

    @public_post("/correct")
    async def correct(self, request: Request) -> Response:
        """"Ask us to correct it": with the reference, what is wrong and what it should say. The first
        post (from the choices page) shows the form; the second sends the request to the officers."""
        form = await request.form()
        found = await self._lookup(request, form)
        if isinstance(found, Response):
            return found
        variant = _version(_form(form, "version"))
        easy = variant != "standard"
        values = {name: (field_values(form, name) or [""])[0][:CORRECTION_LIMIT] for name in ("what_is_wrong", "should_say")}
        errors: dict[str, str] = {}
        if _form(form, "send") == "yes":
            messages = CORRECTION_ERRORS["easy" if easy else "standard"]
            errors = {name: messages[name] for name, value in values.items() if not value.strip()}
            if not errors:
                await ask_for_correction(found, values["what_is_wrong"], values["should_say"], RESPONDENT)
                version = f"&version={variant}" if easy else ""
                return Redirect(path="/withdraw/done?what=correction" + version, status_code=303)
        run = await get_run_by_id(found.run_id)
        title = "Tell us what is wrong" if easy else "Ask us to correct your answers"
        return render(request, "withdraw/correct.html", {
            "page_title": ("Error: " if errors else "") + title, "reference": found.reference,
            "survey_title": run.title if run else "", "values": values, "errors": errors, "variant": variant,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
        }, status_code=422 if errors else 200)
