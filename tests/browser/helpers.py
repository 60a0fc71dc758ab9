"""Shared steps for the browser tests: making survey runs, axe checks, and answering question pages."""

from __future__ import annotations

import asyncio
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PARENT = "annual-send-parent"
YOUNG_PERSON = "annual-send-young-person"
SERVICE = "Your voice in SEND"
DESKTOP = {"width": 1024, "height": 768}
NARROW = {"width": 320, "height": 640}


# -- the database, from the test process -------------------------------------------------------------
# Playwright's sync API keeps an event loop running on this thread, so asyncio.run() (which the
# suite's helpers use) has to run on another one.

def _in_thread(function, *args, **kwargs):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def open_run(instrument_key: str = YOUNG_PERSON, prefix: str = "browser"):
    from tests.conftest import open_test_run

    return _in_thread(open_test_run, instrument_key, prefix=prefix)


def publish_update(run_id: int, title: str) -> None:
    """A published "you said, we did" update with easy-read words, themes and a progress note."""
    from feedback.publishing.updates import add_progress_note, save_update, set_published

    async def create():
        update = await save_update({
            "run": run_id, "themes": ["communication", "listened_to"], "title": title,
            "you_said": "Families said nobody picks up the phone.",
            "we_did": "We opened a helpline with call-backs within 2 days.",
            "easy_read_you_said": "You said it is hard to talk to us.",
            "easy_read_we_did": "We have a new phone line.",
            "owner": "SEN casework team", "status": "in_progress", "progress": 40, "due_on": "2027-03-31",
        }, actor="browser-tests")
        await add_progress_note(update, "in_progress", "Helpline staff recruited", "browser-tests", progress=60)
        await set_published(update, True)

    _in_thread(asyncio.run, create())


def submitted_reference(base_url: str, slug: str) -> str:
    """Completes a survey over plain HTTP (tests/walker.py, first answers) and returns its reference."""
    import httpx

    from tests.walker import Walker

    with httpx.Client(base_url=base_url, timeout=10) as client:
        return Walker(client).complete(f"/s/{slug}")


def run_by_slug(slug: str):
    from surveys.runs import get_run

    return _in_thread(asyncio.run, get_run(slug))


def close_run(slug: str) -> None:
    """Closes the survey as an officer in another process would: the live server (a process of its
    own) keeps a survey's settings for its respondent pages up to RecentRuns.FRESH_FOR seconds."""
    from surveys.runs import RecentRuns, set_status

    _in_thread(asyncio.run, set_status(slug, "closed"))
    time.sleep(RecentRuns.FRESH_FOR)


def submit_answers(run, count: int, first_seed: int = 0, quotes: bool = False, **answers) -> None:
    """`count` sent responses with varied, valid answers (the demo generator's), straight into the
    database: quicker than walking the survey, and enough for the results charts to show bars.
    `answers` override the generated ones (a comment, say); `quotes` records consent to be quoted."""
    from tests.analysis.test_loading import submitted, valid_answers

    async def create():
        for seed in range(first_seed, first_seed + count):
            await submitted(run, valid_answers(run.instrument, seed, **answers), quotes=quotes)

    _in_thread(asyncio.run, create())


# -- the workspace -----------------------------------------------------------------------------------

PASSWORD = "a long enough test password"


def make_user(role: str, team: str = "partnership") -> str:
    """A workspace account with a password already set; returns its (unique) email address."""
    import uuid

    from feedback.accounts.auth import create_user

    email = f"browser-{role}-{uuid.uuid4().hex[:8]}@example.org"
    _in_thread(asyncio.run, create_user(email, role, password=PASSWORD, team=team))
    return email


def sign_in(page, email: str, js: bool = True) -> None:
    """Signs in at /login by typing, as a person would; ends on the workspace's survey list."""
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Sign in"), js)
    assert page.url.split("?")[0].rstrip("/").endswith("/workspace"), f"sign-in did not reach the workspace: {page.url}"
    assert page.locator("h1").inner_text() == "Surveys"


def page_key_of(url: str) -> str | None:
    match = re.search(r"/q/([^/?#]+)", url)
    return match.group(1) if match else None


