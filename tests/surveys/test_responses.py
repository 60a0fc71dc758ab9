"""Responses in the database: saving merges, submitting happens exactly once, codes resume."""

import asyncio

import pytest

from surveys.codes import hash_code, looks_like_code, normalise_code, random_code
from surveys.responses import (
    AlreadySubmitted,
    Incomplete,
    create_resume_code,
    response_by_id,
    resume_with_code,
    save_page,
    start_response,
    submit_response,
    submitted_responses,
)
from surveys.tables import Response
from tests.conftest import open_test_run, run

COMPLETE = {
    "respondent_role": "young_person", "age_band": "under_11", "setting": "primary", "support_level": "sen_support",
    "listened_to": "agree", "involved_in_decisions": "agree", "tell_us_once": "agree", "needs_met": "agree",
    "support_timely": "agree", "feel_safe": "agree", "overall_satisfaction": "satisfied",
}
SECRET = "a-secret-for-tests-only-0123456789abcdef"


def engine():
    return Response._meta.db


def test_saving_pages_merges_answers_and_clearing_an_optional_answer_removes_it():
    async def scenario():
        survey = open_test_run_sync["young"]
        draft, token = await start_response(survey)
        assert token and draft.status == "in_progress"
        await save_page(engine(), draft, {"respondent_role": "young_person"}, "age_band")
        await save_page(engine(), draft, {"age_band": "13_15", "works_well": "lunch club"}, "setting")
        await save_page(engine(), draft, {"works_well": None}, "setting")
        stored = await response_by_id(draft.id)
        return stored

    stored = run(scenario())
    assert stored.answers == {"respondent_role": "young_person", "age_band": "13_15"}
    assert stored.current_page == "setting"


open_test_run_sync = {}


@pytest.fixture(autouse=True)
def _young_run():
    open_test_run_sync["young"] = open_test_run("annual-send-young-person")


def test_submit_refuses_missing_answers_then_submits_once():
    survey = open_test_run_sync["young"]

    async def scenario():
        draft, _ = await start_response(survey)
        await save_page(engine(), draft, {"respondent_role": "young_person"}, "age_band")
        with pytest.raises(Incomplete) as caught:
            await submit_response(draft, survey)
        assert caught.value.missing[0].question.key == "age_band"
        await save_page(engine(), draft, COMPLETE, "check")
        # a double tap: two submits at the same moment
        first, second = await asyncio.gather(submit_response(draft, survey), submit_response(draft, survey))
        with pytest.raises(AlreadySubmitted):
            await save_page(engine(), draft, {"feel_safe": "disagree"}, "check")
        return first, second, await submitted_responses(survey.id)

    first, second, all_submitted = run(scenario())
    assert first.reference == second.reference
    assert [r.id for r in all_submitted] == [first.id]
    assert all_submitted[0].answers["feel_safe"] == "agree"


def test_submission_keeps_only_answers_on_the_final_path():
    survey = open_test_run_sync["young"]

    async def scenario():
        draft, _ = await start_response(survey)
        await save_page(engine(), draft, {**COMPLETE, "support_level": "ehcp", "ehc_plan_helps": "agree"}, "check")
        await save_page(engine(), draft, {"support_level": "sen_support"}, "check")  # changed their mind
        return await submit_response(draft, survey)

    assert "ehc_plan_helps" not in run(scenario()).answers


def test_resume_code_works_once_per_save_and_only_for_its_survey():
    survey = open_test_run_sync["young"]
    other = open_test_run("annual-send-young-person")

    async def scenario():
        draft, _ = await start_response(survey)
        old_code = await create_resume_code(draft, SECRET)
        code = await create_resume_code(draft, SECRET)
        assert await resume_with_code(survey, old_code, SECRET) is None  # replaced by the newer code
        assert await resume_with_code(other, code, SECRET) is None
        assert await resume_with_code(survey, code, "another-secret") is None
        found = await resume_with_code(survey, code.lower().replace("-", ""), SECRET)
        stored_hash = (await Response.select(Response.resume_code_hash).where(Response.id == draft.id).first())["resume_code_hash"]
        return found, draft, code, stored_hash

    found, draft, code, stored_hash = run(scenario())
    assert found is not None and found[0].id == draft.id and found[1]
    assert stored_hash == hash_code(code, SECRET) and code not in stored_hash


def test_codes_are_random_readable_and_normalised():
    codes = {random_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert looks_like_code(code) and not set(code) & set("01OILS5")
    assert normalise_code(" abcd efgh-jkmn ") == "ABCD-EFGH-JKMN"
    assert not looks_like_code("ABCD-EFGH")
