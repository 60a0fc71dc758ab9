"""The database engine chosen by DATABASE_URL, migrations, and the helpers that hide engine quirks.

SQLite is the embedded default and PostgreSQL the production database. Piccolo differs between them
in small ways that matter under load; every caller goes through the helpers here instead.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from surveys.storage import is_sqlite, is_unique_violation, writing_transaction  # noqa: F401


class SQLiteWithTimeout(SQLiteEngine):
    """SQLite with a busy timeout, so concurrent writers wait instead of failing at once."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=30)


def sqlite_path_from_url(url: str) -> str:
    """`sqlite:///var/x.sqlite3` is relative to the working directory, `sqlite:////abs/x` absolute."""
    rest = url.split(":", 1)[1]
    if not rest.startswith("///"):
        raise ValueError(f"DATABASE_URL for SQLite must look like sqlite:///path/file.sqlite3, not {url!r}")
    path = rest[3:]
    if path in {"", ":memory:"}:
        # Piccolo opens a connection per query, so an in-memory database would vanish between them.
        raise ValueError("SQLite needs a file path (an in-memory database does not work with Piccolo)")
    return path


def engine_from_url(url: str) -> Engine:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = sqlite_path_from_url(url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteWithTimeout(path=path)
    if scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": url})
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
