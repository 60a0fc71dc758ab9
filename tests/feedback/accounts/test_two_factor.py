"""Two-factor sign-in: enrolment (a QR code made on our server and the key as text, confirmed with a
code), the code asked for after the password, single-use recovery codes, its own rate limit, required
for admins in production, and an admin's audited reset."""

from __future__ import annotations

import dataclasses
import logging
import re
import time

import pyotp
import pytest
from litestar.testing import TestClient

from feedback.accounts import controllers
from feedback.accounts.audit import recent
from feedback.accounts.tables import RecoveryCode, TwoFactor, User, WorkspaceSession
from feedback.accounts.two_factor import confirm_enrolment, is_enrolled, start_enrolment
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in


def _code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def _user_id(email: str) -> int:
    return run(User.select(User.id).where(User.email == email).first())["id"]


def enrolled_user(settings, role: str = "officer") -> tuple[str, str, list[str]]:
    """A user with an authenticator app already set up: (email, TOTP secret, recovery codes)."""
    email = make_user(role)
    enrolment = run(start_enrolment(_user_id(email), email, settings.secret_key))
    codes = run(confirm_enrolment(_user_id(email), _code(enrolment.secret), settings.secret_key))
    return email, enrolment.secret, codes


def _post_code(client, code: str, next_url: str = "/workspace"):
    page = client.get("/login/code")
    return client.post("/login/code", data={"_csrf_token": csrf_token(page.text), "code": code, "next": next_url}, follow_redirects=False)


def test_enrolment_shows_a_qr_code_and_the_key_and_is_confirmed_with_a_code(browser, settings, caplog):
    email = make_user("officer")
    caplog.set_level(logging.DEBUG)
    with browser() as client:
        sign_in(client, email)
        before = client.cookies.get("session")
        page = client.get("/workspace/account/two-factor")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        svg = re.search(r"<svg[^>]*class=\"app-qr\".*?</svg>", page.text, re.S).group(0)
        assert 'role="img"' in svg and 'aria-label="QR code for your authenticator app"' in svg
        assert email not in svg and "<script" not in svg and "<text" not in svg
        secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
        assert len(secret) == 32
        assert client.get("/workspace/account/two-factor").text.count(page.text[page.text.index('id="secret-key"'):][:60]) == 1  # same key on reload
        wrong = client.post("/workspace/account/two-factor", data={"_csrf_token": csrf_token(page.text), "action": "confirm", "code": "000000"})
        assert wrong.status_code == 422 and "govuk-error-summary" in wrong.text
        done = client.post("/workspace/account/two-factor", data={"_csrf_token": csrf_token(page.text), "action": "confirm", "code": _code(secret)})
        assert done.status_code == 200 and "Save your recovery codes now" in done.text
        codes = re.findall(r"<li><code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code></li>", done.text)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert client.cookies.get("session") != before  # a new session id once the second factor is on
        status = client.get("/workspace/account/two-factor")
        assert "10 unused recovery codes" in status.text and secret not in status.text  # shown once
    row = run(TwoFactor.objects().where(TwoFactor.user_id == _user_id(email)).first())
    assert row.confirmed_at is not None and secret not in row.secret_encrypted
    hashes = [r["code_hash"] for r in run(RecoveryCode.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == _user_id(email)))]
    assert len(hashes) == 10 and not set(hashes) & {c.replace("-", "") for c in codes}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in logged and not any(c in logged for c in codes)
    assert "two_factor_enrolled" in [e.action for e in run(recent(50)) if e.actor == email]


def test_sign_in_asks_for_the_code_after_the_password(browser, settings):
    email, secret, _ = enrolled_user(settings)
    with browser() as client:
        client.cookies.set("session", "fixed-by-an-attacker", domain="testserver.local")
        first = sign_in(client, email, next_url="/workspace/updates")
        assert first.status_code == 303 and first.headers["location"].startswith("/login/code")
        assert client.get("/workspace", follow_redirects=False).headers["location"].startswith("/login")  # not signed in yet
        assert _post_code(client, "123456").status_code == 422
        used = _code(secret, 1)  # computed once: a 30 s step may pass before the replay below
        done = _post_code(client, used, next_url="/workspace/updates")
        assert done.status_code == 303 and done.headers["location"] == "/workspace/updates"
        session = client.cookies.get("session")
        assert session and session != "fixed-by-an-attacker"
        assert client.get("/workspace").status_code == 200
    with browser() as other:
        sign_in(other, email)
        replay = _post_code(other, used)
        assert replay.status_code == 422  # the same code cannot be used twice
    with browser() as late:
        assert late.get("/login/code", follow_redirects=False).headers["location"] == "/login"  # no password yet
        assert late.post("/login/code", data={"_csrf_token": csrf_token(late.get("/login").text), "code": _code(secret, 1)}, follow_redirects=False).headers["location"] == "/login"


def test_a_recovery_code_works_once(browser, settings):
    email, _, codes = enrolled_user(settings)
    with browser() as client:
        sign_in(client, email)
        assert _post_code(client, codes[3].upper().replace("-", " ")).status_code == 303
    with browser() as again:
        sign_in(again, email)
        assert _post_code(again, codes[3]).status_code == 422
        assert _post_code(again, codes[4]).status_code == 303
    assert "recovery code" in [e.detail for e in run(recent(50)) if e.actor == email and e.action == "sign_in"]


