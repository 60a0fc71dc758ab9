"""`feedback backup PATH` and `feedback restore PATH`.

SQLite: an online backup through SQLite's own backup API (safe while the service runs), checked
with an integrity check. Restoring keeps a copy of the database it replaces. PostgreSQL: pg_dump's
custom format and pg_restore, which must be on the PATH (the README has the details).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from feedback.database import sqlite_path_from_url

REQUIRED_TABLES = {"survey_run", "survey_response", "consent_record", "migration"}


class BackupError(RuntimeError):
    pass


def _check_sqlite(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} failed SQLite's integrity check")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from error
    missing = REQUIRED_TABLES - tables
    if missing:
        raise BackupError(f"{path} is not a backup of this service (missing tables: {', '.join(sorted(missing))})")


def _new_private_file(path: Path) -> None:
    """Create `path` readable and writable by its owner only (0600), whatever the umask: a backup
    holds every answer and contact detail. Fails if the file exists, so nothing is overwritten."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)


def _copy_sqlite(source: Path, target: Path) -> None:
    if not target.exists():
        _new_private_file(target)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def backup(database_url: str, target: Path) -> str:
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("sqlite"):
        source = Path(sqlite_path_from_url(database_url))
        if not source.exists():
            raise BackupError(f"there is no database at {source}")
        _copy_sqlite(source, target)
        _check_sqlite(target)
        return f"Backed up {source} to {target} ({target.stat().st_size:,} bytes)."
    _new_private_file(target)  # pg_dump truncates and writes into it, keeping the mode
    try:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", database_url])
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    os.chmod(target, 0o600)
    return f"Backed up the PostgreSQL database to {target} ({target.stat().st_size:,} bytes, pg_dump custom format)."


def restore(database_url: str, source: Path) -> str:
    source = Path(source)
    if not source.exists():
        raise BackupError(f"there is no file at {source}")
    if database_url.startswith("sqlite"):
        _check_sqlite(source)
        live = Path(sqlite_path_from_url(database_url))
        kept = ""
        if live.exists():
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            safety = live.with_name(f"{live.name}.before-restore-{stamp}")
            _copy_sqlite(live, safety)
            kept = f" The database it replaced is kept at {safety}."
        live.parent.mkdir(parents=True, exist_ok=True)
        _copy_sqlite(source, live)
        return f"Restored {live} from {source}.{kept}"
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={database_url}", str(source)])
    return f"Restored the PostgreSQL database from {source}."


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools (e.g. apt-get install postgresql-client)")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
