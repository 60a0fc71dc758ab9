"""Response rates and representativeness: officers enter or upload how many families are in each
group; the results page shows the response rate per group, warns about under-represented groups
and offers a weighted (post-stratified) headline with its method; bad input saves nothing."""

from __future__ import annotations

import uuid

import pytest

from analysis.loading import build_survey_data
from analysis.report import response_rates, weighted_headline
from surveys.instrument import built_in_instruments
from surveys.runs import open_run
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import signed_in, text_of


@pytest.fixture(scope="module")
def survey():
    """30 answers: 24 with an EHC plan (all satisfied), 6 on SEN support (none satisfied)."""
    instrument = built_in_instruments()["annual-send-parent"]
    r = run(open_run(instrument, slug=f"rates-{uuid.uuid4().hex[:8]}", lineage=f"rates-{uuid.uuid4().hex[:6]}"))
    seed, made = 100, {"ehcp": 0, "sen_support": 0}
    while made["ehcp"] < 24 or made["sen_support"] < 6:
        answers = valid_answers(r.instrument, seed)
        level = answers.get("support_level")
        seed += 1
        if level not in made or made[level] >= (24 if level == "ehcp" else 6):
            continue
        answers["overall_satisfaction"] = "very_satisfied" if level == "ehcp" else "very_dissatisfied"
        run(submitted(r, answers))
        made[level] += 1
    return r


def test_rates_and_weighting_on_known_numbers(survey):
    from analysis.loading import load_run

    data = run(load_run(survey))
    rates = {r.group: r for r in response_rates(data, "support_level", {"ehcp": 400, "sen_support": 1600})}
    assert rates["ehcp"].rate == pytest.approx(24 / 400) and rates["sen_support"].rate == pytest.approx(6 / 1600)
    assert rates["sen_support"].under_represented and not rates["ehcp"].under_represented
    weighted = weighted_headline(data, "support_level", {"ehcp": 400, "sen_support": 1600})
    # unweighted 80% (24 of 30); weighted: 20% of families at 100% + 80% at 0% = 20%
    assert weighted.share == pytest.approx(0.2)
    assert weighted.effective_base < 30 and weighted.ci_low < 0.2 < weighted.ci_high


def test_officer_enters_numbers_and_sees_rates_warning_and_weighted_headline(app, survey):
    client = signed_in(app)
    form = client.get(f"/workspace/surveys/{survey.id}/analysis/population?by=support_level")
    assert form.status_code == 200 and 'name="families-ehcp"' in form.text
    saved = client.post(f"/workspace/surveys/{survey.id}/analysis/population", data={
        "_csrf_token": csrf_token(form.text), "by": "support_level", "families-ehcp": "400", "families-sen_support": "1,600"},
        follow_redirects=False)
    assert saved.status_code == 303
    text = text_of(client.get(saved.headers["location"]).text)
    assert "Under-represented (ehc plan or sen support): SEN support" in text
    assert "Weighted by ehc plan or sen support: 20% satisfied" in text
    assert "post-stratification" in text and "1,600" in text and "0.4%" in text  # 6 of 1,600


def test_bad_numbers_and_csv_are_explained_and_save_nothing(app, survey):
    client = signed_in(app)
    form = client.get(f"/workspace/surveys/{survey.id}/analysis/population?by=support_level")
    token = csrf_token(form.text)
    client.post(f"/workspace/surveys/{survey.id}/analysis/population",
                data={"_csrf_token": token, "by": "support_level", "families-ehcp": "400", "families-sen_support": "1600"})
    bad = client.post(f"/workspace/surveys/{survey.id}/analysis/population",
                      data={"_csrf_token": token, "by": "support_level", "families-ehcp": "-3", "families-sen_support": "lots"})
    assert bad.status_code == 422 and "govuk-error-summary" in bad.text and "as a whole number" in bad.text
    upload = client.post(f"/workspace/surveys/{survey.id}/analysis/population", data={"_csrf_token": token, "by": "support_level"},
                         files={"csv": ("families.csv", b"group,families\nMartians,12\nEHC plan,x\n", "text/csv")})
    assert upload.status_code == 422 and "Martians" in text_of(upload.text) and "Row 3" in text_of(upload.text)
    assert client.post(f"/workspace/surveys/{survey.id}/analysis/population", data={"_csrf_token": token, "by": "nope"}).status_code == 422
    text = text_of(client.get(f"/workspace/surveys/{survey.id}/analysis").text)
    assert "1,600" in text  # the earlier numbers are still there
    good = client.post(f"/workspace/surveys/{survey.id}/analysis/population", data={"_csrf_token": token, "by": "support_level"},
                       files={"csv": ("families.csv", "group,families\nEHC plan,500\nsen_support,500\n".encode(), "text/csv")},
                       follow_redirects=False)
    assert good.status_code == 303
    text = text_of(client.get(f"/workspace/surveys/{survey.id}/analysis").text)
    assert "Weighted by ehc plan or sen support: 50% satisfied" in text


def test_a_forum_member_cannot_enter_numbers_for_the_partnerships_survey(app, survey):
    forum = signed_in(app, role="pcv", team=f"forum-{uuid.uuid4().hex[:6]}")
    assert forum.get(f"/workspace/surveys/{survey.id}/analysis/population").status_code == 404
