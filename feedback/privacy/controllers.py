"""The DPO's pages under /workspace (admins only): the audit trail and its CSV export, and handling
subject access and erasure requests received by phone or email."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from consent.notices import NoticeEdit, NoticeSection, notice_versions, parse_body, publish_edit
from consent.tables import Notice
from consent.corrections import CORRECTED, NOT_CHANGED, OPEN, correction_request, correction_requests, record_outcome

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
from surveys.instrument import built_in_instruments
from surveys.promises import retention_problems
from surveys.runs import get_run_by_id, list_runs
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


CORRECTION_OUTCOMES = {CORRECTED: "Corrected", NOT_CHANGED: "Not changed"}
CORRECTION_STATUS = {OPEN: "Waiting", **CORRECTION_OUTCOMES}


class CorrectionsController(Controller):
    """"Ask us to correct it": the requests respondents sent from /withdraw, for an officer to act
    on. The requests' words are the respondents' own (shown inside hx-disable, never logged)."""

    path = "/workspace/privacy/corrections"
    guards = [role_guard("admin", "officer")]
    include_in_schema = False

    @get("/")
    async def corrections_page(self, request: Request) -> Response:
        return render(request, "workspace/privacy/corrections.html", {
            "page_title": "Correction requests", "account": _account(request),
            "open": await correction_requests(OPEN),
            "closed": [c for c in await correction_requests() if c.status != OPEN],
            "status_labels": CORRECTION_STATUS,
        })

    def _request_page(self, request: Request, found, values: dict[str, str], errors: dict[str, str]) -> Response:
        return render(request, "workspace/privacy/correction.html", {
            "page_title": ("Error: " if errors else "") + "Correction request", "account": _account(request),
            "found": found, "values": values, "errors": errors, "outcomes": CORRECTION_OUTCOMES,
            "status_labels": CORRECTION_STATUS,
            "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
        }, status_code=422 if errors else 200)

    @get("/{request_id:int}")
    async def correction_page(self, request: Request, request_id: FromPath[int]) -> Response:
        found = await correction_request(request_id)
        if found is None:
            raise NotFoundException()
        return self._request_page(request, found, {}, {})

    @post("/{request_id:int}", status_code=200)
    async def handle_correction(self, request: Request, request_id: FromPath[int]) -> Response:
        found = await correction_request(request_id)
        if found is None:
            raise NotFoundException()
        form = await request.form()
        values = {"outcome": _text(form, "outcome", 20), "note": _text(form, "note", 2000)}
        errors: dict[str, str] = {}
        if found.status != OPEN:
            errors["outcome"] = "This request has already been handled"
        elif values["outcome"] not in CORRECTION_OUTCOMES:
            errors["outcome"] = "Select whether you corrected the answers"
        if not values["note"] and "outcome" not in errors:
            errors["note"] = ("Enter what you changed" if values["outcome"] == CORRECTED
                              else "Enter why nothing was changed, for the person and the data protection officer")
        if errors:
            return self._request_page(request, found, values, errors)
        handled = await record_outcome(request_id, values["outcome"], values["note"], _account(request).email)
        if handled is None:
            return self._request_page(request, found, values, {"outcome": "This request has already been handled"})
        # The note may repeat the answers: the audit log gets the outcome and the survey only.
        await audit(_account(request).email, "correction_handled", object=found.survey, detail=values["outcome"])
        return Redirect("/workspace/privacy/corrections", status_code=303)


AUDIENCE_LABELS = {"standard": "Standard", "easy_read": "Easy read", "young_person": "Young people"}


def _sections_from(body: str) -> tuple[NoticeSection, ...]:
    """The body as typed: sections start with a line "## Heading"; text before the first is refused."""
    text = body.replace("\r\n", "\n").strip()
    if not text.startswith("## "):
        return ()
    sections = parse_body(text)
    return tuple(s for s in sections if s.heading and s.text)


class NoticeTextController(Controller):
    """The privacy notices' wording, edited by an admin. Each save is a new version of every
    audience's wording at once (kept in step); old versions stay, with their date and editor, and
    every consent record keeps pointing at the version its person saw."""

    path = "/workspace/privacy/notices"
    guards = [role_guard("admin")]
    include_in_schema = False

    async def _current(self, key: str) -> tuple[list, list]:
        versions = await notice_versions(key)
        if not versions:
            raise NotFoundException()
        latest = versions[0].version
        current = sorted((n for n in versions if n.version == latest), key=lambda n: list(AUDIENCE_LABELS).index(n.audience)
                         if n.audience in AUDIENCE_LABELS else 99)
        return current, versions

    @get("/")
    async def notices_page(self, request: Request) -> Response:
        keys = sorted({row["key"] for row in await Notice.select(Notice.key)})
        rows = []
        for key in keys:
            current, _ = await self._current(key)
            rows.append((key, current[0]))
        return render(request, "workspace/privacy/notices.html", {
            "page_title": "Privacy notices", "account": _account(request), "rows": rows,
        })

    async def _edit_page(self, request: Request, key: str, values: dict[str, str], errors: dict[str, str], saved: bool = False) -> Response:
        current, versions = await self._current(key)
        return render(request, "workspace/privacy/notice_edit.html", {
            "page_title": ("Error: " if errors else "") + f"Edit the privacy notice {key}", "account": _account(request),
            "key": key, "current": current, "versions": versions, "values": values, "errors": errors, "saved": saved,
            "labels": AUDIENCE_LABELS, "error_list": [{"text": m, "href": f"#{k}"} for k, m in errors.items()],
        }, status_code=422 if errors else 200)

    @get("/{key:str}")
    async def edit_page(self, request: Request, key: FromPath[str]) -> Response:
        current, _ = await self._current(key)
        values = {}
        for notice in current:
            values |= {f"{notice.audience}-title": notice.title, f"{notice.audience}-summary": notice.summary,
                       f"{notice.audience}-body": notice.body}
        return await self._edit_page(request, key, values, {}, saved=request.query_params.get("saved") == "1")

    @post("/{key:str}", status_code=200)
    async def save(self, request: Request, key: FromPath[str]) -> Response:
        current, _ = await self._current(key)
        form = await request.form()
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        edits: list[NoticeEdit] = []
        instruments = [i for i in built_in_instruments().values() if i.notice == key]
        instruments += [r.instrument for r in await list_runs() if r.instrument.notice == key]
        for notice in current:
            audience, label = notice.audience, AUDIENCE_LABELS.get(notice.audience, notice.audience)
            title, summary, body = (_text(form, f"{audience}-{part}", limit) for part, limit in
                                    (("title", 200), ("summary", 2000), ("body", 20000)))
            values |= {f"{audience}-title": title, f"{audience}-summary": summary, f"{audience}-body": body}
            if not title:
                errors[f"{audience}-title"] = f"Enter the title of the {label.lower()} notice"
            if not summary:
                errors[f"{audience}-summary"] = f"Enter the summary of the {label.lower()} notice"
            sections = _sections_from(body)
            if not sections:
                errors[f"{audience}-body"] = (f"Write the {label.lower()} notice in sections: a line starting ## and the "
                                              "heading, then its text")
                continue
            text = "\n".join([title, summary, *(f"{s.heading}\n{s.text}" for s in sections)])
            for instrument in instruments:
                problems = retention_problems(instrument.retention, text, where=f"The {label.lower()} notice")
                if problems:
                    errors[f"{audience}-body"] = problems[0] + f" (the survey {instrument.title!r} keeps its own settings)"
                    break
            edits.append(NoticeEdit(audience, title, summary, sections))
        if not errors and all((e.title, e.summary, e.sections) == (n.title, n.summary, parse_body(n.body))
                              for e, n in zip(edits, current)):
            errors[f"{current[0].audience}-body"] = "Nothing has changed: edit the wording before saving a new version"
        if errors:
            return await self._edit_page(request, key, values, errors)
        number = await publish_edit(key, edits, _account(request).email, date.today().isoformat())
        await audit(_account(request).email, "notice_edited", object=key, detail=f"version {number}")
        return Redirect(f"/workspace/privacy/notices/{key}?saved=1", status_code=303)
