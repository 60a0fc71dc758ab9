"""Several app processes on one database behave as one (issue 17, item 4): two real `feedback serve`
processes on two loopback ports, the suite's database (SQLite or PostgreSQL) behind both. Wrong
passwords through one are slowed on the other, a public POST limit reached through one holds on the
other, and a codebook edit through one shows through the other. `feedback serve --workers 2` runs
two worker processes on one port, on SQLite too."""

from __future__ import annotations

import contextlib
import os
import uuid

import httpx
import pytest

from tests.conftest import run
from tests.feedback.test_durability import free_port, start_server
from tests.walker import csrf_token
from tests.workspace_client import PASSWORD, make_user

@pytest.fixture
def two_servers(tmp_path):
    # Both processes start with the same limits; a low public-post limit so a test can reach it.
    servers, urls = [], []
    with open(tmp_path / "servers.log", "wb") as log:
        try:
            for _ in range(2):
                port = free_port()
                servers.append(start_server(port, log, public_posts_per_minute="5"))
                urls.append(f"http://127.0.0.1:{port}")
            yield urls
        finally:
            for server in servers:
                server.terminate()
                server.wait(20)


def sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    page = client.get("/login")
    return client.post("/login", data={"_csrf_token": csrf_token(page.text), "email": email, "password": password, "next": "/workspace"})


def test_wrong_passwords_through_one_process_are_slowed_on_the_other(two_servers):
    first, second = two_servers
    email = make_user("officer")
    with httpx.Client(base_url=first) as one, httpx.Client(base_url=second) as other:
        for _ in range(5):
            assert sign_in(one, email, "wrong password!!").status_code == 422
        slowed = sign_in(other, email, PASSWORD)
        assert slowed.status_code == 429
        assert "Too many attempts. Wait" in slowed.text
        assert 0 < int(slowed.headers["retry-after"]) <= 60


def test_the_stored_counts_name_no_email_or_address_and_expired_ones_are_deleted(two_servers):
    from feedback.themes.tables import CommentCoding

    first, _ = two_servers
    email = make_user("officer")
    old = uuid.uuid4().hex + uuid.uuid4().hex
    run(CommentCoding.raw("INSERT INTO failure_throttle (key, count, last, expires) VALUES ({}, 3, 1.0, 2.0)", old))
    with httpx.Client(base_url=first) as one:
        assert sign_in(one, email, "wrong password!!").status_code == 422  # a new process's first count tidies up
    assert run(CommentCoding.raw("SELECT key FROM failure_throttle WHERE key = {}", old)) == []

    rows = run(CommentCoding.raw("SELECT key FROM failure_throttle UNION ALL SELECT key FROM rate_limit_hit"))
    assert rows, "the counts were not stored in the database"
    for row in rows:
        assert email not in row["key"] and "127.0.0.1" not in row["key"] and len(row["key"]) == 64


def test_a_public_post_limit_reached_through_one_process_holds_on_the_other(two_servers):
    first, second = two_servers
    with httpx.Client(base_url=first) as one, httpx.Client(base_url=second) as other:
        tokens = {client: csrf_token(client.get("/withdraw").text) for client in (one, other)}
        statuses = []
        for client in (one, other) * 4:
            statuses.append(client.post("/withdraw", data={"_csrf_token": tokens[client], "reference": "ABCD-EFGH-JKLM"}).status_code)
        assert 429 in statuses, statuses
        refused_from = statuses.index(429)
        assert refused_from <= 5, statuses  # five a minute in all, not five through each process
        assert all(status == 429 for status in statuses[refused_from:]), statuses


def test_a_codebook_edit_through_one_process_shows_through_the_other(two_servers):
    first, second = two_servers
    email = make_user("officer")
    key = f"leisure_{uuid.uuid4().hex[:6]}"
    with httpx.Client(base_url=first) as one, httpx.Client(base_url=second) as other:
        assert sign_in(other, email, PASSWORD).status_code == 303
        assert key not in other.get("/workspace/themes").text  # the other process has read (and cached) the codebook
        assert sign_in(one, email, PASSWORD).status_code == 303
        form = one.get("/workspace/themes/new")
        saved = one.post("/workspace/themes/new", data={
            "_csrf_token": csrf_token(form.text), "key": key, "label": "Leisure and parks", "description": "", "include": "bouncy*", "exclude": ""})
        assert saved.status_code == 303
        assert key in other.get("/workspace/themes").text


def test_two_officers_editing_two_themes_at_once_through_two_processes_both_keep_their_edit(two_servers):
    """Found by attacking two workers: each save built its version from the codebook it had read
    before the other's save was stored, so one officer's edit was silently undone (4 rounds in 9)."""
    import threading

    first, second = two_servers
    email = make_user("officer")
    with httpx.Client(base_url=first) as one, httpx.Client(base_url=second) as other:
        for client in (one, other):
            assert sign_in(client, email, PASSWORD).status_code == 303
        for round_number in range(4):
            labels = {}
            forms = {}
            for client, key in ((one, "ehc_quality"), (other, "ehc_timeliness")):
                page = client.get(f"/workspace/themes/{key}/edit")
                assert page.status_code == 200, page.status_code
                forms[client] = (key, page.text)
            barrier = threading.Barrier(2)
            statuses = {}

            def save(client):
                key, page = forms[client]
                labels[key] = f"Round {round_number} {uuid.uuid4().hex[:6]}"
                data = {"_csrf_token": csrf_token(page), "label": labels[key], "description": "",
                        "include": field_text(page, "include"), "exclude": field_text(page, "exclude")}
                barrier.wait()
                statuses[key] = client.post(f"/workspace/themes/{key}/edit", data=data).status_code

            threads = [threading.Thread(target=save, args=(client,)) for client in (one, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            assert statuses == {"ehc_quality": 303, "ehc_timeliness": 303}, statuses
            listing = one.get("/workspace/themes").text
            assert all(label in listing for label in labels.values()), (round_number, labels)


def field_text(page: str, name: str) -> str:
    import html
    import re

    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(found.group(1)).strip("\n") if found else ""


def test_killing_the_server_process_stops_its_workers_and_frees_the_port(tmp_path):
    """Found by attacking two workers: `kill -9` of the server left both workers serving (orphans
    holding the port), and starting the server again failed with "Address already in use"."""
    import signal
    import time

    from tests.feedback.test_durability import free_port, start_server, worker_processes

    port = free_port()
    with open(tmp_path / "server.log", "wb") as log:
        server = start_server(port, log, workers=2)
        workers = worker_processes(server.pid)
        try:
            os.kill(server.pid, signal.SIGKILL)  # the parent only, as `kill -9 <pid>` does
            server.wait(10)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and any(os.path.exists(f"/proc/{pid}") and not _zombie(pid) for pid in workers):
                time.sleep(0.1)
            assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}") and not _zombie(pid)]
            restarted = start_server(port, log)  # the port is free again
            restarted.terminate()
            restarted.wait(20)
        finally:
            for pid in workers:  # whatever a failure above left running
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
