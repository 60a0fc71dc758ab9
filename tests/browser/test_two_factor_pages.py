"""Two-factor sign-in in a real Chromium: the enrolment page (QR code and key), the recovery codes and
the code page after the password are axe clean at 1280 px and 320 px with nothing scrolling sideways,
errors included, typing and pressing Enter. Screenshots go to /tmp."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.browser.helpers import PASSWORD, PageChecks, make_user, sign_in

pytestmark = pytest.mark.browser


def _press_enter_in(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).press("Enter")


@pytest.mark.parametrize("js", [True], ids=["javascript"])  # without JavaScript: see the issue note
def test_enrol_and_sign_in_with_a_code(new_page, js):
    page = new_page(java_script_enabled=js, viewport={"width": 1280, "height": 900})
    email = make_user("officer")
    sign_in(page, email, js=js)
    checks = PageChecks(page, both_widths=True)
    page.goto("/workspace/account/two-factor")
    assert page.locator("svg.app-qr").is_visible()
    checks("enrolment")
    suffix = "js" if js else "nojs"
    page.screenshot(path=f"/tmp/h_b_enrol_1280_{suffix}.png", full_page=True, caret="initial")
    page.set_viewport_size({"width": 320, "height": 800})
    page.screenshot(path=f"/tmp/h_b_enrol_320_{suffix}.png", full_page=True, caret="initial")
    page.set_viewport_size({"width": 1280, "height": 900})
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    page.locator("#code").fill("000000")
    _press_enter_in(page, "#code")
    assert page.locator(".govuk-error-summary").is_visible()
    checks("enrolment with an error")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    _press_enter_in(page, "#code")
    assert page.locator("#recovery-codes li").count() == 10
    checks("recovery codes")
    page.screenshot(path=f"/tmp/h_b_recovery_1280_{suffix}.png", full_page=True, caret="initial")

    fresh = new_page(java_script_enabled=js, viewport={"width": 1280, "height": 900})
    fresh.goto("/login")
    fresh.locator("#email").fill(email)
    fresh.locator("#password").fill(PASSWORD)
    _press_enter_in(fresh, "#password")
    assert fresh.locator("h1").inner_text() == "Enter your code"
    code_checks = PageChecks(fresh, both_widths=True)
    code_checks("code page")
    fresh.screenshot(path=f"/tmp/h_b_code_1280_{suffix}.png", full_page=True, caret="initial")
    fresh.locator("#code").fill("999999")
    _press_enter_in(fresh, "#code")
    code_checks("code page with an error")
    fresh.set_viewport_size({"width": 320, "height": 800})
    fresh.screenshot(path=f"/tmp/h_b_code_320_{suffix}.png", full_page=True, caret="initial")
    fresh.locator("#code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    _press_enter_in(fresh, "#code")
    assert fresh.locator("h1").inner_text() == "Surveys"
    checks.assert_clean()
    code_checks.assert_clean()

