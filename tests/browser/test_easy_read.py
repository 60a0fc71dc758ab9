"""The easy-read and "with pictures" (symbol-supported) versions, in a real Chromium.

- Text: at least 19px, with lines at least 1.4 times the text size apart, on every kind of page
  (start, privacy notice, before you start, each question type, an error, your choices, check your
  answers, confirmation), at a desktop width and at 320 px.
- Pictures: each one has a name; a picture above a word is named by that word, and the printed
  word is hidden from screen readers so it is read once. Every picture comes from our own server
  and loads, and every page showing one credits OpenMoji (CC BY-SA 4.0). Faces on scales always
  have their words beside them, and every scale offers "I don't understand".
- The pages off the main path (saved for later, continue with a code and its error, your choices
  with an error, the closed survey) in both versions: easy-read lines with pictures, large text,
  named pictures and the credit.
- Keyboard alone (Tab, Space, Enter) from the standard start page, through the version link, to the
  confirmation panel: the easy-read young person's survey and the picture version of the
  consultation.
- Listen: shown when the browser can speak, reading the question, its hint and answers once each;
  absent when it cannot, and with JavaScript off, where the survey still works.

The consultation is used where every question type must appear: it has all eight.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from feedback.respond.symbols import offered_options
from tests.browser.helpers import (
    DESKTOP,
    NARROW,
    YOUNG_PERSON,
    Keyboard,
    answer_page,
    assert_focus_on_heading,
    click_and_settle,
    close_run,
    continue_button,
    open_run,
    page_key_of,
    revealing_answers,
    start_survey,
    step_of,
    submit,
)

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/screens")

CONSULTATION = "pcv-consultation-short-breaks"  # uses every question type
VERSIONS = ["easy_read", "symbols"]
VERSION_LINKS = {"easy_read": "Easy read version", "symbols": "Version with pictures"}
MIN_TEXT_PX = 19
MIN_LINE_SPACING = 1.4


def words(text: str) -> str:
    """Text as read: runs of spaces and line breaks as one space, none before punctuation (the
    browser puts line breaks around each word under a picture)."""
    return re.sub(r" ([?.!,;:])", r"\1", " ".join(text.split()))


def name_pattern(expected: str) -> re.Pattern:
    """An accessible name as Chromium computes it: it may put a space before punctuation that
    follows a word under a picture ("clubs ?"), which a screen reader does not read out."""
    parts = [r"\s+" if c == " " else (r"\s?" + re.escape(c) if c in "?.!,;:" else re.escape(c)) for c in words(expected)]
    return re.compile(r"^\s*" + "".join(parts) + r"\s*$")


def easy_text(question) -> str:
    return question.easy_read.text or question.text


def option_words(option) -> str:
    return option.easy_read or option.label


def question_heading(question) -> str:
    return easy_text(question) + (" (you can skip this)" if question.optional else "")


# -- one pass over every kind of page ------------------------------------------------------------

Visit = Callable[[str, object], None]  # (what the page is, its question or None)


def walk_every_page(page, run, version: str, visit: Visit) -> set[str]:
    """Visits every kind of respondent page in `version` by clicking, calling visit on each, and
    returns the question types met. Answers are chosen to show every conditional question, and the
    first question is first sent with nothing chosen, to show its error. On the way, the privacy
    notice's Back link must return to the start page of the same version."""
    slug, instrument = run.slug, run.instrument
    page.goto(f"/s/{slug}?version={version}")
    visit("start page", None)
    click_and_settle(page, page.get_by_role("link", name="how we use your answers (privacy notice)"))
    assert page.url.endswith(f"/s/{slug}/privacy?version={version}"), page.url
    visit("privacy notice", None)
    # Back to the survey keeps the version the respondent chose.
    click_and_settle(page, page.get_by_role("link", name="Back to the survey"))
    assert page.url.endswith(f"/s/{slug}?version={version}"), f"Back to the survey went to {page.url}"
    click_and_settle(page, page.get_by_role("button", name="Start now"))
    assert page.get_by_text("If you press Continue, you choose to take part.").is_visible()  # in easy words
    visit("before you start (taking part)", None)
    click_and_settle(page, continue_button(page))

    prefer = revealing_answers(instrument)
    types: set[str] = set()
    first = True
    for _ in range(60):
        key = page_key_of(page.url)
        if key is None:
            break
        question = instrument.pages_by_key[key].questions[0]
        if first:  # the first question, sent with nothing chosen: its error summary and message
            click_and_settle(page, continue_button(page))
            assert page.locator(".govuk-error-summary").is_visible(), f"no error summary on {page.url}"
            visit(f"question {key} ({question.type}) with an error", question)
            first = False
        else:
            visit(f"question {key} ({question.type})", question)
        types.add(question.type)
        answer_page(page, prefer)
        click_and_settle(page, continue_button(page))
        assert not page.locator(".govuk-error-summary").count(), page.locator(".govuk-error-summary").inner_text()
    if step_of(page.url) == "your-choices":
        visit("your choices (consent)", None)
        answer_page(page)
        click_and_settle(page, continue_button(page))
    assert page.url.endswith("/check"), page.url
    visit("check your answers", None)
    click_and_settle(page, page.get_by_role("button", name="Send my answers"))
    assert page.locator(".govuk-panel--confirmation").is_visible()
    visit("confirmation", None)
    page.goto(f"/s/{slug}?version={version}")
    assert page.get_by_text("You have already sent your answers").is_visible()
    visit("start page after sending", None)
    return types