# -- axe -------------------------------------------------------------------------------------------

@lru_cache
def _axe_source() -> str:
    if not AXE_PATH.exists():
        raise AssertionError(f"{AXE_PATH} is missing: run `npm ci` in {ROOT}")
    return AXE_PATH.read_text()


_RUN_AXE = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))
  }))
}"""


def axe_violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern, so the app's
    # CSP stays on (no bypass_csp) and its own scripts are checked under it.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN_AXE, AXE_TAGS)


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"      at {node['target']}")
            lines.append(f"         {node['html'][:200]}")
            for summary_line in (node["summary"] or "").splitlines():
                lines.append(f"         | {summary_line}")
        if len(v["nodes"]) > 8:
            lines.append(f"      ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def axe_problems(page, what: str) -> str | None:
    """None when axe finds nothing; otherwise a readable report for this page."""
    violations = axe_violations(page)
    if not violations:
        return None
    return f"{what} ({page.url}): {len(violations)} axe violation(s)\n{describe_violations(violations)}"


def horizontal_scroll(page) -> str | None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})"
    )
    if widths["scroll"] <= widths["viewport"]:
        return None
    # Name what pushes the page wide, not what scrolls inside its own box (a wide table's wrapper);
    # an absolutely positioned element (visually hidden text) escapes a box that is not positioned.
    wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > limit + 0.5)
             .filter(e => {
               let escapes = /absolute|fixed/.test(getComputedStyle(e).position)
               for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                 const style = getComputedStyle(p)
                 if (!escapes && /auto|scroll|hidden|clip/.test(style.overflowX)) return false
                 if (style.position !== 'static') escapes = /absolute|fixed/.test(style.position)
               }
               return true
             })
             .slice(0, 5).map(e => e.outerHTML.slice(0, 120))""",
        widths["viewport"],
    )
    return (f"{page.url}: scrolls sideways ({widths['scroll']}px wide in a {widths['viewport']}px viewport); "
            f"too wide: {json.dumps(wide)}")


class PageChecks:
    """Collects axe and layout problems across many pages, then fails once with all of them."""

    def __init__(self, page, narrow: bool = False, both_widths: bool = False):
        self.page = page
        self.narrow = narrow
        self.both_widths = both_widths  # check at the page's own size, then again at 320 px
        self.problems: list[str] = []
        self.checked: list[str] = []

    def __call__(self, what: str) -> None:
        self._check(what, self.narrow)
        if self.both_widths:
            size = self.page.viewport_size
            self.page.set_viewport_size(NARROW)
            self._check(f"{what} at 320px", True)
            self.page.set_viewport_size(size)

    def _check(self, what: str, narrow: bool) -> None:
        self.checked.append(what)
        problem = axe_problems(self.page, what)
        if problem:
            self.problems.append(problem)
        if narrow:
            problem = horizontal_scroll(self.page)
            if problem:
                self.problems.append(f"{what}: {problem}")

    def assert_clean(self) -> None:
        assert not self.problems, (
            f"{len(self.problems)} of {len(self.checked)} page states failed:\n\n" + "\n\n".join(self.problems)
        )


# -- moving through the journey with the mouse -----------------------------------------------------

SETTLE_COUNTER = """() => {
  if (window.__settles === undefined) {
    window.__settles = 0
    document.body.addEventListener('htmx:afterSettle', () => { window.__settles += 1 })
  }
  return window.__settles
}"""


def click_and_settle(page, locator) -> None:
    """Clicks something that htmx handles and waits until the new content has settled (focus moved)."""
    before = page.evaluate(SETTLE_COUNTER)
    locator.click()
    wait_for_settle(page, before)


def wait_for_settle(page, before: int) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("(n) => window.__settles > n", arg=before)
    except PlaywrightTimeout:
        raise AssertionError(
            f"htmx did not swap in a new page after the action on {page.url} (a 5xx answer is not swapped: "
            "see the problems listed at teardown)"
        ) from None


def submit(page, locator, js: bool = True) -> None:
    """Presses a button or link: with JavaScript, an htmx swap; without, a page load."""
    if js:
        click_and_settle(page, locator)
    else:
        with page.expect_navigation():
            locator.click()


