"""An unexpected error is logged with the route template, never the raw path or query: paths carry
invitation tokens, and a query string can carry a reference or a resume code."""

from __future__ import annotations

import logging
import secrets

import feedback.accounts.controllers as account_controllers


def test_an_unexpected_error_on_a_token_path_logs_no_token(browser, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    token = secrets.token_urlsafe(24)
    query_secret = secrets.token_hex(12)

    def broken_render(*args, **kwargs):
        raise RuntimeError(f"boom {token}")  # a message that quotes what came in is not logged either

    monkeypatch.setattr(account_controllers, "render", broken_render)
    with browser() as client:
        page = client.get(f"/invitation/{token}?reference={query_secret}")
    assert page.status_code == 500
    assert "Sorry, there is a problem with the service" in page.text
    assert token not in page.text
    records = [r for r in caplog.records if not r.name.startswith("httpx")]
    errors = [r for r in records if r.name == "feedback.errors"]
    assert errors and "/invitation/{token}" in errors[0].getMessage()
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in records)
    assert token not in logged
    assert query_secret not in logged
