"""Database helpers that hide the differences between SQLite and PostgreSQL.

They live here, not in the application shell, because the domain code that writes needs them and
must not import the web layer; `feedback.database` re-exports them.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Callable

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import TransactionType
from piccolo.querystring import QueryString

try:  # asyncpg comes with piccolo[postgres]
    from asyncpg.exceptions import UniqueViolationError as _PgUniqueViolation
except ImportError:  # pragma: no cover
    _PgUniqueViolation = None


# Callbacks run when this process writes a table through Piccolo (both engines call `notice_write`).
_write_listeners: dict[str, list[Callable[[], None]]] = {}
_WRITTEN_TABLE = re.compile(r'(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def when_written(tablename: str, callback: Callable[[], None]) -> None:
    """Calls `callback` whenever this process writes `tablename` through Piccolo (raw SQL included)."""
    _write_listeners.setdefault(tablename, []).append(callback)


def _statement_start(querystring) -> str:
    # Piccolo nests its statements ('{} WHERE {}' around 'UPDATE "t" SET ...'): the first text is the verb.
    for _ in range(8):
        template = querystring.template.lstrip()
        if not template.startswith("{}") or not querystring.args or not isinstance(querystring.args[0], QueryString):
            return template
        querystring = querystring.args[0]
    return ""


def notice_write(querystring) -> None:
    """Called by the engines before every Piccolo query: tells the listeners of a table it writes."""
    if not _write_listeners:
        return
    start = _statement_start(querystring)
    if start[:6].upper() in ("UPDATE", "INSERT", "DELETE"):
        written = _WRITTEN_TABLE.match(start)
        for callback in _write_listeners.get(written.group(1) if written else "", ()):
            callback()


def is_sqlite(engine: Engine) -> bool:
    return engine.engine_type == "sqlite"


def writing_transaction(engine: Engine):
    """A transaction for read-then-write work.

    On SQLite it must be IMMEDIATE: a deferred transaction that reads and then writes fails with
    "database is locked" when another writer got there first. PostgreSQL takes no such argument.
    """
    if is_sqlite(engine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def is_unique_violation(error: BaseException) -> bool:
    """True when an insert or update broke a unique constraint, on either driver."""
    if isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error).upper():
        return True
    return _PgUniqueViolation is not None and isinstance(error, _PgUniqueViolation)


async def lock_row(table, row_id: int) -> None:
    """Inside a writing transaction, hold one row until it ends. PostgreSQL's default isolation
    lets two read-then-write transactions both read the old value; SELECT ... FOR UPDATE makes the
    second wait. SQLite's IMMEDIATE transaction already admits one writer at a time."""
    engine = table._meta.db
    if not is_sqlite(engine):
        await table.raw(f'SELECT id FROM "{table._meta.tablename}" WHERE id = {{}} FOR UPDATE', row_id)


async def fixed_query(table, sql: str, *args) -> list[dict]:
    """A fixed statement with `{}` placeholders (`table.raw`'s form). Our SQLite engine takes it as
    it is (`run_sql`): Piccolo's query building costs more than the hot lookups themselves. Any other
    engine (PostgreSQL) goes through Piccolo's raw query. Rows come back as dicts either way."""
    engine = table._meta.db
    run_sql = getattr(engine, "run_sql", None)
    if run_sql is not None:
        return await run_sql(sql.replace("{}", "?"), args)
    return [dict(row) for row in await table.raw(sql, *args)]
