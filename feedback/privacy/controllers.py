"""The DPO's pages under /workspace (admins only): the audit trail and its CSV export."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get

from feedback.accounts.audit import audit, search
from feedback.accounts.auth import Account, role_guard
from feedback.privacy.audit_trail import CSV_HEADER, PAGE_SIZE, csv_rows, kind_choices, label, read_query
from feedback.rendering import render
from feedback.spreadsheets import csv_for_excel

CSV_BATCH = 1000


def _account(request: Request) -> Account:
    return request.state.account


class AuditController(Controller):
    path = "/workspace"
    guards = [role_guard("admin")]
    include_in_schema = False

    @get("/audit")
    async def audit_log(self, request: Request) -> Response:
        query = read_query(dict(request.query_params))
        entries, total = await search(query.filter, offset=(query.page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        kept = {k: v for k, v in query.values.items() if v}

        def page_url(number: int) -> str:
            return "/workspace/audit?" + urlencode({**kept, "page": number})

        return render(request, "workspace/audit.html", {
            "page_title": ("Error: " if query.errors else "") + "Audit log", "account": _account(request),
            "entries": entries, "total": total, "page": min(query.page, pages), "pages": pages,
            "first": (query.page - 1) * PAGE_SIZE + 1, "last": (query.page - 1) * PAGE_SIZE + len(entries),
            "page_url": page_url, "values": query.values, "kinds": kind_choices(), "label": label,
            "errors": {f.name: f for f in query.errors}, "filtered": bool(kept),
            "error_list": [{"text": f.error, "href": f"#{f.first_error_id}"} for f in query.errors],
            "csv_url": "/workspace/audit.csv" + ("?" + urlencode(kept) if kept else ""),
        }, status_code=422 if query.errors else 200)

    @get("/audit.csv")
    async def audit_csv(self, request: Request) -> Response:
        query = read_query(dict(request.query_params))
        rows, offset = [], 0
        while True:
            entries, _ = await search(query.filter, offset=offset, limit=CSV_BATCH)
            rows.extend(csv_rows(entries))
            if len(entries) < CSV_BATCH:
                break
            offset += CSV_BATCH
        text, count = csv_for_excel(CSV_HEADER, rows)
        what = ", ".join(f"{k}={v}" for k, v in query.values.items() if v and k in ("kind", "person"))
        await audit(_account(request).email, "audit_exported", detail=what or "everything", count=count)
        return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"', "Cache-Control": "no-store",
        })
