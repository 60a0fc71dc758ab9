"""API tokens for reporting tools: made on the workspace screen (shown once, hashed at rest), used as
`Authorization: Bearer`, read published figures page by page, refused after revocation or expiry,
never reading another team's survey, responses only for officers' tokens that allow it, audited,
and the endpoints described in the OpenAPI document."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from litestar.testing import TestClient

from feedback.accounts.tables import AuditEntry
from feedback.reporting.tables import ApiToken
from surveys.instrument import built_in_instruments
from surveys.runs import open_run
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import signed_in, text_of


@pytest.fixture(scope="module")
def surveys():
    """A partnership survey with 24 answers, and a forum team's own survey."""
    instrument = built_in_instruments()["annual-send-parent"]
    ours = run(open_run(instrument, slug=f"api-{uuid.uuid4().hex[:8]}", title="Partnership survey"))
    for i in range(24):
        run(submitted(ours, valid_answers(ours.instrument, 600 + i, overall_satisfaction="satisfied" if i < 18 else "dissatisfied")))
    team = f"forum-{uuid.uuid4().hex[:6]}"
    theirs = run(open_run(instrument, slug=f"api-{uuid.uuid4().hex[:8]}", title="Forum survey", team=team))
    run(submitted(theirs, valid_answers(theirs.instrument, 650)))
    return ours, theirs, team


def make_token(client, **fields) -> str:
    page = client.get("/workspace/api-tokens")
    assert page.status_code == 200
    data = {"_csrf_token": csrf_token(page.text), "name": "Power BI board dashboard", "team": "partnership", "days": "30", **fields}
    made = client.post("/workspace/api-tokens", data=data)
    assert made.status_code == 200, text_of(made.text)[:1500]
    return re.search(r'id="new-token">([^<]+)<', made.text).group(1).strip()


