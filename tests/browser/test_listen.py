"""Listen, in Chromium: on every page of the easy-read and picture versions, at the top beside the
question; reading line by line with the line being read highlighted; Pause, Carry on and Stop;
hidden when the device has no voices (also when voices arrive late, on "voiceschanged"); an SVG
speaker, not an emoji.

Speech is stubbed so the test can hear what would be said and control when each line ends."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    answer_page,
    click_and_settle,
    continue_button,
    open_run,
    page_key_of,
    start_survey,
    step_of,
)

pytestmark = pytest.mark.browser

# Each utterance is recorded; it starts at once and ends only when the test says so (__endLine),
# so the highlight can be seen while a line is "read".
CONTROLLED_SPEECH = """
window.__spoken = []
window.__current = null
window.__voices = [{name: 'Test voice', lang: 'en-GB', default: true}]
if (window.speechSynthesis) {
  const synth = window.speechSynthesis
  synth.getVoices = () => window.__voices
  synth.speak = (utterance) => {
    window.__spoken.push(utterance.text)
    window.__current = utterance
    setTimeout(() => utterance.dispatchEvent(new Event('start')), 0)
  }
  synth.cancel = () => { const u = window.__current; window.__current = null; if (u) u.dispatchEvent(new Event('end')) }
  synth.pause = () => { window.__paused = true }
  synth.resume = () => { window.__paused = false }
  window.__endLine = () => { const u = window.__current; window.__current = null; if (u) u.dispatchEvent(new Event('end')) }
}
"""
NO_VOICES_YET = CONTROLLED_SPEECH.replace("window.__voices = [{name: 'Test voice', lang: 'en-GB', default: true}]", "window.__voices = []")


def listen(page):
    return page.locator("#main-content [data-listen-play]")


def test_listen_reads_line_by_line_with_highlight_pause_and_stop(new_page):
    page = new_page()
    page.add_init_script(CONTROLLED_SPEECH)
    run = open_run("annual-send-young-person")
    start_survey(page, run.slug, version="symbols")
    button = listen(page)
    assert button.is_visible() and button.inner_text().strip() == "Listen"
    assert button.locator("svg").count() == 1 and "🔊" not in button.inner_text()
    # Beside the question: above its heading, not below the answers.
    heading = page.locator("#main-content h1").bounding_box()
    box = button.bounding_box()
    assert box["y"] < heading["y"] and heading["y"] - box["y"] < 200, (box, heading)

    button.click()
    page.wait_for_function("() => document.querySelector('.app-listen-reading')")
    first = page.locator(".app-listen-reading").inner_text()
    assert page.evaluate("window.__spoken.length") == 1
    assert button.inner_text().strip() == "Pause"
    page.evaluate("window.__endLine()")
    page.wait_for_function("() => window.__spoken.length === 2")
    page.wait_for_function("(first) => document.querySelector('.app-listen-reading') && document.querySelector('.app-listen-reading').innerText !== first", arg=first)
    assert page.locator(".app-listen-reading").count() == 1

    button.click()  # Pause
    assert page.evaluate("window.__paused") is True and button.inner_text().strip() == "Carry on"
    button.click()  # Carry on
    assert page.evaluate("window.__paused") is False and button.inner_text().strip() == "Pause"

    page.get_by_role("button", name="Stop").click()
    assert page.locator(".app-listen-reading").count() == 0
    assert button.inner_text().strip() == "Listen" and not page.get_by_role("button", name="Stop").is_visible()
    spoken = page.evaluate("window.__spoken.length")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__spoken.length") == spoken, "Stop did not stop the reading"

    # To the end: every line read once, the question first, each answer after it.
    button.click()
    for _ in range(40):
        if button.inner_text().strip() == "Listen":
            break
        page.wait_for_function("() => window.__current !== null || document.querySelector('[data-listen-label]').textContent === 'Listen'")
        page.evaluate("window.__endLine && window.__endLine()")
    lines = page.evaluate("window.__spoken")[spoken:]
    question = run.instrument.pages_by_key[page_key_of(page.url)].questions[0]
    assert any(question.easy_read.text.rstrip(".?") in line for line in lines), lines
    assert len(lines) == len(set(lines)), f"a line was read twice: {lines}"


@pytest.mark.parametrize("version", ["easy_read", "symbols"])
def test_listen_is_on_every_page_of_the_easy_versions(new_page, version):
    page = new_page()
    page.add_init_script(CONTROLLED_SPEECH)
    run = open_run("annual-send-young-person")
    page.goto(f"/s/{run.slug}?version={version}")
    seen = []

    def check(what):
        assert listen(page).count() == 1 and listen(page).is_visible(), f"no Listen on {what}"
        seen.append(what)

    check("start page")
    start_survey(page, run.slug, version=version)
    for _ in range(40):
        if page_key_of(page.url) is None:
            break
        check(page_key_of(page.url))
        answer_page(page)
        click_and_settle(page, continue_button(page))
    if step_of(page.url) == "your-choices":
        check("your choices")
        answer_page(page)
        click_and_settle(page, continue_button(page))
    check("check your answers")
    click_and_settle(page, page.get_by_role("button", name="Send my answers"))
    check("confirmation")
    assert len(seen) > 10


def test_no_listen_without_voices_and_it_appears_when_voices_arrive(new_page):
    page = new_page()
    page.add_init_script(NO_VOICES_YET)
    run = open_run("annual-send-young-person")
    start_survey(page, run.slug, version="easy_read")
    assert page.evaluate("window.speechSynthesis.getVoices().length") == 0
    assert not listen(page).is_visible(), "a silent Listen button on a device with no voices"
    page.evaluate("window.__voices = [{name: 'Late voice', lang: 'en-GB'}]; window.speechSynthesis.dispatchEvent(new Event('voiceschanged'))")
    assert listen(page).is_visible(), "Listen did not appear when the voices arrived"


def test_the_standard_version_has_no_listen(new_page):
    page = new_page()
    page.add_init_script(CONTROLLED_SPEECH)
    run = open_run("annual-send-young-person")
    start_survey(page, run.slug)
    assert listen(page).count() == 0
