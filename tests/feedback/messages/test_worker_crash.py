"""`feedback worker` as a real process, killed with SIGKILL in the middle of sending 100 queued
messages, then started again: every message reaches the SMTP server exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from feedback.messages import outbox
from feedback.messages.tables import OutboxMessage, OutboxRecipient
from tests.conftest import run
from tests.feedback.messages.servers import SmtpSink

ROOT = Path(__file__).resolve().parents[3]


def _start_worker(sink: SmtpSink) -> subprocess.Popen:
    env = {**os.environ, "FEEDBACK_SMTP_URL": sink.url, "FEEDBACK_MAIL_FROM": "forum@example.org",
           "FEEDBACK_NOTIFY_API_KEY": ""}
    return subprocess.Popen(
        [sys.executable, "-m", "feedback", "worker", "--poll-seconds", "0.2", "--retry-seconds", "0.2", "--lease-seconds", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def test_killing_the_worker_mid_send_then_restarting_delivers_each_of_100_messages_exactly_once():
    tag = uuid.uuid4().hex[:8]
    about = f"crash-{tag}"
    addresses = [f"crash{i}.{tag}@example.com" for i in range(100)]
    for address in addresses:
        run(outbox.enqueue(kind="test", channel="email", address=address, subject="Hello", body=f"For {address}",
                           key=outbox.idempotency_key("crashtest", address), about=about))

    with SmtpSink() as sink:
        state = {"worker": None, "killed": threading.Event()}

        def kill_mid_send(envelope):
            mine = [m for m in sink.received if tag in m["To"]]
            if len(mine) == 30 and not state["killed"].is_set() and tag in envelope.rcpt_tos[0]:
                # The 31st message is on the wire and not yet accepted: kill the worker now.
                state["worker"].send_signal(signal.SIGKILL)
                state["worker"].wait(10)
                state["killed"].set()
                return "451 Connection lost"  # nobody is listening any more; the message is not kept
            return None

        sink.before_accept = kill_mid_send
        state["worker"] = _start_worker(sink)
        assert state["killed"].wait(60), "the worker never got to the 31st message"
        assert state["worker"].returncode == -signal.SIGKILL
        sent_before = run(OutboxMessage.count().where((OutboxMessage.about == about) & (OutboxMessage.status == "sent")))
        assert 30 <= sent_before < 100  # some sent, one left 'sending' by the dead worker, the rest queued

        restarted = _start_worker(sink)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if len({m["To"] for m in sink.received if tag in m["To"]}) == 100:
                    break
                time.sleep(0.1)
            time.sleep(1.5)  # long enough for a duplicate to show up if one were coming
        finally:
            restarted.send_signal(signal.SIGTERM)
            restarted.wait(20)
        received = [m["To"] for m in sink.received if tag in m["To"]]

    assert sorted(received) == sorted(addresses)  # every one, and each exactly once
    rows = run(OutboxMessage.select(OutboxMessage.status, OutboxMessage.id).where(OutboxMessage.about == about))
    assert {r["status"] for r in rows} == {"sent"}
    assert run(OutboxRecipient.count().where(OutboxRecipient.message.is_in([r["id"] for r in rows]))) == 0
    assert restarted.returncode == 0  # SIGTERM stops it cleanly
    logs = restarted.stderr.read().decode()
    assert tag not in logs  # no recipient in the worker's log
