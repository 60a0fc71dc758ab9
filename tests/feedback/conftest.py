"""Shared set-up for the feedback HTTP tests: rate limits start afresh for every test, and `browser`
makes a new HTTP client (a browser of its own: its own cookies) for the tests that need several."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from feedback.accounts.controllers import sign_in_by_account, sign_in_by_client
from feedback.respond.controllers.withdraw import reference_attempts


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Many sign-ins and reference look-ups in one run would otherwise trip the (real) limits."""
    sign_in_by_account.reset()
    sign_in_by_client.reset()
    reference_attempts.reset()


@pytest.fixture
def browser(app):
    def new():
        return TestClient(app=app, base_url="http://testserver.local")
    return new
