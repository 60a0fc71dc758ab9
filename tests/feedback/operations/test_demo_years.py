"""A fresh demo shows the parents' annual survey over three years (2024 and 2025 closed), and its
results page links the board report in Word and PDF."""

from __future__ import annotations

from surveys.runs import get_run, lineage_runs
from tests.conftest import run
from tests.workspace_client import signed_in, text_of


def test_demo_seeds_three_years_of_the_parents_survey(app, capsys):
    from feedback.cli import main

    assert main(["demo", "--responses", "30", "--seed", "11"]) == 0
    parents = run(get_run("annual-2026-parents"))
    years = run(lineage_runs(parents))
    demo_years = [r for r in years if r.slug in {"annual-2024-parents", "annual-2025-parents", "annual-2026-parents"}]
    assert [r.year for r in demo_years] == ["2024", "2025", "2026"]
    assert [r.status for r in demo_years[:2]] == ["closed", "closed"] and not demo_years[0].is_open()
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{parents.id}/analysis").text
    trend = text_of(page).split("Share satisfied, year by year: data table")[1].split("Who answered")[0]
    assert "2024" in trend and "2025" in trend and "2026" in trend
    assert f"/workspace/surveys/{parents.id}/analysis/board-report.docx" in page
    assert f"/workspace/surveys/{parents.id}/analysis/board-report.pdf" in page


def test_the_demo_shares_the_joint_survey_with_parent_carer_voice(app):
    from feedback.cli import main
    from feedback.operations.demo import FORUM_TEAM

    assert main(["demo", "--responses", "12", "--seed", "12"]) == 0
    parents = run(get_run("annual-2026-parents"))
    assert FORUM_TEAM in parents.shared_with
    forum = signed_in(app, role="pcv", team=FORUM_TEAM)
    page = forum.get(f"/workspace/surveys/{parents.id}/analysis")
    assert page.status_code == 200
    assert "2024" in text_of(page.text).split("Share satisfied, year by year: data table")[1]
