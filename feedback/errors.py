"""Error pages in the house style. Never a stack trace to the user; never answers in the log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import PurePath

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from feedback.rendering import render

log = logging.getLogger("feedback.errors")


@dataclass
class Problem:
    """An API error as RFC 9457 problem details (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str


PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem(status_code: int, detail: str | None = None, headers: dict[str, str] | None = None) -> Response:
    title = HTTPStatus(status_code).phrase if status_code in HTTPStatus._value2member_map_ else "Error"
    body = {"type": "about:blank", "title": title, "status": status_code, "detail": str(detail or title)}
    return Response(body, status_code=status_code, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _problem_spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, media_type=PROBLEM_MEDIA_TYPE,
                        generate_examples=False)


# Every /api/* route lists these in the OpenAPI schema (`responses=API_ERRORS`).
API_ERRORS = {
    400: _problem_spec("The request could not be read (a parameter out of range, or a character that cannot be stored)"),
    401: _problem_spec("Not signed in, or no valid token"),
    403: _problem_spec("Signed in, but not allowed to do this"),
    404: _problem_spec("No such survey, or not one you may read"),
    422: _problem_spec("A parameter is not valid"),
    429: _problem_spec("Too many requests"),
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/schema")) or request.url.path == "/healthz"


class SignInRequired(Exception):
    """Raised by the workspace guards: the error handler sends the browser to the sign-in page."""

MESSAGES: dict[int, tuple[str, list[str]]] = {
    400: ("Sorry, we could not read what was sent", [
        "Something in the form was not in the expected format. Go back, check your answer and try again.",
    ]),
    403: ("This page has expired", [
        "For your security, forms stop working if they are left open for a long time, or if cookies are blocked.",
        "Any answers you saved before this page are still saved. Go back to the page, reload it, and try again.",
    ]),
    404: ("Page not found", [
        "If you typed the web address, check it is correct.",
        "If you followed a link to a survey, the survey may have moved. You can see every open survey on the home page.",
    ]),
    405: ("Page not found", ["This page cannot be used in that way. Go back to the home page and start from there."]),
    413: ("What you sent is too long", [
        "Please shorten your answer and try again. Any answers you saved on earlier pages are still saved.",
    ]),
    429: ("Too many attempts", ["Please wait a few minutes before you try again."]),
    500: ("Sorry, there is a problem with the service", [
        "Try again later. Any answers you saved before this happened are still saved.",
    ]),
    503: ("Sorry, the service is unavailable", ["Try again later. Any answers you saved are still saved."]),
}


def error_page(request: Request, status_code: int, detail: list[str] | None = None) -> Response:
    title, paragraphs = MESSAGES.get(status_code, MESSAGES[500 if status_code >= 500 else 400])
    headers = {}
    if status_code == 429:
        headers["Retry-After"] = "300"
    return render(
        request,
        "errors/error.html",
        {"page_title": title, "paragraphs": detail or paragraphs, "status_code": status_code},
        status_code=status_code,
        headers=headers,
    )


class UnstorableText(ValidationException):
    """A form field or query parameter holds a null character (or undecodable bytes): PostgreSQL
    refuses them in text, and no one types them on purpose."""

    PARAGRAPHS = [
        "Something you typed or pasted contains a hidden character we cannot store (a null character).",
        "Nothing was saved from this page; anything you saved before it is still saved. Go back, retype the text "
        "(or paste it as plain text) and try again.",
    ]

    def __init__(self) -> None:
        super().__init__("What was sent contains a character that cannot be stored (a null character)")


# Litestar's words when the body ends before its Content-Length (the client went away mid-upload).
_CUT_OFF = "client disconnected prematurely"
CUT_OFF_PARAGRAPHS = [
    "The connection was lost before the whole page arrived, so nothing from it was saved; anything you "
    "saved before it is still saved.",
    "Go back and send the page again.",
]


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 500 and exc.detail == _CUT_OFF:  # the client's side broke, not ours: a 400
        if is_api(request):
            return problem(400, "The request body ended before its Content-Length")
        return error_page(request, 400, CUT_OFF_PARAGRAPHS)
    if is_api(request):
        headers = {"Retry-After": "300"} if exc.status_code == 429 else None
        return problem(exc.status_code, exc.detail, headers=headers)
    if isinstance(exc, UnstorableText):
        return error_page(request, exc.status_code, UnstorableText.PARAGRAPHS)
    return error_page(request, exc.status_code)


def handle_unexpected(request: Request, exc: Exception) -> Response:
    # The type and where it happened, not the message: messages can quote what a respondent typed.
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame else "?"
    # The route template (`/invitation/{token}`), never the raw path: paths carry invitation,
    # withdrawal and resume tokens, and an unmatched path is whatever someone typed.
    route = request.scope.get("path_template") or "(no route)"
    log.error("unhandled %s at %s on %s %s", type(exc).__name__, where, request.method, route)
    if is_api(request):
        return problem(HTTP_500_INTERNAL_SERVER_ERROR, "Sorry, there is a problem with the service")
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)


def handle_sign_in_required(request: Request, exc: Exception) -> Response:
    from urllib.parse import quote

    from litestar.response import Redirect

    if request.url.path.startswith("/api/"):
        return problem(401, "Sign in to the workspace first")
    target = request.url.path
    if request.method != "GET":
        target = "/workspace"
    if request.headers.get("hx-request") == "true":
        return Response(b"", status_code=204, headers={"HX-Redirect": f"/login?next={quote(target)}"})
    return Redirect(path=f"/login?next={quote(target)}", status_code=303)


# Ids are Piccolo `Serial` columns: 32-bit `SERIAL` on PostgreSQL (SQLite's are 64-bit). A bigger
# number in a URL would overflow PostgreSQL's integer and give a 500, so it names nothing (404).
MAX_ID = 2**31 - 1
# Python refuses to turn more than 4,300 digits into an int; nothing we take needs more than this.
MAX_NUMBER_DIGITS = 19


def _clean_text(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def refuse_out_of_range_numbers(request: Request) -> None:
    """Runs before every handler (the app's `before_request`), so no route needs its own check:
    an int path parameter outside 0..MAX_ID, or a path with a null byte, names nothing (404), and
    a number in the query string too long for any id or year is refused with a clear 400 before
    a handler tries to use it."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            raise NotFoundException()
        # No file or name of ours holds a null byte or undecodable bytes (%C0%AF arrives as lone
        # surrogates); the operating system and PostgreSQL refuse them, so they name nothing.
        if isinstance(value, (str, PurePath)) and not _clean_text(str(value)):
            raise NotFoundException()
    for _, value in request.query_params.multi_items():
        if isinstance(value, str) and not _clean_text(value):
            raise UnstorableText()
        if isinstance(value, str) and len(value) > MAX_NUMBER_DIGITS and value.lstrip("+-").isdigit():
            raise ValidationException("A number in the address is too long")


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_unstorable_form_text(request: Request) -> None:
    """Runs before every handler too: a null character in any form field (or its name) is refused
    with a clear 400 before a handler tries to store it, so PostgreSQL never raises mid-save and
    both databases behave alike. The parsed form is cached on the request, so handlers read it again
    for free. Uploaded files are left to the handler that reads them."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if not request.headers.get("content-type", "").lower().startswith(_FORM_TYPES):
        return
    form = await request.form()
    for name, value in form.multi_items():
        if not _clean_text(name) or (isinstance(value, str) and not _clean_text(value)):
            raise UnstorableText()


def _handlers():

    return {SignInRequired: handle_sign_in_required, HTTPException: handle_http_exception, Exception: handle_unexpected}


EXCEPTION_HANDLERS = _handlers()
