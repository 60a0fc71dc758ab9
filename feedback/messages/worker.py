"""The worker that sends the outbox: `feedback worker`, or a task inside `feedback serve`."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from dataclasses import replace

from feedback.messages import outbox
from feedback.messages.senders import MultiSender, PermanentFailure, SendFailure, TemporaryFailure
from feedback.messages.tables import OutboxMessage, OutboxRecipient

log = logging.getLogger("feedback.messages")


class OutboxWorker:
    def __init__(self, sender: MultiSender, poll_seconds: float = 2.0, retry_base_seconds: float = 30.0,
                 lease_seconds: int = outbox.LEASE_SECONDS) -> None:
        self.sender = sender
        self.poll_seconds = poll_seconds
        self.retry_base_seconds = retry_base_seconds
        self.lease_seconds = lease_seconds
        self.id = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Called after an enqueue in the same process: send now rather than at the next poll."""
        self._wake.set()

    async def _still_agreed(self, claimed: outbox.Claimed) -> bool:
        """A "we did" notice goes only to someone who still agrees to be contacted: a withdrawal
        after the officer pressed Send, but before the worker got here, stops it."""
        if claimed.kind != "update_notice" or not claimed.subject_ref:
            return True
        from consent.gate import permitted_subjects

        return claimed.subject_ref in await permitted_subjects("contact", [claimed.subject_ref])

    async def _send_one(self, claimed: outbox.Claimed) -> str:
        if claimed.outgoing is not None and not await self._still_agreed(claimed):
            await OutboxRecipient.delete().where(OutboxRecipient.message == claimed.id)
            claimed = replace(claimed, outgoing=None)
        if claimed.outgoing is None:  # the recipient was deleted (a withdrawal) before we got here
            await OutboxMessage.update({OutboxMessage.status: "cancelled"}).where(
                (OutboxMessage.id == claimed.id) & (OutboxMessage.claimed_by == self.id))
            return "cancelled"
        try:
            if claimed.recovered:
                found = await asyncio.to_thread(self.sender.already_sent, claimed.key)
                if found is not None:
                    await outbox.mark_sent(claimed.id, self.id, found, "notify")
                    return "sent"
            accepted = await asyncio.to_thread(self.sender.send, claimed.outgoing)
        except SendFailure as failure:
            permanent = isinstance(failure, PermanentFailure) and not isinstance(failure, TemporaryFailure)
            result = await outbox.mark_failed(claimed.id, self.id, failure.reason, permanent, claimed.attempts,
                                              self.retry_base_seconds)
            # The message id and the reason only: never the address or the text.
            log.warning("message %s not sent (try %s): %s; %s", claimed.id, claimed.attempts, failure.reason, result)
            return result
        sender = self.sender.for_channel(claimed.channel)
        await outbox.mark_sent(claimed.id, self.id, accepted, sender.name if sender else "unknown")
        return "sent"

    async def run_once(self, limit: int = 10) -> dict[str, int]:
        """Claim what is due and send it; returns how many ended how."""
        results: dict[str, int] = {}
        for claimed in await outbox.claim(self.id, limit=limit, lease_seconds=self.lease_seconds):
            result = await self._send_one(claimed)
            results[result] = results.get(result, 0) + 1
        return results

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                results = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a database hiccup: wait and try again, never die
                log.error("outbox worker: %s", type(error).__name__)
                results = {}
            if results:
                continue  # there may be more
            self._wake.clear()
            waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            try:
                await asyncio.wait(waits, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiting in waits:
                    waiting.cancel()


def worker_from_settings(settings, **options) -> OutboxWorker | None:
    from feedback.messages.senders import SmtpConfigError, sender_from_settings

    try:
        sender = sender_from_settings(settings)
    except (ValueError, SmtpConfigError) as error:
        log.error("messages are off: %s", error)  # a configuration message, never a secret
        return None
    return OutboxWorker(sender, **options) if sender else None


class InProcessWorker:
    """The worker as a task of the web server's event loop (started and stopped by the lifespan)."""

    def __init__(self, worker: OutboxWorker) -> None:
        self.worker = worker
        self.stop = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> InProcessWorker:
        from feedback.messages import service

        service._local_workers.append(self.worker)
        self.task = asyncio.create_task(self.worker.run_forever(self.stop))
        return self

    async def __aexit__(self, *exc) -> None:
        from feedback.messages import service

        self.stop.set()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, timeout=10)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self.task.cancel()
        if self.worker in service._local_workers:
            service._local_workers.remove(self.worker)
