"""Passwords: 12 characters or more, and refused when common or guessable (zxcvbn, with the person's
email and team as words it knows), wherever one is set: invitations and `feedback create-user`."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import pytest

from feedback.accounts.auth import create_user, password_problem
from feedback.accounts.tables import User
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import PASSWORD, make_user, sign_in

WEAK = ["            ", "aaaaaaaaaaaa", "password1234", "qwertyuiop12", "123456789012", "Password123!"]


@pytest.mark.parametrize("password", WEAK)
def test_common_or_repetitive_passwords_are_refused(password):
    problem = password_problem(password)
    assert problem and problem.startswith("This password would be easy to guess")


def test_a_password_made_of_the_persons_email_is_refused():
    email = "jo.bloggs@council.example.org"
    for guessable in (email, "councilbloggs", "bloggs123456"):
        assert password_problem(guessable, email) is not None
        assert password_problem(guessable) is None  # only guessable because of who they are
    assert password_problem(PASSWORD, email) is None
    assert password_problem("correct horse battery staple", email) is None


def test_length_comes_first_and_long_passwords_are_fine():
    assert password_problem("short") == "Password must be 12 characters or more"
    assert password_problem("x" * 201) == "Password must be 200 characters or fewer"
    assert password_problem("plum tractor violin " * 9) is None  # 180 characters: checked quickly


def _invite(browser) -> str:
    admin = make_user("admin")
    with browser() as client:
        sign_in(client, admin)
        page = client.get("/workspace/users")
        invited = client.post("/workspace/users", data={"_csrf_token": csrf_token(page.text), "email": f"new-{uuid.uuid4().hex[:6]}@example.org", "role": "officer"})
        return re.search(r'id="invitation-link">[^<]*(/invitation/[^<\s]+)<', invited.text).group(1)


@pytest.mark.parametrize("password", ["            ", "aaaaaaaaaaaa"])
def test_an_invitation_refuses_a_guessable_password_and_stays_usable(browser, password):
    link = _invite(browser)
    with browser() as newcomer:
        form = newcomer.get(link)
        refused = newcomer.post(link, data={"_csrf_token": csrf_token(form.text), "password": password, "confirm": password})
        assert refused.status_code == 422
        assert "govuk-error-summary" in refused.text and "This password would be easy to guess" in refused.text
        done = newcomer.post(link, data={"_csrf_token": csrf_token(form.text), "password": PASSWORD, "confirm": PASSWORD}, follow_redirects=False)
        assert done.status_code == 303  # the invitation was not used up by the refusal


def test_an_invitation_refuses_the_invited_persons_own_email(browser):
    link = _invite(browser)
    email = run(User.select(User.email).order_by(User.id, ascending=False).first())["email"]
    with browser() as newcomer:
        form = newcomer.get(link)
        weak = email
        refused = newcomer.post(link, data={"_csrf_token": csrf_token(form.text), "password": weak, "confirm": weak})
        assert refused.status_code == 422 and "easy to guess" in refused.text


def test_create_user_refuses_a_weak_password(tmp_path):
    email = f"cli-{uuid.uuid4().hex[:6]}@example.org"
    result = subprocess.run([sys.executable, "-m", "feedback", "create-user", "--email", email, "--role", "admin"],
                            input="aaaaaaaaaaaa\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "easy to guess" in result.stderr
    assert not run(User.exists().where(User.email == email))
    with pytest.raises(ValueError, match="easy to guess"):
        run(create_user(f"x-{uuid.uuid4().hex[:6]}@example.org", "officer", password="            "))
