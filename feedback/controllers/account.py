"""Signing in and out of the workspace, and accepting an invitation."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from feedback.audit import audit
from feedback.auth import (
    SESSION_MAX,
    accept_invitation,
    authenticate,
    end_session,
    normalise_email,
    password_problem,
    session_cookie_name,
    start_session,
)
from feedback.errors import error_page
from feedback.rate_limit import RateLimiter, client_key
from feedback.rendering import render
from surveys.validation import field_values

# Five wrong passwords for one account in 15 minutes, or 30 from one address, then a pause.
sign_in_by_account = RateLimiter(limit=5, window_seconds=900)
sign_in_by_client = RateLimiter(limit=30, window_seconds=900)
WRONG = "Enter a correct email address and password"


def _form(form, name: str, limit: int = 300) -> str:
    return (field_values(form, name) or [""])[0][:limit]


def safe_next(target: str | None) -> str:
    """Only ever return to a workspace page on this site (no open redirects)."""
    if target and target.startswith("/workspace") and "//" not in target and "\\" not in target:
        return target
    return "/workspace"


def session_cookie(request: Request, token: str | None) -> Cookie:
    settings = request.app.state.settings
    return Cookie(
        key=session_cookie_name(settings.is_production), value=token or "", path="/", httponly=True,
        secure=settings.is_production, samesite="lax",
        max_age=int(SESSION_MAX.total_seconds()) if token else 0,
    )


class AccountController(Controller):
    include_in_schema = False

    @get("/login")
    async def login_page(self, request: Request, next: FromQuery[str | None] = None) -> Response:
        return render(request, "account/login.html", {"page_title": "Sign in", "next": safe_next(next), "email": "", "error": None})

    @post("/login")
    async def login(self, request: Request) -> Response:
        form = await request.form()
        email, password, target = _form(form, "email"), _form(form, "password", 200), safe_next(_form(form, "next"))
        if not sign_in_by_client.allow(client_key(request)) or not sign_in_by_account.allow(normalise_email(email)):
            await audit(normalise_email(email) or "unknown", "sign_in_failed", detail="rate limited")
            return error_page(request, 429)
        account = await authenticate(email, password) if email and password else None
        if account is None:
            await audit(normalise_email(email) or "unknown", "sign_in_failed")
            return render(
                request, "account/login.html",
                {"page_title": "Error: Sign in", "next": target, "email": email, "error": WRONG}, status_code=422,
            )
        old = request.cookies.get(session_cookie_name(request.app.state.settings.is_production))
        token = await start_session(account, old_token=old)  # a new session id: never reuse one from before
        await audit(account.email, "sign_in")
        return Redirect(path=target, status_code=303, cookies=[session_cookie(request, token)])

    @post("/logout")
    async def logout(self, request: Request) -> Response:
        cookie_name = session_cookie_name(request.app.state.settings.is_production)
        await end_session(request.cookies.get(cookie_name))
        return Redirect(path="/login?signed_out=1", status_code=303, cookies=[session_cookie(request, None)])

    @get("/invitation/{token:str}")
    async def invitation_page(self, request: Request, token: FromPath[str]) -> Response:
        return render(request, "account/invitation.html", {"page_title": "Set your password", "token": token, "error": None})

    @post("/invitation/{token:str}")
    async def accept(self, request: Request, token: FromPath[str]) -> Response:
        form = await request.form()
        password, again = _form(form, "password", 201), _form(form, "confirm", 201)
        error = password_problem(password) or (None if password == again else "The passwords do not match")
        if error is None:
            if not sign_in_by_client.allow(client_key(request)):
                return error_page(request, 429)
            account = await accept_invitation(token, password)
            if account is None:
                error = "This invitation has expired or has already been used. Ask an administrator for a new one"
            else:
                await audit(account.email, "invitation_accepted")
                new_token = await start_session(account)
                return Redirect(path="/workspace", status_code=303, cookies=[session_cookie(request, new_token)])
        return render(
            request, "account/invitation.html",
            {"page_title": "Error: Set your password", "token": token, "error": error}, status_code=422,
        )
