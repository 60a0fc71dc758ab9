"""The DPO's pages under /workspace (admins only): the audit trail and its CSV export, and handling
subject access and erasure requests received by phone or email."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from feedback.accounts.audit import audit, search
from feedback.accounts.auth import Account, role_guard
from feedback.privacy.audit_trail import CSV_HEADER, PAGE_SIZE, csv_rows, kind_choices, label, read_query
from feedback.rendering import render
from feedback.privacy.holdings import what_we_hold
from feedback.privacy.partnership import COMPLIANCE_LABELS, form_values, load_identity, read_identity_form, save_identity
from feedback.respond.rights import erase_answers
from feedback.spreadsheets import csv_for_excel
from surveys.codes import looks_like_code, normalise_code
from surveys.data_rights import subject_access
from surveys.responses import SUBMITTED, Draft, _fetch_one
from surveys.runs import get_run_by_id
from surveys.tables import Response as ResponseRow
from surveys.validation import field_values

CSV_BATCH = 1000


def _account(request: Request) -> Account:
    return request.state.account


async def response_by_reference(reference: str) -> Draft | None:
    """A response in any state (a withdrawn one still has consent records to give a copy of)."""
    return await _fetch_one(ResponseRow.reference == normalise_code(reference)) if looks_like_code(reference) else None


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


# --- requests received by phone or email ---------------------------------------------------------
# The reference is only ever sent in a POST body (never in a URL, so never in a log), and every
# action records who did it and the reason they gave; the log itself never holds the reference.

REQUEST_KINDS = {"subject_access": "A copy of what we hold (subject access)", "erasure": "Erase their answers"}


def _text(form, name: str, limit: int) -> str:
    return (field_values(form, name) or [""])[0].strip()[:limit]


class RightsRequestsController(Controller):
    path = "/workspace/privacy/requests"
    guards = [role_guard("admin")]
    include_in_schema = False

    def _find_page(self, request: Request, values: dict[str, str], errors: dict[str, str]) -> Response:
        return render(request, "workspace/privacy/requests.html", {
            "page_title": ("Error: " if errors else "") + "Requests received by phone or email",
            "account": _account(request), "values": values, "errors": errors, "kinds": REQUEST_KINDS,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
        }, status_code=422 if errors else 200)

    @get("/")
    async def requests_page(self, request: Request) -> Response:
        return self._find_page(request, {}, {})

    async def _checked(self, request: Request, form) -> tuple[dict[str, str], dict[str, str], Draft | None]:
        values = {"reference": _text(form, "reference", 40), "kind": _text(form, "kind", 20), "reason": _text(form, "reason", 300)}
        errors: dict[str, str] = {}
        draft = None
        if not values["reference"]:
            errors["reference"] = "Enter the reference the person gave, like ABCD-EFGH-JKMN"
        elif not looks_like_code(values["reference"]):
            errors["reference"] = "A reference has 12 letters and numbers, like ABCD-EFGH-JKMN"
        else:
            draft = await response_by_reference(values["reference"])
            if draft is None:
                errors["reference"] = "No response has that reference: check it with the person"
        if values["kind"] not in REQUEST_KINDS:
            errors["kind"] = "Select what the person asked for"
        if not values["reason"]:
            errors["reason"] = "Enter how the request came in and who it was from, like Email from the parent, 3 March"
        return values, errors, draft

    @post("/find", status_code=200)
    async def find(self, request: Request) -> Response:
        values, errors, draft = await self._checked(request, await request.form())
        if errors or draft is None:
            return self._find_page(request, values, errors)
        run = await get_run_by_id(draft.run_id)
        await audit(_account(request).email, "rights_request", object=run.slug if run else "",
                    detail=f"{values['kind']}: {values['reason']}")
        return render(request, "workspace/privacy/request.html", {
            "page_title": "Handle the request", "account": _account(request), "values": values, "draft": draft,
            "run": run, "kind_label": REQUEST_KINDS[values["kind"]], "erased": False,
        })

    @post("/subject-access", status_code=200)
    async def subject_access_file(self, request: Request) -> Response:
        values, errors, draft = await self._checked(request, await request.form())
        if errors or draft is None:
            return self._find_page(request, values, errors)
        document = await subject_access(values["reference"])
        slug = (document.get("survey") or {}).get("slug", "") if document else ""
        await audit(_account(request).email, "subject_access", object=slug, detail=values["reason"])
        return Response(json.dumps(document, indent=2, ensure_ascii=False, default=str).encode("utf-8"),
                        media_type="application/json", headers={
                            "Content-Disposition": 'attachment; filename="subject-access.json"', "Cache-Control": "no-store"})

    @post("/erase", status_code=200)
    async def erase(self, request: Request) -> Response:
        form = await request.form()
        values, errors, draft = await self._checked(request, form)
        if errors or draft is None:
            return self._find_page(request, values, errors)
        run = await get_run_by_id(draft.run_id)
        if _text(form, "confirm", 10) != "yes":
            return render(request, "workspace/privacy/request.html", {
                "page_title": "Error: Handle the request", "account": _account(request), "values": values, "draft": draft,
                "run": run, "kind_label": REQUEST_KINDS[values["kind"]], "erased": False,
                "error_list": [{"text": "Confirm that the person asked for their answers to be erased", "href": "#confirm"}],
                "confirm_error": "Confirm that the person asked for their answers to be erased",
            }, status_code=422)
        erased = draft.status == SUBMITTED and await erase_answers(draft, _account(request).email, reason=values["reason"], channel="request")
        return render(request, "workspace/privacy/request.html", {
            "page_title": "Answers erased" if erased else "Nothing to erase", "account": _account(request), "values": values,
            "draft": draft, "run": run, "kind_label": REQUEST_KINDS[values["kind"]], "erased": True, "was_erased": erased,
        })


class WhatWeHoldController(Controller):
    path = "/workspace/privacy/what-we-hold"
    guards = [role_guard("admin")]
    include_in_schema = False

    @get("/")
    async def what_we_hold_page(self, request: Request) -> Response:
        return render(request, "workspace/privacy/what_we_hold.html", {
            "page_title": "What we hold", "account": _account(request), "holdings": await what_we_hold(),
        })


class PartnershipController(Controller):
    """The partnership's name, contacts, DPO and accessibility statement, for every page."""

    path = "/workspace/privacy/partnership"
    guards = [role_guard("admin")]
    include_in_schema = False

    def _page(self, request: Request, values, dates, errors, saved=False, date_fields=None) -> Response:
        return render(request, "workspace/privacy/partnership.html", {
            "page_title": ("Error: " if errors else "") + "The partnership and accessibility statement",
            "account": _account(request), "values": values, "dates": dates, "errors": errors, "saved": saved,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
            "compliance_labels": COMPLIANCE_LABELS, "date_fields": date_fields or {},
        }, status_code=422 if errors else 200)

    @get("/")
    async def partnership_page(self, request: Request) -> Response:
        values, dates = form_values(await load_identity())
        return self._page(request, values, dates, {}, saved=request.query_params.get("saved") == "1")

    @post("/", status_code=200)
    async def save_partnership(self, request: Request) -> Response:
        form = await request.form()
        read = read_identity_form({k: _text(form, k, 5000) for k in form.keys()}, date.today())
        if read.identity is None:
            dates = {name: field.values for name, field in read.dates.items()}
            return self._page(request, read.values, dates, read.errors, date_fields=read.dates)
        await save_identity(read.identity, _account(request).email)
        return Redirect("/workspace/privacy/partnership?saved=1", status_code=303)
