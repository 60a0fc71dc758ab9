"""The database engine chosen by DATABASE_URL, migrations, and the helpers that hide engine quirks.

SQLite is the embedded default and PostgreSQL the production database. Piccolo differs between them
in small ways that matter under load; every caller goes through the helpers here instead.

`piccolo_app.py` beside this module is the `feedback` Piccolo app: its migration history (in
`piccolo_migrations/`) predates the feature packages, so it stays one app whose tables are defined
in each feature's `tables.py` (accounts, themes, publishing) and gathered there. Piccolo records
migrations by app name and migration id, never by module path, so the move kept every database's
history (tested in tests/feedback/test_upgrade.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
import time
import weakref
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, convert_int_out

from surveys.storage import is_sqlite, is_unique_violation, notice_write, writing_transaction  # noqa: F401


def _integer_out(value: bytes) -> int:
    """Piccolo's converter for INTEGER columns, int(Decimal(text)), quick in the usual case: every
    id, count and foreign key in every row read goes through it. A plain integer is parsed as it is;
    anything else ("1.0") goes Piccolo's way, so the results are the same."""
    try:
        return int(value)
    except ValueError:
        return convert_int_out(value)


sqlite3.register_converter("INTEGER", _integer_out)  # replaces Piccolo's, registered when it was imported

SQLITE_BUSY = 5
SQLITE_BUSY_SNAPSHOT = 517  # a stale read transaction tried to write: only a rollback helps, not a retry

# Set on every connection. WAL itself is a property of the file (see prepare_engine).
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    # NORMAL: a commit writes its pages to the WAL file without waiting for the disk; `WalSync` below
    # then flushes the WAL once for every commit made meanwhile (group commit) before any of them is
    # acknowledged, so FULL's promise holds (nothing we said was saved is lost, not even to a power
    # cut) with one fsync for many commits instead of one each. See the README's "Durability".
    "PRAGMA synchronous = NORMAL",
    # Bounds the work PRAGMA optimize may do (sampled ANALYZE), so closing never stalls on a big table.
    "PRAGMA analysis_limit = 400",
    # Checkpoints run on WalCheckpointer's thread, not inside a request's commit (copying 1,000 pages
    # and syncing the file held the loop for up to 80 ms); this is only the backstop if it falls behind.
    f"PRAGMA wal_autocheckpoint = {10 * 1000}",
)


class WalCheckpointer(threading.Thread):
    """Moves the WAL's pages into the database file from a thread of its own, once the WAL holds
    `PAGES` pages (SQLite's own default moment), checked every `EVERY` seconds. A PASSIVE checkpoint
    never waits for or blocks a writer or a reader, and sqlite3 lets go of the GIL while it copies and
    syncs, so the requests go on meanwhile. One per process; several processes' checkpoints simply
    take turns (the one that finds another at work tries again later)."""

    EVERY = 0.25
    PAGES = 1000

    def __init__(self, database_path: str) -> None:
        super().__init__(name="feedback-wal-checkpointer", daemon=True)
        self.database_path = database_path
        self.wal_path = database_path + "-wal"
        self.stopped = threading.Event()
        self.checkpoints = 0

    def run(self) -> None:
        connection = None
        try:
            while not self.stopped.wait(self.EVERY):
                try:
                    if os.path.getsize(self.wal_path) < self.PAGES * 4096:
                        continue
                    connection = connection or sqlite3.connect(self.database_path, timeout=0, isolation_level=None)
                    busy, frames, moved = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if moved > 0:
                        self.checkpoints += 1
                except (OSError, sqlite3.Error):
                    continue  # no WAL yet, or another checkpoint at work: the next turn tries again
        finally:
            if connection is not None:
                connection.close()


