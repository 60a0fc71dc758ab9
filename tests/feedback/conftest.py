"""Shared set-up for the workspace's HTTP tests: rate limits start afresh for every test."""

from __future__ import annotations

import pytest

from feedback.controllers.account import sign_in_by_account, sign_in_by_client
from feedback.controllers.withdraw import reference_attempts


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Many sign-ins and reference look-ups in one run would otherwise trip the (real) limits."""
    sign_in_by_account.reset()
    sign_in_by_client.reset()
    reference_attempts.reset()
