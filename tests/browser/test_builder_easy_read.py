"""The builder's question page in a real Chromium: typing the easy-read question updates the
picture preview as they type (htmx), the picture search shows thumbnails, the easy-read warnings
show beside the preview; axe finds nothing at 1280 and 320 px, and nothing scrolls sideways at
320 px. Screenshots go to /tmp/screens/builder-easy-*.png (not committed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.browser.helpers import NARROW, PageChecks, _in_thread, make_user, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/screens")
WIDE = {"width": 1280, "height": 900}


def draft_with_a_question() -> int:
    from surveys import authoring

    async def make() -> int:
        draft = await authoring.create_draft("Clubs after school", None, "browser@example.org")
        definition = {**draft.definition, "variants": ["standard", "symbols"], "sections": [{
            "key": "clubs", "title": "Clubs", "easy_read": {"text": "Clubs"},
            "questions": [{"key": "club_feel", "type": "single_choice", "text": "How do you feel at your club?",
                           "options": [{"value": "happy", "label": "Happy", "easy_read": "I feel happy"},
                                       {"value": "safe", "label": "Safe", "easy_read": "I feel happy and safe"},
                                       {"value": "other", "label": "Something else", "easy_read": "Something else"}],
                           "easy_read": {"text": "How do you feel at the club?"}}],
        }]}
        await authoring.change_draft(draft.id, lambda _: definition)
        return draft.id

    return _in_thread(asyncio.run, make())


def test_typing_the_easy_read_question_updates_its_picture_preview(new_page):
    page = new_page(viewport=WIDE)
    sign_in(page, make_user("officer"))
    draft_id = draft_with_a_question()
    page.goto(f"/workspace/consultations/{draft_id}/questions/club_feel")
    preview = page.locator("#easy-preview")
    assert preview.locator(".app-er-question__text").inner_text().strip().startswith("How do you feel")
    assert preview.locator("#easy-warnings", has_text="same picture").count() == 1  # both answers start with "happy"

    page.locator("#easy_text").fill("")
    page.locator("#easy_text").press_sequentially("I do not like school", delay=20)
    crossed = preview.locator(".app-sym--not img[alt='school']")
    crossed.wait_for()  # htmx swapped in the new preview, without a page load or a click
    assert page.evaluate("document.activeElement.id") == "easy_text"  # the swap left them typing where they were
    assert " ".join(page.locator("#easy-preview .app-er-question__text").inner_text().split()) == "I do not like school"

    page.locator("#find_symbol").press_sequentially("school", delay=20)
    results = page.locator("#symbol-results .app-symbol-pick")
    results.first.wait_for()
    assert page.locator("#symbol-results img[alt='school']").count() == 1

    checks = PageChecks(page)
    SHOTS.mkdir(exist_ok=True)
    for size, label in ((WIDE, "1280"), (NARROW, "320")):
        page.set_viewport_size(size)
        checks._check(f"builder question page at {label}px", label == "320")
        page.screenshot(path=str(SHOTS / f"builder-easy-question-{label}.png"), full_page=True, caret="initial")
        page.locator("#easy-preview").screenshot(path=str(SHOTS / f"builder-easy-preview-{label}.png"), caret="initial")
    page.set_viewport_size(WIDE)
    # On a wide screen the preview stays in view beside the answers being written.
    page.locator("#option-2-easy_read").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "builder-easy-answers-beside-preview-1280.png"), caret="initial")
    box = page.locator("#easy-preview").bounding_box()
    assert box is not None and 0 <= box["y"] < WIDE["height"] and box["x"] > page.locator("#option-2-easy_read").bounding_box()["x"]

    # Picking a picture puts it in the Symbol field (nothing saved yet); the warnings follow it.
    page.locator("#symbol-results button[value='school']").click()
    page.locator("#unsaved-note").wait_for()
    assert page.locator("#easy_symbol").input_value() == "school"
    assert page.locator("#easy-warnings", has_text="says the opposite").count() == 1
    checks("builder question page after picking a picture")

    # Saved, the warning is in the editor's advice list, and its link goes back to the field.
    page.get_by_role("button", name="Save the question").click()
    page.locator("#advice-list").wait_for()
    advice = page.locator("#advice-list li", has_text="says the opposite").get_by_role("link")
    assert advice.count() == 1
    checks("builder editor with easy-read advice")
    page.set_viewport_size(NARROW)
    page.locator("#advice-list").screenshot(path=str(SHOTS / "builder-easy-advice-320.png"), caret="initial")
    page.set_viewport_size(WIDE)
    advice.click()
    page.locator("#easy_symbol").wait_for()
    assert page.locator("#easy_symbol").input_value() == "school"

    # The details page's easy-read title and explained words, at both widths.
    page.goto(f"/workspace/consultations/{draft_id}/details")
    page.locator("#easy_title").fill("Tell us about your club")
    page.locator("#term-1-term").fill("EHC plan")
    page.locator("#term-1-means").fill("a plan that says what help you get.")
    page.get_by_role("button", name="Add another word").click()
    page.locator("#term-2-term").wait_for()
    assert page.locator("#term-1-term").input_value() == "EHC plan"  # nothing typed is lost
    for size, label in ((WIDE, "1280"), (NARROW, "320")):
        page.set_viewport_size(size)
        checks._check(f"builder details page at {label}px", label == "320")
        page.locator("#easy-terms").screenshot(path=str(SHOTS / f"builder-easy-terms-{label}.png"), caret="initial")
    checks.assert_clean()
