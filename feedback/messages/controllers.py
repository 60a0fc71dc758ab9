"""The messages' own web routes: the unsubscribe link in invitations, and GOV.UK Notify's delivery-status callback: Notify posts JSON with the bearer token we set up in
its callback settings (FEEDBACK_NOTIFY_CALLBACK_TOKEN). Without that token set, the endpoint is off."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response, get, post

from feedback.messages.invitations import invitee_for_token, opt_out
from feedback.messages.outbox import record_delivery
from feedback.rendering import render

CALLBACK_PATH = "/messages/notify/status"


@post(CALLBACK_PATH, opt={"exclude_from_csrf": True}, include_in_schema=False)
async def notify_status_callback(request: Request) -> Response:
    expected = request.app.state.settings.notify_callback_token
    given = request.headers.get("authorization", "")
    if not expected:
        return Response(content=None, status_code=404)
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        return Response(content=None, status_code=401)
    try:
        payload: Any = await request.json()
    except Exception:
        return Response(content=None, status_code=400)
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str) or not isinstance(payload.get("status"), str):
        return Response(content=None, status_code=400)
    # Notify also sends the recipient ("to"): we neither store nor log it.
    await record_delivery(payload["id"][:80], payload["status"][:40])
    return Response(content=None, status_code=204)


# The token rides in the query string (GET) and the form (POST): the access log records paths only.
@get("/messages/unsubscribe", include_in_schema=False)
async def unsubscribe_page(request: Request) -> Response:
    token = (request.query_params.get("t") or "")[:64]
    # A GET only asks: mail scanners open links, and that must never unsubscribe anyone.
    found = await invitee_for_token(token)
    return render(request, "messages/unsubscribe.html", {
        "page_title": "Stop messages about our surveys" if found else "This link does not work",
        "token": token, "found": found is not None, "done": False,
    }, status_code=200 if found else 404)


@post("/messages/unsubscribe", include_in_schema=False)
async def unsubscribe(request: Request) -> Response:
    token = ((await request.form()).get("t") or "")[:64]
    done = await opt_out(request.app.state.settings, token)
    return render(request, "messages/unsubscribe.html", {
        "page_title": "You will not get any more messages" if done else "This link does not work",
        "token": token, "found": done, "done": done,
    }, status_code=200 if done else 404)


ROUTES = [notify_status_callback, unsubscribe_page, unsubscribe]
