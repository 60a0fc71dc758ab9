"""Test set-up: a throwaway database (a temporary SQLite file, or the PostgreSQL in DATABASE_URL),
migrated once per session. Tests make their own survey runs with unique slugs, so they never
depend on each other's data."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from pathlib import Path

import pytest

_tmp = Path(tempfile.mkdtemp(prefix="feedback-tests-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp / 'test.sqlite3'}")
os.environ.setdefault("FEEDBACK_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ["FEEDBACK_ENV"] = "development"
# The suite posts far faster than any person; the limit itself is tested on its own.
os.environ["FEEDBACK_PUBLIC_POSTS_PER_MINUTE"] = "0"
os.environ["PICCOLO_CONF"] = "feedback.piccolo_conf"

from feedback.settings import load_settings  # noqa: E402

async def _reset_postgres() -> None:
    """Drop every table the apps declare, the rate limits' shared tables (a run within minutes of the
    last would otherwise start throttled) and the migration log, so each run migrates from scratch."""
    from piccolo.conf.apps import Finder

    from feedback.rate_limit import SHARED_TABLES

    finder = Finder()
    engine = finder.get_engine()
    for name in [*(table._meta.tablename for table in finder.get_table_classes()), *SHARED_TABLES, "migration"]:
        await engine.run_ddl(f'DROP TABLE IF EXISTS "{name}" CASCADE')


def run(awaitable):
    """Run one coroutine or Piccolo query from a synchronous test (each gets its own event loop)."""

    async def wait():
        return await awaitable

    return asyncio.run(wait())


def pytest_sessionstart(session):
    from feedback.database import prepare_database

    if os.environ["DATABASE_URL"].startswith("postgres"):
        run(_reset_postgres())
    run(prepare_database())


def pytest_report_header(config):
    url = os.environ["DATABASE_URL"]
    return f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'} ({url.split('@')[-1]})"


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def app(settings):
    from feedback.app import create_app

    return create_app(settings, manage_pool=False)


@pytest.fixture
def client(app):
    from litestar.testing import TestClient

    with TestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


def unique_slug(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def open_test_run(instrument_key: str = "annual-send-parent", **kwargs):
    from surveys.instrument import built_in_instruments
    from surveys.runs import open_run

    instrument = built_in_instruments()[instrument_key]
    return run(open_run(instrument, slug=unique_slug(kwargs.pop("prefix", "test")), **kwargs))


@pytest.fixture
def parent_run():
    return open_test_run("annual-send-parent")


@pytest.fixture
def young_person_run():
    return open_test_run("annual-send-young-person")
