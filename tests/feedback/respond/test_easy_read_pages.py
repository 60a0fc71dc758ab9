"""The pages around the questions in easy read and "with pictures": before you start, your choices,
check your answers, confirmation, saved, resume and closed. Each has short easy-read lines with a
picture on the left (the same `app-er-list` as the start page) in both versions, key words with
their symbols above them in the picture version, and the standard wording in the standard one."""

from __future__ import annotations

import copy
import html as html_lib
import re

import pytest

from surveys.instrument import parse_instrument
from surveys.runs import open_run, set_status
from tests.conftest import run, unique_slug
from tests.feedback.respond.test_variants import EASY
from tests.walker import Walker, csrf_token, fill, parse_forms, reference_on

EASY_VERSIONS = ["easy_read", "symbols"]
ALL_VERSIONS = ["standard", *EASY_VERSIONS]
MAX_WORDS = 15

# The EASY survey with the optional uses asked at the end, so "your choices" is met too.
WITH_CHOICES = copy.deepcopy(EASY)
WITH_CHOICES["key"] = "easy-pages-test"
WITH_CHOICES["consent_purposes"] = ["quotes", "contact"]


@pytest.fixture
def easy_run():
    instrument = parse_instrument(WITH_CHOICES)
    return run(open_run(instrument, slug=unique_slug("erpages"), variants=("standard", "easy_read", "symbols")))


def start_url(slug: str, version: str) -> str:
    return f"/s/{slug}" + ("" if version == "standard" else f"?version={version}")


def text_of(page_html: str) -> str:
    """The words a reader sees: no tags, one space between words, none before punctuation (a word
    under a picture sits in its own span)."""
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page_html))
    return re.sub(r" ([?.!,;:])", r"\1", " ".join(text.split()))


def main_of(page_html: str) -> str:
    return page_html.split('id="main-content"', 1)[1].split("</main>", 1)[0]


def easy_lines(page_html: str) -> list[str]:
    """The text of every easy-read line (picture on the left, words on the right)."""
    items = re.findall(r'<li class="app-er-list__item">(.*?)</li>', page_html, re.S)
    return [text_of(item) for item in items]


def walk(client, slug: str, version: str) -> dict[str, object]:
    """Every step from the start page to the confirmation, by its last path segment."""
    walker = Walker(client)
    response = walker.get(start_url(slug, version))
    pages: dict[str, object] = {"start": response}
    for _ in range(30):
        assert response.status_code < 500, response.text[:500]
        if reference_on(response.text):
            break
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, fill(form))
        pages[str(response.url).split("?")[0].rstrip("/").rsplit("/", 1)[-1]] = response
    assert "done" in pages, list(pages)
    return pages


@pytest.fixture
def walked(client, easy_run):
    def walked_in(version: str):
        return walk(client, easy_run.slug, version)
    return walked_in


def assert_easy_page(response, version: str, lines: list[str]) -> None:
    """The page is in the easy-read layout, shows these lines with a picture each, every sentence
    is short, and in the picture version key words carry their symbols."""
    page = response.text
    assert "app-easy-read" in page
    shown = easy_lines(main_of(page))
    for line in lines:
        assert line in shown, f"{line!r} not among the easy-read lines {shown}"
    items = re.findall(r'<li class="app-er-list__item">(.*?)</li>', main_of(page), re.S)
    assert items and all('src="/symbols/' in item for item in items), "every easy-read line has a picture"
    for line in shown:
        for sentence in re.split(r"(?<=[.?!:])\s+", line):
            assert len(sentence.split()) <= MAX_WORDS, f"sentence of more than {MAX_WORDS} words: {sentence!r}"
    if version == "symbols":
        assert re.search(r'class="app-sym[ "]', main_of(page)), "key words carry their pictures"
        assert "OpenMoji" in page and "CC BY-SA 4.0" in page
    else:
        assert not re.search(r'class="app-sym[ "]', main_of(page))


# -- before you start, your choices, check your answers, confirmation ---------------------------


@pytest.mark.parametrize("version", EASY_VERSIONS)
def test_before_you_start_in_easy_words(walked, version):
    page = walked(version)["before-you-start"]
    assert_easy_page(page, version, [
        "If you press Continue, you choose to take part.",
        "At the end you get a reference number.",
        "Keep it. You need it to take your answers back later.",
    ])
    # the easy-read notice's own lines come with a picture each too
    assert "We keep your answers safe." in easy_lines(main_of(page.text))
    assert "By continuing you choose to take part" not in page.text


