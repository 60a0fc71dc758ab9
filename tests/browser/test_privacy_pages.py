"""The DPO's workspace pages in a real Chromium: axe (WCAG 2.2 AA) finds nothing at 1280 px and
320 px, nothing scrolls sideways, and filtering works by keyboard with JavaScript off. Screenshots
go to /tmp for a person to look at."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PageChecks, make_user, sign_in, submit

pytestmark = pytest.mark.browser


def test_audit_page_is_accessible_at_both_widths(page):
    sign_in(page, make_user("admin"))
    checks = PageChecks(page, both_widths=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/workspace/audit")
    checks("audit log")
    page.screenshot(path="/tmp/h_c_audit_1280.png", full_page=True, caret="initial")
    page.goto("/workspace/audit?kind=sign_in&from-day=31&from-month=2&from-year=2026")
    assert "The start date must be a real date" in page.locator(".govuk-error-summary").inner_text()
    checks("audit log with a date error")
    page.goto("/workspace/audit?kind=sign_in&from-day=1&from-month=1&from-year=2026")
    checks("audit log filtered")
    page.set_viewport_size({"width": 320, "height": 640})
    page.screenshot(path="/tmp/h_c_audit_320.png", full_page=True, caret="initial")
    checks.assert_clean()


def test_audit_page_filters_with_javascript_off(new_page):
    page = new_page(java_script_enabled=False)
    sign_in(page, make_user("admin"), js=False)
    page.goto("/workspace/audit")
    page.select_option("#kind", "sign_in")
    page.locator("#from-day").fill("1")
    page.locator("#from-month").fill("1")
    page.locator("#from-year").fill("2026")
    submit(page, page.get_by_role("button", name="Show entries"), js=False)
    assert "kind=sign_in" in page.url and "that match" in page.inner_text("main")


def test_dpo_request_and_what_we_hold_pages_are_accessible(page):
    sign_in(page, make_user("admin"))
    checks = PageChecks(page, both_widths=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/workspace/privacy/requests")
    checks("requests page")
    submit(page, page.get_by_role("button", name="Find the response"))
    assert "Enter the reference" in page.locator(".govuk-error-summary").inner_text()
    checks("requests page with errors")
    page.screenshot(path="/tmp/h_c_requests_1280.png", full_page=True, caret="initial")
    page.goto("/workspace/privacy/what-we-hold")
    checks("what we hold")
    page.screenshot(path="/tmp/h_c_hold_1280.png", full_page=True, caret="initial")
    page.set_viewport_size({"width": 320, "height": 640})
    page.screenshot(path="/tmp/h_c_hold_320.png", full_page=True, caret="initial")
    page.goto("/workspace/privacy/requests")
    page.screenshot(path="/tmp/h_c_requests_320.png", full_page=True, caret="initial")
    checks.assert_clean()
