"""POET outcome summary: on a POET questionnaire's results page, each outcome area as parents and
carers, young people and practitioners see it, side by side, from the latest run of each."""

from __future__ import annotations

import uuid

from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import open_test_run, run
from tests.workspace_client import signed_in, text_of


def _answered(key: str, better: int, total: int):
    survey = open_test_run(key)
    for i in range(total):
        answers = valid_answers(survey.instrument, 3000 + i)
        answers["outcome_health"] = "a_lot_better" if i < better else "a_bit_worse"
        run(submitted(survey, answers))
    return survey


def test_the_three_views_of_each_outcome_area_side_by_side(app):
    parents = _answered("poet-parent-carer", 6, 10)
    young = _answered("poet-young-person", 3, 10)
    practitioners = _answered("poet-practitioner", 9, 10)
    client = signed_in(app)
    for survey in (parents, young, practitioners):
        text = text_of(client.get(f"/workspace/surveys/{survey.id}/analysis").text)
        table = text.split("Positive answers by outcome area and who answered")[1]
        assert "Parents and carers Young people Practitioners" in table
        health = table.split("Outcome")[1]
        assert "60% 6 of 10" in health and "30% 3 of 10" in health and "90% 9 of 10" in health, health[:400]
    # the annual survey has no such section
    annual = open_test_run("annual-send-parent", lineage=f"x-{uuid.uuid4().hex[:6]}")
    assert "three views side by side" not in client.get(f"/workspace/surveys/{annual.id}/analysis").text


def test_a_forum_member_sees_only_the_views_they_may_see(app):
    team = f"forum-{uuid.uuid4().hex[:6]}"
    own = open_test_run("poet-parent-carer", team=team)
    run(submitted(own, valid_answers(own.instrument, 3100)))
    forum = signed_in(app, role="pcv", team=team)
    text = text_of(forum.get(f"/workspace/surveys/{own.id}/analysis").text)
    table = text.split("Positive answers by outcome area and who answered")[1]
    assert "Parents and carers" in table and "Practitioners" not in table.split("Outcome")[0]
