"""The theme pages in a real Chromium: axe (WCAG 2.2 AA) at desktop width and 320 px on the
dashboard's themes section, the review and uncoded queues and the codebook pages; the review and
codebook editing done with JavaScript off (real forms, POST then redirect)."""

from __future__ import annotations

import asyncio

import pytest

from tests.browser.helpers import PARENT, PageChecks, _in_thread, make_user, open_run, sign_in, submit

pytestmark = pytest.mark.browser

COMMENTS = [
    "Nobody picks up the phone at the SEN team.",
    "The bouncy castle zone was lovely.",
    "The bouncy castle zone is closed now.",
]


@pytest.fixture(scope="module")
def themed_survey():
    from tests.analysis.test_loading import submitted, valid_answers

    run = open_run(PARENT, prefix="themes")

    async def create():
        for i in range(6):
            answers = valid_answers(run.instrument, 9500 + i, could_be_better=COMMENTS[i % 3],
                                    works_well="Our SENCo is brilliant.", overall_satisfaction="satisfied")
            await submitted(run, answers)

    _in_thread(asyncio.run, create())
    return run


def test_theme_pages_pass_axe(new_page, themed_survey):
    run = themed_survey
    page = new_page()
    sign_in(page, make_user("officer"))
    check = PageChecks(page, both_widths=True)
    page.goto(f"/workspace/surveys/{run.id}/analysis#themes")
    assert page.locator("#themes").is_visible() and page.locator("#themes-indicative").is_visible()
    check("dashboard with themes")
    page.goto(f"/workspace/surveys/{run.id}/themes/review")
    assert page.locator("mark.app-match").count() >= 1
    check("review queue")
    page.goto(f"/workspace/surveys/{run.id}/themes/uncoded")
    assert page.locator("#phrases").is_visible()
    check("uncoded queue")
    page.goto("/workspace/themes")
    check("codebook")
    page.goto("/workspace/themes/new")
    submit(page, page.get_by_role("button", name="Save theme"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("new theme with errors")
    page.goto("/workspace/themes/transport/edit")
    check("edit theme")
    submit(page, page.get_by_role("link", name="Remove the theme"))  # boosted by htmx
    assert page.locator("h1").inner_text() == "Remove this theme?"
    assert page.locator(".govuk-warning-text").is_visible() and page.get_by_role("button", name="Remove theme").is_visible()
    check("remove theme confirmation")
    check.assert_clean()


def test_review_works_with_javascript_off(new_page, themed_survey):
    run = themed_survey
    page = new_page(java_script_enabled=False)
    sign_in(page, make_user("officer"), js=False)
    page.goto(f"/workspace/surveys/{run.id}/themes/review")
    first = page.locator("section.app-themed-comment").first
    anchor = first.get_attribute("id")
    submit(page, first.get_by_role("button", name="Confirm suggested themes"), js=False)
    assert "Themes confirmed" in page.locator(".govuk-notification-banner").inner_text()
    page.goto(f"/workspace/surveys/{run.id}/themes/review?show=all")
    section = page.locator(f"#{anchor}")
    assert section.locator(".govuk-tag", has_text="Confirmed").count() >= 1
    section.locator("select[name=theme]").select_option("disputes")
    submit(page, section.get_by_role("button", name="Add theme"), js=False)
    assert "Theme added" in page.locator(".govuk-notification-banner").inner_text()


def test_a_theme_is_added_then_removed_with_javascript_off(new_page, themed_survey):
    page = new_page(java_script_enabled=False)
    sign_in(page, make_user("officer"), js=False)
    page.goto("/workspace/themes/new")
    page.locator("#key").fill("bouncy_castles")
    page.locator("#label").fill("Bouncy castles")
    page.locator("#include").fill("bouncy castle")
    submit(page, page.get_by_role("button", name="Save theme"), js=False)
    assert page.locator("#theme-bouncy_castles").is_visible()
    page.goto("/workspace/themes/bouncy_castles/edit")
    submit(page, page.get_by_role("link", name="Remove the theme"), js=False)
    assert "comments carry this theme" in page.locator(".govuk-warning-text").inner_text()
    submit(page, page.get_by_role("button", name="Remove theme"), js=False)
    assert page.url.endswith("/workspace/themes?removed=bouncy_castles")
    assert "removed" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator("#theme-bouncy_castles").count() == 0
