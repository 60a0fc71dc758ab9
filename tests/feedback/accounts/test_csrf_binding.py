"""CSRF tokens bound to the signed-in session and renewed at sign-in: a token from before sign-in, or
from another person's session, is refused on workspace posts; public forms keep their own token."""

from __future__ import annotations

from feedback.accounts.tables import User
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in


def _invite(client, token: str, email: str):
    return client.post("/workspace/users", data={"_csrf_token": token, "email": email, "role": "officer"}, follow_redirects=False)


def test_a_token_from_before_sign_in_is_refused(browser):
    admin = make_user("admin")
    with browser() as client:
        before_page = client.get("/login")
        planted_cookie, planted_token = client.cookies.get("csrftoken"), csrf_token(before_page.text)
        sign_in(client, admin)
        assert client.cookies.get("csrftoken") != planted_cookie  # renewed at sign-in
        # An attacker who planted the cookie before sign-in (and so knows its token) tries to use it.
        client.cookies.set("csrftoken", planted_cookie, domain="testserver.local")
        refused = _invite(client, planted_token, "planted@example.org")
        assert refused.status_code == 403 and "This page has expired" in refused.text
    assert not run(User.exists().where(User.email == "planted@example.org"))


def test_a_token_from_another_session_is_refused(browser):
    admin, attacker = make_user("admin"), make_user("officer")
    with browser() as victim, browser() as them:
        sign_in(victim, admin)
        sign_in(them, attacker)
        their_token = csrf_token(them.get("/workspace").text)
        victim.cookies.set("csrftoken", them.cookies.get("csrftoken"), domain="testserver.local")
        refused = _invite(victim, their_token, "crossed@example.org")
        assert refused.status_code == 403 and "This page has expired" in refused.text
    assert not run(User.exists().where(User.email == "crossed@example.org"))


def test_the_sessions_own_token_works_and_each_sign_in_gets_a_new_one(browser):
    admin = make_user("admin")
    with browser() as client:
        sign_in(client, admin)
        first = client.cookies.get("csrftoken")
        page = client.get("/workspace/users")
        assert csrf_token(page.text) == first and f'"x-csrftoken": "{first}"' in page.text  # forms and htmx's header
        assert _invite(client, csrf_token(page.text), f"ok-{first[:6]}@example.org").status_code == 200
        sign_in(client, admin)
        assert client.cookies.get("csrftoken") != first
        client.cookies.set("csrftoken", first, domain="testserver.local")
        assert _invite(client, first, f"stale-{first[:6]}@example.org").status_code == 403  # the old session's token


def test_a_session_without_a_bound_token_signs_in_again(browser):
    admin = make_user("admin")
    with browser() as client:
        sign_in(client, admin)
        client.cookies.delete("csrftoken")
        client.get("/")  # the CSRF middleware hands out a fresh anonymous token
        response = client.get("/workspace", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_public_forms_keep_working_signed_out_and_signed_in(browser):
    admin = make_user("admin")
    with browser() as family:
        page = family.get("/withdraw")
        response = family.post("/withdraw", data={"_csrf_token": csrf_token(page.text), "reference": "NOT-A-REAL-ONE"})
        assert response.status_code != 403
    with browser() as officer:
        sign_in(officer, admin)
        page = officer.get("/withdraw")
        response = officer.post("/withdraw", data={"_csrf_token": csrf_token(page.text), "reference": "NOT-A-REAL-ONE"})
        assert response.status_code != 403
        assert officer.get("/workspace").status_code == 200
