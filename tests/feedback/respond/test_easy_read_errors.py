"""Errors in easy read match the question on the screen: an easy-read agreement scale reads
"Yes, a lot / Yes / No", so its error cannot say "Select how much you agree"; a Yes/No question
says "Choose Yes or No"; a text box says to write in the box. The standard version keeps the
author's words."""

from __future__ import annotations

import pytest

from surveys.instrument import built_in_instruments
from surveys.validation import validate_question
from tests.conftest import open_test_run
from tests.walker import Walker, csrf_token

EXPECTED = {
    "scale": "Choose one answer.", "single_choice": "Choose one answer.", "age_band": "Choose one answer.",
    "yes_no": "Choose Yes or No.", "multiple_choice": "Choose one or more answers.",
    "short_text": "Write your answer in the box.", "long_text": "Write your answer in the box.",
    "number": "Write a number in the box, like 3.",
}


def test_every_required_question_of_every_easy_read_survey_has_an_error_that_fits_its_type():
    met = set()
    for instrument in built_in_instruments().values():
        if "easy_read" not in instrument.variants:
            continue
        for question in instrument.questions:
            if question.optional:
                continue
            _, standard = validate_question(question, [], "standard")
            for variant in ("easy_read", "symbols"):
                _, easy = validate_question(question, [], variant)
                assert easy == EXPECTED[question.type], (instrument.key, question.key, easy)
                assert "agree" not in easy.lower() and "satisf" not in easy.lower()
            assert standard == (question.error or standard)  # the author's words stay in standard
            met.add(question.type)
    assert {"scale", "single_choice", "yes_no", "multiple_choice", "number"} <= met


@pytest.mark.parametrize("version", ["easy_read", "symbols"])
def test_an_easy_read_page_sent_empty_shows_the_easy_words_in_the_summary_and_the_field(client, version):
    survey = open_test_run("annual-send-young-person", prefix="ererr")
    walker = Walker(client)
    start = walker.get(f"/s/{survey.slug}?version={version}")
    token = csrf_token(start.text)
    page = client.post(f"/s/{survey.slug}/start", data={"_csrf_token": token, "variant": version}, follow_redirects=True)
    token = csrf_token(page.text)
    notice = page.text.split('name="notice_version" value="', 1)[1].split('"', 1)[0]
    first = client.post(f"/s/{survey.slug}/before-you-start", data={"_csrf_token": token, "notice_version": notice}, follow_redirects=True)
    assert "/q/" in str(first.url)
    error = client.post(str(first.url), data={"_csrf_token": csrf_token(first.text), "action": "continue"})
    assert error.status_code == 422
    assert error.text.count("Choose one answer.") == 2  # the error summary and the message by the answers
    assert "Select who is filling in this survey" not in error.text
