"""The audit log: sign-ins, exports, role changes, publishing, erasures, retention runs.
It records who did what to which object. It never records answers."""

from __future__ import annotations

from feedback.accounts.tables import AuditEntry

ACTIONS = (
    "sign_in", "sign_in_failed", "sign_out", "user_invited", "user_role_changed", "user_disabled",
    "user_enabled", "invitation_accepted", "survey_opened", "survey_closed", "survey_reopened", "survey_dates_changed",
    "export", "api_export", "assisted_entry", "kiosk_started", "kiosk_ended", "published", "erasure", "retention",
    "subject_access", "backup", "restore", "theme_decision", "codebook_saved", "quote_decision", "quotes_refreshed", "quote_attached",
    "two_factor_enrolled", "two_factor_reset", "two_factor_turned_off", "recovery_codes_renewed",
    "board_report_downloaded", "chart_downloaded", "results_shared", "response_opened",
    "api_token_created", "api_token_revoked", "api_token_used",
    "notice_sent",  # a "we did" notice queued for the people who asked to hear back
    "invitations_imported", "invitations_sent",
)


async def audit(actor: str, action: str, object: str = "", detail: str = "", count: int | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    await AuditEntry(actor=actor[:254], action=action, object=object[:200], detail=detail[:500], count=count).save()


async def recent(limit: int = 200, action: str | None = None) -> list[AuditEntry]:
    query = AuditEntry.objects().order_by(AuditEntry.id, ascending=False).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    return await query
