"""The pages that send messages, in Chromium against a server with SMTP on: "send me my code" on the
saved page (JavaScript on and off, 320 px and desktop), the sent page, the notice preview and the
invitations page, each axe-clean and without sideways scrolling; the code arrives by email."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.helpers import PageChecks, make_user, open_run, sign_in
from tests.feedback.messages.servers import SmtpSink, free_port

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(tempfile.gettempdir()) / "message-pages"


@pytest.fixture(scope="module")
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture(scope="module")
def mail_server(sink):
    port = free_port()
    env = {**os.environ, "FEEDBACK_SMTP_URL": sink.url, "FEEDBACK_MAIL_FROM": "forum@example.org", "FEEDBACK_NOTIFY_API_KEY": ""}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "feedback.app:create_app", "--factory", "--host", "127.0.0.1",
                                "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/healthz", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(10)


def _save_for_later(page, slug):
    page.goto(f"/s/{slug}")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()  # before you start
    page.get_by_role("button", name="Save and come back later").click()
    page.locator("#resume-code").wait_for()
    return page.locator("#resume-code").inner_text()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_send_me_my_code_in_chromium(browser, mail_server, sink, js):
    SHOTS.mkdir(exist_ok=True)
    survey = open_run()
    context = browser.new_context(base_url=mail_server, java_script_enabled=js, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        code = _save_for_later(page, survey.slug)
        # axe runs as a script: with JavaScript off the pages are checked by the flow alone.
        checks = PageChecks(page, both_widths=True) if js else (lambda what: None)
        checks("saved page with the send form")
        page.screenshot(path=str(SHOTS / f"saved-{'js' if js else 'nojs'}-1280.png"), full_page=True)
        page.set_viewport_size({"width": 320, "height": 800})
        page.screenshot(path=str(SHOTS / f"saved-{'js' if js else 'nojs'}-320.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.locator("#email").fill("wrong")
        page.get_by_role("button", name="Send it to me").click()
        page.locator(".govuk-error-summary").wait_for()
        checks("saved page with an error")
        address = f"browser.{'js' if js else 'nojs'}.{survey.slug}@example.com"
        page.locator("#email").fill(address)
        page.keyboard.press("Enter")  # by keyboard
        page.get_by_role("heading", name="Your code is on its way").wait_for()
        checks("code sent page")
        page.screenshot(path=str(SHOTS / f"sent-{'js' if js else 'nojs'}-320.png"), full_page=True)
        if js:
            checks.assert_clean()
    finally:
        context.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not [m for m in sink.received if m["To"] == address]:
        time.sleep(0.1)
    received = [m for m in sink.received if m["To"] == address]
    assert len(received) == 1 and code in received[0].get_content()


def test_workspace_message_pages_in_chromium(browser, mail_server):
    survey = open_run()
    context = browser.new_context(base_url=mail_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, make_user("officer"))
        checks = PageChecks(page, both_widths=True)
        page.goto(f"/workspace/surveys/{survey.id}/invitations")
        page.get_by_role("heading", name="Invitations and reminders").wait_for()
        checks("invitations page")
        page.screenshot(path=str(SHOTS / "invitations-1280.png"), full_page=True)
        page.get_by_role("button", name="Import the list").click()
        page.locator(".govuk-error-summary").wait_for()
        checks("invitations page with errors")
        page.goto("/workspace/updates/new")
        page.locator("#title").fill("Call-backs within two days")
        page.locator("#you_said").fill("Nobody rings back.")
        page.locator("#we_did").fill("A helpline with call-backs.")
        page.locator("#owner").fill("SEN team")
        page.get_by_role("button", name="Save").first.click()
        page.get_by_role("link", name="Preview and send the notice").click()
        page.get_by_role("heading", name="Tell the people who asked to hear back").wait_for()
        checks("notice preview")
        page.set_viewport_size({"width": 320, "height": 800})
        page.screenshot(path=str(SHOTS / "notice-320.png"), full_page=True)
        checks.assert_clean()
    finally:
        context.close()
