"""Review that scales, in a real Chromium (issue 15): confirming a page of theme suggestions, or all
of one theme, with JavaScript off and on; the quote review filtered by theme and status and paged;
axe (WCAG 2.2 AA) finds nothing at desktop width and at 320 px."""

from __future__ import annotations

import asyncio

import pytest

from tests.browser.helpers import PARENT, PageChecks, _in_thread, make_user, open_run, sign_in, submit, submit_answers

pytestmark = pytest.mark.browser

COMMENTS = ["The taxi was late every single morning this term.",
            "Nobody answers the phone at the SEN team.",
            "The holiday club was lovely and she made a friend.",
            "There has been no speech therapy for two years.",
            "CAMHS closed her referral without seeing her."]


@pytest.fixture(scope="module")
def busy_survey():
    run = open_run(PARENT, prefix="scale")
    for i, text in enumerate(COMMENTS * 6):  # 30 comments: more than one page of 20
        submit_answers(run, 1, first_seed=9700 + i, quotes=True, could_be_better=text, works_well="", anything_else="")
    from feedback.publishing.quotes import refresh_candidates

    _in_thread(asyncio.run, refresh_candidates(run, "browser-tests@example.org"))  # quicker than the button for 30
    return run


@pytest.mark.parametrize("js", [False, True], ids=["javascript-off", "javascript-on"])
def test_confirm_a_page_then_all_of_one_theme(new_page, busy_survey, js):
    run = busy_survey
    page = new_page(java_script_enabled=js)
    sign_in(page, make_user("officer"), js=js)
    axe = PageChecks(page, both_widths=True)
    check = axe if js else (lambda what: None)  # axe needs JavaScript in the page: checked in the JavaScript run
    page.set_default_timeout(60_000)  # two cores shared by many test runs
    page.goto(f"/workspace/surveys/{run.id}/themes/review?show=pending")  # the other variant may have confirmed some
    check("review queue with bulk confirm")
    page.screenshot(path=f"/tmp/h_e_review_1280_{js}.png", full_page=False)
    button = page.get_by_role("button", name="Confirm suggested themes on this page (20 comments)")
    if button.count() == 0:  # the other variant of this test already confirmed the first page
        button = page.get_by_role("button", name="Confirm suggested themes on this page")
    submit(page, button, js=js)
    assert "suggested themes confirmed" in page.locator(".govuk-notification-banner").inner_text()
    check("review queue after confirming a page")
    page.goto(f"/workspace/surveys/{run.id}/themes/review?show=pending&theme=transport")
    confirm_theme = page.get_by_role("button", name="Confirm “Transport” on all")
    if confirm_theme.count():
        submit(page, confirm_theme, js=js)
        assert "suggested themes confirmed" in page.locator(".govuk-notification-banner").inner_text()
    page.goto(f"/workspace/surveys/{run.id}/themes/review?show=pending&theme=transport")
    assert "Nothing is waiting for review." in page.locator("main").inner_text()
    page.goto(f"/workspace/surveys/{run.id}/themes/review?show=all")
    why = page.locator(".app-theme-list").first.inner_text()
    assert "@" not in why and "why: matched the words" in why
    add = page.locator("select[name=theme]").last
    assert add.input_value() == ""  # "Choose a theme", not the first theme
    axe.assert_clean()


def test_quote_review_filtered_by_theme_and_status_and_paged(new_page, busy_survey):
    run = busy_survey
    page = new_page()
    sign_in(page, make_user("officer"))
    check = PageChecks(page, both_widths=True)
    page.set_default_timeout(60_000)
    page.goto(f"/workspace/surveys/{run.id}/quotes")
    assert page.locator("section.app-quote").count() == 20
    assert page.get_by_role("navigation", name="Pages of quotes").is_visible()
    check("quotes: page 1")
    page.screenshot(path="/tmp/h_e_quotes_1280.png", full_page=False)
    submit(page, page.get_by_role("link", name="Next page"))
    assert "Page 2 of" in page.locator("main").inner_text()
    check("quotes: page 2")
    page.goto(f"/workspace/surveys/{run.id}/quotes")
    page.locator("#quote-theme").select_option("transport")
    page.locator("#quote-status").select_option("pending")
    submit(page, page.get_by_role("button", name="Show quotes"))
    sections = page.locator("section.app-quote")
    assert 1 <= sections.count() <= 10 and "about Transport, waiting for review" in page.locator("main").inner_text()
    assert all("taxi" in sections.nth(i).locator("textarea").input_value() for i in range(sections.count()))
    check("quotes: transport, waiting")
    first = sections.first
    quote_id = first.get_attribute("id")
    submit(page, first.locator("button[value=approve]"))
    assert "Quote approved" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator("#quote-theme").input_value() == "transport"  # back on the same filtered view
    assert page.locator(f"#{quote_id}").count() == 0  # no longer waiting
    page.locator("#quote-status").select_option("approved")
    submit(page, page.get_by_role("button", name="Show quotes"))
    assert page.locator(f"#{quote_id}").count() == 1
    check("quotes: transport, approved")
    page.set_viewport_size({"width": 320, "height": 900})
    page.screenshot(path="/tmp/h_e_quotes_320.png", full_page=False)
    check.assert_clean()
