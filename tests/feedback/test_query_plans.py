"""Flat cost: every statement a respondent's journey, a signed-in officer's page and the public
pages run is planned with an index, never a scan of a table that grows with stored data, whether
or not SQLite has statistics (issue 17: without them a draft lookup scanned the whole run).

The statements are the real ones: recorded from the engine while pages are fetched over the app's
HTTP interface, then explained with their own arguments on a fresh connection to the same file.
"""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from feedback.accounts.tables import User, WorkspaceSession
from consent.tables import ConsentRecord, Notice
from feedback.database import ReusedConnectionSQLiteEngine, sqlite_path_from_url
from surveys.codes import hash_token
from surveys.tables import Response
from tests.conftest import open_test_run, run
from tests.walker import Walker
from tests.workspace_client import signed_in

pytestmark = pytest.mark.skipif(
    not os.environ["DATABASE_URL"].startswith("sqlite"), reason="EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans on statistics it always keeps"
)

# Tables whose size grows with responses, people and time; a full scan of any of them on a
# per-request path makes a page slower as the partnership collects more.
GROWING = (
    "survey_response", "consent_record", "consent_contact", "consent_event", "workspace_session",
    "audit_log", "comment_coding", "coded_comment", "quote", "messages_outbox", "messages_recipient",
    "messages_invitee", "workspace_pending_sign_in", "workspace_recovery_code",
)
SCAN = re.compile(r"^SCAN (\w+)")
SEEDED = 3000


def seed_responses(run_id: int, count: int) -> None:
    """Submitted responses with browser tokens and a consent record each, bulk inserted (the
    shape a busy run has, so that ANALYZE sees realistic sizes)."""
    subjects = [uuid.uuid4() for _ in range(count)]
    rows = [
        Response(
            run=run_id, respondent_id=subject, reference=f"S{uuid.uuid4().hex[:12]}",
            browser_token_hash=hash_token(uuid.uuid4().hex), status="submitted", answers={"q": "a"},
        )
        for subject in subjects
    ]
    run(Response.insert(*rows))
    notice = run(Notice.select(Notice.id).first())
    records = [
        ConsentRecord(subject=str(subject), actor="self", notice=notice["id"], channel="web", purposes={"participation": "acknowledged"})
        for subject in subjects
    ]
    run(ConsentRecord.insert(*records))


@pytest.fixture
def recorded(monkeypatch):
    statements: dict[str, tuple] = {}
    original = ReusedConnectionSQLiteEngine._run

    async def recording(self, sql, args, *rest):
        statements.setdefault(sql, tuple(args))
        return await original(self, sql, args, *rest)

    monkeypatch.setattr(ReusedConnectionSQLiteEngine, "_run", recording)
    return statements


def plans(statements: dict[str, tuple], analysed: bool) -> dict[str, list[str]]:
    path = sqlite_path_from_url(os.environ["DATABASE_URL"])
    db = sqlite3.connect(path, timeout=30)
    try:
        if analysed:
            db.execute("ANALYZE")
        else:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
                db.execute("DELETE FROM sqlite_stat1")
            db.commit()
        db.close()
        db = sqlite3.connect(path, timeout=30)  # a fresh connection loads the statistics as they are now
        out = {}
        for sql, args in statements.items():
            if not re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", sql, re.I):
                continue
            out[sql] = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, args)]
        return out
    finally:
        db.close()


def scans_of_growing_tables(explained: dict[str, list[str]]) -> list[str]:
    found = []
    for sql, lines in explained.items():
        for line in lines:
            match = SCAN.match(line)
            if match and match.group(1) in GROWING:
                found.append(f"{line}  (plan: {lines})  <-  {sql}")
    return found


@pytest.mark.parametrize("analysed", [False, True], ids=["no-statistics", "after-analyze"])
def test_respondent_journey_never_scans_a_growing_table(app, recorded, analysed):
    busy = open_test_run("annual-send-parent")
    seed_responses(busy.id, SEEDED)
    from litestar.testing import TestClient

    with TestClient(app=app, base_url="http://testserver.local") as respondent:
        reference = Walker(respondent).complete(f"/s/{busy.slug}")
        assert reference
        # Coming back to the survey with the same browser looks the draft up by its token.
        assert respondent.get(f"/s/{busy.slug}").status_code == 200
        assert respondent.get("/").status_code == 200
        assert respondent.get("/you-said-we-did").status_code == 200
        assert respondent.get("/you-said-we-did/figures.csv").status_code == 200

    explained = plans(recorded, analysed)
    draft_lookups = [lines for sql, lines in explained.items() if "browser_token_hash =" in sql and "run =" in sql]
    assert draft_lookups, "the journey never looked a draft up by its browser token"
    for lines in draft_lookups:
        assert any("survey_response_browser_token_run" in line for line in lines), lines
    found = scans_of_growing_tables(explained)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("analysed", [False, True], ids=["no-statistics", "after-analyze"])
def test_signed_in_officer_session_lookup_uses_an_index(app, recorded, analysed):
    officer = signed_in(app, "officer")
    # Other browsers signed in (or long gone), so that ANALYZE sees a table of realistic size.
    user = run(User.select(User.id).where(User.email == officer.email).first())
    later = datetime.now(timezone.utc) + timedelta(days=1)
    run(WorkspaceSession.insert(*(
        WorkspaceSession(token_hash=hash_token(uuid.uuid4().hex), user=user["id"], expires_at=later) for _ in range(SEEDED)
    )))
    try:
        assert officer.get("/workspace").status_code == 200
    finally:
        officer.__exit__(None, None, None)
    explained = plans(recorded, analysed)
    session_lookups = [lines for sql, lines in explained.items() if "workspace_session" in sql and "token_hash" in sql]
    assert session_lookups, "no session lookup was recorded"
    found = scans_of_growing_tables(explained)
    assert found == [], "\n".join(found)
