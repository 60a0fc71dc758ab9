"""The database-backed sliding window (every app process counts together) across a window's end,
with hits another process made in the window that ended."""

from __future__ import annotations

import uuid

import pytest

from feedback import rate_limit
from surveys.tables import Response
from tests.conftest import run


@pytest.fixture
def shared_store(monkeypatch):
    rate_limit.use_shared_store(Response._meta.db, "test-secret")
    clock = {"now": 6_000_000.0}  # the start of a 60-second window
    monkeypatch.setattr(rate_limit.time, "time", lambda: clock["now"])
    yield clock
    rate_limit.use_shared_store(None, "")


def test_the_window_that_ended_still_counts_with_the_share_that_overlaps(shared_store):
    limiter = rate_limit.RateLimiter(limit=10, window_seconds=60, name=f"test-{uuid.uuid4().hex}")
    address = "203.0.113.9"
    assert all(run(limiter.hit(address)) for _ in range(6))  # six in the first window, by this process
    other_process_key = rate_limit._store.key(limiter.name, "", address)
    run(Response._meta.db.run_ddl(  # and two more by another process, before the window ended
        f"UPDATE rate_limit_hit SET count = count + 2 WHERE key = '{other_process_key}'"))
    shared_store["now"] += 60 + 6  # a tenth into the next window: 0.9 x 8 = 7.2 of the ended one count
    allowed = [run(limiter.hit(address)) for _ in range(5)]
    assert allowed == [True, True, False, False, False]  # 1 + 7.2 and 2 + 7.2 fit in 10; 3 + 7.2 does not
    shared_store["now"] += 60  # the next window: the one of the refusals counts 0.9 x 5 = 4.5
    assert [run(limiter.hit(address)) for _ in range(6)] == [True] * 5 + [False]


def test_each_window_that_ended_is_read_once_per_key_not_on_every_hit(shared_store, monkeypatch):
    limiter = rate_limit.RateLimiter(limit=100, window_seconds=60, name=f"test-{uuid.uuid4().hex}")
    reads = []
    real = rate_limit._store._run

    async def counting(sql, *args):
        if sql.startswith("SELECT count FROM rate_limit_hit"):
            reads.append(args)
        return await real(sql, *args)

    monkeypatch.setattr(rate_limit._store, "_run", counting)
    for _ in range(5):
        run(limiter.hit("198.51.100.1"))
    run(limiter.hit("198.51.100.2"))
    assert len(reads) == 2  # one per address
    shared_store["now"] += 60
    run(limiter.hit("198.51.100.1"))
    assert len(reads) == 3  # a new window: the one just ended is read