@pytest.mark.parametrize("version", EASY_VERSIONS)
def test_your_choices_in_easy_words(walked, version):
    page = walked(version)["your-choices"]
    assert_easy_page(page, version, ["These questions are about how we use your answers."])
    text = text_of(main_of(page.text))
    assert "<title>Your choices" in page.text and "Your choices" in text
    assert "Can we use your words in our report? We will not say your name." in text
    assert "We take out names first. A person checks your words." in text
    assert "Do you want us to tell you what we changed?" in text
    assert "Can we quote what you wrote" not in text and "How we can use your answers" not in text
    assert "app-er-choices" in page.text and 'src="/symbols/2705.svg"' in page.text  # big Yes with a tick


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_your_choices_errors_in_each_version(client, easy_run, version):
    walker = Walker(client)
    response = walker.get(start_url(easy_run.slug, version))
    while not str(response.url).endswith("/your-choices"):
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, fill(form))
    nothing_chosen = client.post(f"/s/{easy_run.slug}/your-choices",
                                 data={"_csrf_token": csrf_token(response.text), "decider": "parent_carer"})
    assert nothing_chosen.status_code == 422 and "govuk-error-summary" in nothing_chosen.text
    text = text_of(main_of(nothing_chosen.text))
    if version == "standard":
        assert "Select yes or no: can we quote what you wrote" in text
    else:
        assert text.count("Choose yes or no: can we use your words?") == 2  # in the summary and by the question
        assert "Select yes or no" not in text
        assert "<title>Error: Your choices" in nothing_chosen.text


@pytest.mark.parametrize("version", EASY_VERSIONS)
def test_check_your_answers_in_easy_words(walked, version):
    page = walked(version)["check"]
    assert_easy_page(page, version, [
        "Look at your answers below.",
        "To change an answer, press Change next to it.",
        "When you send your answers, you cannot change them.",
        "But you can take your answers back later.",
    ])
    text = text_of(main_of(page.text))
    assert "Check your answers" in text and "Check your answers before sending them" not in text
    assert "Your choices" in text and "Can we use your words in our report?" in text
    assert "Change your answer to: Are you happy with your clubs?" in text  # the easy words, for screen readers too
    assert "Send my answers" in text and "app-er-button" in page.text


@pytest.mark.parametrize("version", EASY_VERSIONS)
def test_confirmation_in_easy_words_keeps_the_panel_with_the_reference(walked, version):
    page = walked(version)["done"]
    reference = reference_on(page.text)
    assert reference and re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
    assert "govuk-panel--confirmation" in page.text and "app-er-panel" in page.text
    panel = page.text.split("govuk-panel--confirmation", 1)[1].split("</div>\n", 1)[0]
    # "Your answer number", never "code": the code is what brings unsent answers back.
    assert 'src="/symbols/1F9FE.svg"' in panel and "Your answer number" in text_of(panel) and "code" not in text_of(panel)
    assert_easy_page(page, version, [
        "Keep this number safe.",
        "Write it down or take a photo of it.",
        "You need the number to take your answers back later.",
        "Take your answers back",
        "We will read what you said.",
        "See what we changed",
    ])
    assert f'href="/withdraw?version={version}"' in main_of(page.text) and 'href="/you-said-we-did"' in main_of(page.text)
    assert "Your answers are sent" in text_of(page.text)
    # the instrument's own (standard) words are left for the standard version
    assert "We will read your answers." not in page.text


def test_standard_pages_keep_the_standard_words(walked):
    pages = walked("standard")
    assert "By continuing you choose to take part" in pages["before-you-start"].text
    assert "How we can use your answers" in pages["your-choices"].text
    assert "Can we quote what" in pages["your-choices"].text
    assert "Check your answers before sending them" in pages["check"].text
    assert "Now send your answers" in pages["check"].text
    done = pages["done"].text
    assert "Your answers have been sent" in done and "Write down or take a photo of your reference" in done
    assert "We will read your answers." in done  # the instrument's what happens next
    for page in pages.values():
        assert "app-easy-read" not in page.text and "app-er-list" not in main_of(page.text)


