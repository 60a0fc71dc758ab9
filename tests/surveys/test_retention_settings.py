"""The retention periods a notice states are the instrument's settings: they can never disagree."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from consent.notices import NOTICE_DIR, read_notice_file
from surveys import authoring
from surveys.instrument import Retention, built_in_instruments
from surveys.promises import instrument_problems, notice_text, retention_problems, stated_periods


@pytest.mark.parametrize("key", sorted(built_in_instruments()))
def test_every_built_in_instrument_keeps_the_periods_its_notice_states(key):
    instrument = built_in_instruments()[key]
    assert instrument_problems(instrument) == []


@pytest.mark.parametrize("path", sorted(NOTICE_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_every_notice_states_how_long_finished_answers_are_kept_in_words_the_check_reads(path):
    notice = read_notice_file(path)
    periods = {p.setting: p.days for p in stated_periods(notice_text(notice))}
    assert periods.get("answers_days") == 3 * 365


def test_a_setting_that_breaks_the_notice_is_reported_with_the_sentence():
    notice = read_notice_file(NOTICE_DIR / "pcv-consultations.v1.standard.toml")
    text = notice_text(notice)
    assert retention_problems(Retention(), text) == []
    problems = retention_problems(replace(Retention(), answers_days=5 * 365), text)
    assert problems == ['notice says "Finished answers are kept for 3 years after the questionnaire closes, then deleted." '
                        "but retention.answers_days is 1825"]
    assert any("retention.free_text is 'delete'" in p for p in retention_problems(replace(Retention(), free_text="delete"), text))
    assert any("retention.drafts_days is 60" in p for p in retention_problems(replace(Retention(), drafts_days=60), text))


def test_a_new_period_sentence_nobody_checks_fails_the_check():
    text = "Finished answers are kept for 3 years after the survey closes.\nRecordings are deleted after 6 months."
    assert retention_problems(Retention(), text) == [
        'notice: "Recordings are deleted after 6 months." sounds like a retention period but is not checked']


def test_a_notice_without_a_period_for_finished_answers_fails_the_check():
    assert "notice states no period for retention.answers_days" in retention_problems(Retention(), "We keep your answers safe.")


def test_the_builder_refuses_retention_its_chosen_notice_contradicts():
    definition = copy.deepcopy(built_in_instruments()["pcv-consultation-short-breaks"].raw)
    values = {**authoring.details_form_values(definition), "retention_free_text": "delete", "retention_days": "30"}
    with pytest.raises(authoring.ChangeRefused) as refused:
        authoring.apply_details(definition, values, ["pcv-consultations"])
    assert "Written comments are anonymised a year after it closes." in refused.value.errors["retention_free_text"]
    # what the notice says is accepted, and the other periods are kept as they were
    agreed = authoring.apply_details(definition, {**values, "retention_free_text": "anonymise", "retention_days": "365"},
                                     ["pcv-consultations"])
    assert agreed["retention"] == definition["retention"]
