"""The audit page's filters, read from the query string, and the CSV rows. No web framework here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Iterable

from feedback.accounts.audit import ACTIONS, AuditFilter
from feedback.accounts.tables import AuditEntry
from feedback.workspace.dates import PARTS, DateField, read_date

PAGE_SIZE = 50
DATA_RIGHTS = ("withdrawal", "erasure", "subject_access", "retention", "rights_request", "updates_uploaded")
LABELS = {
    "withdrawal": "Withdrawal of a consent", "erasure": "Erasure of answers", "subject_access": "Subject access",
    "retention": "Retention run", "rights_request": "Request received (phone or email)",
    "updates_uploaded": "Bulk status upload of updates", "audit_exported": "Audit log exported",
}
CSV_HEADER = ["when_utc", "who", "what", "on", "detail", "rows"]


def label(action: str) -> str:
    return LABELS.get(action, action.replace("_", " "))  # as the page always showed them


def kind_choices() -> list[tuple[str, str]]:
    """Data-rights kinds first (what a DPO looks for), then every other kind, alphabetically."""
    rest = sorted((a for a in ACTIONS if a not in DATA_RIGHTS), key=label)
    return [(a, label(a)) for a in (*DATA_RIGHTS, *rest)]


@dataclass
class AuditQuery:
    filter: AuditFilter
    page: int
    since: DateField
    until: DateField
    values: dict[str, str]

    @property
    def errors(self) -> list[DateField]:
        return [f for f in (self.since, self.until) if f.error]


def read_query(params: dict[str, str]) -> AuditQuery:
    action = params.get("kind", "")
    action = action if action in ACTIONS else ""
    actor = (params.get("person") or "").strip()[:254]
    since = read_date("from", "The start date", {p: params.get(f"from-{p}", "") for p in PARTS})
    until = read_date("to", "The end date", {p: params.get(f"to-{p}", "") for p in PARTS})
    if since.value and until.value and until.value < since.value:
        until.error = "The end date must be the same as or after the start date"
    try:
        page = max(1, min(int(params.get("page", "1")), 1_000_000))
    except ValueError:
        page = 1
    start = datetime.combine(since.value, time(0), tzinfo=timezone.utc) if since.value and not since.error else None
    end = (datetime.combine(until.value, time(0), tzinfo=timezone.utc) + timedelta(days=1)
           if until.value and not until.error else None)
    values = {"kind": action, "person": actor,
              **{f"from-{p}": since.values[p] for p in PARTS}, **{f"to-{p}": until.values[p] for p in PARTS}}
    return AuditQuery(AuditFilter(action=action, actor=actor, since=start, until=end), page, since, until, values)


def csv_rows(entries: Iterable[AuditEntry]) -> list[list[Any]]:
    return [[e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, label(e.action), e.object, e.detail,
             "" if e.count is None else e.count] for e in entries]