def all_types(instrument) -> set[str]:
    return {q.type for q in instrument.questions}


# -- 1. text size and line spacing ----------------------------------------------------------------

# Every visible piece of text in the easy-read region (#page: the Back link and the content). Text
# styled as a heading (headings, captions, the panel, legends styled as headings) must be at least
# 19px but may be set tighter; everything else needs the line spacing too. Text the browser does not
# show (a <progress>'s fallback, visually hidden words for screen readers) is left out.
_TEXT_STYLES = """([minSize, minSpacing]) => {
  const headingLike = 'h1, h2, h3, h4, h5, h6, .govuk-panel, .govuk-notification-banner__heading, .govuk-caption-m, .govuk-caption-l, .govuk-caption-xl, '
    + '.govuk-fieldset__legend--m, .govuk-fieldset__legend--l, .govuk-fieldset__legend--xl'
  const problems = []
  let checked = 0
  const walker = document.createTreeWalker(document.getElementById('page'), NodeFilter.SHOW_TEXT)
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.replace(/\\s+/g, ' ').trim()
    const el = walker.currentNode.parentElement
    if (!text || el.closest('progress, .govuk-visually-hidden, script, style')) continue
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue
    const style = getComputedStyle(el)
    const size = parseFloat(style.fontSize)
    const lineHeight = style.lineHeight === 'normal' ? 1.2 * size : parseFloat(style.lineHeight)
    const heading = !!el.closest(headingLike)
    checked += 1
    if (size < minSize || (!heading && lineHeight < minSpacing * size - 0.01)) {
      problems.push(`"${text.slice(0, 50)}" in <${el.tagName.toLowerCase()} class="${el.className}">: `
                    + `${size}px text, ${lineHeight}px lines (${(lineHeight / size).toFixed(2)}x)`)
    }
  }
  return {checked, problems}
}"""


@pytest.mark.parametrize("version", VERSIONS)
def test_text_is_large_with_generous_line_spacing_on_every_page(page, version):
    run = open_run(CONSULTATION)
    problems: list[str] = []

    def measure(what: str, question) -> None:
        assert page.locator("#page.app-easy-read").count() == 1, f"{what} is not in the easy-read layout"
        for width, size in (("desktop", DESKTOP), ("320px", NARROW)):
            page.set_viewport_size(size)
            found = page.evaluate(_TEXT_STYLES, [MIN_TEXT_PX, MIN_LINE_SPACING])
            assert found["checked"] > 0, f"no text measured on {what}"
            problems.extend(f"{what} at {width}: {p}" for p in found["problems"])
        page.set_viewport_size(DESKTOP)

    types = walk_every_page(page, run, version, measure)
    assert types == all_types(run.instrument), f"question types not met: {all_types(run.instrument) - types}"
    assert not problems, f"text too small or too tightly spaced on {len(problems)} element(s):\n" + "\n".join(problems)


# -- 2. pictures: names, our own server, loaded, credited -------------------------------------------

