"""A log that data-rights actions happened: what kind, how many, when. Never whose, never what."""

from __future__ import annotations

from consent.tables import DataRightsEvent

KINDS = ("erasure", "withdrawal", "subject_access", "retention")


async def log_event(kind: str, count: int = 1, detail: str = "") -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown data rights event {kind!r}")
    await DataRightsEvent(kind=kind, count=count, detail=detail[:200]).save()


async def events(kind: str | None = None) -> list[DataRightsEvent]:
    query = DataRightsEvent.objects().order_by(DataRightsEvent.id)
    if kind:
        query = query.where(DataRightsEvent.kind == kind)
    return await query
