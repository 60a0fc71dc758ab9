"""Durability: every page save the server acknowledged survives the process being killed.

The real server (`feedback serve`) runs in a subprocess on a loopback port against the suite's
database; twenty respondents save pages concurrently through plain HTML forms; the server gets
SIGKILL in the middle of the load (no shutdown, no lifespan end, no flush); it is started again,
and every save a respondent received a 303 for must be in the database, as must every submission
whose confirmation page was shown.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from surveys.codes import hash_token
from surveys.tables import Response
from tests.conftest import open_test_run, run
from tests.walker import _as_dict, fill, parse_forms, reference_on

ROOT = Path(__file__).resolve().parents[2]
RESPONDENTS = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, log, public_posts_per_minute: str = "0", workers: int = 1) -> subprocess.Popen:
    """`feedback serve` in a session of its own, so `os.killpg(process.pid, ...)` reaches its workers."""
    env = dict(os.environ, FEEDBACK_PUBLIC_POSTS_PER_MINUTE=public_posts_per_minute)
    command = [sys.executable, "-m", "feedback", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the server did not come up")


class Respondent:
    def __init__(self, base_url: str):
        self.client = httpx.AsyncClient(base_url=base_url, timeout=10, follow_redirects=False)
        self.acknowledged_saves = 0
        self.reference: str | None = None

    async def answer_until_stopped(self, slug: str) -> None:
        try:
            page = await self.client.get(f"/s/{slug}")
            assert page.status_code == 200, page.status_code
            while page.status_code == 200:
                reference = reference_on(page.text)
                if reference:
                    self.reference = reference
                    return
                form = next(f for f in parse_forms(page.text) if f.method == "post")
                data = fill(form)
                buttons = form.buttons()
                if buttons and buttons[0].name:
                    data.append((buttons[0].name, buttons[0].value))
                url = urljoin(str(page.url), form.action or str(page.url))
                posted = await self.client.post(url, data=_as_dict(data))
                assert posted.status_code == 303, (url, posted.status_code)
                if "/q/" in url:
                    self.acknowledged_saves += 1  # the client has its 303: the save was promised
                page = await self.client.get(urljoin(url, posted.headers["location"]))
        except httpx.TransportError:
            return  # the server was killed under this request: it was never acknowledged

    def stored_draft(self) -> dict | None:
        hashes = [hash_token(value) for value in self.client.cookies.values()]
        rows = run(Response.select(Response.pages_saved, Response.status, Response.reference).where(
            Response.browser_token_hash.is_in(hashes or ["none"])))
        return rows[0] if rows else None


def worker_processes(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return children


@pytest.mark.parametrize("workers", [1, 2])
def test_every_acknowledged_save_survives_sigkill(tmp_path, workers):
    """SIGKILL under load, of the one process or of every worker at once (`--workers 2`)."""
    survey = open_test_run("annual-send-parent", prefix="durable")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "server.log", "wb") as log:
        server = start_server(port, log, workers=workers)
        if workers > 1:
            assert len(worker_processes(server.pid)) >= workers  # uvicorn's workers (and its resource tracker)
        respondents = [Respondent(base_url) for _ in range(RESPONDENTS)]

        async def load_then_kill():
            tasks = [asyncio.create_task(r.answer_until_stopped(survey.slug)) for r in respondents]
            # Kill once saves are flowing (bounded: a slow machine kills at the deadline anyway).
            deadline = time.monotonic() + 20
            while sum(r.acknowledged_saves for r in respondents) < 3 * RESPONDENTS and time.monotonic() < deadline:
                if all(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.05)
            os.killpg(server.pid, signal.SIGKILL)  # the server and every worker, at the same moment
            await asyncio.wait_for(asyncio.gather(*tasks), 30)
            for r in respondents:
                await r.client.aclose()

        try:
            asyncio.run(load_then_kill())
            assert server.wait(10) == -signal.SIGKILL
            restarted = start_server(port, log)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
        try:
            acknowledged = sum(r.acknowledged_saves for r in respondents)
            assert acknowledged >= RESPONDENTS, "too little load reached the server before the kill"
            for respondent in respondents:
                stored = respondent.stored_draft()
                if respondent.acknowledged_saves or respondent.reference:
                    assert stored is not None, "a respondent whose saves were acknowledged has no stored draft"
                    assert stored["pages_saved"] >= respondent.acknowledged_saves
                if respondent.reference:
                    assert stored["status"] == "submitted" and stored["reference"] == respondent.reference
            # The restarted server carries on: a respondent comes back to their survey.
            someone = next(r for r in respondents if r.acknowledged_saves)
            cookies = dict(someone.client.cookies)
            assert httpx.get(f"{base_url}/s/{survey.slug}", cookies=cookies, timeout=10, follow_redirects=True).status_code == 200
        finally:
            restarted.send_signal(signal.SIGINT)
            try:
                restarted.wait(15)
            except subprocess.TimeoutExpired:
                restarted.kill()
