"""Object-level permissions on every parameter, beside test_permission_matrix (which covers the ids in
paths): query parameters and form fields that name a survey, update, quote, comment, draft or user are
checked against the signed-in role and team. A forum member reads nothing of a survey they cannot
open, through any parameter, and changes nothing of another team's."""

from __future__ import annotations

import io
import uuid
from html import unescape

import pytest

from feedback.accounts.tables import User
from feedback.publishing.quotes import APPROVED, Quote, quotes_for_run, refresh_candidates
from feedback.publishing.tables import Update
from feedback.publishing.updates import save_update
from surveys.tables import Response as ResponseRow
from tests.conftest import run
from tests.feedback.publishing.test_quotes import make_survey
from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in


def _approved_quote(survey) -> Quote:
    run(refresh_candidates(survey, "tests"))
    quote = run(quotes_for_run(survey.id))[0]
    text = f"Only {survey.slug} may read this: the short breaks list closed in {uuid.uuid4().hex[:8]}."
    run(Quote.update({Quote.status: APPROVED, Quote.text: text}).where(Quote.id == quote.id))
    return run(Quote.objects().where(Quote.id == quote.id).first())


def _update(run_id: int, team: str | None, title: str) -> Update:
    return run(save_update({"run": run_id, "themes": [], "title": title, "you_said": "Phones.", "we_did": "A helpline.",
                            "easy_read_you_said": "", "easy_read_we_did": "", "owner": "", "status": "planned", "reason": "",
                            "progress": 0, "due_on": ""}, actor="tests", team=team))


@pytest.fixture(scope="module")
def world():
    teams = {"a": f"forum-a-{uuid.uuid4().hex[:6]}", "b": f"forum-b-{uuid.uuid4().hex[:6]}"}
    survey_a, _ = make_survey(team=teams["a"])
    survey_b, _ = make_survey(team=teams["b"])
    quote_a, quote_b = _approved_quote(survey_a), _approved_quote(survey_b)
    return {
        "teams": teams, "survey_a": survey_a, "survey_b": survey_b, "quote_a": quote_a, "quote_b": quote_b,
        "update_a": _update(survey_a.id, teams["a"], "Team A's update"),
        "update_b": _update(survey_b.id, teams["b"], "Team B's update"),
        "pcv_a": make_user("pcv", teams["a"]), "officer": make_user("officer"),
        "response_b": run(ResponseRow.select(ResponseRow.id).where(ResponseRow.run == survey_b.id).first())["id"],
    }


def _form(who_client, page_url: str) -> str:
    return csrf_token(who_client.get(page_url).text)


def test_new_update_lists_no_quotes_of_a_survey_the_member_cannot_open(browser, world):
    with browser() as client:
        sign_in(client, world["pcv_a"])
        assert client.get(f"/workspace/surveys/{world['survey_b'].id}", follow_redirects=False).status_code == 404
        page = client.get(f"/workspace/updates/new?run={world['survey_b'].id}")
        assert page.status_code == 200
        assert world["quote_b"].text not in unescape(page.text)
        assert f'value="{world["quote_b"].id}"' not in page.text
        own = client.get(f"/workspace/updates/new?run={world['survey_a'].id}")
        assert world["quote_a"].text in unescape(own.text)  # their own survey's quotes are offered


def _update_form(token: str, run_id: int, quotes: list[int] = (), action: str = "save", title: str = "Replies within five days") -> dict:
    return {"_csrf_token": token, "action": action, "run": str(run_id), "title": title, "you_said": "Phones.", "we_did": "A helpline.",
            "status": "planned", "progress": "0", "quotes": [str(q) for q in quotes]}


def test_an_update_cannot_name_another_teams_survey_or_its_quotes(browser, world):
    title = f"Forged {uuid.uuid4().hex[:6]}"
    with browser() as client:
        sign_in(client, world["pcv_a"])
        token = _form(client, "/workspace/updates/new")
        other_run = client.post("/workspace/updates/new", data=_update_form(token, world["survey_b"].id, title=title), follow_redirects=False)
        assert other_run.status_code == 422
        other_quote = client.post("/workspace/updates/new", data=_update_form(token, world["survey_a"].id, [world["quote_b"].id], title=title), follow_redirects=False)
        assert other_quote.status_code == 422 and "only approved quotes from this survey" in other_quote.text
        assert world["quote_b"].text not in unescape(other_quote.text)
        draft = client.post("/workspace/updates/new", data=_update_form(token, world["survey_b"].id, action="draft", title=title), follow_redirects=False)
        assert draft.status_code == 422 and world["quote_b"].text not in unescape(draft.text)
        # Their own update, edited to point at another team's survey or quote.
        own = f"/workspace/updates/{world['update_a'].id}"
        token = _form(client, own)
        assert client.post(own, data=_update_form(token, world["survey_b"].id, title=title), follow_redirects=False).status_code == 422
        assert client.post(own, data=_update_form(token, world["survey_a"].id, [world["quote_b"].id], title=title), follow_redirects=False).status_code == 422
    assert not run(Update.exists().where(Update.title == title))
    assert run(Update.select(Update.run).where(Update.id == world["update_a"].id).first())["run"] == world["survey_a"].id


