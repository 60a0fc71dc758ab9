"""An officer opens one response from the results (a comment in a theme): that person's answers,
only for those who manage the survey, only while the respondent takes part (not withdrawn, not
erased), every opening audited. Everything else is a 404, as if the response did not exist."""

from __future__ import annotations

import re
import uuid

import pytest

from consent.records import record_withdrawal
from feedback.accounts.tables import AuditEntry
from surveys.data_rights import erase_response
from surveys.instrument import built_in_instruments
from surveys.runs import get_run_by_id, open_run
from surveys.tables import SurveyRun
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import run
from tests.workspace_client import signed_in, text_of

COMMENT = 'The taxi never came <b hx-get="/x">twice</b> and nobody rang us back'


@pytest.fixture(scope="module")
def world():
    """A forum team's survey shared with a second team, a response with a comment, and another survey."""
    owner, shared, other = (f"forum-{uuid.uuid4().hex[:6]}" for _ in range(3))
    instrument = built_in_instruments()["annual-send-parent"]
    survey = run(open_run(instrument, slug=f"one-{uuid.uuid4().hex[:8]}", title="Forum survey", team=owner))
    run(SurveyRun.update({SurveyRun.shared_with: [shared]}).where(SurveyRun.id == survey.id))
    survey = run(get_run_by_id(survey.id))
    drafts = [run(submitted(survey, valid_answers(survey.instrument, 950 + i, could_be_better=COMMENT,
                                                  overall_satisfaction="dissatisfied")))
              for i in range(3)]
    elsewhere = run(open_run(instrument, slug=f"one-{uuid.uuid4().hex[:8]}", title="Another survey"))
    stranger = run(submitted(elsewhere, valid_answers(elsewhere.instrument, 990)))
    return {"survey": survey, "drafts": drafts, "elsewhere": elsewhere, "stranger": stranger,
            "teams": {"owner": owner, "shared": shared, "other": other}}


def _client(app, world, who):
    teams = world["teams"]
    if who in ("admin", "officer"):
        return signed_in(app, role=who)
    return signed_in(app, role="pcv", team=teams[who])


@pytest.mark.parametrize("who,allowed", [("admin", True), ("officer", True), ("owner", True),
                                         ("shared", False), ("other", False)])
def test_who_may_open_a_response(app, world, who, allowed):
    survey, draft = world["survey"], world["drafts"][0]
    client = _client(app, world, who)
    page = client.get(f"/workspace/surveys/{survey.id}/responses/{draft.id}")
    assert page.status_code == (200 if allowed else 404)
    opened = run(AuditEntry.select().where((AuditEntry.action == "response_opened") & (AuditEntry.actor == client.email)))
    if not allowed:
        assert COMMENT not in page.text and "taxi never came" not in page.text
        assert opened == []
        return
    words = text_of(page.text)
    assert f"Response {draft.id}" in words and "Dissatisfied" in words
    # the comment is shown as text, inside an hx-disable region, never as markup
    assert "taxi never came" in words and '<b hx-get="/x">' not in page.text
    assert re.search(r'<dd[^>]*hx-disable[^>]*>The taxi never came &lt;b', page.text)
    assert len(opened) == 1 and opened[0]["object"] == survey.slug and str(draft.id) in opened[0]["detail"]
    assert "taxi" not in opened[0]["detail"] and opened[0]["at"] is not None  # who, which, when


def test_a_response_of_another_survey_is_a_404_through_this_one(app, world):
    officer = signed_in(app)
    assert officer.get(f"/workspace/surveys/{world['survey'].id}/responses/{world['stranger'].id}").status_code == 404
    assert officer.get(f"/workspace/surveys/{world['elsewhere'].id}/responses/{world['stranger'].id}").status_code == 200
    assert officer.get(f"/workspace/surveys/{world['survey'].id}/responses/999999999").status_code == 404
    assert officer.get(f"/workspace/surveys/999999999/responses/{world['stranger'].id}").status_code == 404


def test_withdrawn_and_erased_responses_are_never_shown(app, world):
    survey, drafts = world["survey"], world["drafts"]
    officer = signed_in(app)
    run(record_withdrawal(drafts[1].respondent_id, ["participation"]))  # answers still stored
    run(erase_response(drafts[2]))
    for draft in drafts[1:]:
        page = officer.get(f"/workspace/surveys/{survey.id}/responses/{draft.id}")
        assert page.status_code == 404 and "taxi never came" not in page.text
    assert run(AuditEntry.select().where((AuditEntry.action == "response_opened") & (AuditEntry.actor == officer.email))) == []