def answer_page(page, prefer: Mapping[str, Sequence[str]] | None = None,
                text: str = "The SENCo listens to me.") -> None:
    """Answers each question on the current page by clicking and typing: the preferred options where
    given (see revealing_answers), otherwise the first option; a sentence, a small number, or contact
    details in text boxes."""
    prefer = prefer or {}
    form = page.locator("#main-content form").first
    names = "els => [...new Set(els.map(e => e.name))]"
    for name in form.locator("input[type=radio]").evaluate_all(names):
        values = form.locator(f"input[type=radio][name='{name}']").evaluate_all("els => els.map(e => e.value)")
        value = next((v for v in prefer.get(name, ()) if v in values), values[0])
        form.locator(f"input[type=radio][name='{name}'][value='{value}']").check()
    for name in form.locator("input[type=checkbox]").evaluate_all(names):
        boxes = form.locator(f"input[type=checkbox][name='{name}']")
        wanted = [v for v in prefer.get(name, ()) if boxes.and_(page.locator(f"[value='{v}']")).count()]
        for value in wanted:
            boxes.and_(page.locator(f"[value='{value}']")).check()
        if not wanted:
            boxes.first.check()
    for field in form.locator("textarea").all():
        field.fill(text)
    for field in form.locator("input[type=text]").all():
        numeric = field.get_attribute("inputmode") == "numeric"
        field.fill("3" if numeric else text[: int(field.get_attribute("maxlength") or 200)])
    for field in form.locator("input[type=email]").all():
        field.fill("parent@example.com")
    for field in form.locator("input[type=tel]").all():
        field.fill("07700 900982")


def revealing_answers(instrument) -> dict[str, list[str]]:
    """Answers that make conditional questions show: for each condition, the first value that meets
    it (a question that two conditions want answered differently keeps the first one's)."""
    prefer: dict[str, list[str]] = {}
    for question in instrument.questions:
        condition = question.show_if
        if condition is None:
            continue
        if condition.includes is not None:  # a multiple-choice answer: tick every value wanted
            values = prefer.setdefault(condition.question, [])
            if condition.includes not in values:
                values.append(condition.includes)
        else:
            prefer.setdefault(condition.question, [condition.values()[0]])
    return prefer


def expected_pages(instrument, prefer: Mapping[str, Sequence[str]]) -> list[str]:
    """The question pages a walk answering with `prefer` must show (conditions only read those answers)."""
    from surveys.journey import visible_pages

    multiple = {q.key for q in instrument.questions if q.type == "multiple_choice"}
    answers = {key: (list(values) if key in multiple else values[0]) for key, values in prefer.items()}
    return [p.key for p in visible_pages(instrument, answers)]


def continue_button(page):
    """The form's first button: Continue on question pages and the steps after them."""
    return page.locator("#main-content form button[type=submit]").first


def step_of(url: str) -> str:
    """The journey step a URL shows: a question page key, or the last part of the path."""
    return page_key_of(url) or url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


def start_survey(page, slug: str, js: bool = True, version: str | None = None) -> None:
    """From nothing to the first question: start page (of `version`, e.g. "easy_read"), Start now,
    Before you start, Continue."""
    page.goto(f"/s/{slug}" + (f"?version={version}" if version else ""))
    submit(page, page.get_by_role("button", name="Start now"), js)
    assert page.url.endswith(f"/s/{slug}/before-you-start"), page.url
    submit(page, page.get_by_role("button", name="Continue"), js)


# -- moving through the journey by keyboard alone --------------------------------------------------

