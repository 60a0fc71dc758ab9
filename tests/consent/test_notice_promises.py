"""Every sentence of every privacy notice is either a promise mapped to the tests that show the code
keeps it, or a sentence declared not to promise anything the code does (a heading, who we are, the
lawful basis, how to complain). Checked both ways: a notice that gains a sentence nobody classified
fails here, and so does a promise pattern that no longer matches any sentence, or that names a test
that does not exist. The few promises the code does not keep yet are listed as such (xfail, strict)."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

import pytest

from consent.notices import NOTICE_DIR, read_notice_file
from surveys.instrument import built_in_instruments
from surveys.promises import notice_text, sentences

DATA_RIGHTS = "tests/consent/test_data_rights.py"
RETENTION = "tests/feedback/operations/test_retention.py"
SETTINGS = "tests/surveys/test_retention_settings.py"
HERE = "tests/consent/test_notice_promises.py"
FIGURES = "tests/feedback/publishing/test_published_figures.py"
QUOTES = "tests/feedback/publishing/test_quotes.py"
JOURNEY = "tests/feedback/respond/test_journey_http.py"
WORKSPACE = "tests/feedback/workspace/test_workspace.py"
CORRECTIONS = "tests/feedback/privacy/test_corrections.py"


@dataclass(frozen=True)
class Promise:
    what: str
    pattern: str
    tests: tuple[str, ...]


PROMISES = (
    Promise("unfinished answers deleted after 30 days",
            r"unfinished answers are deleted after 30 days|delete answers that are not finished after 30 days",
            (f"{DATA_RIGHTS}::test_retention_dry_run_changes_nothing_and_apply_deletes",
             f"{RETENTION}::test_command_line_overrides_only_shorten_a_surveys_periods",
             f"{SETTINGS}::test_every_built_in_instrument_keeps_the_periods_its_notice_states")),
    Promise("finished answers kept 3 years after closing, then deleted",
            r"finished answers are kept for 3 years|keep finished answers for 3 years|keep your answers for 3 years|^then we delete them",
            (f"{RETENTION}::test_a_survey_closed_four_years_ago_holds_no_answers_after_retention_apply_and_an_open_one_keeps_all",
             f"{RETENTION}::test_answers_are_kept_until_their_period_ends",
             f"{RETENTION}::test_each_survey_keeps_answers_for_its_own_instruments_period",
             f"{SETTINGS}::test_every_notice_states_how_long_finished_answers_are_kept_in_words_the_check_reads")),
    Promise("written comments anonymised a year after closing",
            r"written comments are anonymised a year after",
            (f"{DATA_RIGHTS}::test_retention_dry_run_changes_nothing_and_apply_deletes",
             f"{SETTINGS}::test_the_builder_refuses_retention_its_chosen_notice_contradicts")),
    Promise("withdraw answers at any time with the reference",
            r"withdraw your answers|take your answers back|withdraw your answers later|page called withdraw your answers|use the code you get at the end",
            (f"{DATA_RIGHTS}::test_withdrawing_all_answers_shrinks_the_export_by_exactly_one_row",
             f"{DATA_RIGHTS}::test_withdrawing_one_consent_keeps_the_answers",
             "tests/feedback/privacy/test_audit_trail.py::test_withdrawals_and_erasures_at_withdraw_are_audited_as_the_respondent_without_the_reference")),
    Promise("a copy of what we hold (subject access)",
            r"ask for a copy of what we hold|ask to see them",
            (f"{DATA_RIGHTS}::test_subject_access_produces_everything_held_as_json",)),
    Promise("no published group smaller than 10; nothing that identifies",
            r"fewer than 10 people are never shown|never publish anything that could identify|never tell anyone it was you|"
            r"never show anything that tells people it was you|anonymous figures|reads the anonymous results|helps read the anonymous results",
            (f"{FIGURES}::test_published_csv_has_exact_figures_with_suppression",
             f"{FIGURES}::test_a_small_survey_shows_no_figure")),
    Promise("words quoted only with agreement, identifying details removed, a person checks",
            r"only quoted if you agree|only use your words in a report if you say yes|take out names first",
            (f"{QUOTES}::test_only_people_who_agree_to_be_quoted_are_put_forward_redacted",
             f"{QUOTES}::test_approval_is_needed_before_a_quote_is_shown",
             f"{QUOTES}::test_withdrawing_quote_consent_after_approval_removes_the_quote_everywhere")),
    Promise("only the people analysing or running it see the answers",
            r"only the people (analysing|working on|who work on)|officers who analyse the survey, and no one else|"
            r"members who run the consultation can see the answers|keep (them|your answers) (secure|safe)|in charge of keeping your answers safe|"
            r"keeps the answers on its own server",
            (f"{WORKSPACE}::test_permission_matrix",
             f"{WORKSPACE}::test_a_forum_member_opens_a_survey_that_belongs_to_their_team")),
    Promise("no name, address or case file collected or linked",
            r"do not collect your name|do not have to (give|say) your name|do not ask for (your name|names)|do not link your answers",
            (f"{HERE}::test_no_instrument_asks_for_a_name_an_address_or_a_case_reference",
             f"{DATA_RIGHTS}::test_contact_details_are_not_in_the_response_table")),
    Promise("what we collect: the answers, the date, the version",
            r"^your answers, the date|^your answers about how the ehc plan",
            (f"{JOURNEY}::test_participation_records_the_notice_version_that_was_shown",
             f"{DATA_RIGHTS}::test_subject_access_produces_everything_held_as_json")),
    Promise("no tracking cookies or analytics; one cookie to carry on, one against misuse",
            r"do not use tracking cookies",
            (f"{HERE}::test_a_whole_survey_sets_only_the_carry_on_and_form_protection_cookies",
             "tests/feedback/test_shell.py::test_pages_have_no_inline_script_or_style_and_nothing_from_other_sites")),
    Promise("stop, skip and come back: taking part is a choice",
            r"stop at any time|skip (any )?questions|taking part is your choice|makes no difference|will not change the help|"
            r"not answering a question",
            (f"{JOURNEY}::test_save_and_come_back_later_gives_a_code_that_works_on_another_device",
             "tests/surveys/test_validation.py::test_optional_question_may_be_left_blank")),
    Promise("under 13: a parent or carer decides optional uses",
            r"a parent or carer needs to decide that with you|you or your parent or carer can take your answers back",
            (f"{DATA_RIGHTS}::test_under_13_needs_a_parent_or_carer_for_optional_uses",
             f"{DATA_RIGHTS}::test_under_13_with_a_parent_deciding_records_the_parent_as_acting")),
    Promise("ask us to correct what we hold",
            r"ask us to (correct|fix)",
            (f"{CORRECTIONS}::test_the_withdraw_page_offers_a_correction_in_standard_and_easy_read",
             f"{CORRECTIONS}::test_a_correction_request_reaches_the_officers_who_record_what_they_did",
             f"{CORRECTIONS}::test_a_correction_request_is_deleted_with_the_answers_at_the_end_of_their_period")),
)

# Promised, but nothing in the product does it yet (none left: "ask us to correct it" was the last): each would be a strict xfail, so the day it is
# built the test starts passing and must move into PROMISES.
NOT_YET_KEPT: tuple[Promise, ...] = ()

# Sentences that promise nothing the code does: headings, who runs it, the lawful basis, contacts.
NOT_PROMISES = (
    r"^(your answers: what we do with them|who can see your answers|using your words|how long we keep (them|your answers)|"
    r"if you change your mind|who we are|why we can use your answers|what we collect|who sees your answers|your rights|"
    r"what we do with your answers|if you are under 13|how we use your answers: .*)$",
    r"^the council and the nhs (ask these questions|run this survey together|integrated care board are joint controllers)",
    r"^this survey is run by|^parent carer voice runs this consultation|^the parent carer forum helps design|^parent carer voice helps read",
    r"^we want to (make help|know)|^we ask these questions|^the local area send partnership|improve support|^it is part of our job",
    r"public task|substantial public interest|^the law lets us use your answers",
    r"^some answers are about your child's needs|^contact the council's data protection officer",
    r"complain to the information commissioner",
    r"^you can (ask a grown-up|ask someone) to help you|^you can (fill in the survey|answer the questions)\.$",
)


def all_sentences() -> list[tuple[str, str]]:
    found = []
    for path in sorted(NOTICE_DIR.glob("*.toml")):
        for sentence in sentences(notice_text(read_notice_file(path))):
            found.append((path.name, sentence))
    return found


def _matches(pattern: str, sentence: str) -> bool:
    return re.search(pattern, sentence, re.IGNORECASE) is not None


def test_every_notice_sentence_is_a_mapped_promise_or_declared_not_a_promise():
    unmapped = [f"{name}: {sentence}" for name, sentence in all_sentences()
                if not any(_matches(p.pattern, sentence) for p in (*PROMISES, *NOT_YET_KEPT))
                and not any(_matches(pattern, sentence) for pattern in NOT_PROMISES)]
    assert unmapped == [], "sentences nobody mapped to a test:\n" + "\n".join(unmapped)


def test_every_promise_still_matches_a_sentence_and_names_tests_that_exist():
    texts = [sentence for _, sentence in all_sentences()]
    for promise in (*PROMISES, *NOT_YET_KEPT):
        assert any(_matches(promise.pattern, s) for s in texts), f"no notice says: {promise.what}"
    for promise in PROMISES:
        assert promise.tests, promise.what
        for test in promise.tests:
            path, name = test.split("::")
            module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
            assert callable(getattr(module, name, None)), f"{promise.what}: no test {test}"


def test_count_of_promises_tested():
    mapped = [s for _, s in all_sentences() if any(_matches(p.pattern, s) for p in PROMISES)]
    assert (len(PROMISES), len(mapped), len(set(mapped))) == (14, 109, 55)  # the figures reported; update when notices change


NAME_OR_ADDRESS = re.compile(r"\b(your|child's|their) (full )?name\b|\baddress\b|\bpostcode\b|date of birth|nhs number|"
                             r"case (number|reference|file)|ehc plan number", re.IGNORECASE)


@pytest.mark.parametrize("key", sorted(built_in_instruments()))
def test_no_instrument_asks_for_a_name_an_address_or_a_case_reference(key):
    instrument = built_in_instruments()[key]
    # a hint asking people not to write names is the promise kept, not broken
    asked = [q.key for q in instrument.questions
             if NAME_OR_ADDRESS.search(re.sub(r"(please )?(don't|do not) write[^.]*\.?", "", f"{q.text} {q.hint or ''}", flags=re.I))]
    assert asked == []


def test_a_whole_survey_sets_only_the_carry_on_and_form_protection_cookies(client):
    from tests.consent.test_data_rights import completed
    from tests.conftest import open_test_run

    survey = open_test_run("annual-send-parent", prefix="cookies")
    completed(client, survey.slug, {"quotes": "no", "contact": "no"})
    names = {cookie.name for cookie in client.cookies.jar}
    assert names, "no cookie at all: the journey could not carry on"
    unexpected = {n for n in names if "csrf" not in n.lower() and survey.slug not in n and not n.startswith(("resume", "__Host-resume"))}
    assert unexpected == set(), names
    assert len(names) <= 2