def test_the_kiosk_confirmation_in_easy_words_still_starts_again(client, easy_run):
    # Event mode starts only from the workspace (a hand-made kiosk cookie is ignored).
    from tests.walker import csrf_token
    from tests.workspace_client import make_user, sign_in
    sign_in(client, make_user("officer"))
    page = client.get(f"/workspace/surveys/{easy_run.id}")
    client.post(f"/workspace/surveys/{easy_run.id}/kiosk", data={"_csrf_token": csrf_token(page.text)})
    done = walk(client, easy_run.slug, "easy_read")["done"]
    assert reference_on(done.text)
    assert "Please give the tablet back." in easy_lines(main_of(done.text))
    assert f'content="60;url=/s/{easy_run.slug}"' in done.text
    assert "Start again for the next person" in done.text


# -- saved, resume, closed ------------------------------------------------------------------------


def save_for_later(client, slug: str, version: str):
    walker = Walker(client)
    response = walker.get(start_url(slug, version))
    while "/q/" not in str(response.url):
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, fill(form))
    form = [f for f in parse_forms(response.text) if f.method == "post"][0]
    save = [b for b in form.buttons() if b.value == "save_later"][0]
    return walker.submit(response, form, fill(form), button=save)


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_saved_page_in_each_version(client, easy_run, version):
    saved = save_for_later(client, easy_run.slug, version)
    assert saved.status_code == 200 and 'id="resume-code"' in saved.text
    if version == "standard":
        assert "Your answers have been saved" in saved.text and "app-er-list" not in main_of(saved.text)
        return
    assert_easy_page(saved, version, [
        "Write the code down or take a photo of it.",
        "We will not show you this code again.",
        "Continue with your code",
    ])
    assert f'href="/s/{easy_run.slug}/resume?version={version}"' in saved.text
    assert f'href="/s/{easy_run.slug}?version={version}"' in saved.text  # back to the survey, same version


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_resume_page_in_each_version(client, easy_run, version):
    page = client.get(f"/s/{easy_run.slug}/resume" + ("" if version == "standard" else f"?version={version}"))
    assert page.status_code == 200
    wrong = client.post(f"/s/{easy_run.slug}/resume",
                        data={"_csrf_token": csrf_token(page.text), "code": "not a code", "variant": version})
    assert wrong.status_code == 422 and "govuk-error-summary" in wrong.text
    for response in (page, wrong):
        text = text_of(main_of(response.text))
        if version == "standard":
            assert "Enter your code to continue your answers" in text and "app-easy-read" not in response.text
        else:
            assert "app-easy-read" in response.text and "Type in your code" in text
            assert "You got the code when you pressed Save and come back later." in text
            assert 'src="/symbols/1F510.svg"' in response.text  # the code's picture beside the heading
            assert ("app-sym" in response.text) == (version == "symbols")


def test_start_page_links_to_resume_in_the_same_version(client, easy_run):
    page = client.get(f"/s/{easy_run.slug}?version=symbols")
    assert f'href="/s/{easy_run.slug}/resume?version=symbols"' in page.text
    assert f'href="/s/{easy_run.slug}/resume"' in client.get(f"/s/{easy_run.slug}").text


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_closed_page_in_each_version(client, easy_run, version):
    run(set_status(easy_run.slug, "closed"))
    page = client.get(start_url(easy_run.slug, version))
    assert page.status_code == 410
    if version == "standard":
        assert "This survey has closed" in page.text and "app-easy-read" not in page.text
        return
    assert_easy_page(page, version, [
        "You cannot answer this survey now.",
        "We will use the answers people sent.",
        "See what we changed",
    ])
    assert "This survey is closed" in text_of(main_of(page.text))


def test_an_unknown_version_gets_the_standard_pages(client, easy_run):
    assert "app-easy-read" not in client.get(f"/s/{easy_run.slug}/resume?version=bogus").text
    run(set_status(easy_run.slug, "closed"))
    assert "This survey has closed" in client.get(f"/s/{easy_run.slug}?version=bogus").text


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_missing_answers_on_check_your_answers_are_named_in_the_words_of_the_version(client, easy_run, version):
    walker = Walker(client)
    response = walker.get(start_url(easy_run.slug, version))
    while "/q/" not in str(response.url):
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, fill(form))
    check = client.get(f"/s/{easy_run.slug}/check")
    assert "govuk-error-summary" in check.text
    text = text_of(check.text)
    if version == "standard":
        assert "Answer ‘How satisfied are you with the clubs you can go to?’" in text
    else:
        assert "Answer ‘Are you happy with your clubs?’" in text
        assert "<title>Error: Check your answers –" in check.text
