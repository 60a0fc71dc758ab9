"""The path through a survey: conditional questions, next and previous pages, what is missing."""

import pytest

from surveys.instrument import built_in_instruments
from surveys.journey import (
    CHECK_PAGE,
    answers_on_path,
    missing_answers,
    next_page_key,
    previous_page_key,
    progress,
    resume_page_key,
    visible_pages,
    visible_questions,
)

PARENT = built_in_instruments()["annual-send-parent"]
EHC_QUESTIONS = {"ehc_plan_timely", "ehc_plan_reflects_child", "ehc_plan_delivered", "annual_review_useful"}


def keys(questions):
    return {q.key for q in questions}


def test_ehc_plan_questions_show_only_for_families_with_a_plan():
    assert not EHC_QUESTIONS & keys(visible_questions(PARENT, {"support_level": "sen_support"}))
    assert EHC_QUESTIONS <= keys(visible_questions(PARENT, {"support_level": "ehcp"}))
    waiting = keys(visible_questions(PARENT, {"support_level": "ehcp_assessment"}))
    assert "ehc_plan_timely" in waiting and "ehc_plan_delivered" not in waiting


def test_next_page_skips_hidden_questions():
    assert next_page_key(PARENT, {"support_level": "sen_support"}, "services_used") == "local_offer_used"
    assert next_page_key(PARENT, {"support_level": "ehcp"}, "services_used") == "ehc_plan_timely"
    assert next_page_key(PARENT, {}, "anything_else") == CHECK_PAGE


def test_previous_page_skips_hidden_questions_and_leads_back_from_check():
    answers = {"support_level": "sen_support", "local_offer_used": "no"}
    assert previous_page_key(PARENT, answers, "local_offer_used") == "services_used"
    assert previous_page_key(PARENT, answers, "respondent_role") is None
    assert previous_page_key(PARENT, answers, CHECK_PAGE) == "anything_else"


def test_missing_answers_lists_required_questions_on_the_path_only():
    answers = {"respondent_role": "parent", "support_level": "sen_support"}
    missing = [m.question.key for m in missing_answers(PARENT, answers)]
    assert "child_age" in missing and "overall_satisfaction" in missing
    assert "works_well" not in missing  # optional
    assert not EHC_QUESTIONS & set(missing)


def test_changing_an_answer_drops_answers_that_no_longer_apply():
    answers = {"support_level": "sen_support", "ehc_plan_delivered": "agree", "local_offer_used": "no",
               "local_offer_helpful": "agree", "needs_met": "agree"}
    kept = answers_on_path(PARENT, answers)
    assert kept == {"support_level": "sen_support", "local_offer_used": "no", "needs_met": "agree"}


def test_resume_returns_to_the_page_they_were_on_or_the_first_gap():
    assert resume_page_key(PARENT, {}, "respondent_role") == "respondent_role"
    assert resume_page_key(PARENT, {"respondent_role": "parent"}, "child_age") == "child_age"
    # the page they were on is now hidden: go to the first unanswered required question
    answers = {"respondent_role": "parent", "support_level": "sen_support"}
    assert resume_page_key(PARENT, answers, "ehc_plan_delivered") == "child_age"


def test_progress_counts_pages_on_the_current_path():
    with_plan = len(visible_pages(PARENT, {"support_level": "ehcp", "child_age": "16_17", "local_offer_used": "yes"}))
    without = len(visible_pages(PARENT, {"support_level": "none", "child_age": "5_10", "local_offer_used": "no"}))
    assert with_plan == len(PARENT.pages)
    assert without == len(PARENT.pages) - 6  # 4 EHC plan questions, Local Offer helpful, adulthood
    # Before any answer every page could still show: the count starts at its largest, then the
    # question pages and "your choices".
    assert progress(PARENT, {}, "respondent_role") == (1, len(PARENT.pages) + 1)


def _walk_progress(instrument, choose):
    """(number, total) on each step of a walk that answers with choose(question)."""
    from surveys.journey import CHECK_PAGE, CHOICES_STEP, next_page_key

    answers, steps, page = {}, [], instrument.pages[0].key
    while page != CHECK_PAGE:
        steps.append(progress(instrument, answers, page))
        for question in instrument.pages_by_key[page].questions:
            answers[question.key] = choose(question)
        page = next_page_key(instrument, answers, page)
    if instrument.consent_purposes:
        steps.append(progress(instrument, answers, CHOICES_STEP))
    return steps


@pytest.mark.parametrize("instrument_key", sorted(built_in_instruments()))
@pytest.mark.parametrize("way", ["first answers", "last answers", "revealing answers"])
def test_progress_never_moves_backwards_or_jumps_and_ends_at_the_last_question(instrument_key, way):
    """Question 1 of 13, then 3 of 14, then 5 of 15 was the complaint: each Continue adds exactly
    one, the total never grows (so the bar never shrinks), and the last question page (your
    choices, when asked) is "N of N"."""
    instrument = built_in_instruments()[instrument_key]
    reveal = {q.show_if.question: q.show_if for q in instrument.questions if q.show_if}

    def choose(question):
        values = [o.value for o in question.all_options]
        if not values:
            return "3"
        if way == "revealing answers" and question.key in reveal:
            wanted = reveal[question.key]
            value = wanted.includes or wanted.values()[0]
        else:
            value = values[0] if way == "first answers" else values[-1]
        return [value] if question.type == "multiple_choice" else value

    steps = _walk_progress(instrument, choose)
    assert [n for n, _ in steps] == list(range(1, len(steps) + 1)), steps
    totals = [t for _, t in steps]
    assert totals == sorted(totals, reverse=True), f"the total grew: {steps}"
    assert steps[-1] == (len(steps), len(steps)), steps
    fractions = [n / t for n, t in steps]
    assert fractions == sorted(fractions), f"the bar moved backwards: {steps}"


def test_remembered_paths_follow_each_change_of_a_deciding_answer():
    """The pages are worked out once per set of deciding answers and kept with the instrument: going
    back and forth between answers must still give each answer its own path."""
    instrument = built_in_instruments()["annual-send-parent"]
    for _ in range(2):  # the second time round every path comes from the memo
        for level, shown in (("ehcp", True), ("none", False), ("ehcp_assessment", False), ("ehcp", True)):
            keys = [p.key for p in visible_pages(instrument, {"support_level": level, "local_offer_used": "no"})]
            assert ("ehc_plan_delivered" in keys) is shown
            assert "local_offer_helpful" not in keys
        assert progress(instrument, {"support_level": "none"}, "support_level") != progress(
            instrument, {"support_level": "ehcp"}, "support_level")


def test_an_answer_that_is_not_one_of_the_options_is_worked_out_afresh_and_never_kept():
    instrument = built_in_instruments()["annual-send-parent"]
    odd = {"support_level": "my own words about my child", "child_age": "16_17"}
    keys = [p.key for p in visible_pages(instrument, odd)]
    assert "ehc_plan_delivered" not in keys and "preparing_for_adulthood" in keys
    assert not any("my own words about my child" in str(key) for key in instrument.path_memo)
