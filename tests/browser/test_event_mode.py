"""Event mode in Chromium: with FEEDBACK_KIOSK_IDLE_SECONDS=5, seven seconds after person A's last
save neither /check nor Back nor the question pages show A's words or ticks (issue 12, "A shared
tablet shows the last person's answers"). With JavaScript (app.js hands the tablet over) and
without (the page's meta refresh, and the server's own idle check)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, ROOT, _free_port, _healthy
from tests.browser.helpers import answer_page, make_user, open_run, sign_in

A_WORDS = "Person A wrote about the taxi to Oakfield"
IDLE = 5


@pytest.fixture(scope="module")
def idle_server():
    """The app with a five-second idle time, on a port of its own."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="feedback-kiosk-server-", suffix=".log", delete=False)
    env = {**os.environ, "FEEDBACK_KIOSK_IDLE_SECONDS": str(IDLE)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "feedback.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the app did not start:\n" + Path(log.name).read_text()[-2000:], pytrace=False)
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        os.unlink(log.name)


def shows_nothing_of_a(page, where: str) -> None:
    html = page.content()
    assert A_WORDS not in html, f"A's words on {where}: {page.url}"
    assert page.locator("input:checked").count() == 0, f"A's ticks on {where}: {page.url}"


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_seven_seconds_after_the_last_save_nothing_of_person_a_is_shown(browser, idle_server, js):
    survey = open_run()
    context = browser.new_context(base_url=idle_server, java_script_enabled=js, viewport={"width": 1024, "height": 768})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, make_user("officer"), js=js)
        page.goto(f"/workspace/surveys/{survey.id}")
        with page.expect_navigation():
            page.get_by_role("button", name="Use this device at an event").click()
        assert page.url.endswith(f"/s/{survey.slug}")
        with page.expect_navigation():
            page.get_by_role("button", name="Start now").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        # Person A answers until they have typed something and answered three pages.
        question_urls, typed = [], False
        while len(question_urls) < 3 or not typed:
            assert "/q/" in page.url, page.url
            question_urls.append(page.url)
            typed |= page.locator("#main-content form textarea, #main-content form input[type=text]").count() > 0
            answer_page(page, text=A_WORDS)
            with page.expect_navigation():
                page.get_by_role("button", name="Continue", exact=True).click()
        last_save = time.monotonic()
        assert page.get_by_role("button", name="Finish and hand over").count() == 1
        # A walks away. Seven seconds after their last save, the tablet is back at the start.
        page.wait_for_timeout(max(0, 7 - (time.monotonic() - last_save)) * 1000)
        page.wait_for_load_state()
        assert f"/s/{survey.slug}?notice=" in page.url, page.url
        shows_nothing_of_a(page, "the page left on the tablet")
        # Person B presses Back, opens /check, and every question page A visited.
        page.go_back()
        shows_nothing_of_a(page, "Back")
        page.goto(f"/s/{survey.slug}/check")
        shows_nothing_of_a(page, "/check")
        assert "Check your answers" not in page.content()
        for url in question_urls:
            page.goto(url)
            shows_nothing_of_a(page, "a question page")
        assert not errors, errors
    finally:
        context.close()
