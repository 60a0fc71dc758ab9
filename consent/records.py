"""Consent records: append-only evidence of who agreed to what, on which notice, and how."""

from __future__ import annotations

from typing import Mapping

from consent.tables import ConsentRecord, Notice

ACTORS = ("self", "parent_carer", "practitioner", "volunteer")
CHANNELS = ("web", "easy_read_web", "paper", "event")
# Taking part rests on the partnership's public task, so it is acknowledged rather than consented to.
PARTICIPATION = "participation"
DECISIONS = ("acknowledged", "granted", "refused")


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
        if decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r} for {purpose!r}")
    record = ConsentRecord(
        subject=subject, notice=notice.id, actor=actor, channel=channel, purposes=dict(purposes)
    )
    await record.save()
    return record


async def records_for(subject: str) -> list[ConsentRecord]:
    return await ConsentRecord.objects().where(ConsentRecord.subject == subject).order_by(ConsentRecord.id).output(load_json=True)
