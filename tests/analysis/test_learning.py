"""Learning from officers: review decisions suggest terms, and accepting them lifts the rest of a set."""

from __future__ import annotations

import statistics
from pathlib import Path

from analysis.coding import default_codebook, themes_of
from analysis.evaluation import read_gold
from analysis.learning import Decided, apply_suggestions, simulate_officer_corrections, suggest_terms

DATA = Path(__file__).parent / "data"
FAMILY_DEV = read_gold(DATA / "themes_family_dev.jsonl")
# A partnership's families name its local services ("the Bridge" short-break centre, "Compass" family
# support, "SPARK" school outreach): words no shipped codebook can know.
LOCAL = read_gold(DATA / "partnership_local_names.jsonl")


def test_officers_correcting_ten_percent_raise_the_score_on_the_rest():
    items = FAMILY_DEV + LOCAL
    runs = [simulate_officer_corrections(items, default_codebook(), share=0.1, seed=seed) for seed in range(6)]
    assert all(r["reviewed"] == round(len(items) * 0.1) for r in runs)
    before = statistics.mean(r["before"]["micro_f1"] for r in runs)
    after = statistics.mean(r["after"]["micro_f1"] for r in runs)
    assert after >= before + 0.015, (before, after)
    assert statistics.mean(r["after"]["macro_f1"] for r in runs) > statistics.mean(r["before"]["macro_f1"] for r in runs)
    assert all(r["after"]["micro_f1"] >= r["before"]["micro_f1"] for r in runs)  # never worse on any draw
    learned = {(s.theme, s.term) for r in runs for s in r["suggestions"]}
    assert {("short_breaks", "bridge"), ("family_support", "compass"), ("school_support", "spark")} <= learned


def test_what_one_comment_says_once_or_an_everyday_word_is_never_suggested():
    # On a set without recurring local words, corrections add nothing and take nothing away.
    for seed in range(4):
        r = simulate_officer_corrections(FAMILY_DEV, default_codebook(), share=0.1, seed=seed)
        assert r["after"]["micro_f1"] >= r["before"]["micro_f1"]
    decided = [
        Decided("We waited ages for the plan", frozenset(), frozenset({"ehc_timeliness"})),
        Decided("waited and waited for the plan", frozenset(), frozenset({"ehc_timeliness"})),
        Decided("The Oak Room was lovely", frozenset(), frozenset({"short_breaks"})),
    ]
    terms = {s.term for s in suggest_terms(decided, default_codebook())}
    assert "plan" not in terms and "oak room" not in terms  # "plan" means many things; Oak Room was said once


def test_removals_suggest_an_exclude_and_accepting_changes_only_a_copy():
    codebook = default_codebook()
    assert "school_support" in themes_of("the club staff were brilliant", codebook)  # "staff" alone reads as school
    decided = [
        Decided(text, frozenset(themes_of(text, codebook)), frozenset(final)) for text, final in [
            ("the club staff were so kind to him", {"short_breaks"}),
            ("the youth club staff are great", {"short_breaks"}),
            ("school staff never help him", {"school_support"}),
        ]
    ]
    suggestions = suggest_terms(decided, codebook)
    exclude = [s for s in suggestions if s.kind == "exclude"]
    assert [(s.theme, s.term, s.comments) for s in exclude] == [("school_support", "club staff", 2)]
    assert len(exclude[0].examples) == 2
    before = codebook.fingerprint
    learned = apply_suggestions(codebook, exclude)
    assert codebook.fingerprint == before  # the shipped codebook is untouched
    assert "school_support" not in themes_of("the club staff were brilliant", learned)
    assert "school_support" in themes_of("school staff never help him", learned)
