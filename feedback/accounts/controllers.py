"""Signing in and out of the workspace, accepting an invitation, and the admin's users and audit pages."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect
from litestar.utils.scope.state import ScopeState

from feedback.accounts.audit import audit, recent
from feedback.accounts.enrolment_links import LINK_HOURS, enrolment_granted, issue_enrolment_link, link_path, use_enrolment_link, user_for_link
from feedback.accounts.two_factor import (
    PENDING_MINUTES,
    confirm_enrolment,
    end_pending_sign_in,
    enrolled_user_ids,
    is_enrolled,
    new_recovery_codes,
    pending_enrolment,
    pending_user_id,
    qr_modules,
    recovery_codes_left,
    reset_two_factor,
    start_enrolment,
    start_pending_sign_in,
    verify_second_factor,
)
from feedback.accounts.auth import (
    ROLE_LABELS,
    ROLES,
    SESSION_MAX,
    TWO_FACTOR_PATH,
    Account,
    accept_invitation,
    account_by_id,
    csrf_token_for_session,
    authenticate,
    ENROLMENT_LINK_PREFIX,
    create_user,
    end_all_sessions,
    end_session,
    normalise_email,
    password_problem,
    role_guard,
    session_cookie_name,
    signed_in,
    start_session,
    two_factor_required,
)
from feedback.accounts.tables import User
from feedback.rate_limit import FailureThrottle, client_key
from feedback.rendering import render
from surveys.validation import field_values

# Wrong passwords are slowed, never locked out: after 5 for one account (or 10 from one address, which
# may be a whole council office behind one gateway) each further one doubles the wait, up to a minute.
# Someone guessing another person's password can hold them back by a minute at most.
sign_in_by_account = FailureThrottle(free=5, cap_seconds=60, name="sign_in_by_account")
sign_in_by_client = FailureThrottle(free=10, cap_seconds=60, name="sign_in_by_client")
WRONG = "Enter a correct email address and password"
# Someone who already has the password guessing 6-digit codes: slowed harder (up to 15 minutes).
second_factor_attempts = FailureThrottle(free=5, cap_seconds=900, name="second_factor_attempts")
WRONG_CODE = "Enter the 6-digit code from your authenticator app, or one of your recovery codes"


def _wait_message(seconds: int) -> str:
    return f"Too many attempts. Wait {seconds} second{'s' if seconds != 1 else ''}, then try again"


def _too_many(request: Request, template: str, context: dict[str, Any], seconds: int) -> Response:
    """The form again, saying how long to wait (429 with Retry-After), instead of a dead end."""
    response = render(request, template, {**context, "page_title": "Error: " + context["page_title"], "error": _wait_message(seconds)}, status_code=429)
    response.headers["Retry-After"] = str(seconds)
    return response


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


PENDING_COOKIE = "signin_pending"


def pending_cookie(request: Request, token: str | None) -> Cookie:
    """Between the password and the code: it names a pending sign-in, never a session."""
    settings = request.app.state.settings
    return Cookie(
        key=("__Host-" if settings.is_production else "") + PENDING_COOKIE, value=token or "", path="/", httponly=True,
        secure=settings.is_production, samesite="lax", max_age=PENDING_MINUTES * 60 if token else 0,
    )


def _pending_token(request: Request) -> str | None:
    return request.cookies.get(("__Host-" if request.app.state.settings.is_production else "") + PENDING_COOKIE)


def _session_token(request: Request) -> str | None:
    return request.cookies.get(session_cookie_name(request.app.state.settings.is_production))


def csrf_cookie(request: Request, session_token: str | None) -> Cookie:
    """The CSRF cookie renewed at sign-in (bound to the new session) and cleared at sign-out."""
    config = request.app.csrf_config
    return Cookie(
        key=config.cookie_name, value=csrf_token_for_session(session_token, request.app.state.settings.secret_key) if session_token else "",
        path=config.cookie_path, secure=config.cookie_secure, httponly=config.cookie_httponly, samesite=config.cookie_samesite,
        domain=config.cookie_domain, max_age=None if session_token else 0,
    )


def signed_in_cookies(request: Request, session_token: str) -> list[Cookie]:
    return [session_cookie(request, session_token), csrf_cookie(request, session_token), pending_cookie(request, None)]


async def complete_sign_in(request: Request, account: Account, target: str, how: str = "") -> Redirect:
    """The last step of every sign-in: a brand-new session id (the old one, if any, destroyed) and a
    CSRF token bound to it."""
    old = request.cookies.get(session_cookie_name(request.app.state.settings.is_production))
    token = await start_session(account, old_token=old)
    await audit(account.email, "sign_in", detail=how)
    return Redirect(path=target, status_code=303, cookies=signed_in_cookies(request, token))


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
        account_key, address = normalise_email(email), client_key(request)
        # A throttled attempt is refused before the password is checked, and does not count as a failure.
        wait = max(await sign_in_by_account.wait(account_key), await sign_in_by_client.wait(address))
        if wait:
            await audit(account_key or "unknown", "sign_in_failed", detail="slowed down")
            return _too_many(request, "account/login.html", {"page_title": "Sign in", "next": target, "email": email}, wait)
        account = await authenticate(email, password) if email and password else None
        if account is None:
            await sign_in_by_account.fail(account_key)
            await sign_in_by_client.fail(address)
            await audit(account_key or "unknown", "sign_in_failed")
            return render(
                request, "account/login.html",
                {"page_title": "Error: Sign in", "next": target, "email": email, "error": WRONG}, status_code=422,
            )
        await sign_in_by_account.forget(account_key)  # the address keeps its count: one can sign in and still spray
        if await is_enrolled(account.id):
            pending = await start_pending_sign_in(account.id)
            return Redirect(path=f"/login/code?next={quote(target)}", status_code=303, cookies=[pending_cookie(request, pending)])
        return await complete_sign_in(request, account, target)

    @get("/login/code")
    async def code_page(self, request: Request, next: FromQuery[str | None] = None) -> Response:
        if await pending_user_id(_pending_token(request)) is None:
            return _see_other("/login")
        return render(request, "account/code.html", {"page_title": "Enter your code", "next": safe_next(next), "error": None})

    @post("/login/code")
    async def code(self, request: Request) -> Response:
        """The second factor: a code from the authenticator app, or one of the recovery codes."""
        form = await request.form()
        target, code = safe_next(_form(form, "next")), _form(form, "code", 40)
        token = _pending_token(request)
        user_id = await pending_user_id(token)
        account = await account_by_id(user_id) if user_id is not None else None
        if account is None:  # expired (five minutes), or never started: the password again
            return Redirect(path="/login", status_code=303, cookies=[pending_cookie(request, None)])
        context = {"page_title": "Enter your code", "next": target}
        wait = await second_factor_attempts.wait(str(account.id))
        if wait:
            await audit(account.email, "sign_in_failed", detail="second factor slowed down")
            return _too_many(request, "account/code.html", context, wait)
        how = await verify_second_factor(account.id, code, request.app.state.settings.secret_key)
        if how is None:
            await second_factor_attempts.fail(str(account.id))
            await audit(account.email, "sign_in_failed", detail="second factor")
            return render(request, "account/code.html", {**context, "page_title": "Error: Enter your code", "error": WRONG_CODE}, status_code=422)
        await second_factor_attempts.forget(str(account.id))
        await end_pending_sign_in(token)
        return await complete_sign_in(request, account, target, how="recovery code" if how == "recovery" else "")

    @post("/logout")
    async def logout(self, request: Request) -> Response:
        cookie_name = session_cookie_name(request.app.state.settings.is_production)
        await end_session(request.cookies.get(cookie_name))
        return Redirect(path="/login?signed_out=1", status_code=303, cookies=[session_cookie(request, None), csrf_cookie(request, None)])

    @get("/invitation/{token:str}")
    async def invitation_page(self, request: Request, token: FromPath[str]) -> Response:
        return render(request, "account/invitation.html", {"page_title": "Set your password", "token": token, "error": None})

    @post("/invitation/{token:str}")
    async def accept(self, request: Request, token: FromPath[str]) -> Response:
        form = await request.form()
        password, again = _form(form, "password", 201), _form(form, "confirm", 201)
        error = password_problem(password) or (None if password == again else "The passwords do not match")
        if error is None:
            address = client_key(request)
            wait = await sign_in_by_client.wait(address)
            if wait:
                return _too_many(request, "account/invitation.html", {"page_title": "Set your password", "token": token}, wait)
            try:
                account = await accept_invitation(token, password)
            except ValueError as problem:  # guessable given who they are (their email, their team)
                error = str(problem)
            else:
                if account is None:
                    await sign_in_by_client.fail(address)
                    error = "This invitation has expired or has already been used. Ask an administrator for a new one"
                else:
                    await audit(account.email, "invitation_accepted")
                    new_token = await start_session(account)
                    return Redirect(path="/workspace", status_code=303, cookies=signed_in_cookies(request, new_token))
        return render(
            request, "account/invitation.html",
            {"page_title": "Error: Set your password", "token": token, "error": error}, status_code=422,
        )


class EnrolmentLinkController(Controller):
    """The one-time link another admin (or the CLI) gives someone who must set up two-factor sign-in:
    with their password it starts a session that may enrol, and nothing else opens enrolment for them."""

    path = ENROLMENT_LINK_PREFIX.rstrip("/")
    include_in_schema = False
    GONE = "This link has expired or has already been used. Ask another admin for a new link to set up two-step sign-in"

    def _page(self, request: Request, token: str, user, error: str | None = None, status_code: int = 200) -> Response:
        context = {"page_title": ("Error: " if error else "") + "Set up two-step sign-in", "token": token,
                   "email": user.email if user else None, "error": error}
        response = render(request, "account/enrolment_link.html", context, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's address
        return response

    @get("/{token:str}")
    async def link_page(self, request: Request, token: FromPath[str]) -> Response:
        user = await user_for_link(token)
        if user is None:
            return self._page(request, token, None, self.GONE, status_code=410)
        return self._page(request, token, user)

    @post("/{token:str}")
    async def use_link(self, request: Request, token: FromPath[str]) -> Response:
        form = await request.form()
        password = _form(form, "password", 200)
        address = client_key(request)
        user = await user_for_link(token)
        if user is None:
            sign_in_by_client.failed(address)
            return self._page(request, token, None, self.GONE, status_code=410)
        wait = max(sign_in_by_account.wait_seconds(user.email), sign_in_by_client.wait_seconds(address))
        if wait:
            response = self._page(request, token, user, _wait_message(wait), status_code=429)
            response.headers["Retry-After"] = str(wait)
            return response
        account = await authenticate(user.email, password) if password else None
        if account is None:
            sign_in_by_account.failed(user.email)
            sign_in_by_client.failed(address)
            await audit(user.email, "sign_in_failed", detail="enrolment link")
            return self._page(request, token, user, "Enter your correct password", status_code=422)
        sign_in_by_account.succeeded(user.email)
        old = request.cookies.get(session_cookie_name(request.app.state.settings.is_production))
        session = await start_session(account, old_token=old)
        if not await use_enrolment_link(token, account.id, session):  # used by a request racing this one
            await end_session(session)
            return self._page(request, token, None, self.GONE, status_code=410)
        await audit(account.email, "enrolment_link_used")
        return Redirect(path=TWO_FACTOR_PATH, status_code=303, cookies=signed_in_cookies(request, session))


class UsersController(Controller):
    """The admin's screens under /workspace: users (invite, change role, disable) and the audit log."""

    path = "/workspace"
    guards = [signed_in]
    include_in_schema = False

    @get("/users", guards=[role_guard("admin")])
    async def users(self, request: Request) -> Response:
        return render(request, "workspace/users.html", await self._users_context(request, {}, {}))

    async def _users_context(self, request, values, errors, invitation: str | None = None, enrolment_link: tuple[str, str] | None = None) -> dict[str, Any]:
        return {
            "page_title": ("Error: " if errors else "") + "Users", "account": _account(request),
            "users": await User.objects().order_by(User.email),
            "roles": ROLES, "role_labels": ROLE_LABELS, "values": values, "errors": errors,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
            "invitation": invitation, "two_factor_users": await enrolled_user_ids(),
            "enrolment_link": enrolment_link, "link_hours": LINK_HOURS,
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
        elif action == "reset_two_factor":
            # For someone who lost their phone and their recovery codes: they sign in with the password
            # and enrol again (an admin in production needs an enrolment link for that).
            await reset_two_factor(user.id)
            await end_all_sessions(user.id)
            await audit(account.email, "two_factor_reset", object=user.email)
        elif action == "enrolment_link":
            if user.id == account.id or user.disabled or not user.password_hash:
                return _see_other("/workspace/users")  # another admin's link, for an active account only
            token = await issue_enrolment_link(user.id, issued_by=account.email)
            await audit(account.email, "enrolment_link_issued", object=user.email)
            link = f"{request.base_url}".rstrip("/") + link_path(token)
            response = render(request, "workspace/users.html", await self._users_context(request, {}, {}, enrolment_link=(user.email, link)))
            response.headers["Cache-Control"] = "no-store"  # shown once
            return response
        elif action in ("disable", "enable"):
            user.disabled = action == "disable"
            await user.save()
            if user.disabled:
                await end_all_sessions(user.id)
            await audit(account.email, "user_disabled" if user.disabled else "user_enabled", object=user.email)
        return _see_other("/workspace/users")

    # --- the signed-in person's own second factor ---------------------------------------------

    async def _two_factor_context(self, request: Request, error: str | None = None, recovery_codes: list[str] | None = None) -> dict[str, Any]:
        account, settings = _account(request), request.app.state.settings
        enrolled = await is_enrolled(account.id)
        context: dict[str, Any] = {
            "page_title": ("Error: " if error else "") + "Two-factor sign-in", "account": account, "enrolled": enrolled,
            "required": two_factor_required(account, settings.is_production), "error": error, "recovery_codes": recovery_codes,
        }
        if enrolled:
            context["codes_left"] = await recovery_codes_left(account.id)
        elif context["required"] and not await enrolment_granted(account.id, _session_token(request)):
            context["needs_link"] = True  # a password alone must not be enough to enrol (a stolen one)
        elif recovery_codes is None:
            enrolment = await pending_enrolment(account.id, account.email, settings.secret_key)
            enrolment = enrolment or await start_enrolment(account.id, account.email, settings.secret_key)
            context.update(enrolment=enrolment, qr=qr_modules(enrolment.uri))
        return context

    def _two_factor_page(self, request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
        response = render(request, "account/two_factor.html", context, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"  # the secret and the recovery codes
        return response

    @get("/account/two-factor")
    async def two_factor_page(self, request: Request) -> Response:
        return self._two_factor_page(request, await self._two_factor_context(request))

    @post("/account/two-factor")
    async def two_factor(self, request: Request) -> Response:
        account, settings = _account(request), request.app.state.settings
        form = await request.form()
        action, code = _field(form, "action"), _form(form, "code", 40)
        wait = await second_factor_attempts.wait(str(account.id))
        if wait:
            return self._two_factor_page(request, {**await self._two_factor_context(request), "error": _wait_message(wait)}, 429)
        if action == "confirm":
            if two_factor_required(account, settings.is_production) and not await is_enrolled(account.id) \
                    and not await enrolment_granted(account.id, _session_token(request)):
                return self._two_factor_page(request, await self._two_factor_context(request), 403)
            codes = await confirm_enrolment(account.id, code, settings.secret_key)
            if codes is None:
                await second_factor_attempts.fail(str(account.id))
                return self._two_factor_page(request, await self._two_factor_context(request, "Enter the 6-digit code your authenticator app shows now"), 422)
            await audit(account.email, "two_factor_enrolled")
            # Sign-in is now complete in the stronger sense: a new session id for it. Every other session
            # of this person began with the password alone (perhaps a thief's): they end here, or they
            # would count as two-factor sessions from now on.
            await end_all_sessions(account.id)
            token = await start_session(account, old_token=request.cookies.get(session_cookie_name(settings.is_production)))
            # The page's forms carry the new session's token too.
            ScopeState.from_scope(request.scope).csrf_token = csrf_token_for_session(token, settings.secret_key)
            response = self._two_factor_page(request, await self._two_factor_context(request, recovery_codes=codes))
            for cookie in signed_in_cookies(request, token):
                response.set_cookie(cookie)
            return response
        if action in ("recovery_codes", "turn_off") and await is_enrolled(account.id):
            if action == "turn_off" and two_factor_required(account, settings.is_production):
                return self._two_factor_page(request, await self._two_factor_context(request, "Administrators must keep two-factor sign-in on"), 422)
            if await verify_second_factor(account.id, code, settings.secret_key) != "totp":
                await second_factor_attempts.fail(str(account.id))
                return self._two_factor_page(request, await self._two_factor_context(request, "Enter the 6-digit code your authenticator app shows now"), 422)
            await second_factor_attempts.forget(str(account.id))
            if action == "turn_off":
                await reset_two_factor(account.id)
                await audit(account.email, "two_factor_turned_off")
                return _see_other(TWO_FACTOR_PATH)
            codes = await new_recovery_codes(account.id, settings.secret_key)
            await audit(account.email, "recovery_codes_renewed")
            return self._two_factor_page(request, await self._two_factor_context(request, recovery_codes=codes))
        return _see_other(TWO_FACTOR_PATH)

    # The audit log's page is the DPO's: feedback/privacy/controllers.py (filters, paging, CSV).
