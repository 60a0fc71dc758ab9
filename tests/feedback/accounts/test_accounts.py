"""Accounts: sign-in, sessions, CSRF on workspace posts, and the admin's user management and audit log."""

from __future__ import annotations

import re
import uuid

from feedback.accounts.audit import recent
from feedback.accounts.tables import User
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import PASSWORD, make_user, sign_in


# --- signing in ------------------------------------------------------------------------------


def test_sign_in_rotates_the_session_and_sign_out_ends_it(browser):
    email = make_user("officer")
    with browser() as client:
        client.cookies.set("session", "made-up-before-sign-in", domain="testserver.local")
        wrong = sign_in(client, email, "not the password")
        assert wrong.status_code == 422 and "Enter a correct email address and password" in wrong.text
        unknown = sign_in(client, "nobody@example.org")
        assert unknown.status_code == 422 and "Enter a correct email address and password" in unknown.text
        ok = sign_in(client, email)
        assert ok.status_code == 303 and ok.headers["location"] == "/workspace"
        first = client.cookies.get("session")
        assert first and first != "made-up-before-sign-in"
        assert "HttpOnly" in ok.headers["set-cookie"] and "SameSite=lax" in ok.headers["set-cookie"]
        sign_in(client, email)
        second = client.cookies.get("session")
        assert second != first  # a new id every sign-in
        with browser() as thief:
            thief.cookies.set("session", first, domain="testserver.local")
            assert thief.get("/workspace", follow_redirects=False).status_code == 303  # the old id is dead
        assert client.get("/workspace").status_code == 200
        page = client.get("/workspace")
        client.post("/logout", data={"_csrf_token": csrf_token(page.text)})
        assert client.get("/workspace", follow_redirects=False).headers["location"].startswith("/login")
    actions = [e.action for e in run(recent(50)) if e.actor == email]
    assert "sign_in" in actions and "sign_in_failed" in actions


def test_repeated_wrong_passwords_are_slowed_down(browser):
    email = make_user("officer")
    with browser() as client:
        for _ in range(5):
            assert sign_in(client, email, "wrong password!!").status_code == 422
        assert sign_in(client, email).status_code == 429  # even the right one, for a while


def test_next_only_returns_to_the_workspace(browser):
    email = make_user("officer")
    with browser() as client:
        assert sign_in(client, email, next_url="https://evil.example/").headers["location"] == "/workspace"
        assert sign_in(client, email, next_url="//evil.example").headers["location"] == "/workspace"
        assert sign_in(client, email, next_url="/workspace/users").headers["location"] == "/workspace/users"


def test_workspace_posts_need_the_csrf_token(browser):
    email = make_user("admin")
    with browser() as client:
        sign_in(client, email)
        refused = client.post("/workspace/users", data={"email": "x@example.org", "role": "officer"})
        assert refused.status_code == 403 and "This page has expired" in refused.text


# --- the permission matrix -------------------------------------------------------------------


# --- users -----------------------------------------------------------------------------------


def test_admin_invites_a_user_who_sets_a_password_and_signs_in(browser):
    admin = make_user("admin")
    new_email = f"new-{uuid.uuid4().hex[:6]}@example.org"
    with browser() as client:
        sign_in(client, admin)
        page = client.get("/workspace/users")
        invited = client.post("/workspace/users", data={"_csrf_token": csrf_token(page.text), "email": new_email, "role": "pcv", "team": "north-forum"})
        link = re.search(r'id="invitation-link">[^<]*(/invitation/[^<\s]+)<', invited.text).group(1)
        duplicate = client.post("/workspace/users", data={"_csrf_token": csrf_token(page.text), "email": new_email, "role": "officer"})
        assert duplicate.status_code == 422 and "already an account" in duplicate.text
    with browser() as newcomer:
        form = newcomer.get(link)
        short = newcomer.post(link, data={"_csrf_token": csrf_token(form.text), "password": "short", "confirm": "short"})
        assert short.status_code == 422 and "12 characters or more" in short.text
        done = newcomer.post(link, data={"_csrf_token": csrf_token(form.text), "password": PASSWORD, "confirm": PASSWORD}, follow_redirects=True)
        assert done.status_code == 200 and "north-forum" in done.text
        # The form's token is from before sign-in: renewed at sign-in, it no longer works at all.
        stale = newcomer.post(link, data={"_csrf_token": csrf_token(form.text), "password": PASSWORD, "confirm": PASSWORD})
        assert stale.status_code == 403
        again = newcomer.get(link)
        reused = newcomer.post(link, data={"_csrf_token": csrf_token(again.text), "password": PASSWORD, "confirm": PASSWORD})
        assert reused.status_code == 422 and "expired or has already been used" in reused.text
    with browser() as someone_else:
        form = someone_else.get(link)
        reused = someone_else.post(link, data={"_csrf_token": csrf_token(form.text), "password": PASSWORD, "confirm": PASSWORD})
        assert reused.status_code == 422 and "expired or has already been used" in reused.text


def test_role_changes_and_disabling_take_effect_at_once(browser):
    admin = make_user("admin")
    officer = make_user("officer")
    from feedback.accounts.tables import User

    officer_id = run(User.select(User.id).where(User.email == officer).first())["id"]
    with browser() as them, browser() as boss:
        sign_in(them, officer)
        assert them.get("/workspace").status_code == 200
        sign_in(boss, admin)
        page = boss.get("/workspace/users")
        boss.post(f"/workspace/users/{officer_id}", data={"_csrf_token": csrf_token(page.text), "action": "role", "role": "pcv"})
        assert them.get("/workspace", follow_redirects=False).status_code == 303  # signed out by the change
        boss.post(f"/workspace/users/{officer_id}", data={"_csrf_token": csrf_token(page.text), "action": "disable"})
        assert sign_in(them, officer).status_code == 422
        audit_page = boss.get("/workspace/audit")
        assert "user role changed" in audit_page.text and "user disabled" in audit_page.text


def test_an_invitation_to_an_address_with_markup_is_refused_with_a_clear_message(browser):
    admin = make_user("admin")
    with browser() as client:
        sign_in(client, admin)
        for address in ['"><img src=x>@x.org', "a<b>@x.org", "name@localhost", "two@@x.org", "name@x", "name@x.test"]:
            page = client.get("/workspace/users")
            refused = client.post("/workspace/users", data={"_csrf_token": csrf_token(page.text), "email": address, "role": "officer"})
            assert refused.status_code == 422, address
            assert "govuk-error-summary" in refused.text
            assert "Enter an email address in the correct format, like name@example.com" in refused.text
            assert "<img src=x>" not in refused.text
            assert run(User.count().where(User.email == address.lower())) == 0
        page = client.get("/workspace/users")
        unique = uuid.uuid4().hex[:8]
        accepted = client.post("/workspace/users", data={"_csrf_token": csrf_token(page.text), "email": f" Jo.Bloggs.{unique}@Council.GOV.uk ", "role": "officer"})
        assert accepted.status_code == 200
        assert run(User.exists().where(User.email == f"jo.bloggs.{unique}@council.gov.uk"))
