"""/s/{slug}/invited?t={token}: the link in an invitation. It keeps the token in a cookie for this
survey only, and goes to the survey's start page. When this browser submits, the invitee is marked
as having responded (see feedback.messages.invitations): nothing joins the token to the answers."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.datastructures import Cookie
from litestar.params import FromPath
from litestar.response import Redirect

from feedback.messages.invitations import INVITE_COOKIE_PREFIX, mark_responded

INVITE_COOKIE_DAYS = 60


def invite_cookie_name(slug: str) -> str:
    return INVITE_COOKIE_PREFIX + slug[:60]


class InvitedController(Controller):
    path = "/s/{slug:str}"
    include_in_schema = False

    # The token is in the query string, which the access log never records (paths are logged).
    @get("/invited")
    async def invited(self, request: Request, slug: FromPath[str]) -> Redirect:
        token = request.query_params.get("t") or ""
        settings = request.app.state.settings
        cookies = []
        if 16 <= len(token) <= 64 and token.isalnum():
            cookies.append(Cookie(key=invite_cookie_name(slug), value=token, path=f"/s/{slug}", httponly=True,
                                  secure=settings.is_production, samesite="lax", max_age=INVITE_COOKIE_DAYS * 86400))
        # The token never stays in the address bar (or in a Referer header).
        return Redirect(path=f"/s/{slug}", status_code=303, cookies=cookies)


async def record_invited_response(request: Request, slug: str, run_id: int) -> None:
    token = request.cookies.get(invite_cookie_name(slug))
    if token and len(token) <= 64:
        await mark_responded(token, run_id)
