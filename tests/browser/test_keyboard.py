"""The young person's survey, start to finish, by keyboard alone (Tab, Shift+Tab, Space, Enter, arrows).

Every tab stop must show a focus indicator; the skip link is the first stop; after each htmx page
change focus lands on the new h1, or on the error summary when there is a problem."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    YOUNG_PERSON,
    Keyboard,
    PageChecks,
    assert_focus_on_heading,
    describe,
    focused,
    open_run,
    step_of,
)

pytestmark = pytest.mark.browser


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
