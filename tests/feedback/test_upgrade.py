"""An existing database survives the move of `feedback/` into feature packages.

The code of main before the move (commit PRE_MOVE) builds a database with its own CLI: migrations,
the demo (surveys, responses, stored theme codings, quotes, "you said, we did" updates) and a user.
Then today's code migrates the same database and must find every row, run no migration twice, and
serve the same data. Runs on SQLite, and on PostgreSQL in a database of its own when the suite does.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRE_MOVE = "0af1b35af679e51e8bd15fa1620d2dc8e380005a"  # main before feedback/ was split by feature

COUNT_ROWS = """
import asyncio, json
from piccolo.conf.apps import Finder
async def main():
    from feedback.database import migrate
    {migrate}
    engine = Finder().get_engine()
    counts = {{}}
    for table in ("workspace_user", "audit_log", "yswd_update", "yswd_event", "theme_codebook", "comment_coding",
                  "coded_comment", "quote", "survey_run", "survey_response", "consent_record"):
        counts[table] = (await engine.run_querystring(__import__("piccolo.querystring", fromlist=["QueryString"]).QueryString(
            f'SELECT COUNT(*) AS n FROM "{{table}}"')))[0]["n"]
    migrations = await engine.run_querystring(__import__("piccolo.querystring", fromlist=["QueryString"]).QueryString(
        'SELECT app_name, name FROM migration ORDER BY app_name, name'))
    print(json.dumps({{"counts": counts, "migrations": [[m["app_name"], m["name"]] for m in migrations]}}))
asyncio.run(main())
"""


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def old_code(tmp_path_factory) -> Path:
    if shutil.which("git") is None or _git("cat-file", "-e", f"{PRE_MOVE}^{{commit}}").returncode != 0:
        pytest.skip("the commit before the move is not in this clone's history")
    folder = tmp_path_factory.mktemp("pre-move")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", PRE_MOVE], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


@pytest.fixture
def database_url(tmp_path):
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'before-the-move.sqlite3'}"
        return
    import asyncpg

    name = f"upgrade_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    base, _, _ = url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}"'))


def _python(code_root: Path, database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(code_root), "PICCOLO_CONF": "feedback.piccolo_conf"}
    done = subprocess.run([sys.executable, *args], cwd=code_root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_database_made_before_the_move_migrates_and_keeps_every_row(old_code, database_url):
    where = _python(old_code, database_url, "-c", "import feedback; print(feedback.__file__)")
    assert where.strip().startswith(str(old_code)), "the old code, not today's, built the database"
    _python(old_code, database_url, "-m", "feedback", "demo", "--responses", "12", "--seed", "3")
    _python(old_code, database_url, "-c", (
        "import asyncio; from feedback.bootstrap import prepare_database; from feedback.auth import create_user\n"
        "async def main():\n    await prepare_database(); await create_user('before@example.org', 'officer', password='a long enough test password')\n"
        "asyncio.run(main())"))
    before = json.loads(_python(old_code, database_url, "-c", COUNT_ROWS.format(migrate="pass")))
    assert before["counts"]["survey_response"] > 0 and before["counts"]["yswd_update"] > 0 and before["counts"]["quote"] > 0

    after = json.loads(_python(ROOT, database_url, "-c", COUNT_ROWS.format(migrate="await migrate()")))
    assert after["counts"] == before["counts"]
    # New migrations (added since the move) may run; none of the old ones again, and none is missing.
    assert len({tuple(m) for m in after["migrations"]}) == len(after["migrations"]), "no migration ran again"
    assert [m for m in after["migrations"] if m in before["migrations"]] == before["migrations"], "none is missing"
    assert {"feedback", "surveys", "consent"} <= {app for app, _ in after["migrations"]}

    # Today's code reads the old rows through its own tables, and exports a survey the old code opened.
    check = _python(ROOT, database_url, "-c", (
        "import asyncio\n"
        "from feedback.accounts.tables import User\n"
        "from feedback.publishing.tables import Update\n"
        "from feedback.themes.tables import CommentCoding\n"
        "async def main():\n"
        "    user = await User.objects().where(User.email == 'before@example.org').first()\n"
        "    print(user.role, await Update.count() > 0, await CommentCoding.count() > 0)\n"
        "asyncio.run(main())"))
    assert check.split() == ["officer", "True", "True"]
    exported = _python(ROOT, database_url, "-m", "feedback", "export", "annual-2026-parents")
    assert exported.splitlines()[0].startswith("\ufeffrespondent_id") or exported.splitlines()[0].startswith("respondent_id")
    assert len(exported.splitlines()) > 1
