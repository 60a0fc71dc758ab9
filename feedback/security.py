"""Security headers on every response, CSRF protection, and request logs that hold no answers."""

from __future__ import annotations

import logging
import time

from litestar.config.csrf import CSRFConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from feedback.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

_BASE_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

access_log = logging.getLogger("feedback.access")


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response, static files and errors included."""

    def __init__(self, app: ASGIApp, production: bool = False) -> None:
        self.app = app
        self.headers = list(_BASE_HEADERS)
        if production:
            self.headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            # Method, path and status only: bodies, query strings and cookies may hold answers or codes.
            access_log.info(
                "%s %s %s %.1fms", scope.get("method"), scope.get("path"), status,
                (time.perf_counter() - started) * 1000,
            )


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name="__Host-csrftoken" if settings.is_production else "csrftoken",
        cookie_secure=settings.is_production,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_path="/",
    )