# What has focus, and whether it shows: GOV.UK Frontend draws focus as an outline or a box-shadow
# (a yellow background with a black bar); radios and checkboxes hide the input and draw the ring on
# the label's ::before.
_FOCUSED = """() => {
  const el = document.activeElement
  if (!el || el === document.body || el === document.documentElement) return null
  const ring = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                       && !/rgba\\(.*, 0\\)$|transparent/.test(s.outlineColor))
                      || (s.boxShadow && s.boxShadow !== 'none')
  let indicator = ring(getComputedStyle(el))
  let box = el.getBoundingClientRect()
  if ((el.type === 'radio' || el.type === 'checkbox') && el.labels && el.labels.length) {
    indicator = indicator || ring(getComputedStyle(el.labels[0], '::before'))
    box = el.labels[0].getBoundingClientRect()
  }
  const inViewport = box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight
                     && box.right > 0 && box.left < window.innerWidth
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.name || '', type: el.type || '', value: el.value || '',
    classes: el.className || '', text: (el.innerText || el.value || '').trim().slice(0, 60),
    checked: !!el.checked, indicator, inViewport,
    inputmode: el.getAttribute('inputmode') || '',
    groupChecked: el.type === 'radio' || el.type === 'checkbox'
      ? !!(el.form && el.form.querySelector(`input[name="${el.name}"]:checked`)) : false,
    inForm: !!el.closest('#main-content form'),
    isContinue: !!el.form && el.type === 'submit' && el === el.form.querySelector('button[type=submit]'),
  }
}"""


def focused(page) -> dict | None:
    return page.evaluate(_FOCUSED)


def describe(info: dict | None) -> str:
    if info is None:
        return "<nothing>"
    return f"<{info['tag']} id={info['id']!r} name={info['name']!r} value={info['value']!r}> {info['text']!r}"


def assert_focus_on_heading(page) -> None:
    info = focused(page)
    assert info is not None and info["tag"] == "h1", f"after the page changed, focus is on {describe(info)}, not the h1"


class Keyboard:
    """page.keyboard, plus a record of every tab stop and checks that focus is always visible."""

    def __init__(self, page):
        self.page = page
        self.trail: list[str] = []

    def tab(self, backwards: bool = False) -> dict:
        self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = focused(self.page)
        self.trail.append(describe(info))
        assert info is not None, f"focus was lost after Tab on {self.page.url}: {self.trail[-6:]}"
        assert info["indicator"], f"no visible focus indicator on {describe(info)} at {self.page.url}"
        assert info["inViewport"], f"focused element is off screen: {describe(info)} at {self.page.url}"
        return info

    def tab_until(self, wanted, what: str, limit: int = 80) -> dict:
        for _ in range(limit):
            info = self.tab()
            if wanted(info):
                return info
        raise AssertionError(f"could not reach {what} by Tab on {self.page.url}; stops: {self.trail[-limit:]}")

    def press_and_settle(self, key: str) -> None:
        """Presses a key that makes htmx load a page, and waits until it has settled (focus moved)."""
        before = self.page.evaluate(SETTLE_COUNTER)
        self.page.keyboard.press(key)
        wait_for_settle(self.page, before)

    def fill_form(self, prefer: Mapping[str, Sequence[str]] | None = None) -> None:
        """Tabs through the form answering as it goes, and stops on Continue. Radios: Space on the
        first option of each unanswered group (Tab alone cannot reach the others). Checkboxes: Space
        on each preferred value (see revealing_answers), or else on the first. Empty text boxes: a
        short sentence, a small number, or an email address."""
        prefer = prefer or {}
        while True:
            info = self.tab()
            if not info["inForm"]:
                continue
            if info["isContinue"]:
                return
            wanted = prefer.get(info["name"], ())
            if info["type"] == "checkbox" and any(v in wanted for v in self._values(info["name"])):
                if info["value"] in wanted and not info["checked"]:
                    self._space(info)
            elif info["type"] in ("radio", "checkbox") and not info["groupChecked"]:
                self._space(info)
            elif info["tag"] == "textarea" and not info["value"]:
                self.page.keyboard.type("Typed by keyboard only.")
            elif info["type"] == "text" and not info["value"]:
                self.page.keyboard.type("3" if info["inputmode"] == "numeric" else "Typed by keyboard")
            elif info["type"] == "email" and not info["value"]:
                self.page.keyboard.type("parent@example.com")

    def _values(self, name: str) -> list[str]:
        return self.page.locator(f"#main-content form input[name='{name}']").evaluate_all("els => els.map(e => e.value)")

    def _space(self, info: dict) -> None:
        self.page.keyboard.press("Space")
        assert focused(self.page)["checked"], f"Space did not choose {describe(info)}"
