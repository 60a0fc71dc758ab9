"""Browser test set-up: the real app under uvicorn, one Debian Chromium per session, one page per test.

The server runs in a subprocess against the same database as the rest of the suite (tests/conftest.py
sets DATABASE_URL and FEEDBACK_SECRET_KEY in os.environ and migrates at session start). Playwright
drives the system Chromium; it never downloads a browser. Without Chromium every test here is
skipped, with a reason the -ra summary shows.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DIST = ROOT / "feedback" / "static" / "dist"


def _find_chromium() -> str | None:
    """Debian's Chromium on PATH (or CHROMIUM_PATH, to use another build). Never a downloaded one."""
    wanted = os.environ.get("CHROMIUM_PATH")
    if wanted is not None:
        return wanted if os.access(wanted, os.X_OK) else None
    return shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)


CHROMIUM = _find_chromium()
NO_CHROMIUM = "Chromium not installed: browser tests skipped (apt-get install chromium)"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    import playwright.sync_api  # noqa: F401

    NO_PLAYWRIGHT = None
except ImportError:  # pragma: no cover - the dev extras include it
    NO_PLAYWRIGHT = "Playwright not installed: browser tests skipped (pip install -e '.[dev]')"


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test, and is skipped when it cannot drive Chromium."""
    reason = NO_CHROMIUM if CHROMIUM is None else NO_PLAYWRIGHT
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


SERVER_LOG: list[Path] = []  # the running server's log, quoted when a page gets a 5xx


def _server_log_tail(lines: int = 30) -> str:
    if not SERVER_LOG:
        return ""
    text = SERVER_LOG[-1].read_text(errors="replace").splitlines()[-lines:]
    return "\nserver log (last lines):\n" + "\n".join(text)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The real app, served by uvicorn on a free port; yields its base URL."""
    missing = [name for name in ("app.js", "app.css") if not (DIST / name).exists()]
    if missing:
        pytest.fail(f"front-end assets not built ({', '.join(missing)}): run `npm ci && npm run build`", pytrace=False)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="feedback-browser-server-", suffix=".log", delete=False)
    SERVER_LOG.append(Path(log.name))
    # os.environ already holds the suite's DATABASE_URL, FEEDBACK_SECRET_KEY and FEEDBACK_ENV.
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "feedback.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = Path(log.name).read_text(errors="replace")[-3000:]
                pytest.fail(f"the app did not start on {url}:\n{tail}", pytrace=False)
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)
        SERVER_LOG.remove(Path(log.name))


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests. Package scope, not session: Playwright's sync API
    keeps an event loop marked as running on this thread while it is started, and the rest of the
    suite (run after this folder) calls asyncio.run(), which refuses to start inside one."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


_addresses = itertools.count()


class PageProblems:
    """What a page did wrong outside the assertions: server errors, script errors, CSP violations."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page) -> None:
        page.on("response", lambda r: r.status >= 500 and self.items.append(f"HTTP {r.status} from {r.url}"))
        page.on("pageerror", lambda e: self.items.append(f"script error on {page.url}: {e}"))
        page.on("console", lambda m: m.type == "error" and self.items.append(f"console error on {page.url}: {m.text}"))


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """Opens a page in a fresh context (own cookies); options go to browser.new_context.

    After the test, fails if any page answered 5xx, threw a script error or logged a console error
    (a CSP violation shows up as one). Expected 4xx responses (404, 410, 422) log a console error in
    Chromium, so those lines are ignored.
    """
    contexts = []
    problems = PageProblems()

    def open_page(**options):
        options.setdefault("viewport", {"width": 1024, "height": 768})
        # Each context is its own visitor: uvicorn trusts X-Forwarded-For from 127.0.0.1, so the
        # app's per-client rate limits count each test separately, as they would separate people.
        address = f"198.51.100.{next(_addresses) % 250 + 1}"
        options.setdefault("extra_http_headers", {"X-Forwarded-For": address})
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    real = [p for p in problems.items if "the server responded with a status of 4" not in p]
    server_errors = any(p.startswith("HTTP 5") for p in real)
    assert not real, "problems seen in the browser:\n" + "\n".join(real) + (_server_log_tail() if server_errors else "")


@pytest.fixture
def page(new_page):
    return new_page()
