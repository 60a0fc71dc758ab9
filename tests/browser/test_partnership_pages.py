"""The partnership page and the accessibility statement in a real Chromium: axe (WCAG 2.2 AA)
finds nothing at 1280 px and 320 px, including with the error summary showing; nothing scrolls
sideways. Nothing is saved here: the server is another process whose cache other tests rely on."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PageChecks, make_user, sign_in, submit

pytestmark = pytest.mark.browser


def test_partnership_page_and_accessibility_statement_are_accessible(page):
    sign_in(page, make_user("admin"))
    checks = PageChecks(page, both_widths=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/workspace/privacy/partnership")
    checks("partnership page")
    page.screenshot(path="/tmp/h_i_partnership_1280.png", full_page=True, caret="initial")
    page.locator("#name").fill("")
    page.locator("#contact_email").fill("not an address")
    page.locator("#reviewed_on-month").fill("13")
    submit(page, page.get_by_role("button", name="Save"))
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the partnership's name" in summary and "must be a real date" in summary
    assert page.locator("#contact_email").input_value() == "not an address"  # nothing typed is lost
    checks("partnership page with errors")
    page.set_viewport_size({"width": 320, "height": 640})
    page.screenshot(path="/tmp/h_i_partnership_errors_320.png", full_page=True, caret="initial")
    page.goto("/accessibility")
    checks("accessibility statement")
    page.screenshot(path="/tmp/h_i_accessibility_320.png", full_page=True, caret="initial")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/h_i_accessibility_1280.png", full_page=True, caret="initial")
    checks.assert_clean()
