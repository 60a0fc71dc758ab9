"""The public "you said, we did" easy read in a real Chromium, at 1280 and 320 px: the headline said
in words with a large picture of 10 people, every word at 19 px or more, no percentages, intervals
or file links, axe clean, nothing wider than the phone, and the links between the versions working.
Screenshots go to /tmp/screens/public-easy-read-*.png (looked at by people, not compared)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.helpers import NARROW, PARENT, PageChecks, click_and_settle, open_run, publish_update, submit_answers

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/screens")
WIDE = {"width": 1280, "height": 900}

SMALLEST_TEXT = """() => {
  const small = []
  const walker = document.createTreeWalker(document.querySelector('#main-content'), NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement
    if (!node.textContent.trim() || !element.getClientRects().length) continue
    if (element.closest('.govuk-visually-hidden, select, option')) continue
    const size = parseFloat(getComputedStyle(element).fontSize)
    if (size < 19) small.push(size + 'px: ' + node.textContent.trim().slice(0, 50))
  }
  return small
}"""


@pytest.fixture(scope="module")
def survey_with_a_figure():
    run = open_run(PARENT, prefix="pubeasy")
    submit_answers(run, 7, 9300, overall_satisfaction="satisfied")
    submit_answers(run, 5, 9400, overall_satisfaction="dissatisfied")
    publish_update(run.id, "Answering the phone")
    return run


@pytest.mark.parametrize("version", ["easy_read", "symbols"])
def test_the_public_easy_read_says_the_figure_in_words_large_and_clean(new_page, survey_with_a_figure, version):
    run = survey_with_a_figure
    page = new_page(viewport=WIDE)
    page.goto(f"/you-said-we-did?survey={run.slug}&version={version}")
    check = PageChecks(page, both_widths=True)
    check(f"public easy read ({version})")
    SHOTS.mkdir(exist_ok=True)
    problems: list[str] = []
    for size, name in ((WIDE, "1280"), (NARROW, "320")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"public-easy-read-{version}-{name}.png"), full_page=True)
        words = re.sub(r"\s+([.,?!:])", r"\1", re.sub(r"\s+", " ", page.locator("#main-content").inner_text()))
        # 7 of 12 satisfied (58%) is about 6 in 10
        assert "About 6 in 10 people who answered said they were happy with the help for SEND." in words
        for jargon in ("%", "interval", "CSV", "[c]", "Progress:"):
            if jargon in words:
                problems.append(f"{name}px: '{jargon}' on the easy-read page")
        problems.extend(f"{name}px: text too small: {s}" for s in page.evaluate(SMALLEST_TEXT))
        people = page.locator("svg.app-ten-people")
        assert people.get_attribute("data-filled") == "6"
        width = people.bounding_box()["width"]
        least = 260 if name == "320" else 450  # the picture fills the phone's width, and is large on a laptop
        if width < least:
            problems.append(f"{name}px: the picture of 10 people is only {width:.0f}px wide")
    page.set_viewport_size(WIDE)
    check.assert_clean()
    assert not problems, "\n".join(problems)
    # the standard version is one link away, for the same survey, and links back
    click_and_settle(page, page.get_by_role("link", name="Standard version (with percentages)"))
    assert f"survey={run.slug}" in page.url and "version" not in page.url
    assert "58%" in page.locator(".app-headline-summary").first.inner_text()
    click_and_settle(page, page.get_by_role("link", name="Easy read version"))
    assert page.locator("svg.app-ten-people").count() == 1
