"""The audit log: sign-ins, exports, role changes, publishing, erasures, retention runs.
It records who did what to which object. It never records answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from piccolo.query.methods.count import Count as CountQuery

from feedback.accounts.tables import AuditEntry
from surveys.storage import is_sqlite

# Who did it, when it was not a signed-in person.
RESPONDENT = "respondent (self-service)"
COMMAND_LINE = "command line"

ACTIONS = (
    # data-rights events, so a DPO sees them with everything else (erasure, retention and
    # subject_access are further down): withdrawal of a consent, a request received by phone or
    # email, a bulk status upload of "you said, we did" updates
    "withdrawal", "rights_request", "updates_uploaded", "audit_exported",
    "sign_in", "sign_in_failed", "sign_out", "user_invited", "user_role_changed", "user_disabled",
    "user_enabled", "invitation_accepted", "survey_opened", "survey_closed", "survey_reopened", "survey_dates_changed",
    "export", "api_export", "assisted_entry", "kiosk_started", "kiosk_ended", "published", "erasure", "retention",
    "subject_access", "backup", "restore", "theme_decision", "codebook_saved", "quote_decision", "quotes_refreshed", "quote_attached",
    "two_factor_enrolled", "two_factor_reset", "two_factor_turned_off", "recovery_codes_renewed",
    "enrolment_link_issued", "enrolment_link_used",  # a one-time link to set up two-factor sign-in
    "board_report_downloaded", "chart_downloaded", "results_shared", "response_opened", "responses_listed",
    "api_token_created", "api_token_revoked", "api_token_used",
    "notice_sent",  # a "we did" notice queued for the people who asked to hear back
    "invitations_imported", "invitations_sent",
    "partnership_updated",  # the partnership's identity, contacts or accessibility statement changed
    "notice_edited",  # a privacy notice's wording: a new version, every audience together
    "correction_requested", "correction_handled",  # "ask us to correct it": sent at /withdraw, handled by an officer
)


async def audit(actor: str, action: str, object: str = "", detail: str = "", count: int | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    await AuditEntry(actor=actor[:254], action=action, object=scrub(object)[:200], detail=scrub(detail)[:500], count=count).save()


# References (XXXX-XXXX-XXXX), resume codes and long tokens never belong in the log: whatever the
# caller passed, they are replaced before it is written.
_CODE = "[ABCDEFGHJKMNPQRTUVWXYZ2346789]"  # surveys.codes.ALPHABET, in any case
_CODE_LIKE = re.compile(rf"(?<![\w-]){_CODE}{{4}}-?{_CODE}{{4}}-?{_CODE}{{4}}(?![\w-])", re.IGNORECASE)
_TOKEN_LIKE = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Z])[\w-]{32,}(?![\w-])")  # slugs are lower case
_HEX_LIKE = re.compile(r"(?<![\w-])[0-9a-f]{32,}(?![\w-])", re.IGNORECASE)  # hashes of codes and tokens


def scrub(text: str) -> str:
    text = _CODE_LIKE.sub("[removed]", text or "")
    return _HEX_LIKE.sub("[removed]", _TOKEN_LIKE.sub("[removed]", text))


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page shows: one kind of action, one person (part of who did it), a date range."""

    action: str = ""
    actor: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive

    def where(self):
        condition = AuditEntry.id > 0
        if self.action:
            condition = condition & (AuditEntry.action == self.action)
        if self.actor:
            pattern = f"%{_like_escape(self.actor)}%"
            # SQLite's LIKE ignores case already (and has no ILIKE); PostgreSQL's needs ILIKE
            column = AuditEntry.actor
            condition = condition & (column.like(pattern) if is_sqlite(AuditEntry._meta.db) else column.ilike(pattern))
        if self.since is not None:
            condition = condition & (AuditEntry.at >= self.since)
        if self.until is not None:
            condition = condition & (AuditEntry.at < self.until)
        return condition


def _like_escape(text: str) -> str:
    # % and _ typed by someone are letters, not wildcards
    return text.replace("\\", "").replace("%", "").replace("_", " ").strip()


async def search(audit_filter: AuditFilter, offset: int = 0, limit: int = 50) -> tuple[list[AuditEntry], int]:
    """One page of matching entries, newest first, and how many match in all."""
    where = audit_filter.where()
    total = await CountQuery(AuditEntry).where(where)  # the table's own `count` column hides .count()
    entries = await AuditEntry.objects().where(where).order_by(AuditEntry.id, ascending=False).offset(offset).limit(limit)
    return entries, total


async def recent(limit: int = 200, action: str | None = None) -> list[AuditEntry]:
    query = AuditEntry.objects().order_by(AuditEntry.id, ascending=False).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    return await query
