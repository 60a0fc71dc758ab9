"""Reviewing coded comments without a database: merging a re-code with officers' decisions,
current themes, the coded frame from stored codings, the summary and the "why" highlighting."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.coding import code_comment, theme_counts
from analysis.theme_review import (
    StoredCoding,
    coded_frame,
    current_themes,
    highlight,
    merge_codings,
    theme_summary,
)


def test_merge_keeps_officer_decisions_and_refreshes_the_coder():
    existing = [
        StoredCoding("communication", ["nobody ... phone"], id=1),  # suggestion still matching, new terms
        StoredCoding("transport", ["taxi"], id=2),  # suggestion no longer matching: goes
        StoredCoding("school_support", ["senco"], status="confirmed", id=3),  # confirmed: stays
        StoredCoding("short_breaks", [], source="officer", status="confirmed", id=4),  # added: stays
        StoredCoding("therapies", ["ot"], status="removed", id=5),  # removed: stays removed
    ]
    changes = merge_codings(existing, [("communication", ["phone"]), ("therapies", ["ot"]), ("disputes", ["tribunal"])])
    assert [c.theme for c in changes.insert] == ["disputes"]
    assert [c.id for c in changes.delete] == [2]
    updated = {c.id: c for c in changes.update}
    assert updated[1].terms == ["phone"] and updated[1].status == "suggested"
    assert updated[3].terms == [] and updated[3].status == "confirmed"
    assert 4 not in updated and 5 not in updated
    assert not merge_codings([StoredCoding("a", ["x"], id=9)], [("a", ["x"])])


def test_merge_drops_every_row_of_a_theme_removed_from_the_codebook():
    existing = [
        StoredCoding("transport", ["taxi"], id=1),  # the coder's suggestion
        StoredCoding("transport", [], source="officer", status="confirmed", id=2),  # a duplicate from a race
        StoredCoding("disputes", [], source="officer", status="confirmed", id=3),  # officer-added: goes too
        StoredCoding("therapies", ["ot"], status="confirmed", id=4),  # confirmed: goes too
        StoredCoding("school_support", ["senco"], status="confirmed", id=5),  # a kept theme: stays
        StoredCoding("communication", ["phone"], status="removed", id=6),  # a kept theme's removal: stays
    ]
    kept = ["school_support", "communication"]
    changes = merge_codings(existing, [("school_support", ["senco"])], kept)
    assert sorted(c.id for c in changes.delete) == [1, 2, 3, 4]
    assert not changes.insert
    assert [(c.id, c.status, c.terms) for c in changes.update] == [(6, "removed", [])]  # no longer matched: terms cleared, decision kept
    # without the codebook's keys nothing changes for decisions (as before)
    assert [c.id for c in merge_codings(existing[2:], [("school_support", ["senco"])]).delete] == []
    assert [c.theme for c in merge_codings([], [("school_support", ["senco"])], kept).insert] == ["school_support"]


def test_current_themes_leave_out_themes_no_longer_in_the_codebook():
    codings = [StoredCoding("b"), StoredCoding("gone", status="confirmed"), StoredCoding("a", source="officer", status="confirmed")]
    assert current_themes(codings, ["a", "b"]) == ["a", "b", "gone"]  # without `themes`, as before
    assert current_themes(codings, ["a", "b"], ["a", "b"]) == ["a", "b"]
    assert current_themes([StoredCoding("gone")], (), []) == []


def test_current_themes_leave_out_removed_ones_in_codebook_order():
    codings = [StoredCoding("b"), StoredCoding("a", status="confirmed"), StoredCoding("c", status="removed")]
    assert current_themes(codings, ["a", "b", "c"]) == ["a", "b"]


def test_coded_frame_and_summary_follow_decisions():
    comments = pd.DataFrame({
        "respondent_id": ["r1", "r1", "r2", "r3"], "question": ["q1", "q2", "q1", "q1"],
        "text": ["Our SENCo is great", "nobody picks up the phone", "lovely", "SENCo"],
    })
    codings = pd.DataFrame({
        "respondent_id": ["r1", "r1", "r3", "gone"], "question": ["q1", "q2", "q1", "q1"],
        "theme": ["school_support", "communication", "school_support", "transport"],
        "terms": [["senco"], ["nobody ... phone"], ["senco"], ["taxi"]],
        "status": ["confirmed", "suggested", "removed", "suggested"],
    })
    coded = coded_frame(comments, codings)
    assert len(coded) == 4
    assert coded["theme"].tolist() == ["school_support", "communication", None, None]
    row = theme_summary(coded).set_index("theme", drop=False)
    assert row.loc["school_support", "comments"] == 1  # r3's was removed by an officer
    assert row.loc["communication", "respondents"] == 1 and abs(row.loc["communication", "share"] - 1 / 3) < 1e-9
    assert "transport" in row.index and row.loc["transport", "comments"] == 0  # erased comment's coding ignored
    counts = theme_counts(coded).set_index("theme", drop=False)
    assert counts.loc["school_support", "comments"] == 1


def test_highlight_marks_the_words_behind_each_match():
    text = "Nobody ever picks up the phone at the SEND team."
    themes = dict(code_comment(text))
    parts = highlight(text, themes["communication"])
    marked = [p for p, m in parts if m]
    assert any("Nobody" in p for p in marked) and any("phone" in p for p in marked)
    assert "".join(p for p, _ in parts) == text
    assert highlight("", ["phone"]) == [] and highlight("hello", []) == [("hello", False)]
    slip = highlight("Still waiting for the assesment", ["assessment"])
    assert ("assesment", True) in slip


def test_theme_trends_give_the_share_of_each_runs_commenters_per_theme():
    from analysis.theme_review import theme_trends

    def coded(rows):
        return pd.DataFrame(rows, columns=["respondent_id", "question", "theme"])

    year1 = coded([(1, "q", "transport"), (2, "q", "transport"), (3, "q", "communication"), (4, "q", None)])
    year2 = coded([(10, "q", "transport"), (11, "q", "disputes"), (11, "r", "disputes"), (12, "q", None), (13, "q", None),
                   (14, "q", None)])
    empty = coded([])
    trends = theme_trends([("2024", year1), ("2025", year2), ("2026", empty)])
    assert list(trends["theme"]) == ["communication", "transport", "disputes"]  # codebook order, raised at least once
    row = trends.set_index("theme").loc["transport"]
    assert row["share:2024"] == 0.5 and row["respondents:2024"] == 2  # 2 of 4 commenters
    assert row["share:2025"] == pytest.approx(0.2)  # 1 of 5 commenters
    assert row["share:2026"] != row["share:2026"]  # no commenters: unknown, not 0
    assert row["change"] == pytest.approx(-30.0)  # percentage points, first to latest year with comments
    disputes = trends.set_index("theme").loc["disputes"]
    assert disputes["respondents:2025"] == 1 and disputes["share:2024"] == 0  # one person, two comments
    assert theme_trends([]).empty
