"""The audit trail a DPO can use: every data-rights event with who did it (the respondent at
/withdraw, the command line, a signed-in user), filtered by kind, person and dates, paged through
everything, exported as CSV; never an answer, a reference or a token in it."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from feedback.accounts.audit import audit
from feedback.accounts.tables import AuditEntry
from feedback.cli import main
from tests.conftest import open_test_run, run
from tests.consent.test_data_rights import completed
from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in, text_of


def entries_on(slug: str) -> list[AuditEntry]:
    return run(AuditEntry.objects().where(AuditEntry.object == slug).order_by(AuditEntry.id))


def everything_logged() -> str:
    return json.dumps([[e["actor"], e["action"], e["object"], e["detail"]] for e in run(AuditEntry.select())])


@pytest.fixture
def admin(browser):
    with browser() as client:
        sign_in(client, make_user("admin"))
        yield client


def test_withdrawals_and_erasures_at_withdraw_are_audited_as_the_respondent_without_the_reference(client):
    survey = open_test_run("annual-send-parent", prefix="audit-withdraw")
    reference = completed(client, survey.slug)
    form = client.get("/withdraw")
    choose = client.post("/withdraw", data={"_csrf_token": csrf_token(form.text), "reference": reference})
    client.post("/withdraw/confirm", data={"_csrf_token": csrf_token(choose.text), "reference": reference, "withdraw": "quotes"})
    form = client.get("/withdraw")
    choose = client.post("/withdraw", data={"_csrf_token": csrf_token(form.text), "reference": reference})
    client.post("/withdraw/confirm", data={"_csrf_token": csrf_token(choose.text), "reference": reference, "withdraw": "answers"})
    logged = [(e.actor, e.action, e.detail) for e in entries_on(survey.slug)]
    assert ("respondent (self-service)", "withdrawal", "quotes") in logged
    assert ("respondent (self-service)", "erasure", "") in logged
    assert reference not in everything_logged() and reference.replace("-", "") not in everything_logged()
    assert "a@example.com" not in everything_logged()


def test_subject_access_from_the_command_line_is_audited(client, capsys):
    survey = open_test_run("annual-send-parent", prefix="audit-sar")
    reference = completed(client, survey.slug)
    assert main(["subject-access", reference]) == 0
    capsys.readouterr()
    assert [(e.actor, e.action) for e in entries_on(survey.slug)] == [("command line", "subject_access")]
    assert reference not in everything_logged()


def test_a_bulk_status_upload_of_updates_is_audited_with_the_signed_in_user(browser):
    from tests.feedback.publishing.test_updates import latest_update, write_update

    email = make_user("officer")
    with browser() as client:
        sign_in(client, email)
        write_update(client, title="Bulk audited")
        update = latest_update()
        token = csrf_token(client.get("/workspace/updates/bulk").text)
        good = f"id,status,progress,note\n{update.id},done,100,Finished\n"
        result = client.post("/workspace/updates/bulk", data={"_csrf_token": token}, files={"file": ("s.csv", good.encode(), "text/csv")})
        assert result.status_code == 200
    entry = run(AuditEntry.objects().where((AuditEntry.actor == email) & (AuditEntry.action == "updates_uploaded")).first())
    assert entry is not None and entry.count == 1


def test_nothing_that_looks_like_a_reference_or_a_token_is_ever_written():
    marker = uuid.uuid4().hex[:8]
    run(audit("officer@example.org", "erasure", object=f"survey-{marker}",
              detail="caller said ABCD-EFGH-JKMN and k7pm 4x2q tr9b? token Zx9_" + "a1B2" * 10))
    entry = run(AuditEntry.objects().where(AuditEntry.object == f"survey-{marker}").first())
    assert "ABCD-EFGH-JKMN" not in entry.detail and "Zx9_" not in entry.detail
    assert entry.detail.startswith("caller said [removed]")


def _add_entries(marker: str, count: int, actor: str, action: str = "export", at: datetime | None = None):
    rows = [AuditEntry(actor=actor, action=action, object=f"{marker}-{i:04d}", detail="csv", count=i) for i in range(count)]
    run(AuditEntry.insert(*rows))
    if at is not None:
        run(AuditEntry.update({AuditEntry.at: at}).where(AuditEntry.object.like(f"{marker}-%")))


def test_the_audit_page_pages_through_everything_not_only_the_latest_500(admin):
    marker = f"page{uuid.uuid4().hex[:6]}"
    actor = f"pager-{marker}@example.org"
    _add_entries(marker, 520, actor)
    first = admin.get(f"/workspace/audit?person={actor}")
    assert first.status_code == 200
    assert "Showing 1 to 50 of 520 entries that match" in text_of(first.text)
    assert f"{marker}-0519" in first.text and f"{marker}-0000" not in first.text
    assert 'class="govuk-pagination' in first.text
    last = admin.get(f"/workspace/audit?person={actor}&page=11")
    assert "Showing 501 to 520 of 520" in text_of(last.text)
    assert f"{marker}-0000" in last.text and f"{marker}-0020" not in last.text
    # the CSV holds every matching entry, formulas neutralised
    exported = admin.get(f"/workspace/audit.csv?person={actor}")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["when_utc", "who", "what", "on", "detail", "rows"] and len(rows) == 521
    assert run(AuditEntry.exists().where((AuditEntry.action == "audit_exported") & (AuditEntry.count == 520)))


def test_the_audit_page_filters_by_kind_person_and_dates(admin):
    marker = f"filt{uuid.uuid4().hex[:6]}"
    old = datetime.now(timezone.utc) - timedelta(days=40)
    _add_entries(f"{marker}a", 3, f"alice-{marker}@example.org", "erasure", at=old)
    _add_entries(f"{marker}b", 2, f"bob-{marker}@example.org", "erasure")
    _add_entries(f"{marker}c", 4, f"alice-{marker}@example.org", "export")
    page = text_of(admin.get(f"/workspace/audit?kind=erasure&person={marker}").text)
    assert "of 5 entries that match" in page
    page = text_of(admin.get(f"/workspace/audit?kind=erasure&person=ALICE-{marker}").text)  # any case
    assert "of 3 entries that match" in page
    since = datetime.now(timezone.utc) - timedelta(days=1)
    dated = admin.get(f"/workspace/audit?kind=erasure&person={marker}&from-day={since.day}&from-month={since.month}&from-year={since.year}")
    assert "of 2 entries that match" in text_of(dated.text)
    until = old + timedelta(days=1)
    dated = admin.get(f"/workspace/audit?person={marker}&to-day={until.day}&to-month={until.month}&to-year={until.year}")
    assert "of 3 entries that match" in text_of(dated.text)
    # kinds are listed with data-rights events first, and a filter is kept in the page links
    assert re.search(r'<option value="withdrawal"[^>]*>Withdrawal of a consent', admin.get("/workspace/audit").text)
    assert f"person={marker}" in admin.get(f"/workspace/audit?person={marker}").text


@pytest.mark.parametrize("query, message", [
    ("from-day=31&from-month=2&from-year=2026", "The start date must be a real date"),
    ("to-day=1&to-year=2026", "The end date must include a month"),
    ("from-day=2&from-month=3&from-year=2026&to-day=1&to-month=3&to-year=2026", "The end date must be the same as or after the start date"),
])
def test_bad_filter_dates_get_a_clear_message(admin, query, message):
    page = admin.get(f"/workspace/audit?{query}")
    assert page.status_code == 422 and "govuk-error-summary" in page.text and message in page.text


def test_odd_filters_never_break_the_page(admin):
    for query in ("page=-3", "page=abc", "kind=drop%20table", "person=%25", "person=_", "page=99999"):
        assert admin.get(f"/workspace/audit?{query}").status_code == 200, query


def test_only_admins_see_the_audit_trail(browser):
    for role in ("officer", "pcv"):
        with browser() as client:
            sign_in(client, make_user(role))
            assert client.get("/workspace/audit").status_code == 404
            assert client.get("/workspace/audit.csv").status_code == 404
