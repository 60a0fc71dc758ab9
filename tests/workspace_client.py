"""A workspace user signed in over HTTP, and page text as a person reads it (for the HTTP tests)."""

from __future__ import annotations

import re
import uuid
from html import unescape

from litestar.testing import TestClient

from feedback.accounts.auth import create_user
from surveys.instrument import built_in_instruments
from surveys.runs import open_run
from tests.conftest import run, unique_slug
from tests.walker import csrf_token

PASSWORD = "a long enough test password"



def signed_in(app, role: str = "officer", team: str = "partnership") -> TestClient:
    """A new user with this role and team, signed in at /login; `client.email` is who they are."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    run(create_user(email, role, password=PASSWORD, team=team))
    client = TestClient(app=app, base_url="http://testserver.local")
    client.__enter__()
    page = client.get("/login")
    client.post("/login", data={"_csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD}, follow_redirects=False)
    client.email = email
    return client


def text_of(html: str) -> str:
    """The words on a page, tags dropped and white space folded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))



def make_user(role: str, team: str = "partnership") -> str:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    run(create_user(email, role, password=PASSWORD, team=team))
    return email


def sign_in(client, email: str, password: str = PASSWORD, next_url: str = "/workspace"):
    page = client.get("/login")
    return client.post("/login", data={"_csrf_token": csrf_token(page.text), "email": email, "password": password, "next": next_url}, follow_redirects=False)


def open_survey(team: str | None = None, key: str = "annual-send-young-person"):
    return run(open_run(built_in_instruments()[key], slug=unique_slug("ws"), team=team))
