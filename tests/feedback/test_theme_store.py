"""Stored theme codings: the domain functions, without the web layer."""

from __future__ import annotations

from feedback.theme_store import comment_themes
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import open_test_run, run


def test_comment_themes_maps_each_comment_to_its_themes():
    survey = open_test_run("annual-send-parent")
    draft = run(submitted(survey, valid_answers(survey.instrument, 1, works_well="Our SENCo is brilliant",
                                                could_be_better="Nobody picks up the phone")))
    themes = run(comment_themes(survey.id))
    assert themes[(draft.id, "works_well")] == ["school_support"]
    assert "communication" in themes[(draft.id, "could_be_better")]
    assert run(comment_themes(10**9)) == {}
