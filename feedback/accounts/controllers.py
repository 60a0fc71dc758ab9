"""Signing in and out of the workspace, accepting an invitation, and the admin's users and audit pages."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from feedback.accounts.audit import audit, recent
from feedback.accounts.auth import (
    ROLE_LABELS,
    ROLES,
    SESSION_MAX,
    Account,
    accept_invitation,
    authenticate,
    create_user,
    end_all_sessions,
    end_session,
    normalise_email,
    password_problem,
    role_guard,
    session_cookie_name,
    signed_in,
    start_session,
)
from feedback.accounts.tables import User
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


def _field(form, name: str, limit: int = 300) -> str:
    return _form(form, name, 10_000).strip()[:limit]


def _account(request: Request) -> Account:
    return request.state.account


def _see_other(url: str) -> Redirect:
    return Redirect(path=url, status_code=303)


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


class UsersController(Controller):
    """The admin's screens under /workspace: users (invite, change role, disable) and the audit log."""

    path = "/workspace"
    guards = [signed_in]
    include_in_schema = False

    @get("/users", guards=[role_guard("admin")])
    async def users(self, request: Request) -> Response:
        return render(request, "workspace/users.html", await self._users_context(request, {}, {}))

    async def _users_context(self, request, values, errors, invitation: str | None = None) -> dict[str, Any]:
        return {
            "page_title": ("Error: " if errors else "") + "Users", "account": _account(request),
            "users": await User.objects().order_by(User.email),
            "roles": ROLES, "role_labels": ROLE_LABELS, "values": values, "errors": errors,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
            "invitation": invitation,
        }

    @post("/users", guards=[role_guard("admin")])
    async def invite(self, request: Request) -> Response:
        form = await request.form()
        values = {name: _field(form, name) for name in ("email", "role", "team")}
        errors: dict[str, str] = {}
        if values["role"] not in ROLES:
            errors["role"] = "Select a role"
        if values["role"] == "pcv" and not re.match(r"^[a-z0-9][a-z0-9-]{1,79}$", values["team"]):
            errors["team"] = "Enter the forum team's short name, like parent-carer-voice"
        invitation = None
        if not errors:
            try:
                user, invitation = await create_user(values["email"], values["role"], team=values["team"] if values["role"] == "pcv" else "partnership")
            except ValueError as error:
                errors["email"] = str(error)
            else:
                await audit(_account(request).email, "user_invited", object=user.email, detail=values["role"])
                invitation = f"{request.base_url}".rstrip("/") + f"/invitation/{invitation}"
                values = {}
        return render(request, "workspace/users.html", await self._users_context(request, values, errors, invitation),
                      status_code=422 if errors else 200)

    @post("/users/{user_id:int}", guards=[role_guard("admin")])
    async def change_user(self, request: Request, user_id: FromPath[int]) -> Response:
        account = _account(request)
        user = await User.objects().where(User.id == user_id).first()
        if user is None:
            raise NotFoundException()
        form = await request.form()
        action = _field(form, "action")
        if user.id == account.id and action in ("disable", "role"):
            return _see_other("/workspace/users")  # admins cannot lock themselves out
        if action == "role" and _field(form, "role") in ROLES:
            user.role = _field(form, "role")
            await user.save()
            await end_all_sessions(user.id)
            await audit(account.email, "user_role_changed", object=user.email, detail=user.role)
        elif action in ("disable", "enable"):
            user.disabled = action == "disable"
            await user.save()
            if user.disabled:
                await end_all_sessions(user.id)
            await audit(account.email, "user_disabled" if user.disabled else "user_enabled", object=user.email)
        return _see_other("/workspace/users")

    @get("/audit", guards=[role_guard("admin")])
    async def audit_log(self, request: Request) -> Response:
        return render(request, "workspace/audit.html", {"page_title": "Audit log", "account": _account(request), "entries": await recent(500)})
