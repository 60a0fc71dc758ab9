"""In production a stolen admin password must not be enough to act as admin: an admin who has no second
factor yet cannot enrol one with the password alone, only through a one-time link that another admin
makes on the users page (audited, shown once, 24 hours, kept as a hash) or `feedback enrolment-link`
prints. Development keeps enrolment open to everyone."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from litestar.testing import TestClient

from feedback.accounts.audit import recent
from feedback.accounts.enrolment_links import issue_enrolment_link
from feedback.accounts.tables import EnrolmentLink, TwoFactor, User
from feedback.accounts.two_factor import confirm_enrolment, is_enrolled, start_enrolment
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import PASSWORD, make_user, sign_in

TWO_FACTOR = "/workspace/account/two-factor"
ASK = "Ask another admin for a link to set up two-step sign-in"


@pytest.fixture
def production(settings):
    from feedback.app import create_app

    app = create_app(dataclasses.replace(settings, env="production"), manage_pool=False)
    return lambda: TestClient(app=app, base_url="https://testserver.local")


def _user_id(email: str) -> int:
    return run(User.select(User.id).where(User.email == email).first())["id"]


def _enrolled_admin(client, settings) -> tuple[str, str]:
    """An admin with an authenticator app, signed in with password and code: (email, secret)."""
    email = make_user("admin")
    enrolment = run(start_enrolment(_user_id(email), email, settings.secret_key))
    run(confirm_enrolment(_user_id(email), pyotp.TOTP(enrolment.secret).now(), settings.secret_key))
    assert sign_in(client, email).headers["location"].startswith("/login/code")
    page = client.get("/login/code")
    # The step enrolment used is spent: the next code.
    code = pyotp.TOTP(enrolment.secret).at(datetime.now(timezone.utc) + timedelta(seconds=30))
    done = client.post("/login/code", data={"_csrf_token": csrf_token(page.text), "code": code, "next": "/workspace"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/workspace"
    return email, enrolment.secret


def _link_from_users_page(client, user_email: str) -> str:
    users = client.get("/workspace/users")
    response = client.post(f"/workspace/users/{_user_id(user_email)}", data={"_csrf_token": csrf_token(users.text), "action": "enrolment_link"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    return re.search(r'id="enrolment-link">https://testserver\.local(/two-factor/setup/[^<\s]+)<', response.text).group(1)


def _use_link(client, path: str, password: str = PASSWORD):
    page = client.get(path)
    if 'name="password"' not in page.text:  # a used or expired link shows no form: post with the sign-in page's token
        page = client.get("/login")
    return client.post(path, data={"_csrf_token": csrf_token(page.text), "password": password}, follow_redirects=False)


def _enrol(client, expect_status: int = 200):
    page = client.get(TWO_FACTOR)
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    done = client.post(TWO_FACTOR, data={"_csrf_token": csrf_token(page.text), "action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert done.status_code == expect_status
    return done


def test_a_stolen_password_alone_cannot_enrol_or_open_the_workspace(production):
    victim = make_user("admin")
    with production() as thief:
        assert sign_in(thief, victim).status_code == 303
        page = thief.get(TWO_FACTOR)
        assert page.status_code == 200 and ASK in page.text
        assert 'id="secret-key"' not in page.text and "<svg" not in page.text  # no key, no QR code
        for path in ("/workspace", "/workspace/users", "/workspace/surveys/new", "/workspace/audit"):
            response = thief.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"] == TWO_FACTOR, path
        assert thief.get("/api/surveys", follow_redirects=False).status_code in (401, 403)
        # Confirming anyway (a secret started some other way, or a guessed form): refused, nothing enrolled.
        run(start_enrolment(_user_id(victim), victim, "not the key"))
        confirm = thief.post(TWO_FACTOR, data={"_csrf_token": csrf_token(page.text), "action": "confirm", "code": "123456"})
        assert confirm.status_code == 403 and ASK in confirm.text
    assert not run(is_enrolled(_user_id(victim)))


def test_another_admin_makes_a_link_that_enrols_once(production, settings, caplog):
    caplog.set_level(logging.DEBUG)
    newcomer = make_user("admin")
    with production() as admin_client:
        admin, _ = _enrolled_admin(admin_client, settings)
        path = _link_from_users_page(admin_client, newcomer)
        assert "enrolment_link_issued" in [e.action for e in run(recent(50)) if e.actor == admin and e.object == newcomer]
        assert path.rsplit("/", 1)[1] not in admin_client.get("/workspace/users").text  # shown once
        audit_page = admin_client.get("/workspace/audit")
        assert audit_page.status_code == 200 and "enrolment" in audit_page.text.lower() and path.rsplit("/", 1)[1] not in audit_page.text
    token = path.rsplit("/", 1)[1]
    row = run(EnrolmentLink.objects().where(EnrolmentLink.user_id == _user_id(newcomer)).first())
    assert token not in row.token_hash and row.expires_at - datetime.now(timezone.utc) <= timedelta(hours=24)
    with production() as client:
        wrong = _use_link(client, path, "not the right password at all")
        assert wrong.status_code == 422 and "govuk-error-summary" in wrong.text
        used = _use_link(client, path)
        assert used.status_code == 303 and used.headers["location"] == TWO_FACTOR
        done = _enrol(client)
        assert "Save your recovery codes now" in done.text
        assert client.get("/workspace/users").status_code == 200
    assert run(is_enrolled(_user_id(newcomer)))
    assert {"enrolment_link_used", "two_factor_enrolled"} <= {e.action for e in run(recent(50)) if e.actor == newcomer}
    with production() as again:  # the same link a second time
        page = again.get(path)
        assert page.status_code == 410 and "expired or has already been used" in page.text and 'name="password"' not in page.text
        assert _use_link(again, path).status_code == 410
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records if not r.name.startswith("httpx"))
    assert token not in logged
    assert "/two-factor/setup/{token}" in logged  # the access log was captured, as a route template


def test_an_expired_link_is_refused(production):
    admin = make_user("admin")
    token = run(issue_enrolment_link(_user_id(admin), issued_by="test"))
    run(EnrolmentLink.update({EnrolmentLink.expires_at: datetime.now(timezone.utc) - timedelta(minutes=1)}).where(EnrolmentLink.user_id == _user_id(admin)))
    with production() as client:
        assert client.get(f"/two-factor/setup/{token}").status_code == 410
        assert _use_link(client, f"/two-factor/setup/{token}").status_code == 410
        sign_in(client, admin)
        assert ASK in client.get(TWO_FACTOR).text
    assert not run(is_enrolled(_user_id(admin)))


def test_a_newer_link_replaces_the_older_and_odd_tokens_are_refused(production):
    admin = make_user("admin")
    first = run(issue_enrolment_link(_user_id(admin), issued_by="test"))
    second = run(issue_enrolment_link(_user_id(admin), issued_by="test"))
    with production() as client:
        assert client.get(f"/two-factor/setup/{first}").status_code == 410
        for odd in ("x" * 5000, "%00", "..%2f..%2fetc"):
            assert client.get(f"/two-factor/setup/{odd}").status_code in (404, 410)
        assert _use_link(client, f"/two-factor/setup/{second}").status_code == 303


def test_the_link_lets_only_the_session_it_started_enrol(production, settings):
    """The thief signed in with the stolen password stays on the 'ask' page while the owner uses the link."""
    victim = make_user("admin")
    token = run(issue_enrolment_link(_user_id(victim), issued_by="test"))
    with production() as thief, production() as owner:
        sign_in(thief, victim)
        assert _use_link(owner, f"/two-factor/setup/{token}").status_code == 303
        page = thief.get(TWO_FACTOR)
        assert ASK in page.text and 'id="secret-key"' not in page.text
        _enrol(owner)
        assert thief.get("/workspace", follow_redirects=False).status_code in (303, 401)  # enrolment ended the password-only sessions' use
    assert run(TwoFactor.count().where(TwoFactor.user_id == _user_id(victim))) == 1


def test_nobody_makes_a_link_for_themselves_or_without_being_admin(production, settings, browser):
    officer = make_user("officer")
    with browser() as client:
        sign_in(client, officer)
        page = client.get("/workspace")
        response = client.post(f"/workspace/users/{_user_id(officer)}", data={"_csrf_token": csrf_token(page.text), "action": "enrolment_link"}, follow_redirects=False)
        assert response.status_code == 404
    with production() as client:
        admin, _ = _enrolled_admin(client, settings)
        users = client.get("/workspace/users")
        own = client.post(f"/workspace/users/{_user_id(admin)}", data={"_csrf_token": csrf_token(users.text), "action": "enrolment_link"}, follow_redirects=False)
        assert own.status_code == 303
    assert not run(EnrolmentLink.exists().where(EnrolmentLink.user_id.is_in([_user_id(admin), _user_id(officer)])))


def test_the_first_admin_gets_a_link_from_the_command_line(app, production, capsys):
    from feedback.cli import main

    first = make_user("admin")
    assert main(["enrolment-link", first.upper()]) == 0
    link = capsys.readouterr().out.strip()
    path = re.fullmatch(r"https?://[^/]+(/two-factor/setup/[A-Za-z0-9_-]+)", link).group(1)
    assert "enrolment_link_issued" in [e.action for e in run(recent(50)) if e.actor == "command line" and e.object == first]
    with production() as client:
        assert _use_link(client, path).status_code == 303
        _enrol(client)
        assert client.get("/workspace/users").status_code == 200
    assert main(["enrolment-link", "nobody@example.org"]) == 2


def test_development_enrols_without_a_link(browser):
    admin = make_user("admin")
    with browser() as client:
        sign_in(client, admin)
        assert ASK not in client.get(TWO_FACTOR).text
        _enrol(client)
    assert run(is_enrolled(_user_id(admin)))


def test_a_link_left_over_after_enrolling_does_not_skip_the_code(production, settings):
    """An officer (two-factor optional) is given a link, then enrols from the page instead: the link must
    not become a way in with the password alone, without the authenticator's code."""
    officer = make_user("officer")
    token = run(issue_enrolment_link(_user_id(officer), issued_by="test"))
    with production() as client:
        sign_in(client, officer)
        _enrol(client)
    assert run(is_enrolled(_user_id(officer)))
    with production() as thief:
        assert thief.get(f"/two-factor/setup/{token}").status_code == 410
        assert _use_link(thief, f"/two-factor/setup/{token}").status_code == 410
        assert thief.get("/workspace", follow_redirects=False).status_code != 200