def api(app, token: str | None, path: str, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with TestClient(app=app, base_url="http://testserver.local") as client:
        return client.get(path, headers=headers, params=params)


def test_a_token_reads_published_figures_and_is_refused_after_revocation(app, surveys):
    ours, _, _ = surveys
    officer = signed_in(app)
    token = make_token(officer)
    assert token.startswith("sendfb_")
    # hashed at rest: the token itself is nowhere in the table
    row = run(ApiToken.select().where(ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest()).first())
    assert row and token not in str(row) and row["prefix"] == token[:11]
    first = api(app, token, f"/api/reporting/surveys/{ours.id}/figures", per_page=50)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["paging"]["page"] == 1 and body["paging"]["total"] > 50 and body["paging"]["next_page"] == 2
    assert len(body["figures"]) == 50
    everything = api(app, token, f"/api/reporting/surveys/{ours.id}/figures", per_page=1000).json()["figures"]
    headline = [f for f in everything if f["question"] == "overall_satisfaction" and f["kind"] == "positive" and f["breakdown"] == "All respondents"]
    assert headline and headline[0]["count"] == 18 and headline[0]["base"] == 24
    # disclosure control: every small group is null and flagged, never a number
    everything = api(app, token, f"/api/reporting/surveys/{ours.id}/figures", per_page=1000).json()["figures"]
    for figure in everything:
        if figure["count"] is not None:
            assert not 1 <= figure["count"] <= 4, figure
        if figure["base"] is not None and figure["kind"] != "not in base":
            assert figure["base"] >= 10, figure
    assert any(f["suppressed"] for f in everything)
    listed = api(app, token, "/api/reporting/surveys").json()["surveys"]
    assert ours.id in [s["id"] for s in listed]
    themes = api(app, token, f"/api/reporting/surveys/{ours.id}/themes")
    assert themes.status_code == 200 and "themes" in themes.json()
    # revoked on the screen: refused from then on
    page = officer.get("/workspace/api-tokens")
    revoke = officer.post(f"/workspace/api-tokens/{row['id']}/revoke", data={"_csrf_token": csrf_token(page.text)}, follow_redirects=False)
    assert revoke.status_code == 303
    refused = api(app, token, f"/api/reporting/surveys/{ours.id}/figures")
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert "Revoked" in text_of(officer.get("/workspace/api-tokens").text)
    actions = {r["action"] for r in run(AuditEntry.select(AuditEntry.action).where(AuditEntry.actor == officer.email))}
    assert {"api_token_created", "api_token_used", "api_token_revoked"} <= actions
    details = " ".join(r["detail"] for r in run(AuditEntry.select(AuditEntry.detail).where(AuditEntry.actor == officer.email)))
    assert token not in details


def test_a_token_cannot_read_another_teams_survey(app, surveys):
    ours, theirs, team = surveys
    forum = signed_in(app, role="pcv", team=team)
    forum_token = make_token(forum, team=team)
    assert api(app, forum_token, f"/api/reporting/surveys/{theirs.id}/figures").status_code == 200
    assert api(app, forum_token, f"/api/reporting/surveys/{ours.id}/figures").status_code == 404
    assert api(app, forum_token, f"/api/reporting/surveys/{ours.id}/themes").status_code == 404
    assert [s["id"] for s in api(app, forum_token, "/api/reporting/surveys").json()["surveys"]] == [theirs.id]
    # a forum member cannot give a token another team's scope, nor the responses
    page = forum.get("/workspace/api-tokens")
    refused = forum.post("/workspace/api-tokens", data={"_csrf_token": csrf_token(page.text), "name": "x", "team": "partnership",
                                                        "days": "30", "responses": "yes"})
    assert refused.status_code == 422 and "govuk-error-summary" in refused.text
    assert api(app, forum_token, f"/api/reporting/surveys/{theirs.id}/responses").status_code == 403
    # an officer's partnership token does not read the forum's own survey either (scoped to one team)
    officer_token = make_token(signed_in(app))
    assert api(app, officer_token, f"/api/reporting/surveys/{theirs.id}/figures").status_code == 404
    # another forum member cannot revoke someone else's token
    stranger = signed_in(app, role="pcv", team=f"forum-{uuid.uuid4().hex[:6]}")
    token_id = run(ApiToken.select(ApiToken.id).order_by(ApiToken.id, ascending=False).first())["id"]
    page = stranger.get("/workspace/api-tokens")
    assert stranger.post(f"/workspace/api-tokens/{token_id}/revoke", data={"_csrf_token": csrf_token(page.text)}).status_code == 404


def test_responses_need_an_officers_token_made_to_read_them(app, surveys):
    ours, _, _ = surveys
    officer = signed_in(app)
    figures_only = make_token(officer)
    assert api(app, figures_only, f"/api/reporting/surveys/{ours.id}/responses").status_code == 403
    reader = make_token(officer, responses="yes")
    page = api(app, reader, f"/api/reporting/surveys/{ours.id}/responses", per_page=10)
    assert page.status_code == 200
    body = page.json()
    assert body["paging"]["total"] == 24 and len(body["responses"]) == 10 and body["paging"]["next_page"] == 2
    last = api(app, reader, f"/api/reporting/surveys/{ours.id}/responses", per_page=10, page=3).json()
    assert len(last["responses"]) == 4 and last["paging"]["next_page"] is None


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer nonsense", "Basic abc", "Bearer sendfb_" + "x" * 43, "Bearer " + "sendfb_" + "y" * 200])
def test_missing_or_bad_tokens_are_refused(app, surveys, header):
    ours, _, _ = surveys
    with TestClient(app=app, base_url="http://testserver.local") as client:
        page = client.get(f"/api/reporting/surveys/{ours.id}/figures", headers={"Authorization": header} if header else {})
    assert page.status_code == 401


def test_expired_tokens_and_bad_paging_are_refused_clearly(app, surveys):
    ours, _, _ = surveys
    token = make_token(signed_in(app))
    assert api(app, token, f"/api/reporting/surveys/{ours.id}/figures", per_page=0).status_code == 400
    assert api(app, token, f"/api/reporting/surveys/{ours.id}/figures", page="x").status_code == 400
    assert api(app, token, f"/api/reporting/surveys/{ours.id}/figures", per_page=5000).status_code == 400
    run(ApiToken.update({ApiToken.expires_at: datetime.now(timezone.utc) - timedelta(seconds=1)})
        .where(ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest()))
    assert api(app, token, f"/api/reporting/surveys/{ours.id}/figures").status_code == 401


def test_the_token_form_explains_bad_input(app):
    officer = signed_in(app)
    page = officer.get("/workspace/api-tokens")
    bad = officer.post("/workspace/api-tokens", data={"_csrf_token": csrf_token(page.text), "name": " ", "team": "nobody", "days": "9999"})
    assert bad.status_code == 422
    text = text_of(bad.text)
    assert "Enter a name for the token" in text and "Select whose surveys" in text and "from 1 to 366" in text


def test_reporting_endpoints_are_in_the_openapi_document(app):
    with TestClient(app=app, base_url="http://testserver.local") as client:
        schema = client.get("/schema/openapi.json").json()
    for path in ("/api/reporting/surveys", "/api/reporting/surveys/{run_id}/figures",
                 "/api/reporting/surveys/{run_id}/themes", "/api/reporting/surveys/{run_id}/responses"):
        assert path in schema["paths"], sorted(schema["paths"])
    figures = schema["paths"]["/api/reporting/surveys/{run_id}/figures"]["get"]
    assert {p["name"] for p in figures["parameters"]} >= {"page", "per_page"}
    assert "BearerToken" in str(figures.get("security"))
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
