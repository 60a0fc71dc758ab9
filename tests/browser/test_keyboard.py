"""The young person's survey, start to finish, by keyboard alone (Tab, Shift+Tab, Space, Enter, arrows).

Every tab stop must show a focus indicator; the skip link is the first stop; after each htmx page
change focus lands on the new h1, or on the error summary when there is a problem."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    SETTLE_COUNTER,
    YOUNG_PERSON,
    PageChecks,
    open_run,
    step_of,
    wait_for_settle,
)

pytestmark = pytest.mark.browser

# What has focus, and whether it shows: GOV.UK Frontend draws focus as an outline or a box-shadow
# (a yellow background with a black bar); radios and checkboxes hide the input and draw the ring on
# the label's ::before.
_FOCUSED = """() => {
  const el = document.activeElement
  if (!el || el === document.body || el === document.documentElement) return null
  const ring = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                       && !/rgba\\(.*, 0\\)$|transparent/.test(s.outlineColor))
                      || (s.boxShadow && s.boxShadow !== 'none')
  let indicator = ring(getComputedStyle(el))
  let box = el.getBoundingClientRect()
  if ((el.type === 'radio' || el.type === 'checkbox') && el.labels && el.labels.length) {
    indicator = indicator || ring(getComputedStyle(el.labels[0], '::before'))
    box = el.labels[0].getBoundingClientRect()
  }
  const inViewport = box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight
                     && box.right > 0 && box.left < window.innerWidth
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.name || '', type: el.type || '', value: el.value || '',
    classes: el.className || '', text: (el.innerText || el.value || '').trim().slice(0, 60),
    checked: !!el.checked, indicator, inViewport,
    groupChecked: el.type === 'radio' || el.type === 'checkbox'
      ? !!(el.form && el.form.querySelector(`input[name="${el.name}"]:checked`)) : false,
    inForm: !!el.closest('#main-content form'),
    isContinue: !!el.form && el.type === 'submit' && el === el.form.querySelector('button[type=submit]'),
  }
}"""

def focused(page) -> dict | None:
    return page.evaluate(_FOCUSED)


def describe(info: dict | None) -> str:
    if info is None:
        return "<nothing>"
    return f"<{info['tag']} id={info['id']!r} name={info['name']!r} value={info['value']!r}> {info['text']!r}"


class Keyboard:
    """page.keyboard, plus a record of every tab stop and checks that focus is always visible."""

    def __init__(self, page):
        self.page = page
        self.trail: list[str] = []

    def tab(self, backwards: bool = False) -> dict:
        self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = focused(self.page)
        self.trail.append(describe(info))
        assert info is not None, f"focus was lost after Tab on {self.page.url}: {self.trail[-6:]}"
        assert info["indicator"], f"no visible focus indicator on {describe(info)} at {self.page.url}"
        assert info["inViewport"], f"focused element is off screen: {describe(info)} at {self.page.url}"
        return info

    def tab_until(self, wanted, what: str, limit: int = 80) -> dict:
        for _ in range(limit):
            info = self.tab()
            if wanted(info):
                return info
        raise AssertionError(f"could not reach {what} by Tab on {self.page.url}; stops: {self.trail[-limit:]}")

    def press_and_settle(self, key: str) -> None:
        """Presses a key that makes htmx load a page, and waits until it has settled (focus moved)."""
        before = self.page.evaluate(SETTLE_COUNTER)
        self.page.keyboard.press(key)
        wait_for_settle(self.page, before)

    def fill_form(self) -> None:
        """Tabs through the form answering as it goes: Space on the first option of each unanswered
        radio or checkbox group, a short sentence in each empty text box; stops on Continue."""
        while True:
            info = self.tab()
            if not info["inForm"]:
                continue
            if info["isContinue"]:
                return
            if info["type"] in ("radio", "checkbox") and not info["groupChecked"]:
                self.page.keyboard.press("Space")
                assert focused(self.page)["checked"], f"Space did not choose {describe(info)}"
            elif info["tag"] == "textarea" and not info["value"]:
                self.page.keyboard.type("Typed by keyboard only.")
            elif info["type"] == "email" and not info["value"]:
                self.page.keyboard.type("parent@example.com")


def assert_focus_on_heading(page) -> None:
    info = focused(page)
    assert info is not None and info["tag"] == "h1", f"after the page changed, focus is on {describe(info)}, not the h1"


def test_keyboard_only_journey(page):
    run = open_run(YOUNG_PERSON)
    slug, first = run.slug, run.instrument.pages[0].key
    keys = Keyboard(page)
    page.goto(f"/s/{slug}")

    # The skip link is the first tab stop, it shows when focused, and it moves focus to the content.
    info = keys.tab()
    assert "govuk-skip-link" in info["classes"], f"first tab stop is {describe(info)}, not the skip link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"

    keys.tab_until(lambda i: i["text"].startswith("Start now"), "the Start now button")
    keys.press_and_settle("Enter")
    assert page.url.endswith("/before-you-start")
    assert_focus_on_heading(page)
    keys.tab_until(lambda i: i["isContinue"], "Continue")
    keys.press_and_settle("Enter")

    # First question. htmx replaced the page's <main>: the skip link must still move focus into it.
    assert step_of(page.url) == first
    assert_focus_on_heading(page)
    for _ in range(5):
        if "govuk-skip-link" in keys.tab(backwards=True)["classes"]:
            break
    else:
        raise AssertionError(f"Shift+Tab from the heading did not reach the skip link: {keys.trail[-5:]}")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement === document.getElementById('main-content')"), (
        f"after an htmx page change the skip link left focus on {describe(focused(page))}"
    )
    assert keys.tab()["name"] == first

    # Continue with nothing chosen, then recover through the error summary.
    keys.tab_until(lambda i: i["isContinue"], "Continue")
    keys.press_and_settle("Enter")
    info = focused(page)
    assert info and "govuk-error-summary" in info["classes"], f"focus is on {describe(info)}, not the error summary"
    assert page.title().startswith("Error: ")
    link = keys.tab()
    assert link["tag"] == "a" and link["id"] == "" and "Select" in link["text"], describe(link)
    page.keyboard.press("Enter")  # GOV.UK's error summary moves focus to the question's first option
    info = focused(page)
    assert info["type"] == "radio" and info["name"] == first, describe(info)
    page.keyboard.press("ArrowDown")  # arrows move between options and choose them
    second = focused(page)
    assert second["type"] == "radio" and second["checked"] and second["value"] != info["value"], describe(second)
    page.keyboard.press("ArrowUp")
    assert focused(page)["value"] == info["value"] and focused(page)["checked"]
    keys.tab_until(lambda i: i["isContinue"], "Continue")
    keys.press_and_settle("Enter")

    # Every other page: focus on the new heading, then answer by Tab and Space, and Enter on Continue.
    seen = [first]
    while not page.url.split("?")[0].endswith("/check"):
        step = step_of(page.url)
        assert step not in seen, f"came back to {step}: {seen}"
        seen.append(step)
        assert_focus_on_heading(page)
        if step == "your-choices":  # "under 13" is the first age band, so this is the on-behalf version
            check = PageChecks(page)
            check("your choices, under 13 (on behalf)")
            check.assert_clean()
        keys.fill_form()
        keys.press_and_settle("Enter")
        assert not page.locator(".govuk-error-summary").count(), f"{step}: {page.locator('.govuk-error-summary').inner_text()}"

    assert_focus_on_heading(page)
    assert page.locator("h1").inner_text().startswith("Check your answers")
    keys.tab_until(lambda i: i["text"] == "Send my answers", "Send my answers", limit=120)
    keys.press_and_settle("Enter")
    assert page.locator(".govuk-panel--confirmation").is_visible()
    assert_focus_on_heading(page)
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".govuk-panel--confirmation").inner_text())