_PICTURES = """() => [...document.images].map((img) => {
  const holder = img.closest('.app-sym')
  const word = holder ? holder.querySelector('.app-sym__word') : null
  return {
    linePicture: img.matches('.app-er-list__symbol, .app-er-question__symbol, .app-er-check__symbol'),
    lineWords: (img.closest('.app-er-list__item, .app-er-question, .app-er-check__item') || img).innerText.replace(/\\s+/g, ' ').trim(),
    src: img.getAttribute('src'), url: img.currentSrc || img.src,
    sameOrigin: new URL(img.currentSrc || img.src).origin === location.origin,
    loaded: img.complete && img.naturalWidth > 0,
    alt: img.getAttribute('alt'), role: img.getAttribute('role'),
    hiddenFromReaders: !!img.closest('[aria-hidden="true"]'),
    visible: img.checkVisibility(),
    word: word ? {text: word.innerText.replace(/\\s+/g, ' ').trim(), hidden: word.getAttribute('aria-hidden') === 'true',
                  visible: word.checkVisibility()} : null,
  }
})"""


def picture_problems(page, what: str) -> list[str]:
    """The rule the markup follows, checked on every picture of the page:
    - every picture is named (a non-empty alt, not hidden from screen readers, not presentational),
      except a line's own picture (beside a question or an easy-read line) that only shows what the
      line's words say: that one is decorative (alt=""), so a screen reader does not hear the word
      twice; a line picture that adds meaning keeps its name;
    - a picture above a word in the "with pictures" version is named by exactly that word, and the
      printed word under it is visible but hidden from screen readers, so the sentence is read once;
    - every picture is one of our /symbols/ files, from this server, and has loaded;
    - a page with any picture credits OpenMoji under CC BY-SA 4.0 in its footer."""
    page.wait_for_function("() => [...document.images].every((img) => img.complete)")
    problems = []
    pictures = page.evaluate(_PICTURES)
    for p in pictures:
        where = f"{what}: picture {p['src']} (alt={p['alt']!r})"
        decorative = p["linePicture"] and _repeats_line(p["src"], p["lineWords"])
        if decorative and p["alt"] != "":
            problems.append(f"{where} only repeats the words of its line {p['lineWords']!r} but has a name")
        elif not decorative and (not (p["alt"] or "").strip() or p["hiddenFromReaders"] or p["role"] in ("presentation", "none")):
            problems.append(f"{where} has no accessible name")
        if not p["sameOrigin"] or not re.fullmatch(r"/symbols/[0-9A-F-]+\.svg", p["src"] or ""):
            problems.append(f"{where} is not served from our own /symbols/ ({p['url']})")
        if not p["loaded"]:
            problems.append(f"{where} did not load")
        if not p["visible"]:
            problems.append(f"{where} is not shown")
        word = p["word"]
        if word is not None:
            if words(word["text"]).lower() != words(p["alt"] or "").lower():
                problems.append(f"{where} is above the word {word['text']!r} but named differently")
            if not word["visible"] or not word["hidden"]:
                problems.append(f"{where}: the word under it must be shown and hidden from screen readers "
                                f"(shown={word['visible']}, aria-hidden={word['hidden']})")
    if pictures:
        credit = page.locator("#symbol-attribution")
        if not credit.is_visible():
            problems.append(f"{what}: shows {len(pictures)} picture(s) but no OpenMoji credit")
        else:
            text = words(credit.inner_text())
            if "OpenMoji" not in text or "CC BY-SA 4.0" not in text:
                problems.append(f"{what}: the symbol credit does not name OpenMoji and CC BY-SA 4.0: {text!r}")
            if not credit.locator("a[href='https://creativecommons.org/licenses/by-sa/4.0/']").count():
                problems.append(f"{what}: the symbol credit does not link to the CC BY-SA 4.0 licence")
    return problems


def _repeats_line(src: str, line: str) -> bool:
    from surveys.symbols import dictionary, repeats_words

    hexcode = (src or "").rsplit("/", 1)[-1].removesuffix(".svg")
    key = next((s.key for s in dictionary().symbols.values() if s.hexcode == hexcode), None)
    return repeats_words(key, line)