class WalSync:
    """When the commits of one event loop's connections reach the disk (group commit).

    SQLite runs with `synchronous = NORMAL`: a commit writes its pages to the WAL file and returns
    without waiting for the disk. Commits are numbered as they happen, and one fsync of the WAL file
    makes every commit made before it durable. Every transaction, and every write outside one, waits
    (`durable`) for an fsync that began after its commit, so nothing acknowledged is lost even to a
    power cut. The fsync runs on the process's `WalSyncThread`, after the commit and outside SQLite's
    write lock, so neither this loop's other requests nor the other processes wait for the disk: they
    go on while it syncs, and every commit they make meanwhile shares the next fsync. A write that
    need not wait (a rate-limit count: `run_sql(..., wait_for_disk=False)`) is on the disk within
    `FLUSH_WITHIN` seconds. A failed fsync fails every commit that was waiting for it (none of them is
    acknowledged). Everything but the fsync runs on the loop's thread."""

    FLUSH_WITHIN = 0.1

    def __init__(self, database_path: str) -> None:
        self.wal_path = database_path + "-wal"
        self._fd: int | None = None
        self._fd_lock = threading.Lock()  # the sync thread uses the file while close() may shut it
        self._loop: asyncio.AbstractEventLoop | None = None
        self.commits = 0  # commits made on this loop's writer
        self.synced = 0  # every commit up to this number is on the disk
        self.fsyncs = 0
        self._waiting: list[tuple[int, asyncio.Future]] = []  # (commit, future), on the loop's thread only
        self._asked = False  # a sync is asked of the thread and not yet answered
        self._later: asyncio.TimerHandle | None = None
        self._closed = False

    def committed(self) -> int:
        """Numbers a commit just made; it will be on the disk within FLUSH_WITHIN seconds at most."""
        self.commits += 1
        if self._later is None:
            self._loop = self._loop or asyncio.get_running_loop()
            self._later = self._loop.call_later(self.FLUSH_WITHIN, self._ask)
        return self.commits

    async def durable(self, commit: int) -> None:
        """Returns once commit number `commit` is on the disk."""
        if self.synced >= commit:
            return
        loop = self._loop = self._loop or asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting.append((commit, future))
        self._ask()
        await future

    def _ask(self) -> None:
        if self._later is not None:
            self._later.cancel()
            self._later = None
        if not self._asked and not self._closed:
            self._asked = True
            WalSyncThread.get().ask(self)

    # -- on the sync thread -------------------------------------------------------------------

    def _wal_fd(self) -> int:
        # SQLite removes the WAL file when the last connection to the database closes (and another
        # process may be the last): reopen ours whenever the file on disk is not the one we hold.
        if self._fd is not None:
            try:
                if os.stat(self.wal_path).st_ino == os.fstat(self._fd).st_ino:
                    return self._fd
            except FileNotFoundError:
                pass
            os.close(self._fd)
            self._fd = None
        self._fd = os.open(self.wal_path, os.O_RDONLY)
        return self._fd

    def sync_now(self) -> None:
        """One fsync for every commit numbered so far; the loop hears of it in its next turn."""
        through = self.commits  # each of these has finished writing to the WAL file
        error: OSError | None = None
        with self._fd_lock:
            if self._closed:
                return
            try:
                os.fsync(self._wal_fd())
            except Exception as failure:  # noqa: BLE001  any failure fails the waiting commits, never the thread
                error = failure if isinstance(failure, OSError) else OSError(str(failure))
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting any more
            self._loop.call_soon_threadsafe(self._synced, through, error)

    # -- back on the loop's thread --------------------------------------------------------------

    def _synced(self, through: int, error: OSError | None) -> None:
        self._asked = False
        if error is None:
            self.fsyncs += 1
            self.synced = max(self.synced, through)
        waiting, self._waiting = self._waiting, []
        for commit, future in waiting:
            if commit > through:
                self._waiting.append((commit, future))  # committed while the fsync ran: the next one
            elif not future.done():
                future.set_exception(error) if error is not None else future.set_result(None)
        if self._waiting or (error is None and self.synced < self.commits and self._later is None):
            self._ask()

    def close(self) -> None:
        """At the end of the loop's connections: whatever is not yet on the disk goes there now."""
        if self._later is not None:
            self._later.cancel()
            self._later = None
        with self._fd_lock:
            self._closed = True
            if self.synced < self.commits:
                try:
                    os.fsync(self._wal_fd())
                    self.synced = self.commits
                except OSError:
                    pass  # closing the connections checkpoints (and syncs) the WAL anyway
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        for commit, future in self._waiting:  # the final fsync above answers them; if it failed, they fail
            if not future.done():
                future.set_result(None) if commit <= self.synced else future.cancel()
        self._waiting = []


