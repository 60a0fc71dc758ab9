"""The database layer: engine choice from DATABASE_URL, and concurrent saves that lose nothing."""

import asyncio
import os
import time

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


sqlite_only = pytest.mark.skipif(not os.environ["DATABASE_URL"].startswith("sqlite"), reason="SQLite's group commit")


@sqlite_only
def test_sqlite_runs_in_wal_mode_with_normal_sync_and_commits_in_groups():
    engine = Response._meta.db

    async def pragmas():
        mode = await engine.run_ddl("PRAGMA journal_mode")
        sync = await engine.run_ddl("PRAGMA synchronous")
        return mode, sync

    mode, sync = run(pragmas())
    assert list(mode[0].values())[0] == "wal"
    assert list(sync[0].values())[0] == 1  # NORMAL: the fsync is WalSync's, once for several commits
    assert engine.commits_in_groups


def _recording_fsyncs(monkeypatch, events: list, fail: bool = False) -> None:
    real = os.fsync

    def fsync(fd):
        events.append("fsync began")
        if fail:
            raise OSError(5, "Input/output error")
        real(fd)
        events.append("fsync ended")

    monkeypatch.setattr(os, "fsync", fsync)


@sqlite_only
def test_a_transaction_ends_only_after_an_fsync_that_began_after_its_commit(monkeypatch):
    """What FULL promised, kept with NORMAL: nothing is acknowledged before it is on the disk."""
    from surveys.storage import writing_transaction

    survey = open_test_run("annual-send-young-person")
    engine = Response._meta.db
    events: list = []

    async def scenario():
        draft, _ = await start_response(survey)
        _recording_fsyncs(monkeypatch, events)

        async def one(i):
            async with writing_transaction(engine):
                await Response.update({Response.current_page: f"page-{i}"}).where(Response.id == draft.id)
                events.append(("committing", i))
            events.append(("acknowledged", i))

        await asyncio.gather(*(one(i) for i in range(12)))

    run(scenario())
    for i in range(12):
        committing, acknowledged = events.index(("committing", i)), events.index(("acknowledged", i))
        began = events.index("fsync began", committing)
        assert began < events.index("fsync ended", began) < acknowledged, events


@sqlite_only
def test_other_requests_are_served_while_the_disk_syncs(monkeypatch):
    """The fsync runs on a thread of its own: a slow disk holds back the save waiting for it, not
    every other page of the process (on the loop, one fsync stopped them all)."""
    from surveys.storage import writing_transaction

    survey = open_test_run("annual-send-young-person")
    engine = Response._meta.db
    events: list = []
    real = os.fsync

    def slow_fsync(fd):
        events.append("fsync began")
        time.sleep(0.3)
        real(fd)
        events.append("fsync ended")

    async def scenario():
        draft, _ = await start_response(survey)
        monkeypatch.setattr(os, "fsync", slow_fsync)

        async def save():
            async with writing_transaction(engine):
                await Response.update({Response.current_page: "saved"}).where(Response.id == draft.id)
            events.append("save acknowledged")

        async def another_page():
            for _ in range(1000):  # at most 5 s
                if "fsync began" in events:
                    break
                await asyncio.sleep(0.005)
            await response_by_id(draft.id)
            events.append("another page read")

        await asyncio.gather(save(), another_page())

    run(scenario())
    assert events.index("another page read") < events.index("fsync ended") < events.index("save acknowledged"), events


@sqlite_only
def test_concurrent_page_saves_are_each_on_disk_when_they_return(monkeypatch):
    survey = open_test_run("annual-send-young-person")
    engine = Response._meta.db

    async def scenario():
        draft, _ = await start_response(survey)
        keys = [q.key for q in survey.instrument.questions if q.type == "scale"]
        wal = engine.loop_connections().wal_sync

        async def save(key):
            await save_page(engine, draft, {key: "agree"}, key)
            return wal.synced  # every commit up to this number is on the disk

        synced_at_return = await asyncio.gather(*(save(key) for key in keys))
        return len(keys), synced_at_return, wal.commits

    saves, synced_at_return, commits = run(scenario())
    assert saves >= 5
    first = commits - saves  # the saves commit in turn (one writer), in the order they started
    assert all(synced >= first + number for number, synced in enumerate(synced_at_return, start=1)), synced_at_return


@sqlite_only
def test_a_rate_limit_count_does_not_wait_for_the_disk_but_is_there_within_a_tenth_of_a_second(monkeypatch):
    from feedback.database import WalSync

    engine = Response._meta.db
    events: list = []

    async def scenario():
        _recording_fsyncs(monkeypatch, events)
        for i in range(10):
            await engine.run_sql(
                "INSERT INTO failure_throttle (key, count, last, expires) VALUES (?, 1, 1.0, 2.0)",
                (f"test-{os.getpid()}-{i}-{id(events)}", ), wait_for_disk=False)
        wal = engine.loop_connections().wal_sync
        not_yet = wal.synced < wal.commits
        await asyncio.sleep(WalSync.FLUSH_WITHIN + 0.1)
        await engine.run_sql("DELETE FROM failure_throttle WHERE expires = 2.0", (), wait_for_disk=False)
        return not_yet, wal.synced

    not_yet, synced = run(scenario())
    assert not_yet and synced >= 10
    assert events.count("fsync ended") == 1  # one fsync for all ten counts


@sqlite_only
def test_a_failed_fsync_fails_the_transaction_and_the_next_one_works(monkeypatch):
    from surveys.storage import writing_transaction

    survey = open_test_run("annual-send-young-person")
    engine = Response._meta.db

    async def scenario():
        draft, _ = await start_response(survey)
        _recording_fsyncs(monkeypatch, [], fail=True)
        with pytest.raises(OSError):
            async with writing_transaction(engine):
                await Response.update({Response.current_page: "lost"}).where(Response.id == draft.id)
        monkeypatch.undo()
        async with writing_transaction(engine):
            await Response.update({Response.current_page: "kept"}).where(Response.id == draft.id)
        return (await response_by_id(draft.id)).current_page

    assert run(scenario()) == "kept"


def test_a_thread_moves_the_wal_into_the_database_file_without_a_commit_doing_it(tmp_path):
    """Checkpoints copy thousands of pages and sync the file: on the loop they held requests up to 80 ms."""
    from feedback.database import WalCheckpointer, engine_from_url, prepare_engine

    engine = engine_from_url(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    page = "x" * 3500

    async def write_then_wait():
        await prepare_engine(engine)
        await engine.run_ddl("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)")
        for start in range(0, 1600, 100):
            async with engine.transaction():
                for i in range(start, start + 100):
                    await engine.run_sql("INSERT INTO filler (id, text) VALUES (?, ?)", (i, page))
        database_size_before = os.path.getsize(tmp_path / "wal.sqlite3")
        await asyncio.sleep(WalCheckpointer.EVERY * 4)
        moved = engine._checkpointer.checkpoints
        rows = await engine.run_sql("SELECT COUNT(*) AS n FROM filler")
        await engine.close_connections()
        return database_size_before, moved, rows[0]["n"]

    before, moved, rows = run(write_then_wait())
    assert rows == 1600
    assert before < 1_000_000 and moved >= 1  # the commits left the pages in the WAL; the thread moved them
    assert os.path.getsize(tmp_path / "wal.sqlite3") > 1600 * 3500
