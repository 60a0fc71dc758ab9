"""The durable outbox: enqueue, claim (one worker wins each row), record what happened.

Claiming is one conditional UPDATE (`... WHERE id = ? AND (status = 'queued' AND due) OR (status =
'sending' AND lease expired) RETURNING id`): on SQLite and PostgreSQL alike only one worker's
update matches, so two workers never send the same row. A worker killed mid-send leaves its row
'sending'; when the lease runs out another worker takes it, first asking the provider whether the
message was already accepted (Notify can be asked by reference; SMTP cannot, so there a crash in
the instant between the server's "250 OK" and our commit sends a copy with the same Message-ID).
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from feedback.database import is_unique_violation
from feedback.messages.senders import Accepted, Outgoing
from feedback.messages.tables import OutboxMessage, OutboxRecipient

MAX_ATTEMPTS = 6
LEASE_SECONDS = 120


def now_ms() -> int:
    return int(time.time() * 1000)


def idempotency_key(kind: str, *parts: object) -> str:
    """A stable key from what makes the message unique (never the address in clear)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]
    return f"{kind}.{digest}"


def backoff_seconds(attempts: int, base: float) -> float:
    """Exponential backoff with jitter: base, 2·base, 4·base ... capped at an hour."""
    return min(base * (2 ** max(attempts - 1, 0)), 3600.0) * random.uniform(0.8, 1.2)


@dataclass(frozen=True)
class Queued:
    id: int
    created: bool  # False: a message with this key already existed, nothing was added


async def enqueue(
    *, kind: str, channel: str, address: str, subject: str, body: str, key: str,
    about: str = "", subject_ref: str | None = None, wording: str = "standard",
) -> Queued:
    """Put one message in the outbox (and its recipient apart). The same key twice makes one."""
    existing = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key).first()
    if existing:
        return Queued(existing["id"], False)
    engine = OutboxMessage._meta.db
    try:
        async with engine.transaction():
            rows = await OutboxMessage.insert(OutboxMessage(
                idempotency_key=key, kind=kind, channel=channel, about=about, subject_ref=subject_ref,
                wording=wording, status="queued", next_attempt_ms=now_ms(),
            )).returning(OutboxMessage.id)
            message_id = rows[0]["id"]
            await OutboxRecipient.insert(OutboxRecipient(message=message_id, address=address, subject=subject, body=body))
    except Exception as error:
        if not is_unique_violation(error):
            raise
        existing = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key).first()
        return Queued(existing["id"], False)
    return Queued(message_id, True)


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    channel: str
    attempts: int
    recovered: bool  # its last try was cut off (a crash): ask the provider before sending again
    outgoing: Outgoing | None  # None: the recipient is gone (withdrawn or already sent)
    kind: str = ""
    subject_ref: str | None = None


async def claim(worker_id: str, limit: int = 10, lease_seconds: int = LEASE_SECONDS) -> list[Claimed]:
    now = now_ms()
    due = ((OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_ms <= now)) | (
        (OutboxMessage.status == "sending") & (OutboxMessage.lease_until_ms < now)
    )
    candidates = await OutboxMessage.select(OutboxMessage.id, OutboxMessage.status).where(due).order_by(
        OutboxMessage.next_attempt_ms).limit(limit)
    claimed: list[Claimed] = []
    for candidate in candidates:
        won = await OutboxMessage.update({
            OutboxMessage.status: "sending",
            OutboxMessage.lease_until_ms: now_ms() + lease_seconds * 1000,
            OutboxMessage.claimed_by: worker_id,
            OutboxMessage.attempts: OutboxMessage.attempts + 1,
        }).where((OutboxMessage.id == candidate["id"]) & due).returning(
            OutboxMessage.id, OutboxMessage.idempotency_key, OutboxMessage.channel, OutboxMessage.attempts,
            OutboxMessage.kind, OutboxMessage.subject_ref)
        if not won:
            continue  # another worker was quicker
        row = won[0]
        recipient = await OutboxRecipient.objects().where(OutboxRecipient.message == row["id"]).first()
        outgoing = None if recipient is None else Outgoing(
            channel=row["channel"], address=recipient.address, subject=recipient.subject, body=recipient.body,
            idempotency_key=row["idempotency_key"],
        )
        claimed.append(Claimed(row["id"], row["idempotency_key"], row["channel"], row["attempts"],
                               candidate["status"] == "sending", outgoing, row["kind"], row["subject_ref"]))
    return claimed