class WalSyncThread(threading.Thread):
    """The process's one thread that fsyncs WAL files for `WalSync` (os.fsync lets go of the GIL, so
    the event loop serves other requests meanwhile). Each `WalSync` asked is synced once per turn,
    however many commits wait on it."""

    _instance: WalSyncThread | None = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        super().__init__(name="feedback-wal-sync", daemon=True)
        self._asked: queue.SimpleQueue[WalSync] = queue.SimpleQueue()  # C-level: cheap to put from the loop

    @classmethod
    def get(cls) -> WalSyncThread:
        thread = cls._instance
        if thread is None or not thread.is_alive():
            with cls._instance_lock:
                thread = cls._instance
                if thread is None or not thread.is_alive():
                    thread = cls._instance = cls()
                    thread.start()
        return thread

    def ask(self, wal_sync: WalSync) -> None:
        self._asked.put(wal_sync)

    def run(self) -> None:
        while True:
            asked = {self._asked.get(): None}
            while not self._asked.empty():
                asked[self._asked.get_nowait()] = None
            for wal_sync in asked:
                wal_sync.sync_now()


def _is_busy(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return "database is locked" in str(error)
    return code & 0xFF == SQLITE_BUSY and code != SQLITE_BUSY_SNAPSHOT


def _reads_only(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


class SQLiteConnection:
    """One reused sqlite3 connection whose statements run on the event loop's thread.

    It has no busy timeout, so it never blocks the loop on a lock: when another process holds the
    database, the statement (which had no effect) is retried after an asyncio sleep, up to `timeout`.
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection], timeout: float) -> None:
        self.raw = connect()
        self.timeout = timeout
        for pragma in SQLITE_PRAGMAS:
            self.raw.execute(pragma)

    def _run(self, sql: str, args: Any) -> list[dict[str, Any]]:
        cursor = self.raw.execute(sql, args)
        try:
            if cursor.description is None:
                return []
            columns = [column[0] for column in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    # Another process's transaction usually ends within a millisecond: wait that long with short
    # sleeps on this thread first (an asyncio sleep lasts a whole turn of a busy loop, tens of ms,
    # while this process's other writers queue behind it), then give the loop back between tries.
    SPIN_SECONDS = 0.002
    SPIN_STEP = 0.0001

    async def execute(self, sql: str, args: Any = ()) -> list[dict[str, Any]]:
        deadline = spin_until = None
        delay = 0.001
        while True:
            try:
                return self._run(sql, args)
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise
                now = time.monotonic()
                deadline = deadline or now + self.timeout
                spin_until = spin_until or now + self.SPIN_SECONDS
                if now >= deadline:
                    raise
                if now < spin_until:
                    time.sleep(self.SPIN_STEP)
                    continue
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.02)

    def close(self) -> None:
        # SQLite's advice for connections that live a long time: PRAGMA optimize before closing
        # (it re-runs ANALYZE only where a table grew or shrank a lot, bounded by analysis_limit).
        try:
            self.raw.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass  # another process holds the write lock: the next close or migrate will do it
        self.raw.close()


class LoopConnections:
    """The connections one event loop uses: a writer taken in turn, and a reader."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], timeout: float, database_path: str) -> None:
        self.writer = SQLiteConnection(connect, timeout)
        self.reader = SQLiteConnection(connect, timeout)
        self.write_lock = asyncio.Lock()
        self.wal_sync = WalSync(database_path)

    def close(self) -> None:
        self.writer.close()
        self.reader.close()
        self.wal_sync.close()


class ReusedConnectionTransaction(SQLiteTransaction):
    """A transaction on the loop's writer connection, held for the whole transaction."""

    __slots__ = ("_lock", "_connections", "_changes_before")

    async def __aenter__(self) -> ReusedConnectionTransaction:
        if self._parent is not None:
            return self._parent
        connections = self._connections = self.engine.loop_connections()
        self._lock = connections.write_lock
        await self._lock.acquire()
        try:
            self.connection = connections.writer
            self._changes_before = self.connection.raw.total_changes
            await self.begin()
        except BaseException:
            self._lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def begin(self) -> None:
        # Always IMMEDIATE (or EXCLUSIVE if asked): transactions in this process already take turns,
        # and one that starts by reading could otherwise fail to upgrade when another process writes.
        kind = "EXCLUSIVE" if self.transaction_type == TransactionType.exclusive else "IMMEDIATE"
        await self.connection.execute(f"BEGIN {kind}")

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        commit = None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
            if self._committed and self.connection.raw.total_changes != self._changes_before:
                commit = self._connections.wal_sync.committed()
        finally:
            if self.connection.raw.in_transaction:  # a failed commit: never hand on an open transaction
                self.connection.raw.rollback()
            self.engine.current_transaction.reset(self.context)
            self._lock.release()
        if commit is not None:  # the lock is free again: others commit while this waits for the disk
            await self._connections.wal_sync.durable(commit)
        return exception is None


class ReusedConnectionSQLiteEngine(SQLiteEngine):
    """SQLite that reuses its connections instead of opening one per query.

    Piccolo's SQLiteEngine opens a new aiosqlite connection (a new thread, file handle and pragmas)
    for every query, and concurrent writers then wait in SQLite's busy handler, which sleeps in steps
    of up to 100 ms: under load a page save took seconds. Here each event loop keeps one writer
    connection, used in turn through an asyncio lock (SQLite has one writer at a time anyway, and
    queueing in-process is fair), and one reader for statements outside a transaction (with WAL it
    sees the last commit while a transaction is open on the writer). Statements take microseconds
    here, so they run on the loop's thread rather than hopping to a worker thread each time.
    """

    __slots__ = ("busy_timeout", "_loops", "_loops_lock", "_checkpointer")
    commits_in_groups = True  # WalSync: one fsync for the commits waiting

    def __init__(self, path: str, timeout: float = 30.0) -> None:
        super().__init__(path=path, timeout=timeout)
        self.busy_timeout = timeout
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopConnections] = weakref.WeakKeyDictionary()
        self._loops_lock = threading.Lock()
        self._checkpointer: WalCheckpointer | None = None

    def _connect(self) -> sqlite3.Connection:
        kwargs = {**self.connection_kwargs, "timeout": 0, "check_same_thread": False}
        return sqlite3.connect(**kwargs)

    def loop_connections(self) -> LoopConnections:
        loop = asyncio.get_running_loop()
        connections = self._loops.get(loop)
        if connections is None:
            with self._loops_lock:
                connections = self._loops.get(loop)
                if connections is None:
                    connections = self._loops[loop] = LoopConnections(self._connect, self.busy_timeout, self.path)
                if self._checkpointer is None or not self._checkpointer.is_alive():
                    self._checkpointer = WalCheckpointer(self.path)
                    self._checkpointer.start()
        return connections

    async def close_connections(self) -> None:
        """Close this event loop's connections (at the end of the app's lifespan)."""
        with self._loops_lock:
            connections = self._loops.pop(asyncio.get_running_loop(), None)
        if connections is not None:
            try:  # let a transaction in flight finish, but never hang a shutdown on one
                await asyncio.wait_for(connections.write_lock.acquire(), timeout=self.busy_timeout)
            except asyncio.TimeoutError:
                pass
            connections.close()

    async def _run(self, sql: str, args: Any, wait_for_disk: bool = True) -> list[dict[str, Any]]:
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.execute(sql, args)
        connections = self.loop_connections()
        if _reads_only(sql):
            return await connections.reader.execute(sql, args)
        async with connections.write_lock:
            writer = connections.writer
            changes_before = writer.raw.total_changes
            rows = await writer.execute(sql, args)
            wrote = writer.raw.total_changes != changes_before or not sql.lstrip()[:6].upper().startswith("PRAGMA")
            commit = connections.wal_sync.committed() if wrote else None
        if commit is not None and wait_for_disk:  # a statement outside a transaction commits on its own
            await connections.wal_sync.durable(commit)
        return rows

    async def run_sql(self, sql: str, args: Any = (), wait_for_disk: bool = True) -> list[dict[str, Any]]:
        """A statement as it is (`?` placeholders), without Piccolo's query building: for the few
        fixed lookups every respondent request makes (surveys.storage.fixed_query). A write outside a
        transaction waits for the disk unless `wait_for_disk` is False (rate-limit counts)."""
        return await self._run(sql, args, wait_for_disk)

    async def run_querystring(self, querystring, in_pool: bool = False):
        notice_write(querystring)
        if querystring.query_type == "insert" and self.get_version_sync() < 3.35:
            return await super().run_querystring(querystring, in_pool)  # no RETURNING before 3.35
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=querystring.__str__())
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        response = await self._run(sql, args)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=ddl)
        response = await self._run(ddl, ())
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> ReusedConnectionTransaction:
        """Ends once its commit is on the disk (WalSync)."""
        return ReusedConnectionTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


