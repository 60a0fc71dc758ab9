"""Symbol-supported text and answer cards as a young person sees them on a phone, in Chromium.

Every easy-read and picture version of every built-in survey is walked at 320 px (and its first
questions at 1280 px). On each page: a word and its picture (with their punctuation) are never split
across lines, no two pictured words overlap, nothing scrolls sideways, the symbol-text checks of
tests/symbol_text.py pass on the page as the browser built it, and the answer cards work as cards:
a tap on the far right of a card chooses it, and the chosen card shows a thick border and a tick.
Screenshots go to /tmp/screens/ (test output, never committed) to be looked at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.instrument import built_in_instruments
from tests.browser.helpers import (
    NARROW,
    answer_page,
    click_and_settle,
    continue_button,
    horizontal_scroll,
    open_run,
    page_key_of,
    revealing_answers,
    start_survey,
    step_of,
)
from tests.symbol_text import question_problems

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens")
WIDE = {"width": 1280, "height": 900}
EASY_VERSIONS = [
    (key, version)
    for key, instrument in sorted(built_in_instruments().items())
    for version in instrument.variants if version != "standard"
]

_LAYOUT = """() => {
  const problems = []
  const units = [...document.querySelectorAll('#main-content .app-sym-unit')]
  for (const unit of units) {
    // One line box per unit: a word, its picture and its punctuation are never split.
    const tops = new Set([...unit.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)))
    if (tops.size > 1) problems.push(`"${unit.innerText.replace(/\\s+/g, ' ')}" is split across lines`)
  }
  const syms = [...document.querySelectorAll('#main-content .app-sym')].map(s => ({s, r: s.getBoundingClientRect()}))
  for (let i = 0; i < syms.length; i++) {
    for (let j = i + 1; j < syms.length; j++) {
      const a = syms[i].r, b = syms[j].r
      const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1
      if (overlap) problems.push(`"${syms[i].s.innerText.trim()}" overlaps "${syms[j].s.innerText.trim()}"`)
    }
  }
  // Each picture directly above its own word.
  for (const {s} of syms) {
    const img = s.querySelector("img").getBoundingClientRect(), word = s.querySelector(".app-sym__row").getBoundingClientRect()
    if (!(img.bottom <= word.top + 2 && Math.abs((img.left + img.right) / 2 - (word.left + word.right) / 2) < 3))
      problems.push(`the picture of "${s.innerText.trim()}" is not directly above its word`)
  }
  return problems
}"""

_CARDS = """() => [...document.querySelectorAll('#main-content .app-er-choices input')].map((input) => {
  const label = input.labels[0], card = label.getBoundingClientRect(), dot = getComputedStyle(label, '::before')
  return {value: input.value, name: input.name, type: input.type, card: {left: card.left, right: card.right, top: card.top, bottom: card.bottom},
          beforeTop: parseFloat(dot.top) + parseFloat(dot.marginTop), beforeHeight: parseFloat(dot.height), height: card.height}
})"""


def _shot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def _layout_problems(page, what: str) -> list[str]:
    problems = [f"{what}: {p}" for p in page.evaluate(_LAYOUT)]
    scroll = horizontal_scroll(page)
    if scroll:
        problems.append(f"{what}: {scroll}")
    problems += question_problems(page.content(), what)
    return problems


def _card_problems(page, what: str) -> list[str]:
    """The whole card is the tap target, the control sits in the middle of its left edge, and the
    chosen card looks chosen (a thick border and a tick) without relying on the dot."""
    problems = []
    cards = page.evaluate(_CARDS)
    if not cards:
        return problems
    last = cards[-1]
    selector = f"#main-content input[name='{last['name']}'][value='{last['value']}']"
    before = page.locator(selector).is_checked()
    label = page.locator(f"label[for='{page.locator(selector).get_attribute('id')}']")
    label.scroll_into_view_if_needed()
    box = label.bounding_box()
    # Tap near the right edge of the card, far from the circle.
    page.mouse.click(box["x"] + box["width"] - 20, box["y"] + box["height"] / 2)
    if page.locator(selector).is_checked() == before and last["type"] == "radio":
        problems.append(f"{what}: a tap on the right of the card {last['value']!r} did nothing")
    if not page.locator(selector).is_checked():
        page.locator(selector).check()
    chosen = page.evaluate(f"""() => {{
      const label = document.querySelector("{selector}").labels[0]
      const style = getComputedStyle(label)
      const tick = getComputedStyle(label.querySelector('.app-er-option'), '::after')
      return {{border: parseFloat(style.borderLeftWidth), tick: tick.content !== 'none' && tick.content !== ''}}
    }}""")
    if chosen["border"] < 4 or not chosen["tick"]:
        problems.append(f"{what}: the chosen card has a {chosen['border']}px border and tick={chosen['tick']}")
    for card in cards:
        middle = card["beforeTop"] + card["beforeHeight"] / 2
        if abs(middle - card["height"] / 2) > 3:
            problems.append(f"{what}: the control of {card['value']!r} is not in the middle of its card")
    if last["type"] == "checkbox":
        page.locator(selector).uncheck()
    return problems


@pytest.mark.parametrize(("instrument_key", "version"), EASY_VERSIONS, ids=[f"{k}-{v}" for k, v in EASY_VERSIONS])
def test_symbol_text_and_cards_at_320px(page, instrument_key, version):
    run = open_run(instrument_key)
    instrument = run.instrument
    prefer = revealing_answers(instrument)
    page.set_viewport_size(NARROW)
    name = f"{instrument_key}-{version}"
    page.goto(f"/s/{run.slug}?version={version}")
    problems = _layout_problems(page, "start page")
    _shot(page, f"{name}-00-start-320")
    start_survey(page, run.slug, version=version)
    for number in range(1, 80):
        key = page_key_of(page.url)
        if key is None:
            break
        what = f"question {key}"
        problems += _layout_problems(page, what)
        problems += _card_problems(page, what)
        _shot(page, f"{name}-{number:02d}-{key}-320")
        if number <= 3:
            page.set_viewport_size(WIDE)
            problems += _layout_problems(page, f"{what} at 1280px")
            _shot(page, f"{name}-{number:02d}-{key}-1280")
            page.set_viewport_size(NARROW)
        answer_page(page, prefer)
        click_and_settle(page, continue_button(page))
        assert not page.locator(".govuk-error-summary").count(), page.locator(".govuk-error-summary").inner_text()
    if step_of(page.url) == "your-choices":
        problems += _layout_problems(page, "your choices")
        _shot(page, f"{name}-90-choices-320")
        answer_page(page)
        click_and_settle(page, continue_button(page))
    assert page.url.endswith("/check"), page.url
    problems += _layout_problems(page, "check your answers")
    _shot(page, f"{name}-91-check-320")
    click_and_settle(page, page.get_by_role("button", name="Send my answers"))
    problems += _layout_problems(page, "confirmation")
    _shot(page, f"{name}-92-confirmation-320")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
