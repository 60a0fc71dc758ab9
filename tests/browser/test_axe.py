"""axe-core (WCAG 2.0/2.1/2.2 A and AA) on every respondent page, in a real Chromium with JavaScript on,
at a desktop width and at 320 px (where nothing may scroll sideways).

Each test walks through many pages and reports every problem it met at once, so one run shows the
whole picture rather than the first failure."""

from __future__ import annotations

import tomllib

import pytest

from tests.browser.helpers import (
    DESKTOP,
    NARROW,
    ROOT,
    YOUNG_PERSON,
    PageChecks,
    answer_page,
    click_and_settle,
    close_run,
    continue_button,
    expected_pages,
    open_run,
    page_key_of,
    publish_update,
    revealing_answers,
    start_survey,
    step_of,
    submit,
    submitted_reference,
)

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": DESKTOP, "320px": NARROW}
INSTRUMENT_DIR = ROOT / "surveys" / "instruments"


def _built_in_instruments() -> dict[str, tuple[str, ...]]:
    """Each built-in instrument's key and versions, read from its TOML without the app's checks, so
    a broken instrument fails its own tests rather than the collection of this file."""
    found = {}
    for path in sorted(INSTRUMENT_DIR.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError):
            data = {}
        found[data.get("key", path.stem)] = tuple(data.get("variants", ["standard"]))
    return found


BUILT_IN = _built_in_instruments()
# Every easy-read and picture version of every built-in survey (the standard versions are walked by
# test_every_page_of_the_journey): POET parent/carer and practitioner and the parents' annual survey
# are standard only; the young person's POET, the young person's annual survey and the consultation
# have both.
VERSIONS = [(key, version) for key, versions in BUILT_IN.items() for version in versions if version != "standard"]


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def sized_page(request, new_page):
    page = new_page(viewport=VIEWPORTS[request.param])
    return page, request.param == "320px"


def check_whole_journey(page, check, run, version: str | None = None, too_long: bool = False) -> None:
    """Privacy notice, start, before you start, every question page and step after them (each first
    met with nothing chosen, to show its errors), check your answers, confirmation, and the start page
    after sending. Answers are chosen to show conditional questions; the walk must meet exactly the
    pages expected."""
    slug, instrument = run.slug, run.instrument
    prefer = revealing_answers(instrument)
    start_url = f"/s/{slug}" + (f"?version={version}" if version else "")
    page.goto(f"/s/{slug}/privacy" + (f"?version={version}" if version else ""))
    check("the survey's privacy notice")
    page.goto(start_url)
    check("survey start page")
    click_and_settle(page, continue_button(page))
    assert page.url.endswith(f"/s/{slug}/before-you-start"), page.url
    check("before you start")
    click_and_settle(page, continue_button(page))

    seen: list[str] = []
    errors_shown: set[str] = set()
    while not page.url.split("?")[0].endswith("/check"):
        step = step_of(page.url)
        assert step not in seen, f"came back to {step}: {seen}"
        seen.append(step)
        kind = "question" if page_key_of(page.url) else "step"
        if kind not in errors_shown and not page.locator("#main-content textarea").count():
            click_and_settle(page, continue_button(page))  # nothing chosen: error summary and message
            assert page.locator(".govuk-error-summary").is_visible(), f"no error summary on {page.url}"
            check(f"{kind} page {step} with an error")
            errors_shown.add(kind)
        if too_long and "too long" not in errors_shown and page.locator("#main-content .govuk-character-count").count():
            page.locator("#main-content textarea").fill("Far too much to say. " * 100)
            check(f"question page {step} with a character count over its limit")
            click_and_settle(page, continue_button(page))
            assert page.locator(".govuk-error-summary").is_visible()
            check(f"question page {step} with a too long answer")
            errors_shown.add("too long")
        check(f"{kind} page {step}")
        answer_page(page, prefer)
        click_and_settle(page, continue_button(page))
        assert not page.locator(".govuk-error-summary").count(), (
            f"answering {step} gave an error: {page.locator('.govuk-error-summary').inner_text()}"
        )

    all_pages = {p.key for p in instrument.pages}
    assert [s for s in seen if s in all_pages] == expected_pages(instrument, prefer), (
        f"the walk should show each expected question page once, in order; it saw {seen}"
    )
    check("check your answers")
    click_and_settle(page, page.get_by_role("button", name="Send my answers"))
    assert page.locator(".govuk-panel--confirmation").is_visible()
    check("confirmation")
    page.goto(start_url)
    check("survey start page after sending (answers sent banner)")


