"""Emerging phrases (both textblob paths) and indicative sentiment."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import phrases
from analysis.coding import code_comments
from analysis.loading import build_survey_data
from analysis.phrases import emerging_phrases, noun_phrases_offline, uncoded_texts
from analysis.sentiment import INDICATIVE_NOTE, label, polarity, score_comments, sentiment_by
from surveys.instrument import built_in_instruments

UNCODED = [
    "Sensory friendly sessions at the library would be lovely.",
    "We need more sensory friendly sessions at the swimming pool.",
    "The sleep clinic never sent an appointment.",
    "Our sleep clinic appointment was cancelled twice.",
    "The sleep clinic is miles away.",
]


def test_offline_noun_phrases_come_from_the_pattern_chunker():
    assert noun_phrases_offline("The local offer website is a maze.") == ["local offer website", "maze"]
    assert noun_phrases_offline("Our new key worker at the disabled childrens team was great!") == [
        "new key worker", "disabled childrens team"]
    assert noun_phrases_offline("") == []


def test_emerging_phrases_offline_path_counts_comments(monkeypatch):
    monkeypatch.setattr(phrases, "corpora_available", lambda: False)  # force the offline path
    found = emerging_phrases(UNCODED)  # "auto" picks the offline path without corpora
    top = found.iloc[0]
    assert (top["phrase"], top["comments"]) == ("sleep clinic", 3)
    assert found.set_index("phrase").loc["sensory friendly sessions", "comments"] == 2
    assert len(top["examples"]) == 3
    assert "sleep clinic" not in set(emerging_phrases(UNCODED, method="offline", ignore=["Sleep clinic"])["phrase"])


def test_emerging_phrases_full_path_uses_textblob_noun_phrases(monkeypatch):
    from textblob import TextBlob

    monkeypatch.setattr(phrases, "corpora_available", lambda: True)
    seen = []

    def fake_noun_phrases(self):  # stands in for the corpus-backed extractor
        seen.append(str(self))
        return ["the sleep clinic"] if "sleep clinic" in str(self) else []

    monkeypatch.setattr(TextBlob, "noun_phrases", property(fake_noun_phrases))
    found = emerging_phrases(UNCODED)
    assert len(seen) == len(UNCODED)
    assert found.to_dict("records")[0]["phrase"] == "sleep clinic"
    assert found.to_dict("records")[0]["comments"] == 3


@pytest.mark.skipif(not phrases.corpora_available(), reason="NLTK corpora (brown, punkt_tab) are not installed")
def test_emerging_phrases_full_path_with_real_corpora():
    found = emerging_phrases(UNCODED, method="full")
    assert "sleep clinic" in set(found["phrase"])


def test_uncoded_texts_feed_the_emerging_phrases():
    comments = pd.DataFrame({"respondent_id": list("abc"), "question": "q",
                             "text": ["the taxi is late", UNCODED[2], UNCODED[3]]})
    texts = uncoded_texts(code_comments(comments))
    assert texts == [UNCODED[2], UNCODED[3]]
    assert emerging_phrases(texts, method="offline").iloc[0]["phrase"] == "sleep clinic"


def test_sentiment_per_comment_and_per_theme_is_labelled_indicative():
    assert polarity("The SENCo is brilliant and so helpful") > 0.05
    assert polarity("The taxi is always late and the driver is rude, awful") < -0.05
    assert polarity("") == 0.0
    assert (label(-0.5), label(0.0), label(0.4)) == ("negative", "neutral", "positive")
    instrument = built_in_instruments()["annual-send-parent"]
    rows = [{"respondent_id": f"r{i}", "answers": {"support_level": "ehcp" if i < 12 else "sen_support",
                                                      "could_be_better": "the taxi is always late, awful"}}
            for i in range(15)]
    data = build_survey_data(instrument, rows)
    scored = score_comments(code_comments(data.comments))
    by_theme = sentiment_by(scored, "theme").set_index("group")
    assert by_theme.loc["transport", "comments"] == 15
    assert by_theme.loc["transport", "negative_share"] == 1.0
    assert by_theme.loc["transport", "note"] == INDICATIVE_NOTE
    by_support = sentiment_by(scored, "support_level", respondents=data.respondents).set_index("group")
    assert by_support.loc["ehcp", "comments"] == 12
    assert bool(by_support.loc["sen_support", "suppressed"]) and math.isnan(by_support.loc["sen_support", "mean_polarity"])
    full = sentiment_by(scored, "support_level", respondents=data.respondents, full=True).set_index("group")
    assert full.loc["sen_support", "comments"] == 3 and full.loc["sen_support", "warning"]


def test_emerging_phrases_have_no_stop_word_junk_and_similar_ones_are_grouped():
    from analysis.phrases import _normalise, emerging_phrase_groups

    assert _normalise("place the school".split()) is None
    assert _normalise("plan the".split()) is None and _normalise("to the".split()) is None
    assert _normalise("speech and language".split()) == "speech and language"
    texts = [
        "We could not get a place the school said was full, the sleep clinic never rang.",
        "The sleep clinic appointment was cancelled.",
        "Sleep clinics have a long wait.",
        "Our sleep clinic was helpful.",
        "The bouncy castle zone was shut.",
        "I loved the bouncy castle zone.",
    ]
    groups = emerging_phrase_groups(texts, method="offline")
    assert all("the" not in g["phrase"].split() for g in groups)
    sleep = next(g for g in groups if g["phrase"].startswith("sleep clinic"))
    assert sleep["comments"] == 4 and len(sleep["examples"]) == 3
    assert any("sleep clinic" in s for s in sleep["similar"]) or sleep["phrase"] == "sleep clinic"
    assert [g["phrase"] for g in groups].count("sleep clinic") <= 1 and not any(
        g is not sleep and g["phrase"].startswith("sleep clinic") for g in groups)
    castle = next(g for g in groups if "bouncy castle" in g["phrase"])
    assert castle["comments"] == 2