def name_problems(page, what: str, question) -> list[str]:
    """What a screen reader announces for the question and each answer: the picture's name, then
    the words once (a picture above a word stands in for it)."""
    from playwright.sync_api import expect

    from feedback.respond.symbols import FACES
    from surveys.symbols import repeats_words, symbol_for

    problems = []
    symbol = symbol_for(question.easy_read.symbol)
    heading = question_heading(question)
    # The question's picture is named only when it adds to the words (otherwise it is decorative).
    decorative = repeats_words(question.easy_read.symbol, easy_text(question))
    expected = f"{symbol[1]} {heading}" if symbol and not decorative else heading
    try:
        expect(page.locator("#main-content h1")).to_have_accessible_name(name_pattern(expected), timeout=1000)
    except AssertionError as error:
        problems.append(f"{what}: the question's heading is not named {expected!r}: {error}")
    from feedback.respond.symbols import offered_options

    for option in offered_options(question, "easy_read"):
        face = FACES.get(option.value)
        expected = f"{face[1]} {option_words(option)}" if face else option_words(option)
        choice = page.locator(f"#main-content input[name='{question.key}'][value='{option.value}']")
        try:
            expect(choice).to_have_accessible_name(name_pattern(expected), timeout=1000)
        except AssertionError as error:
            problems.append(f"{what}: the answer {option.value} is not named {expected!r}: {error}")
    return problems


_FACES_AND_WORDS = """(name) => [...document.querySelectorAll(`input[name="${name}"]`)].map((input) => {
  const label = input.labels[0]
  const face = label.querySelector('img.app-option-symbol')
  const text = label.querySelector('.app-er-option__label')
  const box = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom} }
  return {
    value: input.value,
    face: face ? {alt: face.alt, box: box(face), visible: face.checkVisibility()} : null,
    text: text ? {words: text.innerText.replace(/\\s+/g, ' ').trim(), box: box(text), visible: text.checkVisibility()} : null,
  }
})"""


def face_problems(page, what: str, question) -> list[str]:
    """On a scale: every face has its words printed right beside it (to its right, on the same
    line), and "I don't understand" is one of the answers."""
    from feedback.respond.symbols import offered_options

    problems = []
    offered = offered_options(question, "easy_read")
    options = {o.value: o for o in offered}
    if "dont_understand" not in options or not page.locator(
        f"#main-content input[name='{question.key}'][value='dont_understand']"
    ).count():
        problems.append(f"{what}: no \"I don't understand\" answer")
    points = {o.value for o in question.options if o in offered}  # the scale itself, not the non-answers
    faces = 0
    for item in page.evaluate(_FACES_AND_WORDS, question.key):
        if item["face"] is None:
            continue
        faces += item["value"] in points
        where = f"{what}: the picture {item['face']['alt']!r} for {item['value']}"
        text = item["text"]
        if text is None or not text["visible"] or not text["words"]:
            problems.append(f"{where} has no words shown with it")
            continue
        if words(text["words"]) != words(option_words(options[item["value"]])):
            problems.append(f"{where} shows {text['words']!r}, not {option_words(options[item['value']])!r}")
        face, words_box = item["face"]["box"], text["box"]
        beside = 0 <= words_box["left"] - face["right"] <= 32
        same_line = words_box["top"] < face["bottom"] and words_box["bottom"] > face["top"]
        if not (beside and same_line):
            problems.append(f"{where} is not right beside its words ({face} and {words_box})")
    if question.scale in ("satisfaction", "agreement") and faces != len(points):
        problems.append(f"{what}: a {question.scale} scale should show a face on each of its {len(points)} points, found {faces}")
    return problems


@pytest.mark.parametrize("version", VERSIONS)
def test_pictures_are_named_served_by_us_and_credited(page, live_server, version):
    run = open_run(CONSULTATION)
    problems: list[str] = []
    outside: list[str] = []
    page.on("request", lambda r: r.url.startswith(live_server + "/") or outside.append(r.url))
    pictures_seen = []

    def check(what: str, question) -> None:
        problems.extend(picture_problems(page, what))
        pictures_seen.append(page.locator("#page img").count())
        if question is not None:
            problems.extend(name_problems(page, what, question))
            if question.type == "scale":
                problems.extend(face_problems(page, what, question))
                page.set_viewport_size(NARROW)  # still beside their words on a small phone
                problems.extend(f"{p} (at 320px)" for p in face_problems(page, what, question))
                page.set_viewport_size(DESKTOP)

    walk_every_page(page, run, version, check)
    assert sum(pictures_seen) > 20, "the walk showed hardly any pictures"
    assert not outside, f"requests left our server: {outside}"
    assert not problems, f"{len(problems)} problem(s) with pictures:\n" + "\n".join(problems)