async def _finish(message_id: int, worker_id: str, values: dict) -> bool:
    """Only the worker holding the lease records the outcome (a late one after a takeover does not)."""
    done = await OutboxMessage.update(values).where(
        (OutboxMessage.id == message_id) & (OutboxMessage.claimed_by == worker_id) & (OutboxMessage.status == "sending")
    ).returning(OutboxMessage.id)
    return bool(done)


async def mark_sent(message_id: int, worker_id: str, accepted: Accepted, sender: str) -> None:
    engine = OutboxMessage._meta.db
    async with engine.transaction():
        if await _finish(message_id, worker_id, {
            OutboxMessage.status: "sent", OutboxMessage.sent_at: datetime.now(timezone.utc),
            OutboxMessage.provider_id: accepted.provider_id, OutboxMessage.sender: sender,
            OutboxMessage.last_error: None,
        }):
            # The address and text are not needed any more: delete them with the same commit.
            await OutboxRecipient.delete().where(OutboxRecipient.message == message_id)


async def mark_failed(message_id: int, worker_id: str, reason: str, permanent: bool, attempts: int, base_delay: float) -> str:
    """Back to the queue after a backoff, or failed for good (and the recipient deleted)."""
    if permanent or attempts >= MAX_ATTEMPTS:
        engine = OutboxMessage._meta.db
        async with engine.transaction():
            if await _finish(message_id, worker_id, {OutboxMessage.status: "failed", OutboxMessage.last_error: reason}):
                await OutboxRecipient.delete().where(OutboxRecipient.message == message_id)
        return "failed"
    await _finish(message_id, worker_id, {
        OutboxMessage.status: "queued", OutboxMessage.last_error: reason,
        OutboxMessage.next_attempt_ms: now_ms() + int(backoff_seconds(attempts, base_delay) * 1000),
    })
    return "queued"


async def cancel_unsent(where) -> int:
    """Withdrawal or a deleted contact: queued messages are not sent, and their recipients go."""
    rows = await OutboxMessage.select(OutboxMessage.id).where(where & (OutboxMessage.status == "queued"))
    ids = [r["id"] for r in rows]
    if ids:
        await OutboxMessage.update({OutboxMessage.status: "cancelled"}).where(
            OutboxMessage.id.is_in(ids) & (OutboxMessage.status == "queued"))
        await OutboxRecipient.delete().where(OutboxRecipient.message.is_in(ids))
    return len(ids)


# Notify's callback statuses, mapped to ours.
NOTIFY_STATUSES = {
    "delivered": "delivered",
    "permanent-failure": "failed",
    "temporary-failure": "failed",
    "technical-failure": "failed",
}


async def record_delivery(provider_id: str, notify_status: str) -> bool:
    status = NOTIFY_STATUSES.get(notify_status)
    if status is None:
        return False
    values: dict = {OutboxMessage.status: status}
    if status == "delivered":
        values[OutboxMessage.delivered_at] = datetime.now(timezone.utc)
    else:
        values[OutboxMessage.last_error] = f"GOV.UK Notify reported {notify_status}"
    updated = await OutboxMessage.update(values).where(
        (OutboxMessage.provider_id == provider_id) & OutboxMessage.status.is_in(["sent", "delivered", "failed"])
    ).returning(OutboxMessage.id)
    return bool(updated)


async def status_counts(about: str | None = None) -> dict[str, int]:
    query = OutboxMessage.select(OutboxMessage.status)
    if about is not None:
        query = query.where(OutboxMessage.about == about)
    counts: dict[str, int] = {}
    for row in await query:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts
