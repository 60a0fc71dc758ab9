"""The survey dates page in a real Chromium: axe (WCAG 2.2 AA) finds nothing at 1280 px and 320 px,
with errors shown too, nothing scrolls sideways, and dates are saved by keyboard with JavaScript off.
Screenshots go to /tmp for a person to look at."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.browser.helpers import PageChecks, make_user, open_run, run_by_slug, sign_in, submit

pytestmark = pytest.mark.browser


def test_dates_page_is_accessible_at_both_widths_with_and_without_errors(page):
    survey = open_run(prefix="dates")
    sign_in(page, make_user("officer"))
    checks = PageChecks(page, both_widths=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/workspace/surveys/{survey.id}")
    checks("survey page with its dates")
    page.screenshot(path="/tmp/h_c_survey_1280.png", full_page=True, caret="initial")
    page.goto(f"/workspace/surveys/{survey.id}/dates")
    checks("dates page")
    page.screenshot(path="/tmp/h_c_dates_1280.png", full_page=True, caret="initial")
    page.locator("#closes-day").fill("31")
    page.locator("#closes-month").fill("2")
    page.locator("#closes-year").fill("2030")
    submit(page, page.get_by_role("button", name="Save the dates"))
    assert "must be a real date" in page.locator(".govuk-error-summary").inner_text()
    checks("dates page with an error")
    page.set_viewport_size({"width": 320, "height": 640})
    page.screenshot(path="/tmp/h_c_dates_error_320.png", full_page=True, caret="initial")
    page.goto(f"/workspace/surveys/{survey.id}/dates")
    page.screenshot(path="/tmp/h_c_dates_320.png", full_page=True, caret="initial")
    checks.assert_clean()


def test_scheduling_a_survey_by_keyboard_with_javascript_off(new_page):
    page = new_page(java_script_enabled=False)
    survey = open_run(prefix="dates-nojs")
    sign_in(page, make_user("officer"), js=False)
    page.goto(f"/workspace/surveys/{survey.id}")
    page.get_by_role("link", name="Change opening date").click()
    opens = (datetime.now(timezone.utc) + timedelta(days=10)).date()
    page.locator("#opens-day").focus()
    for part in (str(opens.day), str(opens.month), str(opens.year)):
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the closing date's three boxes
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/workspace/surveys/{survey.id}?dates=saved")
    assert "Scheduled" in page.locator("h1").inner_text()
    assert "The dates are saved." in page.inner_text("main")
    stored = run_by_slug(survey.slug)
    assert stored.opens_at.date() == opens and stored.is_scheduled()
