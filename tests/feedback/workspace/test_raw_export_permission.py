"""Raw answers follow manage permission on every route (CSV, XLSX, the JSON API and the reporting
API): sharing a survey's results with a forum team gives that team the aggregated results, never
the rows. Admins, officers and the forum team that runs a survey export; a team it is shared with
and any other team get a 404 (or 403 on the token API), and see no export links."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar.testing import TestClient

from surveys.instrument import built_in_instruments
from surveys.runs import get_run_by_id, open_run
from surveys.tables import SurveyRun
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import signed_in, text_of

RAW_ROUTES = ("/workspace/surveys/{id}/export.csv", "/workspace/surveys/{id}/export.xlsx", "/api/surveys/{id}/responses")


@pytest.fixture(scope="module")
def shared_survey():
    """A forum team's own survey with 3 answers, its results shared with a second team."""
    owner, shared, other = (f"forum-{uuid.uuid4().hex[:6]}" for _ in range(3))
    survey = run(open_run(built_in_instruments()["annual-send-parent"], slug=f"raw-{uuid.uuid4().hex[:8]}",
                          title="Forum survey", team=owner))
    run(SurveyRun.update({SurveyRun.shared_with: [shared]}).where(SurveyRun.id == survey.id))
    survey = run(get_run_by_id(survey.id))
    for i in range(3):
        run(submitted(survey, valid_answers(survey.instrument, 900 + i)))
    return survey, owner, shared, other


@pytest.mark.parametrize("who,allowed", [("admin", True), ("officer", True), ("owner", True),
                                         ("shared", False), ("other", False)])
def test_raw_exports_follow_manage_permission(app, shared_survey, who, allowed):
    survey, owner, shared, other = shared_survey
    client = {"admin": lambda: signed_in(app, role="admin"), "officer": lambda: signed_in(app),
              "owner": lambda: signed_in(app, role="pcv", team=owner),
              "shared": lambda: signed_in(app, role="pcv", team=shared),
              "other": lambda: signed_in(app, role="pcv", team=other)}[who]()
    for route in RAW_ROUTES:
        got = client.get(route.format(id=survey.id))
        assert got.status_code == (200 if allowed else 404), (route, got.status_code)
        if allowed and route.endswith("responses"):
            assert got.json()["count"] == 3
        if allowed and route.endswith(".csv"):
            assert len(got.text.strip().splitlines()) == 4  # header and three answers
    survey_page = client.get(f"/workspace/surveys/{survey.id}")
    if who == "other":
        assert survey_page.status_code == 404
    else:
        assert survey_page.status_code == 200
        assert ("export.csv" in survey_page.text) is allowed and ("export.xlsx" in survey_page.text) is allowed
    if who == "shared":
        # the aggregated results are still theirs
        assert client.get(f"/workspace/surveys/{survey.id}/analysis").status_code == 200
        assert "individual answers" in text_of(survey_page.text)


def _token(client, team: str) -> str:
    page = client.get("/workspace/api-tokens")
    made = client.post("/workspace/api-tokens", data={"_csrf_token": csrf_token(page.text), "name": "Power Query",
                                                      "team": team, "days": "30", "responses": "yes"})
    assert made.status_code == 200, text_of(made.text)[:800]
    return re.search(r'id="new-token">([^<]+)<', made.text).group(1).strip()


def test_a_token_scoped_to_a_team_the_survey_is_shared_with_reads_figures_not_rows(app, shared_survey):
    survey, owner, shared, _ = shared_survey
    officer = signed_in(app)
    shared_token, owner_token = _token(officer, shared), _token(officer, owner)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        def get(token, what):
            return client.get(f"/api/reporting/surveys/{survey.id}/{what}", headers={"Authorization": f"Bearer {token}"})
        assert get(shared_token, "figures").status_code == 200
        assert get(shared_token, "responses").status_code == 403
        rows = get(owner_token, "responses")
        assert rows.status_code == 200 and rows.json()["paging"]["total"] == 3