def test_wrong_codes_are_slowed_by_their_own_limit(browser, settings, monkeypatch):
    email, secret, _ = enrolled_user(settings)
    now = [1000.0]
    monkeypatch.setattr(controllers.second_factor_attempts, "clock", lambda: now[0])
    with browser() as client:
        sign_in(client, email)
        for _ in range(5):
            assert _post_code(client, "000000").status_code == 422
        slowed = _post_code(client, _code(secret, 1))
        assert slowed.status_code == 429 and "Too many attempts" in slowed.text
        now[0] += 2
        assert _post_code(client, _code(secret, 1)).status_code == 303


def test_an_admin_resets_someones_second_factor_and_it_is_audited(browser, settings):
    email, secret, _ = enrolled_user(settings)
    admin = make_user("admin")
    with browser() as them:
        sign_in(them, email)
        _post_code(them, _code(secret, 1))
        assert them.get("/workspace").status_code == 200
        with browser() as boss:
            sign_in(boss, admin)
            page = boss.get("/workspace/users")
            assert "Reset two-factor" in page.text
            boss.post(f"/workspace/users/{_user_id(email)}", data={"_csrf_token": csrf_token(page.text), "action": "reset_two_factor"})
        assert them.get("/workspace", follow_redirects=False).status_code == 303  # signed out by the reset
        assert sign_in(them, email).headers["location"] == "/workspace"  # password alone, until they enrol again
    assert not run(TwoFactor.exists().where(TwoFactor.user_id == _user_id(email)))
    assert not run(RecoveryCode.exists().where(RecoveryCode.user_id == _user_id(email)))
    assert any(e.action == "two_factor_reset" and e.object == email and e.actor == admin for e in run(recent(50)))


def test_someone_can_turn_it_off_with_a_code_in_development(browser, settings):
    email, secret, codes = enrolled_user(settings)
    with browser() as client:
        sign_in(client, email)
        _post_code(client, codes[0])
        page = client.get("/workspace/account/two-factor")
        refused = client.post("/workspace/account/two-factor", data={"_csrf_token": csrf_token(page.text), "action": "turn_off", "code": "000000"})
        assert refused.status_code == 422
        off = client.post("/workspace/account/two-factor", data={"_csrf_token": csrf_token(page.text), "action": "turn_off", "code": _code(secret, 1)})
        assert "Two-factor sign-in is off" in off.text  # and a fresh key is offered to turn it on again
    assert not run(is_enrolled(_user_id(email)))
    assert "two_factor_turned_off" in [e.action for e in run(recent(50)) if e.actor == email]


@pytest.fixture
def production(settings):
    from feedback.app import create_app

    app = create_app(dataclasses.replace(settings, env="production"), manage_pool=False)

    def new():
        return TestClient(app=app, base_url="https://testserver.local")
    return new


def _production_sign_in(client, email):
    page = client.get("/login")
    return client.post("/login", data={"_csrf_token": csrf_token(page.text), "email": email, "password": "a long enough test password"}, follow_redirects=False)


def test_in_production_an_admin_must_enrol_before_using_the_workspace(production):
    admin = make_user("admin")
    with production() as client:
        assert _production_sign_in(client, admin).status_code == 303
        for path in ("/workspace", "/workspace/users", "/workspace/audit", "/workspace/updates/new", "/workspace/surveys/new"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"] == "/workspace/account/two-factor", path
        htmx = client.get("/workspace/users", headers={"HX-Request": "true"}, follow_redirects=False)
        assert htmx.headers["hx-redirect"] == "/workspace/account/two-factor"
        page = client.get("/workspace/account/two-factor")
        assert page.status_code == 200 and "Administrators must set up two-factor sign-in" in page.text
        invite = client.post("/workspace/users", data={"_csrf_token": csrf_token(page.text), "email": "x@example.org", "role": "admin"}, follow_redirects=False)
        assert invite.status_code == 303 and invite.headers["location"] == "/workspace/account/two-factor"
        assert not run(User.exists().where(User.email == "x@example.org"))
        # A password alone cannot enrol (feedback/accounts/enrolment_links.py): the admin uses a link.
        assert 'id="secret-key"' not in page.text
        from feedback.accounts.enrolment_links import issue_enrolment_link

        link = f"/two-factor/setup/{run(issue_enrolment_link(_user_id(admin), issued_by='test'))}"
        link_page = client.get(link)
        assert client.post(link, data={"_csrf_token": csrf_token(link_page.text), "password": "a long enough test password"}, follow_redirects=False).status_code == 303
        page = client.get("/workspace/account/two-factor")
        secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
        done = client.post("/workspace/account/two-factor", data={"_csrf_token": csrf_token(page.text), "action": "confirm", "code": _code(secret)})
        assert done.status_code == 200
        assert client.get("/workspace/users").status_code == 200
        status = client.get("/workspace/account/two-factor")
        assert "Turn off two-factor" not in status.text
        off = client.post("/workspace/account/two-factor", data={"_csrf_token": csrf_token(status.text), "action": "turn_off", "code": _code(secret, 1)})
        assert off.status_code == 422 and "must keep two-factor" in off.text


def test_in_production_officers_may_go_without(production):
    officer = make_user("officer")
    with production() as client:
        _production_sign_in(client, officer)
        assert client.get("/workspace", follow_redirects=False).status_code == 200
        assert run(WorkspaceSession.count().where(WorkspaceSession.user == _user_id(officer))) == 1
