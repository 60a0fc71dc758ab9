"""Security headers on every response, CSRF protection, and request logs that hold no answers."""

from __future__ import annotations

import logging

from litestar.config.csrf import CSRFConfig
from litestar.types import Message, Scope

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


def logged_path(scope: Scope) -> str:
    """The route template that matched (`/invitation/{token}`), or `(no route)` for a path that matched
    none: an unmatched path is whatever someone typed, tokens included."""
    return scope.get("path_template") or "(no route)"


def security_headers_hook(production: bool = False):
    """A `before_send` hook: it sees every response, including the router's own 404s and 405s
    that never reach route middleware, adds the security headers and writes the access log."""
    headers = list(_BASE_HEADERS)
    if production:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        present = {name.lower() for name, _ in message.get("headers", [])}
        message["headers"] = list(message.get("headers", [])) + [(n, v) for n, v in headers if n not in present]
        # Method, route and status only: bodies, query strings and cookies may hold answers or codes, and
        # paths hold tokens (/invitation/{token}), so the route's template is written, never the raw path.
        if access_log.isEnabledFor(logging.INFO):  # a record made directly: no stack walk to find the caller
            access_log.handle(access_log.makeRecord(
                access_log.name, logging.INFO, __file__, 0, "%s %s %s",
                (scope.get("method"), logged_path(scope), message["status"]), None,
            ))

    return before_send


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name="__Host-csrftoken" if settings.is_production else "csrftoken",
        cookie_secure=settings.is_production,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_path="/",
    )
