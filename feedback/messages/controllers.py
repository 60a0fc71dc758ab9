"""GOV.UK Notify's delivery-status callback: Notify posts JSON with the bearer token we set up in
its callback settings (FEEDBACK_NOTIFY_CALLBACK_TOKEN). Without that token set, the endpoint is off."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response, post

from feedback.messages.outbox import record_delivery

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


ROUTES = [notify_status_callback]
