"""The API tokens screen: make a named, read-only token for a reporting tool (shown once), see your
tokens (admins: everyone's), revoke one. Real forms (CSRF), audited; no secret is ever logged."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from feedback.accounts.audit import audit
from feedback.accounts.auth import signed_in
from feedback.accounts.tables import User
from feedback.rendering import render
from feedback.reporting.tokens import DEFAULT_DAYS, MAX_DAYS, PARTNERSHIP, TokenProblem, create_token, revoke_token, teams_for, tokens_of
from surveys.runs import list_runs


async def _known_teams() -> list[str]:
    teams = {r["team"] for r in await User.select(User.team).distinct() if r["team"]}
    teams |= {r.team for r in await list_runs() if r.team}
    return sorted(teams - {PARTNERSHIP})


def _one(form: Any, name: str, limit: int = 200) -> str:
    value = form.get(name) or ""
    return value[:limit] if isinstance(value, str) else ""


class TokensController(Controller):
    path = "/workspace/api-tokens"
    guards = [signed_in]
    include_in_schema = False

    async def _page(self, request: Request, values: dict[str, Any], errors: dict[str, str],
                    new_token: str | None = None, status_code: int = 200) -> Response:
        account = request.state.account
        order = ["name", "team", "days", "responses"]
        return render(request, "workspace/api_tokens.html", {
            "page_title": ("Error: " if errors else "") + "API tokens", "account": account,
            "tokens": await tokens_of(account), "teams": teams_for(account, await _known_teams()),
            "values": values, "errors": errors, "new_token": new_token, "max_days": MAX_DAYS,
            "error_list": [{"text": errors[k], "href": f"#{k}"} for k in order if k in errors],
            "revoked": request.query_params.get("revoked") == "1",
        }, status_code=status_code)

    @get("")
    async def list_tokens(self, request: Request) -> Response:
        return await self._page(request, {"days": str(DEFAULT_DAYS), "team": request.state.account.team}, {})

    @post("")
    async def make(self, request: Request) -> Response:
        account = request.state.account
        form = await request.form()
        values = {"name": _one(form, "name", 1000), "team": _one(form, "team", 100), "days": _one(form, "days", 20),
                  "responses": _one(form, "responses", 10) == "yes"}
        try:
            token, token_id = await create_token(account, values["name"], values["team"], values["days"],
                                                 values["responses"], await _known_teams())
        except TokenProblem as problem:
            return await self._page(request, values, problem.errors, status_code=422)
        await audit(account.email, "api_token_created", object=values["team"],
                    detail=f"token {token_id} ({' '.join(values['name'].split())}), responses: {'yes' if values['responses'] else 'no'}")
        return await self._page(request, {"days": str(DEFAULT_DAYS), "team": values["team"]}, {}, new_token=token)

    @post("/{token_id:int}/revoke")
    async def revoke(self, request: Request, token_id: FromPath[int]) -> Redirect:
        account = request.state.account
        row = await revoke_token(account, token_id)
        if row is None:
            raise NotFoundException()
        await audit(account.email, "api_token_revoked", object=row["team"], detail=f"token {token_id} ({row['name']})")
        return Redirect("/workspace/api-tokens?revoked=1", status_code=303)
