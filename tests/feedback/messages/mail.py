"""What the tests that send real mail share: an app wired to an SMTP server on loopback, the
outbox drained at a moment the test chooses, and the counts a page shows."""

from __future__ import annotations

import re
from dataclasses import replace

from feedback.messages.senders import MultiSender, SmtpSender
from feedback.messages.worker import OutboxWorker
from tests.conftest import run

FROM = "forum@example.org"


def count_of(html: str, element_id: str) -> int:
    """The number shown in the element with this id (whatever other attributes it carries)."""
    return int(re.search(rf'id="{element_id}"[^>]*>\s*(\d+)\s*<', html).group(1))


def app_sending_to(settings, sink, public_url: str = "https://feedback.example.org"):
    """The app with SMTP pointed at the sink. Its worker is not started: the test drains the
    outbox itself (send_everything), so what was sent is checked at a known moment."""
    from feedback.app import create_app

    return create_app(replace(settings, smtp_url=sink.url, mail_from=FROM, worker_in_serve=False, public_url=public_url),
                      manage_pool=False)


def send_everything(sink) -> None:
    worker = OutboxWorker(MultiSender([SmtpSender(sink.url, FROM)]))

    async def go():
        for _ in range(5):
            await worker.run_once(limit=500)
    run(go())
