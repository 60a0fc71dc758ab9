"""Easy-read and picture versions: chosen on the start page, one question a page with easy-read
words, "I don't understand" on every scale, Listen buttons, and answers landing in one data set
tagged with the version."""

from __future__ import annotations

import re

import pytest

from feedback.workspace.exports import export_rows
from surveys.instrument import parse_instrument
from surveys.runs import get_run, open_run
from tests.conftest import run, unique_slug
from tests.walker import Walker

EASY = {
    "key": "variants-test", "version": "1", "title": "Your views on clubs", "audience": "young_person",
    "notice": "annual-send-survey", "run_by": "Parent Carer Voice", "description": "About clubs.",
    "what_happens_next": "We will read your answers.", "variants": ["standard", "easy_read", "symbols"],
    "consent_purposes": [],
    "sections": [{
        "key": "clubs", "title": "Clubs and activities", "easy_read": {"text": "Clubs", "symbol": "play"},
        "questions": [
            {"key": "age", "type": "age_band", "bands": "young_person", "text": "How old are you?",
             "easy_read": {"text": "How old are you?"}},
            {"key": "go_to_club", "type": "yes_no", "text": "Do you go to a club after school?",
             "easy_read": {"text": "Do you go to a club after school?", "symbol": "school"}},
            {"key": "club_happy", "type": "scale", "scale": "satisfaction", "dont_know": True,
             "text": "How satisfied are you with the clubs you can go to?",
             "easy_read": {"text": "Are you happy with your clubs?", "hint": "Pick one face."}},
            {"key": "more", "type": "long_text", "optional": True, "text": "What would make clubs better?",
             "easy_read": {"text": "What would make clubs better?"}},
        ],
    }],
}


@pytest.fixture
def easy_run():
    return run(open_run(parse_instrument(EASY), slug=unique_slug("easy"), variants=("standard", "easy_read", "symbols")))


def walk_to_scale(client, url):
    walker = Walker(client)
    page = walker.get(url)
    from tests.walker import fill, parse_forms
    while "club_happy" not in str(page.url):
        form = parse_forms(page.text)[0]
        page = walker.submit(page, form, fill(form))
    return page


def test_home_and_start_page_offer_each_version(client, easy_run):
    home = client.get("/")
    assert f'href="/s/{easy_run.slug}?version=easy_read"' in home.text
    assert f'href="/s/{easy_run.slug}?version=symbols"' in home.text
    start = client.get(f"/s/{easy_run.slug}")
    assert "Easy read version" in start.text and "Version with pictures" in start.text
    easy = client.get(f"/s/{easy_run.slug}?version=easy_read")
    assert "app-easy-read" in easy.text and 'name="variant" value="easy_read"' in easy.text
    assert "You do not have to say your name." in easy.text


def test_easy_read_pages_use_easy_words_and_offer_i_dont_understand(client, easy_run):
    page = walk_to_scale(client, f"/s/{easy_run.slug}?version=easy_read")
    assert "Are you happy with your clubs?" in page.text
    assert "How satisfied are you" not in page.text
    assert 'value="dont_understand"' in page.text and "I don&#39;t understand" in page.text
    assert "app-er-question" in page.text and "data-listen-controls=" in page.text and " hidden" in page.text
    assert "Very happy" in page.text  # faces always come with words


def test_standard_version_has_no_i_dont_understand(client, easy_run):
    page = walk_to_scale(client, f"/s/{easy_run.slug}")
    assert 'value="dont_understand"' not in page.text
    assert "How satisfied are you with the clubs you can go to?" in page.text


def test_symbols_version_credits_openmoji(client, easy_run):
    page = walk_to_scale(client, f"/s/{easy_run.slug}?version=symbols")
    assert "OpenMoji" in page.text and "CC BY-SA 4.0" in page.text


def test_answers_from_all_versions_land_in_one_data_set_tagged_with_the_version(client, easy_run, app):
    from litestar.testing import TestClient

    for version in ("standard", "easy_read", "symbols"):
        with TestClient(app=app, base_url="http://testserver.local") as browser:
            url = f"/s/{easy_run.slug}" + ("" if version == "standard" else f"?version={version}")
            Walker(browser).complete(url)
    header, rows = run(export_rows(run(get_run(easy_run.slug))))
    assert sorted(r[header.index("variant")] for r in rows) == ["easy_read", "standard", "symbols"]
    # the easy-read respondent may answer "I don't understand": it is kept as its own value
    assert all(r[header.index("club_happy")] for r in rows)


def test_grouped_pages_are_refused_when_easy_read_is_offered():
    from surveys.instrument import InstrumentInvalid
    import copy

    raw = copy.deepcopy(EASY)
    raw["sections"][0]["questions"][1]["page"] = "together"
    raw["sections"][0]["questions"][2]["page"] = "together"
    with pytest.raises(InstrumentInvalid) as caught:
        parse_instrument(raw)
    assert "ask one question a page" in str(caught.value)


def test_readability_advice_flags_long_sentences_and_long_words():
    from surveys.readability import easy_read_advice
    import copy

    raw = copy.deepcopy(EASY)
    raw["sections"][0]["questions"][1]["easy_read"]["text"] = (
        "Do you regularly participate in extracurricular recreational activities organised by your educational establishment after the school day ends?"
    )
    advice = [str(a) for a in easy_read_advice(parse_instrument(raw))]
    assert any("go_to_club: sentence of 18 words" in a for a in advice)
    assert any("go_to_club: long words" in a and "extracurricular" in a for a in advice)
