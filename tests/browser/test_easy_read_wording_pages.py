"""The easy-read pages added for issue 13 item 6, in a real Chromium at 320 and 1280 px: the easy
title on the home page's buttons and the start page, the privacy notice's lines with their pictures,
"EHC plan" explained under its first question, and the short check-answers page.

Each page is checked with axe, for sideways scrolling at 320 px, and for words, pictures and Change
links that overlap; screenshots go to /tmp/screens/easy-read-wording-*.png (not committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import (
    NARROW,
    YOUNG_PERSON,
    PageChecks,
    answer_page,
    click_and_settle,
    continue_button,
    open_run,
    page_key_of,
    revealing_answers,
    start_survey,
    step_of,
)

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/screens")
WIDE = {"width": 1280, "height": 900}

# Boxes inside one line that overlap (the picture, the words, the Change link), or a line's picture
# that is squashed: what a person would see as a broken layout.
_OVERLAPS = """(selector) => {
  const problems = []
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1
  for (const item of document.querySelectorAll(selector)) {
    const parts = [...item.children].filter(c => c.getBoundingClientRect().width > 0)
    for (let i = 0; i < parts.length; i++) {
      for (let j = i + 1; j < parts.length; j++) {
        if (overlap(parts[i].getBoundingClientRect(), parts[j].getBoundingClientRect())) {
          problems.push(`${item.innerText.slice(0, 50)}: ${parts[i].className} overlaps ${parts[j].className}`)
        }
      }
    }
    for (const img of item.querySelectorAll(':scope > img')) {
      const box = img.getBoundingClientRect()
      if (box.width < 30 || Math.abs(box.width - box.height) > 1) problems.push(`${item.innerText.slice(0, 50)}: picture ${box.width}x${box.height}`)
    }
  }
  return problems
}"""


def shoot(page, name: str, checks: PageChecks, selector: str) -> list[str]:
    """Screenshots at 1280 and 320 px, with axe, sideways scrolling and overlap checks at each."""
    SHOTS.mkdir(exist_ok=True)
    problems = []
    for size, label in ((WIDE, "1280"), (NARROW, "320")):
        page.set_viewport_size(size)
        checks._check(f"{name} at {label}px", label == "320")
        problems += [f"{name} at {label}px: {p}" for p in page.evaluate(_OVERLAPS, selector)]
        page.screenshot(path=str(SHOTS / f"easy-read-wording-{name}-{label}.png"), full_page=True, caret="initial")
    page.set_viewport_size(WIDE)
    return problems


@pytest.mark.parametrize("version", ["easy_read", "symbols"])
def test_easy_title_privacy_pictures_ehc_explained_and_short_check_page(new_page, version):
    page = new_page(viewport=WIDE)
    run = open_run(YOUNG_PERSON, prefix="erwordb")
    instrument = run.instrument
    checks = PageChecks(page)
    problems: list[str] = []

    page.goto("/")
    button = page.locator(f'a[href="/s/{run.slug}?version={version}"]')
    assert instrument.easy_title in button.inner_text()
    problems += shoot(page, f"home-{version}", checks, ".app-version-buttons")

    page.goto(f"/s/{run.slug}?version={version}")
    assert page.locator("h1").inner_text() == instrument.easy_title
    assert page.title().startswith(instrument.easy_title)
    problems += shoot(page, f"start-{version}", checks, ".app-er-list__item")

    page.goto(f"/s/{run.slug}/privacy?version={version}")
    lines = page.locator(".app-er-list__item")
    assert lines.count() >= 8
    for index in range(lines.count()):
        assert lines.nth(index).locator(":scope > img").count() == 1
    problems += shoot(page, f"privacy-{version}", checks, ".app-er-list__item")

    start_survey(page, run.slug, version=version)
    prefer = revealing_answers(instrument)
    explained = []
    for _ in range(60):
        key = page_key_of(page.url)
        if key is None:
            break
        term = page.locator(".app-er-term")
        if term.count():
            explained.append(key)
            assert term.first.is_visible() and term.first.inner_text().startswith("EHC plan means")
            # Its words only: no picture there repeats one of the answers' (the first screenshot had "help" twice).
            assert term.first.locator("img").count() == 0
            problems += shoot(page, f"ehc-{version}", checks, ".app-er-question")
        answer_page(page, prefer)
        click_and_settle(page, continue_button(page))
    assert explained == ["support_level"], explained
    if step_of(page.url) == "your-choices":
        answer_page(page)
        click_and_settle(page, continue_button(page))
    assert page.url.endswith("/check"), page.url
    lines = page.locator(".app-er-check__item")
    assert lines.count() >= 10
    assert page.locator(".govuk-summary-list").count() == 0
    problems += shoot(page, f"check-{version}", checks, ".app-er-check__item")
    # A Change link takes the person back to that question and the check page is one step away.
    lines.first.get_by_role("link", name="Change").click()
    page.wait_for_url("**/q/**")
    checks.assert_clean()
    assert not problems, "\n".join(problems)
