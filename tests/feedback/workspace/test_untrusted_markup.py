"""A forum member's markup stays text: the poster's QR code (issue 11's critical finding) and
every workspace page that shows a survey title."""

from __future__ import annotations

import uuid

from tests.markup_scan import findings, text_outside_hx_disable
from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in

ISSUE_PAYLOAD = (
    'Short breaks"><div hx-post="/workspace/users/16" hx-vals=\'{"action":"role","role":"admin"}\' '
    'hx-trigger="load" hx-swap="none" data-pwn></div><svg x="'
)


def _open_as_forum_member(client, title: str) -> int:
    page = client.get("/workspace/surveys/new")
    response = client.post("/workspace/surveys/new", data={
        "_csrf_token": csrf_token(page.text), "instrument": "annual-send-parent",
        "slug": f"poster-{uuid.uuid4().hex[:8]}", "title": title, "variants": "standard",
    }, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return int(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])


def test_poster_shows_a_forum_members_title_as_text_to_an_admin(browser):
    team = f"forum-{uuid.uuid4().hex[:6]}"
    with browser() as forum, browser() as admin:
        sign_in(forum, make_user("pcv", team))
        run_id = _open_as_forum_member(forum, ISSUE_PAYLOAD)
        sign_in(admin, make_user("admin"))
        poster = admin.get(f"/workspace/surveys/{run_id}/poster")
        assert poster.status_code == 200
        assert findings(poster.text) == []
        assert 'hx-post="/workspace/users/16"' not in poster.text
        # The title is still there, as text people can read (and in the QR code's label).
        assert "Short breaks&#34;&gt;&lt;div hx-post=" in poster.text or "Short breaks&quot;&gt;&lt;div hx-post=" in poster.text
        assert text_outside_hx_disable(poster.text) == []
        qr = admin.get(f"/workspace/surveys/{run_id}/qr.svg")
        assert qr.status_code == 200 and findings(qr.text) == []