def test_switching_to_pictures_by_the_link_brings_the_credit(page):
    """The version links swap only the page's content (htmx): the footer's credit must follow."""
    run = open_run(CONSULTATION)
    page.goto(f"/s/{run.slug}")
    assert not page.locator("#symbol-attribution").is_visible()  # the standard version has no pictures
    click_and_settle(page, page.get_by_role("link", name="Version with pictures"))
    assert page.locator("#page img").count() > 0
    assert page.locator("#symbol-attribution").is_visible(), "pictures shown without the OpenMoji credit"
    click_and_settle(page, page.get_by_role("link", name="Standard version"))
    assert page.locator("#page img").count() == 0
    assert not page.locator("#symbol-attribution").is_visible()


# -- 2b. the pages off the main path -------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_pages_off_the_main_path_in_easy_read(page, version):
    """Save and come back later, continue with a code (and a wrong code), your choices sent with
    nothing chosen, and the survey once closed: each in the version chosen, with easy-read lines
    (a picture on the left and words on the right), 19px text with generous spacing at desktop and
    320px, every picture named, from our server, and credited."""
    run = open_run(YOUNG_PERSON)
    slug = run.slug
    problems: list[str] = []

    def check(what: str, lines: list[str]) -> None:
        assert page.locator("#page.app-easy-read").count() == 1, f"{what} is not in the easy-read layout"
        shown = [words(t) for t in page.locator("#main-content .app-er-list__item").all_inner_texts()]
        for line in lines:
            assert line in shown, f"{what}: {line!r} is not an easy-read line: {shown}"
        for width, size in (("desktop", DESKTOP), ("320px", NARROW)):
            page.set_viewport_size(size)
            found = page.evaluate(_TEXT_STYLES, [MIN_TEXT_PX, MIN_LINE_SPACING])
            problems.extend(f"{what} at {width}: {p}" for p in found["problems"])
        page.set_viewport_size(DESKTOP)
        problems.extend(picture_problems(page, what))

    start_survey(page, slug, version=version)
    answer_page(page)
    click_and_settle(page, continue_button(page))
    click_and_settle(page, page.get_by_role("button", name="Save and come back later"))
    code = page.locator("#resume-code").inner_text().strip()
    check("saved for later", ["Write the code down or take a photo of it."])

    click_and_settle(page, page.get_by_role("link", name=re.compile("Continue with your code")))
    assert page.url.endswith(f"/s/{slug}/resume?version={version}"), page.url
    check("continue with your code", [])
    assert words(page.locator("#main-content h1").inner_text()) == "Type in your code"
    click_and_settle(page, page.get_by_role("button", name="Continue"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("continue with your code, no code entered", [])
    page.locator("#code").fill(code)
    click_and_settle(page, page.get_by_role("button", name="Continue"))
    assert page_key_of(page.url), f"the code did not bring the answers back: {page.url}"
    assert page.locator("#page.app-easy-read").count() == 1

    page.goto(f"/s/{slug}/your-choices")
    check("your choices", ["These questions are about how we use your answers."])
    click_and_settle(page, continue_button(page))
    assert page.locator(".govuk-error-summary").is_visible()
    check("your choices with an error", [])

    close_run(slug)
    response = page.goto(f"/s/{slug}?version={version}")
    assert response.status == 410
    check("closed survey", ["You cannot answer this survey now."])
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("version", VERSIONS)
def test_an_answer_that_came_too_late_is_explained_in_the_version_chosen(page, live_server, version):
    """The first question is left open in one tab while the survey is finished and sent from another
    (here over plain HTTP with this browser's cookie); then the first tab answers and continues. The
    confirmation says, in easy-read lines with pictures, that the last answer came too late and
    where to ask for a change; large text at desktop and 320px, pictures named and from our server."""
    import httpx

    from tests.walker import Walker

    run = open_run(YOUNG_PERSON)
    start_survey(page, run.slug, version=version)
    first_question = page.url
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    with httpx.Client(base_url=live_server, cookies=cookies, timeout=10) as other_tab:
        reference = Walker(other_tab).complete(first_question)
    radios = page.locator("#main-content form input[type=radio]")
    radios.nth(radios.count() - 1).check()  # not the first option, which the other tab sent
    click_and_settle(page, continue_button(page))
    assert page.url.endswith(f"/s/{run.slug}/done?notice=late-change"), page.url
    assert reference in page.locator(".govuk-panel--confirmation").inner_text()
    banner = page.locator(".govuk-notification-banner")
    shown = [words(t) for t in banner.locator(".app-er-list__item").all_inner_texts()]
    assert shown == ["Your last answer came too late.", "Your answers were sent before it.", "Tell us what to change"], shown
    assert banner.get_by_role("link", name="Tell us what to change").get_attribute("href") == f"/withdraw?version={version}"
    problems = picture_problems(page, "too late")
    for label, size in (("1280", {"width": 1280, "height": 800}), ("320", NARROW)):
        page.set_viewport_size(size)
        problems += page.evaluate(_TEXT_STYLES, [MIN_TEXT_PX, MIN_LINE_SPACING])["problems"]
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"too-late-{version}-{label}.png"), full_page=True, caret="initial")
    assert not problems, problems


