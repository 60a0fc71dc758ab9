"""Satisfaction figures on a small known data set: bases, exclusions, Wilson intervals, the
headline against its target, change since the previous run, and disclosure control."""

from __future__ import annotations

import math

import pytest

from analysis.disclosure import FULL_FIGURES_WARNING
from analysis.loading import build_survey_data, combine
from analysis.metrics import (
    POSITIVE,
    all_question_figures,
    compare_runs,
    dashboard,
    headline,
    newcombe_interval,
    question_figures,
    wilson_interval,
)
from surveys.instrument import built_in_instruments

PARENT = built_in_instruments()["annual-send-parent"]
YOUNG = built_in_instruments()["annual-send-young-person"]


def responses(spec: dict[str, int], key: str = "overall_satisfaction", **common) -> list[dict]:
    """`spec` maps an answer to how many respondents gave it."""
    rows = []
    for value, n in spec.items():
        for _ in range(n):
            rows.append({"answers": {key: value, **common}})
    return rows


def with_ids(rows: list[dict], prefix: str) -> list[dict]:
    return [{**r, "respondent_id": f"{prefix}-{i}"} for i, r in enumerate(rows)]


# 50 opinions and 3 "I don't understand"
KNOWN = {"very_satisfied": 20, "satisfied": 3, "neither": 7, "dissatisfied": 9, "very_dissatisfied": 11, "dont_understand": 3}


@pytest.fixture
def known():
    return build_survey_data(PARENT, with_ids(responses(KNOWN), "k"), run_slug="known")


# --- intervals -------------------------------------------------------------------------------


def test_wilson_interval_matches_published_values():
    # Newcombe (1998), Statistics in Medicine 17: 81/263 and 15/148; and the textbook 0/10, 10/10.
    assert [round(v, 4) for v in wilson_interval(81, 263)] == [0.2553, 0.3662]
    assert [round(v, 4) for v in wilson_interval(15, 148)] == [0.0624, 0.1605]
    assert [round(v, 4) for v in wilson_interval(0, 10)] == [0.0, 0.2775]
    assert [round(v, 4) for v in wilson_interval(10, 10)] == [0.7225, 1.0]
    low, high = wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)


