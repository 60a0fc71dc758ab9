"""Consent records: append-only evidence of who agreed to what, on which notice, and how.

A change of mind is a new record, never an edit, so the history shows what was agreed at any time.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from consent.purposes import ALL_PURPOSES, PARTICIPATION
from consent.tables import ConsentRecord, Notice

ACTORS = ("self", "parent_carer", "practitioner", "volunteer")
# request: a withdrawal or erasure asked for by phone, email or letter and carried out by staff
CHANNELS = ("web", "easy_read_web", "paper", "event", "request")
# acknowledged: participation under public task; not_asked: a child under 13 with no parent or carer present
DECISIONS = ("acknowledged", "granted", "refused", "not_asked", "withdrawn")


async def record_consent(
    subject: str,
    notice: Notice,
    purposes: Mapping[str, str],
    actor: str = "self",
    channel: str = "web",
) -> ConsentRecord:
    if actor not in ACTORS:
        raise ValueError(f"unknown actor {actor!r}")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    for purpose, decision in purposes.items():
        if purpose not in ALL_PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r} for {purpose!r}")
    record = ConsentRecord(subject=subject, notice=notice.id, actor=actor, channel=channel, purposes=dict(purposes))
    await record.save()
    return record


async def record_withdrawal(subject: str, purposes: Iterable[str], actor: str = "self", channel: str = "web") -> ConsentRecord | None:
    """Withdraw purposes, on the notice the person last agreed under. Returns None if they have no record."""
    last = await ConsentRecord.objects().where(ConsentRecord.subject == subject).order_by(ConsentRecord.id, ascending=False).first()
    if last is None:
        return None
    notice = await Notice.objects().where(Notice.id == last.notice).first()
    return await record_consent(subject, notice, {p: "withdrawn" for p in purposes}, actor=actor, channel=channel)


async def records_for(subject: str) -> list[ConsentRecord]:
    return await ConsentRecord.objects().where(ConsentRecord.subject == subject).order_by(ConsentRecord.id).output(load_json=True)


__all__ = ["ACTORS", "CHANNELS", "DECISIONS", "PARTICIPATION", "record_consent", "record_withdrawal", "records_for"]