# -- 3. keyboard alone -------------------------------------------------------------------------------

@pytest.mark.parametrize(("instrument_key", "version"), [(YOUNG_PERSON, "easy_read"), (CONSULTATION, "symbols")],
                         ids=["young-person-easy-read", "consultation-with-pictures"])
def test_keyboard_only_from_the_start_page_to_the_confirmation(page, instrument_key, version):
    """Tab, Space and Enter only (and typing in text boxes): choose the version on the standard
    start page, start, answer every page, send. Focus is always visible, and lands on each new
    page's heading; every page on the way is in the version chosen, with its pictures credited."""
    run = open_run(instrument_key)
    instrument = run.instrument
    keys = Keyboard(page)
    page.goto(f"/s/{run.slug}")
    assert page.locator("#page.app-easy-read").count() == 0

    keys.tab_until(lambda i: i["tag"] == "a" and i["text"] == VERSION_LINKS[version], f"the {VERSION_LINKS[version]} link")
    keys.press_and_settle("Enter")
    assert page.url.endswith(f"/s/{run.slug}?version={version}"), page.url
    assert_focus_on_heading(page)
    problems: list[str] = []

    def in_version(what: str) -> None:
        assert page.locator("#page.app-easy-read").count() == 1, f"{what} is not in the {version} version"
        problems.extend(picture_problems(page, what))

    in_version("start page")
    keys.tab_until(lambda i: i["text"].startswith("Start now"), "the Start now button")
    keys.press_and_settle("Enter")
    assert page.url.endswith("/before-you-start")
    assert_focus_on_heading(page)
    in_version("before you start")
    keys.tab_until(lambda i: i["isContinue"], "Continue")
    keys.press_and_settle("Enter")

    prefer = revealing_answers(instrument)  # ticks boxes that show more questions (radios take the first)
    seen: list[str] = []
    while not page.url.split("?")[0].endswith("/check"):
        step = step_of(page.url)
        assert step not in seen, f"came back to {step}: {seen}"
        seen.append(step)
        assert_focus_on_heading(page)
        if step in instrument.pages_by_key:
            question = instrument.pages_by_key[step].questions[0]
            in_version(f"question {step}")
            assert words(page.locator("#main-content h1").inner_text()) == question_heading(question)
        keys.fill_form(prefer)
        keys.press_and_settle("Enter")
        assert not page.locator(".govuk-error-summary").count(), f"{step}: {page.locator('.govuk-error-summary').inner_text()}"

    if instrument_key == CONSULTATION:  # ticking boxes by keyboard reached the number and short text questions
        assert {"holiday_days", "barriers_other"} <= set(seen), seen
    assert_focus_on_heading(page)
    in_version("check your answers")
    keys.tab_until(lambda i: i["text"] == "Send my answers", "Send my answers", limit=150)
    keys.press_and_settle("Enter")
    assert page.locator(".govuk-panel--confirmation").is_visible()
    assert_focus_on_heading(page)
    in_version("confirmation")
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".govuk-panel--confirmation").inner_text())
    assert not problems, "\n".join(problems)


# -- 4. Listen ---------------------------------------------------------------------------------------

