"""Done when: with FEEDBACK_SMTP_URL pointing at an SMTP server on loopback, a respondent who saves
for later and asks for the code by email receives exactly one message holding the code, within
30 s. Through `feedback serve` as a real process (its own worker sends the outbox)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import open_test_run
from tests.feedback.messages.servers import SmtpSink, free_port
from tests.feedback.respond.test_journey_http import answer, begin
from tests.walker import parse_forms

ROOT = Path(__file__).resolve().parents[3]


def test_served_app_emails_the_saved_code_exactly_once_within_30_seconds():
    survey = open_test_run("annual-send-parent")
    port = free_port()
    with SmtpSink() as sink:
        env = {**os.environ, "FEEDBACK_SMTP_URL": sink.url, "FEEDBACK_MAIL_FROM": "forum@example.org",
               "FEEDBACK_NOTIFY_API_KEY": "", "FEEDBACK_PUBLIC_POSTS_PER_MINUTE": "0"}
        server = subprocess.Popen([sys.executable, "-m", "feedback", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + "/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            with httpx.Client(base_url=base) as client:
                page = begin(client, survey.slug)
                page = answer(client, page, {"respondent_role": "parent"})
                saved = answer(client, page, {"child_age": "16_17"}, button="save_later")
                code = re.search(r'id="resume-code">([A-Z0-9-]+)<', saved.text).group(1)
                form = [f for f in parse_forms(saved.text) if f.action.endswith("/send-code")][0]
                asked = time.monotonic()
                sent = client.post(base + form.action, data={**form.hidden(), "email": "served.parent@example.com"})
                assert sent.status_code == 200 and "Your code is on its way" in sent.text
            while time.monotonic() - asked < 30 and not [m for m in sink.received if m["To"] == "served.parent@example.com"]:
                time.sleep(0.1)
            took = time.monotonic() - asked
            time.sleep(2)  # a second copy, were one coming, would arrive by now
            received = [m for m in sink.received if m["To"] == "served.parent@example.com"]
        finally:
            server.terminate()
            server.wait(20)
    assert len(received) == 1, received
    assert took < 30
    assert code in received[0].get_content()
    log = server.stderr.read().decode()
    assert "served.parent" not in log and code not in log  # the server's log holds neither