def test_signed_out_people_are_sent_to_sign_in(client, world):
    got = client.get(f"/workspace/surveys/{world['survey'].id}/responses/{world['drafts'][0].id}", follow_redirects=False)
    assert got.status_code in (302, 303) and "taxi" not in got.text


def test_an_officer_opens_a_response_from_a_comment_in_a_theme_and_comes_back(app, world):
    survey, draft = world["survey"], world["drafts"][0]
    officer = signed_in(app)
    review = officer.get(f"/workspace/surveys/{survey.id}/themes/review?show=all")
    assert review.status_code == 200
    link = f"/workspace/surveys/{survey.id}/responses/{draft.id}"
    assert f'href="{link}' in review.text
    # the link brings the officer back to the same queue
    from_review = officer.get(re.search(rf'href="({link}[^"]*)"', review.text).group(1).replace("&amp;", "&"))
    assert from_review.status_code == 200
    assert re.search(rf'href="/workspace/surveys/{survey.id}/themes/review\?show=[a-z]+&amp;theme=&amp;page=1" class="govuk-back-link"', from_review.text)
    page = officer.get(link, params={"back": f"/workspace/surveys/{survey.id}/themes/review?show=all"})
    assert page.status_code == 200
    assert f'href="/workspace/surveys/{survey.id}/themes/review?show=all"' in page.text
    # a "back" address outside this survey is ignored
    sneaky = officer.get(link, params={"back": "https://example.org/"})
    assert 'href="https://example.org/"' not in sneaky.text
    assert f'href="/workspace/surveys/{survey.id}/analysis" class="govuk-back-link"' in sneaky.text
    # a forum team the survey is shared with sees the comment in the review but no link to the person
    forum = _client(app, world, "shared")
    shared_review = forum.get(f"/workspace/surveys/{survey.id}/themes/review?show=all")
    assert shared_review.status_code == 200 and f'href="{link}' not in shared_review.text


@pytest.mark.parametrize("who,allowed", [("admin", True), ("owner", True), ("shared", False), ("other", False)])
def test_an_officer_opens_the_responses_behind_a_figure(app, world, who, allowed):
    """From a question's figures on the results page to the people counted in one answer, then to
    one of them and back. Runs after the withdrawal test: only the first response still counts."""
    survey, drafts = world["survey"], world["drafts"]
    client = _client(app, world, who)
    results = client.get(f"/workspace/surveys/{survey.id}/analysis")
    link = f"/workspace/surveys/{survey.id}/responses?question=overall_satisfaction&amp;answer=dissatisfied"
    listing = client.get(f"/workspace/surveys/{survey.id}/responses", params={"question": "overall_satisfaction", "answer": "dissatisfied"})
    listed = run(AuditEntry.select().where((AuditEntry.action == "responses_listed") & (AuditEntry.actor == client.email)))
    if not allowed:
        assert results.status_code in (200, 404) and link not in results.text  # a shared team sees figures, no people
        assert listing.status_code == 404 and listed == []
        return
    assert results.status_code == 200 and link in results.text
    assert listing.status_code == 200
    words = text_of(listing.text)
    assert "1 response answered “Dissatisfied”" in words
    ids = re.findall(rf'href="/workspace/surveys/{survey.id}/responses/(\d+)\?back=', listing.text)
    assert ids == [str(drafts[0].id)]  # the withdrawn and the erased are not counted, nor listed
    assert len(listed) == 1 and "overall_satisfaction" in listed[0]["detail"]
    opened = client.get(re.search(r'href="(/workspace/surveys/\d+/responses/\d+\?back=[^"]+)"', listing.text).group(1).replace("&amp;", "&"))
    assert opened.status_code == 200 and "taxi never came" in text_of(opened.text)
    assert re.search(rf'href="/workspace/surveys/{survey.id}/responses\?question=overall_satisfaction&amp;answer=dissatisfied&amp;page=1" class="govuk-back-link"', opened.text)


def test_the_responses_behind_a_figure_refuse_questions_and_answers_that_are_not_choices(app, world):
    officer = signed_in(app)
    survey = world["survey"]
    for params in ({"question": "could_be_better", "answer": "x"}, {"question": "overall_satisfaction", "answer": "<b>"},
                   {"question": "no_such_question", "answer": "yes"}, {}):
        assert officer.get(f"/workspace/surveys/{survey.id}/responses", params=params).status_code == 404
    empty = officer.get(f"/workspace/surveys/{survey.id}/responses", params={"question": "overall_satisfaction", "answer": "very_satisfied", "page": "99"})
    assert empty.status_code == 200 and "Nobody gave this answer." in empty.text
