"""The database layer: engine choice from DATABASE_URL, and concurrent saves that lose nothing."""

import asyncio
import os

import pytest

from feedback.database import engine_from_url, sqlite_path_from_url
from surveys.responses import response_by_id, save_page, start_response
from surveys.tables import Response
from tests.conftest import open_test_run, run


def test_database_url_picks_the_engine(tmp_path):
    assert engine_from_url(f"sqlite:///{tmp_path}/x.sqlite3").engine_type == "sqlite"
    assert engine_from_url("postgresql://postgres@127.0.0.1:5432/test").engine_type == "postgres"
    assert sqlite_path_from_url("sqlite:///var/feedback.sqlite3") == "var/feedback.sqlite3"
    for bad in ("mysql://x", "sqlite://relative", "sqlite:///:memory:"):
        with pytest.raises(ValueError):
            engine_from_url(bad)


def test_concurrent_page_saves_to_one_response_lose_no_answer():
    """Two tabs (or a double tap) saving different pages at the same moment: both answers stay."""
    survey = open_test_run("annual-send-young-person")

    async def scenario():
        draft, _ = await start_response(survey)
        keys = [q.key for q in survey.instrument.questions if q.type == "scale"]
        await asyncio.gather(*(save_page(Response._meta.db, draft, {key: "agree"}, key) for key in keys))
        return keys, await response_by_id(draft.id)

    keys, stored = run(scenario())
    assert {k: stored.answers.get(k) for k in keys} == {k: "agree" for k in keys}


@pytest.mark.skipif(not os.environ["DATABASE_URL"].startswith("sqlite"), reason="SQLite settings")
def test_sqlite_runs_in_wal_mode_with_full_sync():
    engine = Response._meta.db

    async def pragmas():
        mode = await engine.run_ddl("PRAGMA journal_mode")
        sync = await engine.run_ddl("PRAGMA synchronous")
        return mode, sync

    mode, sync = run(pragmas())
    assert list(mode[0].values())[0] == "wal"
    assert list(sync[0].values())[0] == 2  # FULL
