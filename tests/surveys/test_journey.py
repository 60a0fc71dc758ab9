"""The path through a survey: conditional questions, next and previous pages, what is missing."""

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
    assert progress(PARENT, {}, "respondent_role") == (1, len(visible_pages(PARENT, {})))
