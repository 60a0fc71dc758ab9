"""The results page in a real Chromium: chart text at least 14 px at 320 and 1280 px, axe finds
nothing (sections open and closed), every chart keeps its data table, and the first screen at
1280×800 holds the headline, the trend and the response count. Screenshots go to /tmp."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.helpers import PARENT, PageChecks, _in_thread, make_user, sign_in, submit
from tests.browser.test_analysis_public_pages import check_charts_have_tables

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def three_years():
    """Three runs of one lineage with 15 to 20 answers each, the last the one we look at."""
    import asyncio

    from surveys.instrument import built_in_instruments
    from surveys.runs import open_run
    from tests.analysis.test_loading import submitted, valid_answers

    async def create():
        instrument = built_in_instruments()[PARENT]
        lineage = f"browser-{uuid.uuid4().hex[:6]}"
        runs = []
        for year, good in (("2024", 9), ("2025", 11), ("2026", 15)):
            run = await open_run(instrument, slug=f"res-{uuid.uuid4().hex[:8]}", title=f"Parents {year}", lineage=lineage)
            for i in range(20):
                answers = valid_answers(run.instrument, 5000 + i, overall_satisfaction="satisfied" if i < good else "dissatisfied",
                                        could_be_better="The EHCP took nearly a year to arrive.")
                await submitted(run, answers)
            runs.append(run)
        return runs[-1]

    return _in_thread(asyncio.run, create())


SMALLEST_CHART_TEXT = """() => {
  const sizes = [...document.querySelectorAll('svg.app-chart text')]
    .filter(t => t.getBoundingClientRect().height > 0)
    .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)
  return {count: sizes.length, smallest: Math.min(...sizes), largest: Math.max(...sizes)}
}"""


@pytest.mark.parametrize("width", [1280, 320])
def test_results_page_reads_well_and_passes_axe(new_page, three_years, width):
    page = new_page(viewport={"width": width, "height": 800})
    sign_in(page, make_user("officer"))
    page.goto(f"/workspace/surveys/{three_years.id}/analysis", timeout=90_000)  # the first visit codes the comments
    check = PageChecks(page)
    check(f"results page at {width}px, sections closed")
    if width == 1280:
        # the first screen holds the headline, the trend and the response count
        for selector in ("#headline", ".app-headline__figure", "#trend svg.app-chart", "#response-count"):
            box = page.locator(selector).first.bounding_box()
            assert box is not None and box["y"] + min(box["height"], 120) <= 800, (selector, box)
    page.screenshot(path=f"/tmp/results-{width}-first-screen.png", timeout=60_000)
    closed_height = page.evaluate("document.documentElement.scrollHeight")
    assert closed_height <= 5 * 800 * (1 if width == 1280 else 2), closed_height
    for summary in page.locator("details.app-results-section > summary").all():
        summary.click()
    sizes = page.evaluate(SMALLEST_CHART_TEXT)
    assert sizes["count"] > 20 and sizes["smallest"] >= 14, sizes
    assert sizes["largest"] <= 24, sizes
    assert check_charts_have_tables(page) >= 5
    check(f"results page at {width}px, every section open")
    page.screenshot(path=f"/tmp/results-{width}-open.png", full_page=True, timeout=90_000)
    check.assert_clean()


def test_sections_open_and_links_work_with_javascript_off(new_page, three_years):
    page = new_page(java_script_enabled=False)
    sign_in(page, make_user("officer"), js=False)
    page.goto(f"/workspace/surveys/{three_years.id}/analysis", timeout=90_000)
    page.locator("details#breakdowns > summary").click()
    assert page.locator("details#breakdowns svg.app-chart").first.is_visible()
    assert page.locator("a[href$='board-report.pdf']").is_visible()


def test_new_results_screens_pass_axe_at_both_widths(new_page, three_years):
    """Families in each group (with an error), the POET side-by-side table, sharing and API tokens."""
    from tests.browser.helpers import open_run

    page = new_page()
    sign_in(page, make_user("admin"))
    check = PageChecks(page, both_widths=True)
    page.goto(f"/workspace/surveys/{three_years.id}/analysis/population", timeout=90_000)
    check("families in each group")
    page.locator("input[name='families-ehcp']").fill("lots")
    submit(page, page.get_by_role("button", name="Save the numbers"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("families in each group, with an error")
    page.goto(f"/workspace/surveys/{three_years.id}/sharing")
    check("sharing")
    page.goto("/workspace/api-tokens")
    check("API tokens, none yet")
    page.locator("#name").fill("Power BI board dashboard")
    submit(page, page.get_by_role("button", name="Make token"))
    assert page.locator("#new-token").inner_text().startswith("sendfb_")
    check("API tokens, one made")
    poet = open_run("poet-parent-carer", prefix="poet")
    page.goto(f"/workspace/surveys/{poet.id}/analysis", timeout=90_000)
    check("POET results")
    check.assert_clean()


def test_an_officer_opens_one_response_from_a_comment_and_axe_finds_nothing(new_page, three_years):
    """From the results page, a theme, one of its comments, then that person's answers and back."""
    page = new_page()
    sign_in(page, make_user("officer"))
    check = PageChecks(page, both_widths=True)
    page.goto(f"/workspace/surveys/{three_years.id}/themes/review?show=all", timeout=90_000)
    page.get_by_role("link", name="Open this response").first.click()
    page.wait_for_url("**/responses/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Response ")
    assert "The EHCP took nearly a year to arrive." in page.locator("main").inner_text()
    check("one response")
    page.get_by_role("link", name="Back").click()
    page.wait_for_url("**/themes/review**")
    check.assert_clean()


def test_an_officer_opens_the_responses_behind_a_figure_and_axe_finds_nothing(new_page, three_years):
    """From a question's figures on the results page to the people counted in one answer, one of
    them, and back to the list."""
    page = new_page()
    sign_in(page, make_user("officer"))
    check = PageChecks(page, both_widths=True)
    page.goto(f"/workspace/surveys/{three_years.id}/analysis", timeout=90_000)
    section = page.locator("details.app-results-section", has=page.locator("#q-overall_satisfaction"))
    section.locator("summary").first.click()
    behind = section.locator("#q-overall_satisfaction details.app-responses-behind")
    behind.locator("summary").click()
    behind.get_by_role("link", name=re.compile(r"^Satisfied")).click()  # 15 of the 20 said satisfied
    page.wait_for_url("**/responses?question=**")
    assert "answered" in page.get_by_role("heading", level=1).inner_text()
    for width in (320, 1280):  # kept for a person to look at (not committed)
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/screens/responses-behind-a-figure-{width}.png", full_page=True)
    check("responses behind a figure")
    page.locator("#responses-behind a").first.click()
    page.wait_for_url("**/responses/**")
    check("one response, from a figure")
    page.get_by_role("link", name="Back").click()
    page.wait_for_url("**/responses?question=**")
    check.assert_clean()
