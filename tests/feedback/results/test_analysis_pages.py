"""The analysis pages: the officer dashboard with exact figures on a small known data set, charts
with their data tables, permissions, and withdrawn answers left out."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar.testing import TestClient

from consent.records import record_withdrawal
from analysis.charts import Bar, bar_chart
from surveys.data_rights import erase_response
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import open_test_run, run
from tests.workspace_client import signed_in, text_of
from tests.walker import csrf_token


SATISFACTION = ["very_satisfied"] * 5 + ["satisfied"] * 4 + ["dissatisfied"] * 2 + ["neither"]
JOINED_UP = ["agree"] * 9 + ["dont_know"] * 3


COMMENTS = [
    "Nobody picks up the phone at the SEN team, we waited months. Call Sarah Jones on 07700 900982.",
    "Our SENCo is brilliant and really listens to us.",
    "The EHCP took nearly a year to arrive.",
]


@pytest.fixture(scope="module")
def known():
    """12 kept respondents with known answers, one who withdrew and one who erased everything."""
    survey = open_test_run("annual-send-parent")
    drafts = []
    seeds = {"ehcp": [], "sen_support": []}
    seed = 100
    while min(len(v) for v in seeds.values()) < 6:  # answers on a valid path for each kind of support
        level = valid_answers(survey.instrument, seed).get("support_level")
        if level in seeds:
            seeds[level].append(seed)
        seed += 1
    for i in range(12):
        answers = valid_answers(
            survey.instrument, seeds["ehcp" if i < 6 else "sen_support"][i % 6],
            overall_satisfaction=SATISFACTION[i], services_joined_up=JOINED_UP[i],
            could_be_better=COMMENTS[i % 3], works_well="", anything_else="",
        )
        drafts.append(run(submitted(survey, answers, quotes=i < 6)))
    gone = run(submitted(survey, valid_answers(survey.instrument, 300, overall_satisfaction="very_dissatisfied",
                                               could_be_better="WITHDRAWNWORD the transport never came")))
    run(record_withdrawal(gone.respondent_id, ["participation"]))
    erased = run(submitted(survey, valid_answers(survey.instrument, 301, overall_satisfaction="very_dissatisfied",
                                                 could_be_better="ERASEDWORD the transport never came")))
    assert run(erase_response(erased))
    return survey, drafts


def test_dashboard_shows_exact_full_figures_with_the_warning(app, known):
    survey, _ = known
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{survey.id}/analysis")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Full figures: small numbers are not hidden" in text
    assert "12 responses" in text
    # 9 of 12 satisfied: 75%, Wilson 95% interval 46.8% to 91.1%, against the 90% target
    assert "75% satisfied (9 of 12; 95% interval 47% to 91%) against a target of 90%" in text
    # the interval (47% to 91%) includes the target: the page does not claim either way
    assert "Too few answers to tell whether the target of 90% is met: the 95% interval includes it." in text
    assert "The target is met" not in text and "Below the target" not in text
    # don't know is left out of the base and shown separately
    joined = text.split("Education, health and social care work well together")[-1]
    assert "Base: 9" in joined
    assert "Don't know (not in the base) 3" in joined
    assert "Agree 9 9 100%" in joined
    # breakdowns: EHC plan vs SEN support, 6 each (very satisfied x5 + satisfied x1 | satisfied x3, dissatisfied x2, neither)
    assert "EHC plan or SEN support" in text
    assert "6 of 6" in text and "3 of 6" in text
    # the survey page links to it
    assert f"/workspace/surveys/{survey.id}/analysis" in client.get(f"/workspace/surveys/{survey.id}").text


def test_withdrawn_and_erased_answers_are_not_on_the_dashboard(app, known):
    survey, _ = known
    client = signed_in(app)
    text = text_of(client.get(f"/workspace/surveys/{survey.id}/analysis").text)
    assert "Very dissatisfied 0 12 0%" in text
    assert "WITHDRAWNWORD" not in text and "ERASEDWORD" not in text


def test_someone_elses_survey_is_a_404(app, known):
    survey, _ = known
    forum = signed_in(app, role="pcv", team=f"forum-{uuid.uuid4().hex[:6]}")
    assert forum.get(f"/workspace/surveys/{survey.id}/analysis").status_code == 404
    assert forum.get("/workspace/surveys/999999/analysis").status_code == 404
    anonymous = TestClient(app=app, base_url="http://testserver.local")
    assert anonymous.get(f"/workspace/surveys/{survey.id}/analysis", follow_redirects=False).status_code == 303


def test_every_chart_has_a_data_table_title_and_description(app, known):
    survey, _ = known
    client = signed_in(app)
    html = client.get(f"/workspace/surveys/{survey.id}/analysis").text
    charts = re.findall(r'<svg[^>]*class="app-chart"[^>]*>', html)
    assert len(charts) >= 3
    ids = re.findall(r'<figure class="app-chart-figure" id="([^"]+)"', html)
    assert len(ids) == len(charts)
    for chart_id in ids:
        assert f'data-chart="{chart_id}"' in html
        assert f'<title id="{chart_id}-title">' in html and f'<desc id="{chart_id}-desc">' in html
    for svg in charts:
        assert 'role="img"' in svg and "aria-labelledby=" in svg


def test_bar_chart_escapes_text_and_says_what_is_hidden():
    chart = bar_chart("x", "Results <b>", [Bar("A & B", 50, "50%", "5 of 10"), Bar("C", None, "[c]", "[c]")], target=90)
    assert "<b>" not in chart.svg and "A &amp; B" in chart.svg
    assert chart.summary == "Results <b>: the highest is A & B at 50%. The target is 90%. 1 value is not shown (too few responses)."


def test_change_since_the_previous_run_of_the_same_survey(app, known):
    earlier, _ = known
    later = open_test_run("annual-send-parent")
    for seed in range(10):
        answers = valid_answers(later.instrument, 400 + seed, overall_satisfaction="very_satisfied")
        run(submitted(later, answers))
    client = signed_in(app)
    text = text_of(client.get(f"/workspace/surveys/{later.id}/analysis").text)
    assert "100% satisfied (10 of 10" in text
    # 75% (9 of 12) before, 100% (10 of 10) now: up 25 points, Newcombe interval from the two Wilson intervals
    assert f"Since {earlier.title} (/s/{earlier.slug}) : up 25 points" in text
    assert "(then 75% of 12)" in text
    changes = text.split(f"Change since {earlier.title} (/s/{earlier.slug})")[1]
    # joined-up services: 9 of 9 agreed before; the new answers' share is shown beside it
    assert "Education, health and social care work well together to support my child." in changes
    assert "75% of 12" in changes
    # a forum member who cannot see the earlier run is not shown it
    forum_team = f"forum-{uuid.uuid4().hex[:6]}"
    own = open_test_run("annual-send-parent", team=forum_team)
    forum = signed_in(app, role="pcv", team=forum_team)
    page = forum.get(f"/workspace/surveys/{own.id}/analysis")
    assert page.status_code == 200 and "Since " not in text_of(page.text)


def test_an_officer_can_try_another_target_and_bad_targets_are_explained(app, known):
    survey, _ = known
    client = signed_in(app)
    text = text_of(client.get(f"/workspace/surveys/{survey.id}/analysis", params={"target": "70"}).text)
    # 75% of 12 against 70%: above it, but the interval (47% to 91%) includes 70%, so no claim that it is met
    assert "against a target of 70%" in text and "Too few answers to tell whether the target of 70% is met" in text
    assert "The target is met" not in text and "Above the target" not in text
    for bad in ["ninety", "0", "250", "nan", "1e999", "x" * 5000]:
        page = client.get(f"/workspace/surveys/{survey.id}/analysis", params={"target": bad})
        assert page.status_code == 200
        assert "govuk-error-summary" in page.text
        assert "against a target of 90%" in text_of(page.text)


def test_runs_sharing_a_title_and_year_each_get_a_label_of_their_own():
    from types import SimpleNamespace

    from feedback.results.service import _label

    runs = [SimpleNamespace(id=i, year="2025", title="Annual survey") for i in (4, 9)] + [SimpleNamespace(id=12, year="2026", title="Annual survey")]
    labels = [_label(r, runs) for r in runs]
    assert labels == ["Annual survey (2025) – 1 of 2", "Annual survey (2025) – 2 of 2", "2026"]
