"""The quote review page and the public "you said, we did" page with a survey's headline, in a real
Chromium: axe (WCAG 2.2 AA) at desktop width and 320 px, every chart beside its data table, and
the review done with JavaScript off (real forms, POST then redirect)."""

from __future__ import annotations

import asyncio

import pytest

from tests.browser.helpers import (
    PARENT,
    PageChecks,
    _in_thread,
    make_user,
    open_run,
    publish_update,
    sign_in,
    submit,
)

pytestmark = pytest.mark.browser

COMMENT = "Nobody picks up the phone at the SEN team. Call Sarah Jones on 07700 900982."


def add_responses(run, count: int, first_seed: int, quotes: bool) -> None:
    """Sent responses straight into the database, some agreeing to be quoted, all with a comment
    the coder puts under "communication"."""
    from tests.analysis.test_loading import submitted, valid_answers

    async def create():
        for seed in range(first_seed, first_seed + count):
            answers = valid_answers(run.instrument, seed, could_be_better=COMMENT, overall_satisfaction="satisfied")
            await submitted(run, answers, quotes=quotes)

    _in_thread(asyncio.run, create())


def check_charts_have_tables(page) -> int:
    """Every chart (an SVG with role="img") sits in a figure with its data table, one row per bar."""
    report = page.evaluate("""() => [...document.querySelectorAll('#main-content svg[role=img]')].map(svg => {
      const figure = svg.closest('figure')
      const table = figure && figure.querySelector('table[data-chart="' + figure.id + '"]')
      return {label: svg.querySelector('title') ? svg.querySelector('title').textContent : '(no title)',
              table: !!(table && table.caption), bars: svg.querySelectorAll('rect').length,
              rows: table ? table.tBodies[0].rows.length : 0}
    })""")
    missing = [c["label"] for c in report if not c["table"] or c["rows"] < max(1, c["bars"])]
    assert not missing, f"charts without their data table: {missing}"
    return len(report)


@pytest.fixture(scope="module")
def published_survey():
    run = open_run(PARENT, prefix="pubfig")
    add_responses(run, 6, 9100, quotes=True)
    add_responses(run, 8, 9200, quotes=False)
    publish_update(run.id, "Answering the phone")
    return run


def test_quotes_page_and_public_page_pass_axe(new_page, published_survey):
    run = published_survey
    page = new_page()
    sign_in(page, make_user("officer"))
    check = PageChecks(page, both_widths=True)
    page.goto(f"/workspace/surveys/{run.id}/quotes")
    assert page.locator("h1").inner_text() == "Quotes"
    check("quotes page, empty")
    submit(page, page.get_by_role("button", name="Find new quotes"))
    assert page.locator(".govuk-notification-banner").is_visible()
    assert page.locator("textarea[name=wording]").count() >= 1
    assert "Sarah" not in page.content() and "07700" not in page.content()
    check("quotes page, with quotes to review")
    page.locator("textarea[name=wording]").first.fill("x" * 1200)
    submit(page, page.get_by_role("button", name="Save wording and approve").first)
    assert page.locator(".govuk-error-summary").is_visible()
    check("quotes page, wording too long")

    public = new_page()
    public.goto(f"/you-said-we-did?survey={run.slug}")
    assert public.locator("#results-heading").is_visible()
    assert check_charts_have_tables(public) >= 1
    assert "were satisfied or very satisfied overall" in public.locator(".app-headline-summary").first.inner_text()
    public_check = PageChecks(public, both_widths=True)
    public_check("public page with a headline")
    public.goto(f"/you-said-we-did/print?survey={run.slug}")
    assert check_charts_have_tables(public) >= 1
    public_check("printable report with a headline")
    check.assert_clean()
    public_check.assert_clean()


def test_quote_review_works_with_javascript_off(new_page, published_survey):
    run = published_survey
    page = new_page(java_script_enabled=False)
    sign_in(page, make_user("officer"), js=False)
    page.goto(f"/workspace/surveys/{run.id}/quotes")
    submit(page, page.get_by_role("button", name="Find new quotes"), js=False)
    first = page.locator("section.app-quote").first
    quote_id = first.get_attribute("id")
    first.locator("textarea[name=wording]").fill("Nobody answers the phone.")
    submit(page, first.get_by_role("button", name="Save wording and approve"), js=False)
    assert "Quote edited and approved" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator(f"#{quote_id} .govuk-tag").inner_text() == "Approved"