class NoticingPostgresEngine(PostgresEngine):
    """PostgreSQL as Piccolo runs it, telling `surveys.storage.when_written` listeners of its writes."""

    async def run_querystring(self, querystring, in_pool: bool = True):
        notice_write(querystring)
        return await super().run_querystring(querystring, in_pool=in_pool)


def sqlite_path_from_url(url: str) -> str:
    """`sqlite:///var/x.sqlite3` is relative to the working directory, `sqlite:////abs/x` absolute."""
    rest = url.split(":", 1)[1]
    if not rest.startswith("///"):
        raise ValueError(f"DATABASE_URL for SQLite must look like sqlite:///path/file.sqlite3, not {url!r}")
    path = rest[3:]
    if path in {"", ":memory:"}:
        # Every event loop has connections of its own (and Piccolo's batch() opens more), so an
        # in-memory database would not be shared between them.
        raise ValueError("SQLite needs a file path (an in-memory database does not work with Piccolo)")
    return path


def engine_from_url(url: str) -> Engine:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = sqlite_path_from_url(url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return ReusedConnectionSQLiteEngine(path=path)
    if scheme in {"postgres", "postgresql"}:
        return NoticingPostgresEngine(config={"dsn": url})
    raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme or url!r}")


async def prepare_engine(engine: Engine) -> None:
    """Per-database settings that persist in the file (SQLite WAL) or a pool (PostgreSQL)."""
    if is_sqlite(engine):
        # WAL lets readers carry on while one writer writes; the setting is stored in the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def start_pool(engine: Engine, max_size: int = 10) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(max_size=max_size)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, ReusedConnectionSQLiteEngine):
        await engine.close_connections()


@asynccontextmanager
async def pool(engine: Engine) -> AsyncIterator[None]:
    await start_pool(engine)
    try:
        yield
    finally:
        await close_pool(engine)


async def migrate() -> None:
    """Run every app's migrations forwards (idempotent), quietly."""
    import contextlib
    import io

    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.conf.apps import Finder

    engine = Finder().get_engine()
    await prepare_engine(engine)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"Migrations failed: {result.message}\n{buffer.getvalue()}")
    if is_sqlite(engine):
        # New indexes (or a restored file) deserve fresh statistics; bounded by analysis_limit.
        await engine.run_ddl("PRAGMA analysis_limit = 400")
        await engine.run_ddl("PRAGMA optimize")


async def prepare_database() -> None:
    """Getting a database ready: migrations, then the published notice texts."""
    from consent.notices import publish_notice_files

    await migrate()
    await publish_notice_files()
