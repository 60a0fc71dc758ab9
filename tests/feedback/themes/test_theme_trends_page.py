"""Themes over the years on the results page (issue 15): the share of each run's commenters per
theme, every run of the survey's lineage, officers' removals respected; absent with one run."""

from __future__ import annotations

import re
import uuid

from feedback.themes.tables import CommentCoding
from surveys.instrument import built_in_instruments
from surveys.runs import open_run
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import run
from tests.workspace_client import signed_in


def _year(title: str, lineage: str, comments: list[str]):
    instrument = built_in_instruments()["annual-send-parent"]
    r = run(open_run(instrument, slug=f"t-{uuid.uuid4().hex[:10]}", title=title, lineage=lineage))
    for i, text in enumerate(comments):
        run(submitted(r, valid_answers(r.instrument, 1200 + i, could_be_better=text, works_well="", anything_else="")))
    return r


def _row(html: str, label: str) -> list[str]:
    section = html.split('id="themes-over-years"')[1].split("</details>")[0]
    match = re.search(rf'<th scope="row" class="govuk-table__header"[^>]*>{re.escape(label)}</th>(.*?)</tr>', section, re.S)
    assert match, label
    return [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def test_results_page_shows_each_themes_share_of_commenters_year_by_year(app):
    lineage = f"lineage-{uuid.uuid4().hex[:6]}"
    first = _year("Survey A", lineage, ["The taxi is always late"] * 3 + ["Nobody answers the phone"])
    latest = _year("Survey B", lineage, ["The taxi is always late", "Nobody answers the phone", "Nobody answers the phone",
                                         "Nobody answers the phone", "The taxi came late and nobody rang"])
    client = signed_in(app)
    html = client.get(f"/workspace/surveys/{latest.id}/analysis").text
    assert "Themes over the years" in html
    assert _row(html, "Transport") == ["75% (3)", "40% (2)", "-35 points"]
    assert _row(html, "Communication and reaching people") == ["25% (1)", "80% (4)", "+55 points"]
    assert "4 commenters" in html and "5 commenters" in html
    # An officer removing a theme changes the trend too.
    run(CommentCoding.update({CommentCoding.status: "removed"}).where(
        (CommentCoding.run == first.id) & (CommentCoding.theme == "transport")))
    html = client.get(f"/workspace/surveys/{latest.id}/analysis").text
    assert "Transport" not in html.split('id="themes-over-years"')[1].split("</details>")[0] or \
        _row(html, "Transport")[0] == "0% (0)"
    only = _year("Survey alone", f"lineage-{uuid.uuid4().hex[:6]}", ["The taxi is always late"])
    assert 'id="themes-over-years"' not in client.get(f"/workspace/surveys/{only.id}/analysis").text
    client.__exit__(None, None, None)
