"""Easy read everywhere a young person goes (issue 13, item 6): the survey's title in easy words,
"EHC plan" explained once (the first time it appears), a short check-answers page with one line
per answer, and the privacy notice's short lines each with its picture.

Every easy-read and picture version of every built-in survey is walked over HTTP, as a person with
no JavaScript would."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from feedback.respond.symbols import FACES, line_key
from surveys.instrument import built_in_instruments
from surveys.journey import visible_pages
from tests.conftest import open_test_run
from tests.feedback.respond.test_symbol_supported_text import answer, revealing_answers
from tests.walker import Walker, parse_forms, reference_on

INSTRUMENTS = built_in_instruments()
EASY_VERSIONS = [
    (key, version)
    for key, instrument in sorted(INSTRUMENTS.items())
    for version in instrument.variants if version != "standard"
]
IDS = [f"{k}-{v}" for k, v in EASY_VERSIONS]


def page(text: str):
    return lxml_html.fromstring(text)


def words(element) -> str:
    return " ".join(element.text_content().split())


def mentions_ehc(text: str) -> bool:
    return re.search(r"\bEHC plan\b", text, re.IGNORECASE) is not None


def main_text(doc) -> str:
    return words(doc.xpath("//main")[0])


@pytest.mark.parametrize(("instrument_key", "version"), EASY_VERSIONS, ids=IDS)
def test_easy_versions_use_easy_words_explain_ehc_once_and_check_answers_in_short_lines(client, instrument_key, version):
    survey = open_test_run(instrument_key, prefix="erword")
    instrument = survey.instrument
    assert instrument.easy_title and instrument.easy_title != instrument.title

    walker = Walker(client)
    response = walker.get(f"/s/{survey.slug}?version={version}")
    start = page(response.text)
    # The start page's heading and the browser tab both say the easy title, not the standard one.
    assert words(start.xpath("//h1")[0]) == instrument.easy_title
    assert instrument.easy_title in words(start.xpath("//title")[0])
    assert instrument.title not in main_text(start)

    prefer = revealing_answers(instrument)
    explained_on: list[str] = []
    first_ehc_page = None
    check_page = None
    for _ in range(80):
        assert response.status_code < 500, response.text[:500]
        if reference_on(response.text):
            break
        url = str(response.url).split("?")[0]
        doc = page(response.text)
        text = main_text(doc)
        if "/q/" in url:
            step = url.rsplit("/", 1)[-1]
            if first_ehc_page is None and mentions_ehc(text):
                first_ehc_page = step
            if "EHC plan means" in text:
                explained_on.append(step)
            # Every page of the journey names the survey in easy words too.
            assert instrument.title not in text, step
        if url.endswith("/check"):
            check_page = response.text
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, answer(form, prefer))
    assert reference_on(response.text)

    # "EHC plan" is explained once, on the first page that uses it, in the version's easy words.
    if first_ehc_page is not None:
        assert explained_on == [first_ehc_page], (first_ehc_page, explained_on)
    else:
        assert explained_on == []

    # The check page: one short line per answer, no summary table, each with its picture and a Change link.
    assert check_page is not None
    doc = page(check_page)
    assert not doc.find_class("govuk-summary-list")
    lines = doc.xpath('//ul[contains(@class, "app-er-check")][1]/li')
    multiple = {q.key for q in instrument.questions if q.type == "multiple_choice"}
    chosen = {key: (values if key in multiple else values[0]) for key, values in prefer.items()}
    asked = [q for p in visible_pages(instrument, chosen) for q in p.questions]
    assert len(lines) == len(asked)
    for line, question in zip(lines, asked):
        said = words(line.find_class("app-er-check__words")[0])
        question_words = (question.easy_read.text or question.text).rstrip("?.: ")
        assert said.startswith(question_words + ": "), said
        assert said != question_words + ": "  # the answer is there
        pictures = line.xpath(".//img")
        option = next((o for o in question.all_options if said.endswith(": " + (o.easy_read or o.label))), None)
        if option is not None and option.value in FACES:
            assert len(pictures) == 1 and FACES[option.value][0] in pictures[0].get("src"), said
        elif option is not None and line_key(option.easy_read or option.label, fallback="") == "":
            # No key word of its own ("Something else"): no picture, never the question's.
            assert pictures == [], said
        else:
            assert len(pictures) == 1, said
        change = line.xpath('.//a[starts-with(normalize-space(.), "Change")]/@href')
        assert len(change) == 1 and "/q/" in change[0]


@pytest.mark.parametrize(("instrument_key", "version"), EASY_VERSIONS, ids=IDS)
def test_the_easy_privacy_notice_has_a_picture_beside_every_short_line(client, instrument_key, version):
    survey = open_test_run(instrument_key, prefix="erpriv")
    response = client.get(f"/s/{survey.slug}/privacy?version={version}")
    assert response.status_code == 200
    doc = page(response.text)
    items = doc.xpath('//ul[contains(@class, "app-er-list")]/li')
    assert len(items) >= 8
    for item in items:
        assert len(item.xpath('./img[contains(@class, "app-er-list__symbol")]')) == 1, words(item)
    # No long paragraphs of standard prose: every line is in a list with its picture.
    assert not doc.xpath('//main//p[contains(@class, "govuk-body")]')
    # When it last changed, in words, not "Privacy notice, version 1, published 2026-09-01"
    text = " ".join(doc.xpath("//main//text()"))
    assert "version 1" not in text and "published 20" not in text
    assert re.search(r"We last changed this on \d{1,2} [A-Z][a-z]+ 20\d\d\.", " ".join(text.split()))
    if version == "symbols":
        assert doc.xpath('//li//*[contains(@class, "app-sym-unit")]'), "the picture version puts pictures above key words"


TALK = "/symbols/1F4AC.svg"  # the speech bubble: "talk", "tell", "say"


@pytest.mark.parametrize("instrument_key", ["annual-send-parent", "annual-send-young-person"])
@pytest.mark.parametrize("version", ["easy_read", "symbols"])
def test_a_negated_line_in_the_notice_never_gets_the_picture_of_what_it_denies(client, instrument_key, version):
    survey = open_test_run(instrument_key, prefix="erneg")
    doc = page(client.get(f"/s/{survey.slug}/privacy?version={version}").text)
    negated_lines = 0
    for item in doc.xpath('//ul[contains(@class, "app-er-list")]/li'):
        text = words(item)
        line_picture = item.xpath('./img[contains(@class, "app-er-list__symbol")]/@src')[0]
        crossed = item.xpath('.//*[contains(@class, "app-sym--not")]//img/@src')
        # The line's own picture is never one of the things the line says no to.
        assert line_picture not in crossed, text
        if re.search(r"\b(never|not)\b", text):
            negated_lines += 1
        if "never tell" in text or "never show anything that tells" in text:
            assert line_picture != TALK, text
            if version == "symbols":
                assert crossed, f"{text}: the negated word's picture should be crossed out"
                plain = item.xpath('.//*[contains(concat(" ", @class, " "), " app-sym ") and not(contains(@class, "app-sym--not"))]//img/@src')
                assert TALK not in plain, f"{text}: 'tell' is pictured plainly"
    assert negated_lines >= 2


def test_the_easy_privacy_notice_is_linked_from_before_you_start_in_its_version(client):
    survey = open_test_run("annual-send-young-person", prefix="erlink")
    walker = Walker(client)
    response = walker.get(f"/s/{survey.slug}?version=easy_read")
    form = [f for f in parse_forms(response.text) if f.method == "post"][0]
    response = walker.submit(response, form, answer(form, {}))
    links = page(response.text).xpath('//main//a[contains(@href, "/privacy")]/@href')
    assert links and all("version=easy_read" in href for href in links)
    notice = client.get(links[0])
    assert notice.status_code == 200 and page(notice.text).xpath('//ul[contains(@class, "app-er-list")]')


def test_the_home_page_easy_buttons_say_the_easy_title(client):
    survey = open_test_run("annual-send-parent", prefix="erhome")
    doc = page(client.get("/").text)
    instrument = INSTRUMENTS["annual-send-parent"]
    for version, label in (("easy_read", "Easy read version"), ("symbols", "Version with pictures")):
        button = doc.xpath(f'//a[@href="/s/{survey.slug}?version={version}"]')
        assert len(button) == 1
        # Other tests' runs of this survey may be listed too: then each title ends with what tells them apart.
        assert words(button[0]).startswith(f"{label}: {instrument.easy_title}"), words(button[0])
        assert instrument.title not in words(button[0])
    # The standard link keeps the standard title.
    standard = doc.xpath(f'//a[@href="/s/{survey.slug}"]')
    assert words(standard[0]).startswith(survey.title)


def test_the_standard_version_keeps_its_title_and_explains_nothing_extra(client):
    survey = open_test_run("annual-send-young-person", prefix="erstd")
    doc = page(client.get(f"/s/{survey.slug}").text)
    assert words(doc.xpath("//h1")[0]) == survey.title


def test_an_instruments_own_wording_for_a_term_replaces_the_default():
    from surveys.instrument import parse_instrument
    from surveys.journey import terms_to_explain

    raw = dict(INSTRUMENTS["annual-send-young-person"].raw)
    raw["easy_terms"] = {"EHC plan": "a paper that says who helps you."}
    instrument = parse_instrument(raw)
    first = next(p for p in instrument.pages if terms_to_explain(instrument, {}, p.key))
    assert terms_to_explain(instrument, {}, first.key) == [("EHC plan", "a paper that says who helps you.")]
    later = [p for p in instrument.pages if p.key != first.key and terms_to_explain(instrument, {}, p.key)]
    assert later == []
