"""Real forms first, htmx on top: the survey works with JavaScript off, and with it on, htmx's page
swaps keep the URL, the title, the Back button and focus working as a normal page load would."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    SERVICE,
    YOUNG_PERSON,
    answer_page,
    click_and_settle,
    continue_button,
    open_run,
    start_survey,
    step_of,
    submit,
)

pytestmark = pytest.mark.browser

QUESTIONS = {
    "respondent_role": "Who is filling in this survey?",
    "age_band": "How old are you?",
    "setting": "Where do you go most days?",
}


def finish_survey(page, js: bool) -> str:
    """Answers each remaining page by clicking, sends, and returns the reference."""
    for _ in range(40):
        if page.url.split("?")[0].endswith("/check"):
            break
        answer_page(page)
        submit(page, continue_button(page), js)
        assert not page.locator(".govuk-error-summary").count(), page.locator(".govuk-error-summary").inner_text()
    assert page.locator("h1").inner_text().startswith("Check your answers")
    submit(page, page.get_by_role("button", name="Send my answers"), js)
    panel = page.locator(".govuk-panel--confirmation")
    assert panel.is_visible()
    match = re.search(r"[A-Z0-9]{4}(?:-[A-Z0-9]{4})+", panel.inner_text())
    assert match, panel.inner_text()
    return match.group(0)


def test_javascript_off_journey_with_save_and_resume(new_page):
    """With JavaScript off: start, an error, save and come back later on another device, finish."""
    slug = open_run(YOUNG_PERSON).slug
    page = new_page(java_script_enabled=False)
    start_survey(page, slug, js=False)
    assert page.evaluate("typeof window.htmx") == "undefined"  # really no app script running
    assert step_of(page.url) == "respondent_role"

    # A plain POST with nothing chosen comes back as a full page with the error summary.
    submit(page, continue_button(page), js=False)
    assert page.title() == f"Error: {QUESTIONS['respondent_role']} – {SERVICE}"
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.locator(".govuk-error-message").is_visible()

    answer_page(page)
    submit(page, continue_button(page), js=False)
    assert step_of(page.url) == "age_band"
    answer_page(page)
    submit(page, page.get_by_role("button", name="Save and come back later"), js=False)
    code = page.locator("#resume-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4})+", code), code

    # Another device (a fresh context: no cookie), still without JavaScript.
    other = new_page(java_script_enabled=False)
    other.goto(f"/s/{slug}/resume")
    other.locator("#code").fill(code)
    submit(other, other.get_by_role("button", name="Continue"), js=False)
    # Back on the page they saved from, with the answer they gave there kept.
    assert step_of(other.url) == "age_band", other.url
    assert other.locator("input[name=age_band]:checked").count() == 1
    finish_survey(other, js=False)


def test_htmx_keeps_url_title_focus_and_back_button(page):
    slug = open_run(YOUNG_PERSON).slug
    start_survey(page, slug)
    assert step_of(page.url) == "respondent_role"
    assert page.title() == f"{QUESTIONS['respondent_role']} – {SERVICE}"
    page.evaluate("window.__samePage = true")  # survives htmx swaps, not page loads

    # An error: same URL, "Error:" title, focus on the error summary.
    click_and_settle(page, continue_button(page))
    assert step_of(page.url) == "respondent_role"
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")

    page.locator("input[name=respondent_role][value=young_person_helped]").check()
    click_and_settle(page, continue_button(page))
    assert page.evaluate("window.__samePage === true"), "Continue made a full page load, not an htmx swap"
    assert page.url.endswith(f"/s/{slug}/q/age_band")
    assert page.title() == f"{QUESTIONS['age_band']} – {SERVICE}"
    assert page.locator("h1").inner_text() == QUESTIONS["age_band"]
    assert page.evaluate("document.activeElement.tagName") == "H1"
    assert page.locator("#announcer").inner_text() == page.title(), "the page change was not announced"

    answer_page(page)
    click_and_settle(page, continue_button(page))
    assert page.url.endswith(f"/s/{slug}/q/setting")
    assert page.title() == f"{QUESTIONS['setting']} – {SERVICE}"

    # The browser's Back button goes to the previous question, showing the saved answer.
    page.go_back()
    page.wait_for_url(re.compile(r"/q/age_band$"))
    page.locator("h1", has_text=QUESTIONS["age_band"]).wait_for()
    assert page.title() == f"{QUESTIONS['age_band']} – {SERVICE}"
    assert page.locator("input[name=age_band]:checked").count() == 1
    page.go_back()
    page.wait_for_url(re.compile(r"/q/respondent_role$"))
    page.locator("h1", has_text=QUESTIONS["respondent_role"]).wait_for()
    assert page.locator("input[name=respondent_role][value=young_person_helped]").is_checked()

    # Forward again, and the in-page Back link works as a link.
    page.go_forward()
    page.wait_for_url(re.compile(r"/q/age_band$"))
    page.locator("h1", has_text=QUESTIONS["age_band"]).wait_for()
    click_and_settle(page, page.locator(".govuk-back-link"))
    assert page.url.endswith(f"/s/{slug}/q/respondent_role")
    assert page.title() == f"{QUESTIONS['respondent_role']} – {SERVICE}"

    click_and_settle(page, continue_button(page))
    finish_survey(page, js=True)
