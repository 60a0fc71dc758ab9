"""Operations: backup and restore lose nothing; structured logs."""

import json
import logging
import os

import pytest

from feedback.cli import main
from surveys.responses import submitted_responses
from surveys.runs import get_run
from surveys.tables import Response
from tests.conftest import run
from tests.walker import Walker


def test_backup_then_restore_loses_nothing(client, parent_run, tmp_path, capsys):
    if not os.environ["DATABASE_URL"].startswith("sqlite"):
        import shutil
        if not shutil.which("pg_dump"):
            pytest.skip("pg_dump is not installed")
    first = Walker(client).complete(f"/s/{parent_run.slug}")
    client.cookies.clear()
    second = Walker(client).complete(f"/s/{parent_run.slug}")
    before = {r.reference: r.answers for r in run(submitted_responses(parent_run.id))}
    assert set(before) == {first, second}

    backup_file = tmp_path / "backup.db"
    assert main(["backup", str(backup_file)]) == 0
    assert "Backed up" in capsys.readouterr().out
    assert main(["backup", str(backup_file)]) == 1  # never overwrites an earlier backup
    assert "already exists" in capsys.readouterr().err

    # disaster: a response is lost and another is changed
    run(Response.delete().where(Response.reference == first))
    run(Response.update({Response.answers: {}}).where(Response.reference == second))

    assert main(["restore", str(backup_file)]) == 0
    assert "Restored" in capsys.readouterr().out
    survey = run(get_run(parent_run.slug))
    after = {r.reference: r.answers for r in run(submitted_responses(survey.id))}
    assert after == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, capsys):
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    assert main(["restore", str(junk)]) == 1
    assert "Restore failed" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.db")]) == 1


def test_json_logs_have_method_path_and_status():
    from feedback.logs import JsonFormatter

    record = logging.LogRecord("feedback.access", logging.INFO, __file__, 1, "%s %s %s", ("POST", "/s/x/start", 303), None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["method"] == "POST" and entry["path"] == "/s/x/start" and entry["status"] == 303
    assert entry["level"] == "info" and entry["time"].endswith("+00:00")


def test_the_log_thread_writes_each_record_as_configured_with_its_fields(capsys):
    from feedback.logs import JsonFormatter, LogQueueHandler

    handler = LogQueueHandler()  # what the app's logging config uses: records are formatted off the request's path
    handler.setFormatter(JsonFormatter())
    handler.handle(logging.LogRecord("feedback.access", logging.INFO, __file__, 1, "%s %s %s", ("GET", "/s/{slug}", 200), None))
    handler.close()  # waits until the queue is written out
    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["message"] == "GET /s/{slug} 200"
    assert entry["method"] == "GET" and entry["path"] == "/s/{slug}" and entry["status"] == 200