def test_another_teams_update_is_not_found_by_any_route(browser, world):
    other = world["update_b"].id
    with browser() as client:
        sign_in(client, world["pcv_a"])
        token = _form(client, "/workspace/updates")
        assert client.get(f"/workspace/updates/{other}").status_code == 404
        assert client.post(f"/workspace/updates/{other}", data=_update_form(token, world["survey_a"].id)).status_code == 404
        assert client.post(f"/workspace/updates/{other}/publish", data={"_csrf_token": token, "action": "publish"}).status_code == 404
        assert client.get(f"/workspace/updates/{other}/notify.csv").status_code == 404
        assert client.get(f"/workspace/updates/{other}/notice").status_code == 404
        assert "Team B's update" not in client.get("/workspace/updates").text
        bulk = client.post("/workspace/updates/bulk", data={"_csrf_token": token},
                           files={"file": ("s.csv", io.BytesIO(f"id,status,progress,note\n{other},done,100,\n".encode()), "text/csv")})
        assert bulk.status_code == 422 and "there is no update with id" in bulk.text
    assert run(Update.select(Update.status).where(Update.id == other).first())["status"] == "planned"


def test_quotes_and_comments_of_another_survey_cannot_be_reached_through_ones_own(browser, world):
    mine, theirs = world["survey_a"].id, world["survey_b"].id
    with browser() as client:
        sign_in(client, world["pcv_a"])
        token = _form(client, f"/workspace/surveys/{mine}/quotes")
        # Another survey's quote id, under one's own survey's path.
        decision = client.post(f"/workspace/surveys/{mine}/quotes/{world['quote_b'].id}", data={"_csrf_token": token, "action": "reject"})
        assert decision.status_code == 404
        assert client.post(f"/workspace/surveys/{theirs}/quotes/{world['quote_b'].id}", data={"_csrf_token": token, "action": "reject"}).status_code == 404
        # Another survey's comment, under one's own survey's theme review.
        review = client.post(f"/workspace/surveys/{mine}/themes/review", data={
            "_csrf_token": token, "action": "confirm", "response": str(world["response_b"]), "question": "could_be_better"})
        assert review.status_code == 404
        for url in (f"/workspace/surveys/{theirs}/dates", f"/workspace/surveys/{theirs}/analysis/board-report.docx",
                    f"/api/surveys/{theirs}/responses", f"/workspace/surveys/{theirs}/quotes"):
            assert client.get(url, follow_redirects=False).status_code == 404, url
    assert run(Quote.select(Quote.status).where(Quote.id == world["quote_b"].id).first())["status"] == APPROVED


def test_the_builder_cannot_copy_another_teams_survey(browser, world):
    with browser() as client:
        sign_in(client, world["pcv_a"])
        page = client.get(f"/workspace/consultations/copy?source=run-{world['survey_b'].id}")
        assert page.status_code == 200 and world["survey_b"].slug not in page.text and f'value="run-{world["survey_b"].id}"' not in page.text
        copied = client.post("/workspace/consultations/copy", data={"_csrf_token": csrf_token(page.text), "source": f"run-{world['survey_b'].id}", "title": "Stolen"}, follow_redirects=False)
        assert copied.status_code == 422 and "Select the consultation or survey to copy" in copied.text
        own = client.post("/workspace/consultations/copy", data={"_csrf_token": csrf_token(page.text), "source": f"run-{world['survey_a'].id}", "title": "Ours again"}, follow_redirects=False)
        assert own.status_code == 303


def test_only_admins_change_users_whatever_the_id(browser, world):
    target = run(User.select(User.id).where(User.email == world["officer"]).first())["id"]
    for who in ("pcv_a", "officer"):
        with browser() as client:
            sign_in(client, world[who])
            token = _form(client, "/workspace")
            for action in ({"action": "role", "role": "admin"}, {"action": "disable"}, {"action": "reset_two_factor"}):
                assert client.post(f"/workspace/users/{target}", data={"_csrf_token": token, **action}).status_code == 404
    assert run(User.select(User.role, User.disabled).where(User.id == target).first()) == {"role": "officer", "disabled": False}
