"""The results page starts with the answer: the headline against the target in words that respect
the interval, every year of the survey's lineage (builder copies included) on one trend with the
change tested, sections collapsed, each figure once, and charts downloadable as SVG and PNG."""

from __future__ import annotations

import re
import uuid

import pytest

from analysis.charts import FONT_SIZE, MAX_WIDTH, MIN_WIDTH, WIDTH, Bar, bar_chart
from analysis.metrics import Headline
from analysis.report import change_words, target_verdict
from surveys.instrument import built_in_instruments
from surveys.runs import lineage_runs, open_run, set_status
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import run
from tests.workspace_client import signed_in, text_of


def _headline(positive: int, base: int, target: float = 0.9) -> Headline:
    from analysis.metrics import wilson_interval

    low, high = wilson_interval(positive, base)
    share = positive / base
    return Headline("q", "text", target, positive, base, share, low, high, share >= target, high < target)


def test_three_out_of_three_is_too_few_to_tell_never_met():
    key, words = target_verdict(_headline(3, 3))
    assert key == "too_few" and "Too few answers to tell" in words and "met" not in words.replace("is met", "")
    assert target_verdict(_headline(95, 100, 0.8))[0] == "above"
    assert target_verdict(_headline(50, 100))[0] == "below"
    assert target_verdict(_headline(88, 100))[0] == "unclear"


def test_change_is_worded_as_tested():
    assert change_words(0.1, 0.02, 0.18, "2025").startswith("Up 10 points since 2025: a real rise")
    assert "could be chance" in change_words(0.04, -0.03, 0.11, "2025")
    assert change_words(-0.12, -0.2, -0.04, "2025").startswith("Down 12 points since 2025: a real fall")


def test_chart_text_is_never_below_14_px_nor_scaled_past_22():
    assert FONT_SIZE * MIN_WIDTH / WIDTH >= 14
    assert FONT_SIZE * MAX_WIDTH / WIDTH <= 22.5
    chart = bar_chart("t", "Title", [Bar("A long label that has to wrap onto a second line", 80, "80%", low=70, high=88)], target=90)
    assert 'font-size="20"' in chart.svg and "Target 90%" in chart.svg
    assert "A long label that has to" in chart.svg and "wrap onto a second line" in chart.svg  # wrapped, not cut
    assert chart.standalone_svg.startswith("<?xml") and 'fill="#ffffff"' in chart.standalone_svg


def _lineage_runs(years: list[tuple[str, int, int]], lineage: str):
    """Runs of one lineage, each with `positive` of `n` very satisfied (the rest dissatisfied)."""
    instrument = built_in_instruments()["annual-send-parent"]
    runs = []
    for title, positive, n in years:
        r = run(open_run(instrument, slug=f"t-{uuid.uuid4().hex[:10]}", title=title, lineage=lineage))
        for i in range(n):
            answers = valid_answers(r.instrument, 900 + i, overall_satisfaction="very_satisfied" if i < positive else "dissatisfied")
            run(submitted(r, answers))
        runs.append(r)
    return runs


@pytest.fixture(scope="module")
def three_years():
    lineage = f"lineage-{uuid.uuid4().hex[:6]}"
    return _lineage_runs([("Survey A", 12, 20), ("Survey B", 14, 20), ("Survey C", 18, 20)], lineage)


def test_every_run_of_the_lineage_is_on_one_trend_with_the_change_tested(app, three_years):
    latest = three_years[-1]
    assert [r.id for r in run(lineage_runs(latest))] == [r.id for r in three_years]
    client = signed_in(app)
    html = client.get(f"/workspace/surveys/{latest.id}/analysis").text
    text = text_of(html)
    trend = text.split("Share satisfied, year by year: data table")[1]
    for title, share in (("Survey A", "60%"), ("Survey B", "70%"), ("Survey C", "90%")):
        assert title in trend and share in trend
    # 90% (18 of 20) now, 70% (14 of 20) before: up 20 points, Newcombe interval -4 to +41: could be chance
    assert "Up 20 points since Survey B (2026), which could be chance (95% interval" in text
    assert "20 responses this time, 20 last time" in text


def test_sections_are_collapsed_and_each_figure_shown_once(app, three_years):
    latest = three_years[-1]
    html = signed_in(app).get(f"/workspace/surveys/{latest.id}/analysis").text
    details = re.findall(r'<details class="govuk-details app-results-section" id="section-([a-z0-9_]+)"', html)
    assert details and all(f'href="#section-{key}"' in html for key in details)
    # one table per question (its chart's data table), not a second copy of the same figures
    assert html.count('data-chart="question-overall-satisfaction"') == 1
    question_block = html.split('id="q-overall_satisfaction"')[1].split("</section>")[0]
    assert question_block.count("<table") == 1


def test_a_builder_copy_keeps_the_lineage(app):
    from tests.walker import csrf_token

    source = _lineage_runs([("Copied from", 15, 20)], f"lineage-{uuid.uuid4().hex[:6]}")[0]
    run(set_status(source.slug, "closed"))
    client = signed_in(app)
    form = client.get("/workspace/consultations/copy")
    page = client.post("/workspace/consultations/copy", data={"_csrf_token": csrf_token(form.text), "source": f"run-{source.id}",
                                                         "title": "Next year's survey"}, follow_redirects=False)
    assert page.status_code in (302, 303), page.text[:500]
    draft_url = page.headers["location"]
    publish = client.get(f"{draft_url}/publish")
    slug = f"copy-{uuid.uuid4().hex[:8]}"
    done = client.post(f"{draft_url}/publish", data={"_csrf_token": csrf_token(publish.text), "slug": slug, "title": "Next year"},
                       follow_redirects=False)
    assert done.status_code == 303, text_of(done.text)[:2000]
    new_id = int(done.headers["location"].rstrip("/").split("/")[-1])
    from surveys.runs import get_run_by_id

    copied = run(get_run_by_id(new_id))
    assert copied.instrument.key != source.instrument.key and copied.lineage == source.lineage
    text = text_of(client.get(f"/workspace/surveys/{new_id}/analysis").text)
    assert "Copied from" in text.split("Share satisfied, year by year: data table")[1]


def test_charts_download_as_svg_and_png(app, three_years):
    latest = three_years[-1]
    client = signed_in(app)
    html = client.get(f"/workspace/surveys/{latest.id}/analysis").text
    assert f'/workspace/surveys/{latest.id}/analysis/charts/trend.png' in html
    svg = client.get(f"/workspace/surveys/{latest.id}/analysis/charts/trend.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "Survey A" in svg.text and "attachment" in svg.headers["content-disposition"]
    png = client.get(f"/workspace/surveys/{latest.id}/analysis/charts/question-overall-satisfaction.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/workspace/surveys/{latest.id}/analysis/charts/nothing.png").status_code == 404
    assert client.get(f"/workspace/surveys/{latest.id}/analysis/charts/trend.gif").status_code == 404
    forum = signed_in(app, role="pcv", team=f"forum-{uuid.uuid4().hex[:6]}")
    assert forum.get(f"/workspace/surveys/{latest.id}/analysis/charts/trend.svg").status_code == 404