def test_newcombe_interval_for_a_difference_matches_the_published_example():
    # Newcombe (1998), method 10: 56/70 - 48/80
    low, high = newcombe_interval(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


# --- one question --------------------------------------------------------------------------


def test_full_figures_have_the_base_without_non_answers_and_wilson_intervals(known):
    figures = question_figures(known, "overall_satisfaction", full=True)
    assert figures.warning == FULL_FIGURES_WARNING
    satisfied = figures.row("very_satisfied")
    assert satisfied["count"] == 20 and satisfied["base"] == 50
    assert satisfied["share"] == pytest.approx(0.4)
    assert round(satisfied["ci_low"], 3) == 0.276 and round(satisfied["ci_high"], 3) == 0.538
    neither = figures.row("neither")
    assert neither["count"] == 7 and round(neither["share"], 3) == 0.14
    assert (round(neither["ci_low"], 3), round(neither["ci_high"], 3)) == (0.070, 0.262)
    # "I don't understand" is reported apart, as a count, and is not in any base
    excluded = figures.row("dont_understand")
    assert excluded["kind"] == "excluded" and excluded["count"] == 3
    assert excluded["base"] is None or excluded["base"] is __import__("pandas").NA
    assert math.isnan(excluded["share"])
    assert figures.answers["count"].sum() == 50
    positive = figures.row(POSITIVE)
    assert positive["count"] == 23 and positive["base"] == 50
    assert (round(positive["share"], 3), round(positive["ci_low"], 3), round(positive["ci_high"], 3)) == (0.46, 0.330, 0.596)


def test_published_figures_suppress_small_counts_with_secondary_suppression(known):
    figures = question_figures(known, "overall_satisfaction")
    assert figures.warning is None
    hidden = set(figures.table.loc[figures.table["suppressed"], "value"])
    # satisfied (3) is small. Hiding only "satisfied" would let it be worked out from the base (50)
    # and the others, so the next smallest opinion (neither, 7) goes too; the positive share (23)
    # would then give "very satisfied + satisfied", so very satisfied (20) is hidden, and
    # "neither + dissatisfied + very dissatisfied" = 27 makes dissatisfied (9) go.
    # "I don't understand" (3) is small too, but it is the only non-answer: everyone answered (53
    # responses are published), so 53 - 50 gives it away whatever is hidden. It is shown, not [c].
    assert hidden == {"satisfied", "neither", "very_satisfied", "dissatisfied"}
    assert figures.row("dont_understand")["count"] == 3
    visible = figures.table[~figures.table["suppressed"]].set_index("value")
    assert visible.loc["very_dissatisfied", "count"] == 11
    assert visible.loc[POSITIVE, "count"] == 23 and round(visible.loc[POSITIVE, "share"], 2) == 0.46
    for _, row in figures.table[figures.table["suppressed"]].iterrows():
        assert row["count"] is __import__("pandas").NA and math.isnan(row["share"]) and math.isnan(row["ci_low"])
    # no suppressed cell can be recovered: every published total covers none or two or more hidden cells
    assert visible.loc["very_dissatisfied", "base"] == 50


def test_a_survey_with_fewer_than_ten_answers_is_hidden_unless_full():
    small = build_survey_data(PARENT, responses({"satisfied": 6, "dissatisfied": 3}))
    published = question_figures(small, "overall_satisfaction")
    assert published.table["suppressed"].all()
    assert published.table["base"].isna().all()
    full = question_figures(small, "overall_satisfaction", full=True)
    assert not full.table["suppressed"].any() and full.row(POSITIVE)["count"] == 6


def test_multiple_choice_shares_are_of_those_who_answered():
    rows = [{"answers": {"services_used": ["speech_language", "camhs"]}}] * 6 + [
        {"answers": {"services_used": ["speech_language"]}}] * 6 + [{"answers": {}}] * 5
    data = build_survey_data(PARENT, rows)
    figures = question_figures(data, "services_used", full=True)
    speech = figures.row("speech_language")
    assert speech["count"] == 12 and speech["base"] == 12 and speech["share"] == 1.0
    assert figures.row("camhs")["count"] == 6 and figures.row("camhs")["share"] == 0.5
    assert len(data.choices) == 18


# --- breakdowns ----------------------------------------------------------------------------


def test_breakdown_groups_under_ten_are_hidden_with_the_next_smallest_group():
    rows = (
        responses({"very_satisfied": 10, "satisfied": 10, "neither": 5, "dissatisfied": 5}, support_level="ehcp")
        + responses({"very_satisfied": 6, "satisfied": 6, "neither": 5, "dissatisfied": 6}, support_level="sen_support")
        + responses({"satisfied": 6, "dissatisfied": 6}, support_level="none")
        + responses({"satisfied": 4, "dissatisfied": 2}, support_level="not_sure")
    )
    data = build_survey_data(PARENT, rows)
    figures = question_figures(data, "overall_satisfaction", by="support_level")
    groups = figures.table.groupby("group")["suppressed"].all()
    # "not sure" has 6 answers: hidden whole. The groups add up to the published total, so the
    # next smallest group ("none", 12) is hidden too; the two larger groups stay.
    assert groups["not_sure"] and groups["none"]
    assert not figures.table[figures.table["group"] == "ehcp"]["suppressed"].any()
    assert not figures.table[figures.table["group"] == "sen_support"]["suppressed"].any()
    ehcp = figures.row(POSITIVE, group="ehcp")
    assert ehcp["count"] == 20 and ehcp["base"] == 30
    assert figures.row("very_satisfied", group="ehcp")["group_label"].startswith("An education, health and care plan")
    assert list(figures.table["group"].drop_duplicates()) == ["ehcp", "sen_support", "none", "not_sure"]
    full = question_figures(data, "overall_satisfaction", by="support_level", full=True)
    assert not full.table["suppressed"].any() and full.row(POSITIVE, group="not_sure")["count"] == 4


def test_breakdown_secondary_suppression_works_across_rows_and_columns():
    rows = (
        responses({"5_10": 12, "11_15": 3, "16_17": 8, "18_25": 6}, key="child_age", support_level="ehcp")
        + responses({"5_10": 15, "11_15": 10, "16_17": 7, "18_25": 9}, key="child_age", support_level="sen_support")
    )
    data = build_survey_data(PARENT, rows)
    figures = question_figures(data, "child_age", by="support_level")
    hidden = {(r.group, r.value) for r in figures.table.itertuples() if r.suppressed}
    # 3 is small; the smallest other count in its row (6) hides too; then each of their columns
    # would give the hidden cell away from the column total, so the other group's cells go too.
    assert hidden == {("ehcp", "11_15"), ("ehcp", "18_25"), ("sen_support", "11_15"), ("sen_support", "18_25")}
    assert figures.row("5_10", group="ehcp")["count"] == 12
    assert figures.row("0_4", group="ehcp")["count"] == 0  # a zero is not a disclosure


def test_breakdowns_by_group_age_band_variant_and_need_in_combined_runs():
    parents = build_survey_data(
        PARENT,
        [{"respondent_id": f"p{i}", "variant": "standard" if i % 2 else "easy_read",
          "answers": {"overall_satisfaction": "satisfied" if i % 3 else "dissatisfied", "child_age": "5_10",
                      "main_need": "semh", "support_level": "ehcp"}} for i in range(30)],
        run_slug="parents",
    )
    young = build_survey_data(
        YOUNG,
        [{"respondent_id": f"y{i}", "answers": {"overall_satisfaction": "very_satisfied", "age_band": "13_15",
                                                "support_level": "sen_support"}} for i in range(12)],
        run_slug="young",
    )
    both = combine(parents, young)
    assert len(both) == 42
    by_group = question_figures(both, "overall_satisfaction", by="group")
    assert by_group.row(POSITIVE, group="parent_carer")["count"] == 20
    assert by_group.row(POSITIVE, group="young_person")["count"] == 12
    assert by_group.row(POSITIVE, group="young_person")["group_label"] == "Children and young people"
    by_age = question_figures(both, "overall_satisfaction", by="age_band", full=True)
    assert set(by_age.table["group"]) == {"5_10", "13_15"}
    by_need = question_figures(both, "overall_satisfaction", by="main_need", full=True)
    assert set(by_need.table["group"]) == {"semh"}  # young people are not asked their main need
    by_variant = question_figures(parents, "overall_satisfaction", by="variant", full=True)
    assert by_variant.row(POSITIVE, group="easy_read")["base"] == 15


# --- headline, change and the dashboard -----------------------------------------------------


def test_headline_against_the_target_and_change_since_the_previous_run(known):
    before = build_survey_data(PARENT, with_ids(responses({"very_satisfied": 15, "satisfied": 15, "dissatisfied": 20}), "b"))
    result = headline(known, previous=before)
    assert result.target == 0.9
    assert result.positive == 23 and result.base == 50 and result.share == pytest.approx(0.46)
    assert result.meets_target is False and result.clearly_below_target is True
    assert result.previous_share == pytest.approx(0.6) and result.change == pytest.approx(-0.14)
    low, high = newcombe_interval(23, 50, 30, 50)
    assert (result.change_ci_low, result.change_ci_high) == (pytest.approx(low), pytest.approx(high))
    assert result.change_is_clear is False
    assert headline(known, target=0.45).meets_target is True
    with pytest.raises(ValueError):
        headline(known, target=90)


def test_compare_runs_gives_the_change_for_every_shared_closed_question(known):
    before = build_survey_data(PARENT, with_ids(responses({"very_satisfied": 15, "satisfied": 15, "dissatisfied": 20}), "b"))
    changes = compare_runs(known, before, full=True)
    positive = changes[(changes["question"] == "overall_satisfaction") & (changes["value"] == POSITIVE)].iloc[0]
    assert positive["change"] == pytest.approx(-0.14)
    assert positive["change_ci_low"] < -0.14 < positive["change_ci_high"]
    published = compare_runs(known, before)
    satisfied = published[(published["question"] == "overall_satisfaction") & (published["value"] == "satisfied")].iloc[0]
    assert satisfied["suppressed"] and math.isnan(satisfied["change"])


def test_dashboard_has_every_closed_question_and_the_headline_breakdowns(known):
    board = dashboard(known)
    closed = [q.key for q in PARENT.questions if q.type in ("single_choice", "multiple_choice", "scale", "yes_no", "age_band")]
    assert list(board.questions) == closed
    assert board.headline.share == pytest.approx(0.46)
    assert board.warning is None and not board.notes
    full = dashboard(known, full=True)
    assert full.warning == FULL_FIGURES_WARNING and full.headline.warning == FULL_FIGURES_WARNING
    assert set(all_question_figures(known)) == set(closed)


def test_questions_nobody_answered_give_empty_figures_not_errors():
    data = build_survey_data(PARENT, [])
    board = dashboard(data)
    assert board.respondents == 0 and board.headline.share is None and board.headline.meets_target is None
    assert board.notes
