"""Sign-in that nobody can turn against its owner: only failures count, repeated failures are slowed
(never locked out), and forwarding headers are believed only from the proxies we were told about."""

from __future__ import annotations

import dataclasses
import time
import uuid
from types import SimpleNamespace

import pytest
from litestar.datastructures import Headers

from feedback.accounts import controllers
from feedback.rate_limit import FailureThrottle, client_key
from feedback.settings import PROJECT_ROOT, parse_trusted_proxies
from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in


class FakeClock:
    """Starts at the real wall-clock time: on PostgreSQL the throttles' rows carry expiry times that
    the shared store's clean-up compares with the real clock."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(controllers.sign_in_by_account, "clock", fake)
    monkeypatch.setattr(controllers.sign_in_by_client, "clock", fake)
    return fake


def test_six_correct_sign_ins_in_a_row_succeed(browser):
    email = make_user("officer")
    with browser() as client:
        for attempt in range(8):
            response = sign_in(client, email)
            assert response.status_code == 303, f"sign-in {attempt + 1} refused"


def test_after_five_wrong_passwords_the_owner_gets_in_within_a_minute(browser, clock):
    email = make_user("officer")
    with browser() as client:
        for _ in range(5):
            assert sign_in(client, email, "wrong password!!").status_code == 422
            clock.now += 0.5  # typing quickly
        slowed = sign_in(client, email)
        assert slowed.status_code == 429
        assert "Too many attempts. Wait" in slowed.text and "govuk-error-summary" in slowed.text
        assert 0 < int(slowed.headers["retry-after"]) <= 60
        clock.now += 60
        assert sign_in(client, email).status_code == 303


def test_an_attacker_guessing_for_minutes_holds_the_owner_back_a_minute_at_most(browser, clock):
    email = make_user("officer")
    with browser() as attacker, browser() as owner:
        for _ in range(20):  # every attempt the throttle lets through, for ten minutes
            assert sign_in(attacker, email, "guess guess guess").status_code in (422, 429)  # wrong, or told to wait
            clock.now += 30
        clock.now += 60
        assert sign_in(owner, email).status_code == 303


def test_throttled_attempts_are_not_checked_and_do_not_lengthen_the_wait(browser, clock):
    email = make_user("officer")
    with browser() as client:
        for _ in range(5):
            sign_in(client, email, "wrong password!!")
        wait = controllers.sign_in_by_account.wait_seconds(email)
        for _ in range(20):  # hammering while slowed changes nothing
            assert sign_in(client, email, "wrong password!!").status_code == 429
        assert controllers.sign_in_by_account.wait_seconds(email) == wait


def test_the_wait_doubles_per_failure_and_is_capped():
    clock = FakeClock()
    throttle = FailureThrottle(free=3, cap_seconds=60, clock=clock)
    waits = []
    for _ in range(12):
        throttle.failed("k")
        waits.append(throttle.wait_seconds("k"))
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    clock.now += 60
    assert throttle.wait_seconds("k") == 0
    throttle.succeeded("k")
    throttle.failed("k")
    assert throttle.wait_seconds("k") == 0  # success wiped the count
    clock.now += 2000
    assert throttle.wait_seconds("k") == 0


def test_rotating_x_forwarded_for_does_not_escape_the_per_address_limit(browser, clock):
    """No proxy is trusted by default, so a client sending its own X-Forwarded-For is still one address."""
    with browser() as client:
        statuses = []
        for n in range(12):
            page = client.get("/login")
            response = client.post(
                "/login",
                data={"_csrf_token": csrf_token(page.text), "email": f"nobody-{uuid.uuid4().hex[:6]}@example.org", "password": "wrong password!!"},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
            statuses.append(response.status_code)
        assert statuses[:10] == [422] * 10 and statuses[10] == 429


def _request(peer: str, forwarded: list[str], trusted: str):
    headers = Headers([(b"x-forwarded-for", value.encode()) for value in forwarded])
    settings = SimpleNamespace(trusted_proxies=parse_trusted_proxies(trusted))
    return SimpleNamespace(client=SimpleNamespace(host=peer), headers=headers, app=SimpleNamespace(state=SimpleNamespace(settings=settings)))


def test_forwarded_for_is_believed_only_from_trusted_proxies():
    # Not trusted: the header is ignored, whatever it says.
    assert client_key(_request("198.51.100.7", ["203.0.113.9"], "")) == "198.51.100.7"
    assert client_key(_request("198.51.100.7", ["203.0.113.9"], "10.0.0.0/8")) == "198.51.100.7"
    # From a trusted proxy: the last address that no trusted proxy added, so a spoofed first hop is ignored.
    assert client_key(_request("10.0.0.5", ["203.0.113.9"], "10.0.0.0/8")) == "203.0.113.9"
    assert client_key(_request("10.0.0.5", ["1.2.3.4, 203.0.113.9, 10.0.0.6"], "10.0.0.0/8, ::1")) == "203.0.113.9"
    assert client_key(_request("::1", ["garbage", "203.0.113.9"], "::1")) == "203.0.113.9"
    assert client_key(_request("10.0.0.5", [], "10.0.0.5")) == "10.0.0.5"


def test_trusted_proxies_setting_is_checked(monkeypatch):
    from feedback.settings import load_settings

    monkeypatch.setenv("FEEDBACK_TRUSTED_PROXIES", "10.0.0.0/8,192.168.1.1")
    assert len(load_settings().trusted_proxies) == 2
    monkeypatch.setenv("FEEDBACK_TRUSTED_PROXIES", "not-an-address")
    with pytest.raises(SystemExit, match="FEEDBACK_TRUSTED_PROXIES"):
        load_settings()
    monkeypatch.delenv("FEEDBACK_TRUSTED_PROXIES")
    assert load_settings().trusted_proxies == ()


def test_a_trusted_proxy_passes_the_real_client_through_the_app(app, browser, clock, monkeypatch):
    """Through the HTTP interface: with the test client's address trusted, each forwarded client has its own count."""
    monkeypatch.setattr(app.state, "settings", dataclasses.replace(app.state.settings, trusted_proxies=parse_trusted_proxies("0.0.0.0/0, ::/0")))
    # The test client connects as "testclient" (not an address), so trust is checked as for any other peer.
    monkeypatch.setattr("feedback.rate_limit._is_trusted", lambda host, trusted: host == "testclient")
    with browser() as client:
        for n in range(12):
            page = client.get("/login")
            response = client.post(
                "/login",
                data={"_csrf_token": csrf_token(page.text), "email": f"nobody-{uuid.uuid4().hex[:6]}@example.org", "password": "wrong password!!"},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
            assert response.status_code == 422


def test_the_image_trusts_no_forwarding_header_by_default():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert '"--forwarded-allow-ips", "*"' not in dockerfile and "FEEDBACK_TRUSTED_PROXIES" in dockerfile
    assert "FEEDBACK_TRUSTED_PROXIES" in (PROJECT_ROOT / "docker-compose.yml").read_text()
    from feedback.cli import build_parser

    assert build_parser().parse_args(["serve"]).forwarded_allow_ips == ""