# Speech is stubbed so the test can hear what would be said (and nothing plays on the machine):
# the device has one voice, and each line ends as soon as it starts, so the page reads to the end.
RECORD_SPEECH = """
window.__spoken = []
if (window.speechSynthesis) {
  window.speechSynthesis.getVoices = () => [{name: 'Test voice', lang: 'en-GB', default: true}]
  window.speechSynthesis.speak = (utterance) => {
    window.__spoken.push(utterance.text)
    setTimeout(() => { utterance.dispatchEvent(new Event('start')); utterance.dispatchEvent(new Event('end')) }, 0)
  }
  window.speechSynthesis.cancel = () => {}
}
"""
NO_SPEECH = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance"


@pytest.mark.parametrize("version", VERSIONS)
def test_listen_reads_each_question_and_its_answers_once(new_page, version):
    page = new_page()
    page.add_init_script(RECORD_SPEECH)
    run = open_run(CONSULTATION)
    instrument = run.instrument
    start_survey(page, run.slug, version=version)
    assert page.evaluate("typeof window.speechSynthesis.speak") == "function"
    prefer = revealing_answers(instrument)
    types = set()
    for _ in range(30):
        key = page_key_of(page.url)
        if key is None:
            break
        question = instrument.pages_by_key[key].questions[0]
        types.add(question.type)
        listen = page.get_by_role("button", name="Listen")
        assert listen.count() == 1 and listen.is_visible(), f"no Listen button on {key}"
        before = page.evaluate("window.__spoken.length")
        listen.click()
        page.wait_for_function("() => document.querySelector('[data-listen-label]').textContent === 'Listen' && !document.querySelector('.app-listen-reading')")
        spoken = page.evaluate("window.__spoken")[before:]
        assert spoken, f"Listen on {key} said nothing"
        assert len(spoken) > 1, f"Listen on {key} read everything in one go: {spoken}"
        said = words(" ".join(spoken))
        assert said.count(easy_text(question)) == 1, f"{key}: the question should be read once, not {said!r}"
        if question.easy_read.hint:
            assert words(question.easy_read.hint) in said, f"{key}: the hint was not read: {said!r}"
        for option in offered_options(question, version):
            assert words(option_words(option)) in said, f"{key}: the answer {option_words(option)!r} was not read: {said!r}"
        # Pressing Listen left the page working: answering and Continue still move on.
        answer_page(page, prefer)
        click_and_settle(page, continue_button(page))
        assert not page.locator(".govuk-error-summary").count(), page.locator(".govuk-error-summary").inner_text()
    assert types == all_types(instrument), f"question types not met: {all_types(instrument) - types}"


def test_no_listen_button_when_the_browser_cannot_speak(new_page):
    page = new_page()
    page.add_init_script(NO_SPEECH)
    run = open_run(CONSULTATION)
    start_survey(page, run.slug, version="easy_read")
    assert page.evaluate("'speechSynthesis' in window || 'SpeechSynthesisUtterance' in window") is False
    for _ in range(3):  # the first page (a full load) and pages after htmx swaps
        assert page.locator("#page.app-easy-read h1").is_visible()
        assert page.get_by_role("button", name="Listen").count() == 0, f"a Listen button that cannot work on {page.url}"
        answer_page(page)
        click_and_settle(page, continue_button(page))
        assert not page.locator(".govuk-error-summary").count()


@pytest.mark.parametrize("version", VERSIONS)
def test_javascript_off_no_listen_button_and_the_survey_still_works(new_page, version):
    page = new_page(java_script_enabled=False)
    run = open_run(YOUNG_PERSON)
    start_survey(page, run.slug, js=False, version=version)
    questions = 0
    for _ in range(40):
        if page_key_of(page.url) is None:
            break
        questions += 1
        assert page.locator("#page.app-easy-read h1").is_visible()
        assert page.get_by_role("button", name="Listen").count() == 0, f"a Listen button without JavaScript on {page.url}"
        answer_page(page)
        submit(page, continue_button(page), js=False)
        assert not page.locator(".govuk-error-summary").count(), page.locator(".govuk-error-summary").inner_text()
    if step_of(page.url) == "your-choices":
        answer_page(page)
        submit(page, continue_button(page), js=False)
    assert page.url.endswith("/check") and questions > 5, page.url
    submit(page, page.get_by_role("button", name="Send my answers"), js=False)
    assert page.locator(".govuk-panel--confirmation").is_visible()
