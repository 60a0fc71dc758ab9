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


def public_link(settings: Settings, request_base_url: str, path: str) -> str:
    """An absolute link for a message. FEEDBACK_PUBLIC_URL when set: a forged Host header must
    never put someone else's address in an email we send."""
    base = settings.public_url or str(request_base_url).rstrip("/")
    return base + path


def template_globals() -> dict:
    """For the pages that offer "send it to me": which channels are on (none: say so plainly)."""
    import secrets

    def message_channels(request) -> list[str]:
        available = channels(request.app.state.settings)
        return [c for c in ("email", "sms") if c in available]

    return {"message_channels": message_channels, "new_form_token": lambda: secrets.token_urlsafe(16)}
