"""What other features call: whether messages are on, and queueing a message (waking the worker
in this process, if one runs here)."""

from __future__ import annotations

from feedback.messages import outbox
from feedback.messages.senders import channels_available
from feedback.settings import Settings

_local_workers: list = []  # the worker running in this process, if any (see start_in_process)


def channels(settings: Settings) -> frozenset[str]:
    """The channels a message can go by: empty when neither Notify nor SMTP is set up."""
    return channels_available(settings)


def messages_on(settings: Settings) -> bool:
    return bool(channels(settings))


async def send_later(**fields) -> outbox.Queued:
    queued = await outbox.enqueue(**fields)
    for worker in _local_workers:
        worker.wake()
    return queued
