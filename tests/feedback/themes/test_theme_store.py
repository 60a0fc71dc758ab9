"""Stored theme codings: the domain functions, without the web layer."""

from __future__ import annotations

from analysis.coding import default_codebook
from feedback.themes.tables import CodedComment, CommentCoding
from feedback.themes.store import (
    code_response,
    comment_themes,
    decide,
    delete_codings,
    ensure_coded,
    find_comment,
    latest_codebook,
    save_codebook,
)
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import open_test_run, run


def rows_of(response_id):
    return run(CommentCoding.select().where(CommentCoding.response == response_id).order_by(CommentCoding.id).output(load_json=True))


def test_comment_themes_maps_each_comment_to_its_themes():
    survey = open_test_run("annual-send-parent")
    draft = run(submitted(survey, valid_answers(survey.instrument, 1, works_well="Our SENCo is brilliant",
                                                could_be_better="Nobody picks up the phone")))
    themes = run(comment_themes(survey.id))
    assert themes[(draft.id, "works_well")] == ["school_support"]
    assert "communication" in themes[(draft.id, "could_be_better")]
    assert run(comment_themes(10**9)) == {}


def test_code_response_stores_matched_terms_and_is_idempotent():
    survey = open_test_run("annual-send-parent")
    draft = run(submitted(survey, valid_answers(survey.instrument, 2, works_well="Our SENCo is brilliant",
                                                could_be_better="Nobody picks up the phone")))
    assert run(code_response(draft.id)) == 2
    assert run(code_response(draft.id)) == 2  # again: nothing duplicated
    rows = rows_of(draft.id)
    assert sorted((r["question"], r["theme"]) for r in rows) == sorted({(r["question"], r["theme"]) for r in rows})
    school = next(r for r in rows if r["theme"] == "school_support")
    assert school["terms"] and school["source"] == "coder" and school["status"] == "suggested"
    assert "SENCo" not in str(rows)  # no comment text stored
    assert run(code_response(10**9)) == 0


def test_decisions_survive_a_codebook_change():
    survey = open_test_run("annual-send-parent")
    draft = run(submitted(survey, valid_answers(survey.instrument, 3, works_well="Our SENCo is brilliant",
                                                could_be_better="Nobody picks up the phone about the trampoline park")))
    run(ensure_coded(survey))
    comment = run(find_comment(survey, draft.id, "could_be_better"))
    run(decide(survey, comment, "add", "officer@example.org", "short_breaks"))
    run(decide(survey, comment, "remove", "officer@example.org", "communication"))
    assert run(comment_themes(survey.id))[(draft.id, "could_be_better")] == ["short_breaks"]

    before, codebook = run(latest_codebook())
    edited = codebook.copy()
    edited.add_terms("friendships_safety", include=["trampoline*"])
    version = run(save_codebook(edited, "officer@example.org", "trampolines"))
    assert version == before + 1 and run(latest_codebook())[0] == version
    themes = run(comment_themes(survey.id))[(draft.id, "could_be_better")]
    assert set(themes) == {"short_breaks", "friendships_safety"}
    marks = run(CodedComment.select().where(CodedComment.response == draft.id))
    assert {m["codebook_version"] for m in marks} == {version}
    # the officer's removal of "communication" still stands
    removed = [r for r in rows_of(draft.id) if r["theme"] == "communication"]
    assert removed and removed[0]["status"] == "removed"
    # put the built-in codebook back for the other tests
    run(save_codebook(default_codebook(), "officer@example.org", "back to default"))


def test_erasure_forgets_codings():
    survey = open_test_run("annual-send-parent")
    draft = run(submitted(survey, valid_answers(survey.instrument, 4, works_well="Our SENCo is brilliant")))
    run(code_response(draft.id))
    assert rows_of(draft.id)
    run(delete_codings(draft.id))
    assert not rows_of(draft.id)
    assert run(find_comment(survey, 10**12, "works_well")) is None
    assert run(find_comment(survey, draft.id, "no_such_question")) is None


def test_retention_deleting_free_text_forgets_its_codings():
    from feedback.operations.retention import RetentionPlan, SurveyPlan, apply_retention

    survey = open_test_run("annual-send-parent")
    draft = run(submitted(survey, valid_answers(survey.instrument, 5, works_well="Our SENCo is brilliant",
                                                could_be_better="Nobody picks up the phone")))
    run(code_response(draft.id))
    run(apply_retention(RetentionPlan([SurveyPlan(slug=survey.slug, free_text={draft.id: {"could_be_better": None}})])))
    assert {r["question"] for r in rows_of(draft.id)} == {"works_well"}
    assert (draft.id, "could_be_better") not in run(comment_themes(survey.id))