@pytest.mark.parametrize("instrument_key", list(BUILT_IN))
def test_every_page_of_the_journey(page, instrument_key):
    """Every built-in survey, standard version: each state checked at desktop width and at 320 px."""
    check = PageChecks(page, both_widths=True)
    check_whole_journey(page, check, open_run(instrument_key), too_long=instrument_key == YOUNG_PERSON)
    check.assert_clean()


def test_journey_walked_at_320px(new_page):
    """The young person's survey used on a 320 px screen throughout (every click made at that width)."""
    page = new_page(viewport=NARROW)
    check = PageChecks(page, narrow=True)
    check_whole_journey(page, check, open_run(YOUNG_PERSON))
    check.assert_clean()


@pytest.mark.parametrize(("instrument_key", "version"), VERSIONS, ids=[f"{k}-{v}" for k, v in VERSIONS])
def test_easy_read_and_picture_versions(page, instrument_key, version):
    """Easy-read and "with pictures" versions (pictures, faces on scales, Listen buttons)."""
    check = PageChecks(page, both_widths=True)
    check_whole_journey(page, check, open_run(instrument_key), version=version)
    check.assert_clean()


def test_other_respondent_pages(sized_page):
    """Everything off the happy path: missing answers, saving, resuming, closed surveys, notices, 404."""
    page, narrow = sized_page
    check = PageChecks(page, narrow)
    run = open_run(YOUNG_PERSON)
    slug = run.slug

    page.goto("/")
    check("home page")
    page.goto(f"/s/{slug}?notice=not-found")
    check("survey start page, answers not found on this device")

    start_survey(page, slug)
    answer_page(page)
    click_and_settle(page, continue_button(page))
    page.goto(f"/s/{slug}/check")
    assert page.locator(".govuk-error-summary").is_visible()
    check("check your answers with missing answers")

    page.goto(f"/s/{slug}")
    assert page.get_by_text("Continue where you left off").is_visible()
    check("survey start page, welcome back")

    page.goto(f"/s/{slug}/q/{run.instrument.pages[1].key}")
    click_and_settle(page, page.get_by_role("button", name="Save and come back later"))
    assert page.locator("#resume-code").is_visible()
    check("save and come back later")

    page.goto(f"/s/{slug}/resume")
    check("resume page")
    click_and_settle(page, page.get_by_role("button", name="Continue"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("resume page, no code entered")
    page.locator("#code").fill("not a code")
    click_and_settle(page, page.get_by_role("button", name="Continue"))
    check("resume page, badly formed code")
    page.locator("#code").fill("ABCD-EFGH-JKMN")
    click_and_settle(page, page.get_by_role("button", name="Continue"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("resume page, unknown code")

    page.goto(f"/s/{slug}/privacy")
    check("the survey's privacy notice")
    for path, what in [("/privacy", "privacy page"), ("/accessibility", "accessibility statement"),
                       ("/you-said-we-did", "you said, we did")]:
        page.goto(path)
        check(what)

    response = page.goto("/no-such-page")
    assert response.status == 404
    check("404 page")
    response = page.goto("/s/no-such-survey")
    assert response.status == 404
    check("404 page for an unknown survey")

    close_run(slug)
    response = page.goto(f"/s/{slug}")
    assert response.status == 410
    check("closed survey")
    check.assert_clean()


@pytest.mark.parametrize("version", ["easy_read", "symbols"])
def test_other_respondent_pages_in_easy_read_and_pictures(page, version):
    """The pages off the happy path in the easy-read and picture versions: saved for later, continue
    with a code (and its error), your choices with an error, the closed survey."""
    check = PageChecks(page, both_widths=True)
    run = open_run(YOUNG_PERSON)
    slug = run.slug

    start_survey(page, slug, version=version)
    answer_page(page)
    click_and_settle(page, continue_button(page))
    click_and_settle(page, page.get_by_role("button", name="Save and come back later"))
    assert page.locator("#resume-code").is_visible()
    check("save and come back later")
    page.goto(f"/s/{slug}/resume?version={version}")
    check("resume page")
    click_and_settle(page, page.get_by_role("button", name="Continue"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("resume page, no code entered")

    page.goto(f"/s/{slug}/your-choices")
    click_and_settle(page, continue_button(page))
    assert page.locator(".govuk-error-summary").is_visible()
    check("your choices with an error")

    close_run(slug)
    response = page.goto(f"/s/{slug}?version={version}")
    assert response.status == 410
    check("closed survey")
    check.assert_clean()


def test_withdraw_pages(page, live_server):
    """Withdrawing with a reference: every state at both widths in one pass, because reference
    look-ups are rate limited (ten in ten minutes) and each state here costs one."""
    check = PageChecks(page, both_widths=True)
    slug = open_run(YOUNG_PERSON).slug
    reference = submitted_reference(live_server, slug)

    page.goto("/withdraw")
    check("withdraw: enter your reference")
    click_and_settle(page, page.get_by_role("button", name="Continue"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("withdraw: no reference entered")
    page.locator("#reference").fill(reference)
    click_and_settle(page, page.get_by_role("button", name="Continue"))
    check("withdraw: what do you want to withdraw")
    click_and_settle(page, page.get_by_role("button", name="Withdraw"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("withdraw: nothing chosen")
    page.locator("input[name=withdraw][value=answers]").check()
    click_and_settle(page, page.get_by_role("button", name="Withdraw"))
    assert page.locator(".govuk-panel").is_visible()
    check("withdraw: done")
    check.assert_clean()


def test_pages_as_rendered_without_the_app_script(page):
    """What a browser without JavaScript gets: the same markup with no enhancement (no character count
    message, no error summary focus). axe needs scripting, so the app's own script is replaced by an
    empty one instead of turning JavaScript off."""
    page.route("**/static/dist/app.js*", lambda route: route.fulfill(status=200, content_type="text/javascript", body=""))
    check = PageChecks(page, both_widths=True)
    slug = open_run(YOUNG_PERSON).slug

    start_survey(page, slug, js=False)
    assert not page.evaluate("document.body.classList.contains('js-enabled')")
    check("first question, no script")
    submit(page, continue_button(page), js=False)
    assert page.locator(".govuk-error-summary").is_visible()
    check("first question with an error, no script")
    page.goto(f"/s/{slug}/q/works_well")
    check("a long answer page, no script")
    page.goto(f"/s/{slug}/check")
    check("check your answers with missing answers, no script")
    page.goto(f"/s/{slug}/resume")
    submit(page, page.get_by_role("button", name="Continue"), js=False)
    check("resume page with an error, no script")
    check.assert_clean()


def test_you_said_we_did_with_published_updates(page):
    """The public updates page once something is published: filters, timeline, easy-read version, print."""
    check = PageChecks(page, both_widths=True)
    run = open_run(YOUNG_PERSON)
    title = f"Replies from the SEN team ({run.slug})"
    publish_update(run.id, title)

    page.goto("/you-said-we-did")
    assert page.get_by_text(title).first.is_visible()
    check("you said, we did, with an update")
    page.goto(f"/you-said-we-did?survey={run.slug}&theme=communication")
    check("you said, we did, filtered")
    page.goto("/you-said-we-did?version=easy_read")
    check("you said, we did, easy read")
    page.goto("/you-said-we-did?version=symbols")
    check("you said, we did, with pictures")
    page.goto(f"/you-said-we-did/print?survey={run.slug}")
    check("you said, we did, printable report")
    check.assert_clean()
