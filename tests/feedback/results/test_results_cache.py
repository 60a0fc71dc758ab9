"""The results page keeps its computed figures per survey, keyed on the last change to what they
come from: a response submitted, erased or withdrawn through consent, or families entered per group,
shows on the very next load; nobody sees figures computed for someone who sees more runs."""

from __future__ import annotations

import re
import uuid

from consent.records import record_withdrawal
from surveys.data_rights import erase_response
from surveys.instrument import built_in_instruments
from surveys.runs import get_run_by_id, open_run
from surveys.tables import SurveyRun
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import signed_in, text_of


def _count(page) -> int:
    assert page.status_code == 200
    return int(re.search(r'id="response-count"><strong>(\d+) respons', page.text).group(1))


def test_every_change_to_the_answers_shows_on_the_next_load(app):
    instrument = built_in_instruments()["annual-send-parent"]
    survey = run(open_run(instrument, slug=f"cache-{uuid.uuid4().hex[:8]}", lineage=f"cache-{uuid.uuid4().hex[:6]}"))
    drafts = [run(submitted(survey, valid_answers(survey.instrument, 700 + i))) for i in range(12)]
    officer = signed_in(app)
    url = f"/workspace/surveys/{survey.id}/analysis"
    assert _count(officer.get(url)) == 12
    assert _count(officer.get(url)) == 12  # the same, from the cache
    run(submitted(survey, valid_answers(survey.instrument, 799)))
    assert _count(officer.get(url)) == 13
    run(erase_response(drafts[0]))
    assert _count(officer.get(url)) == 12
    # a withdrawal recorded in consent alone (the answers still stored) leaves the figures too
    run(record_withdrawal(drafts[1].respondent_id, ["participation"]))
    assert _count(officer.get(url)) == 11
    # families entered per group show at once
    page = officer.get(f"/workspace/surveys/{survey.id}/analysis/population")
    assert page.status_code == 200
    groups = re.findall(r'name="(families-[^"]+)"', page.text)
    by = re.search(r'name="by"[^>]*value="([^"]+)"', page.text) or re.search(r'value="([^"]+)"[^>]*name="by"', page.text)
    assert groups and by
    saved = officer.post(f"/workspace/surveys/{survey.id}/analysis/population",
                         data={"_csrf_token": csrf_token(page.text), "by": by.group(1), **{g: "500" for g in groups}})
    assert saved.status_code == 200
    assert "500" in text_of(saved.text)


def test_a_team_that_sees_fewer_years_never_gets_figures_made_for_an_officer(app):
    instrument = built_in_instruments()["annual-send-parent"]
    lineage, team = f"cache-{uuid.uuid4().hex[:6]}", f"forum-{uuid.uuid4().hex[:6]}"
    last_year = run(open_run(instrument, slug=f"cache-{uuid.uuid4().hex[:8]}", lineage=lineage, title="Last year"))
    for i in range(10):
        run(submitted(last_year, valid_answers(last_year.instrument, 800 + i)))
    this_year = run(open_run(instrument, slug=f"cache-{uuid.uuid4().hex[:8]}", lineage=lineage, title="This year"))
    for i in range(11):
        run(submitted(this_year, valid_answers(this_year.instrument, 820 + i)))
    run(SurveyRun.update({SurveyRun.shared_with: [team]}).where(SurveyRun.id == this_year.id))
    url = f"/workspace/surveys/{this_year.id}/analysis"
    officer_page = signed_in(app).get(url)
    assert "10 last time" in text_of(officer_page.text)
    forum_page = signed_in(app, role="pcv", team=team).get(url)
    assert _count(forum_page) == 11 and "last time" not in text_of(forum_page.text).split("not counting")[0]
    assert run(get_run_by_id(this_year.id)).shared_with == (team,)


def test_the_board_report_counts_a_response_sent_after_the_last_download(app):
    from tests.feedback.publishing.test_board_report import _docx_text

    instrument = built_in_instruments()["annual-send-parent"]
    survey = run(open_run(instrument, slug=f"cache-{uuid.uuid4().hex[:8]}", lineage=f"cache-{uuid.uuid4().hex[:6]}"))
    for i in range(10):
        run(submitted(survey, valid_answers(survey.instrument, 860 + i)))
    officer = signed_in(app)
    url = f"/workspace/surveys/{survey.id}/analysis/board-report.docx"
    first = officer.get(url)
    assert first.status_code == 200 and any("· 10 responses" in line for line in _docx_text(first.content))
    run(submitted(survey, valid_answers(survey.instrument, 899)))
    again = officer.get(url)
    assert any("· 11 responses" in line for line in _docx_text(again.content))
