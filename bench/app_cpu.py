"""What the application itself costs per request, without HTTP or a second process.

`journey.py` measures the real server, but on a small machine its figures move with whatever else is
running. This calls the Litestar app directly (ASGI, in one process, one request at a time, asking
for gzip like a browser) through the same journey, and reports the CPU milliseconds spent inside the
app per request (the quickest of several rounds, and their median; this client's own work apart): use it
to compare a change to the application before and after. The server adds its HTTP parsing and event
loop on top (uvicorn with h11 adds roughly another third).

    .venv/bin/python bench/app_cpu.py [--journeys 20] [--rounds 5] 2>/dev/null   # the access log goes to stderr
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SLUG = "bench-parents"
RESULTS = ROOT / "bench" / "results" / "app_cpu.json"


class Browser:
    """Cookies and requests against an ASGI app, the minimum a JavaScript-off browser does."""

    def __init__(self, app, address: str):
        self.app = app
        self.address = address  # public posts are rate limited per client address
        self.cookies: dict[str, str] = {}
        self.app_cpu = 0.0  # CPU seconds spent inside the app (the server's share, without this client's)

    async def request(self, method: str, url: str, form: dict | None = None) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(url)
        body = urlencode(form or {}, doseq=True).encode()
        headers = [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip"), (b"user-agent", b"app-cpu-bench")]
        if self.cookies:
            headers.append((b"cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()).encode()))
        if method == "POST":
            headers += [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", str(len(body)).encode())]
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": parts.path, "raw_path": parts.path.encode(), "query_string": parts.query.encode(), "root_path": "",
            "headers": headers, "client": (self.address, 50000), "server": ("127.0.0.1", 8000), "state": {},
        }
        incoming = [{"type": "http.request", "body": body, "more_body": False}]
        started, chunks = [], []

        async def receive():
            return incoming.pop(0) if incoming else {"type": "http.disconnect"}

        async def send(message):  # kept as it came: the client's work is done after the app returns
            if message["type"] == "http.response.start":
                started.append(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        before = time.process_time()
        await self.app(scope, receive, send)
        self.app_cpu += time.process_time() - before
        status, response_headers = started[0]["status"], {}
        for name, value in started[0].get("headers", []):
            name, value = name.decode().lower(), value.decode()
            if name == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.value
            response_headers[name] = value
        raw = b"".join(chunks)
        if response_headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        return status, response_headers, raw.decode()


async def journeys(app, count: int) -> tuple[int, float, list[float], float]:
    """`count` journeys one after another: (requests, CPU seconds in all, each journey's, inside the app)."""
    from journey import ADDRESSES, fill, form_on, kind_of, reference_on, with_token

    requests = 0
    per_journey = []
    in_app = 0.0
    for _ in range(count):
        browser = Browser(app, next(ADDRESSES))
        started = time.process_time()
        url = f"/s/{SLUG}"
        status, _, page = await browser.request("GET", url)
        for _step in range(80):
            assert status == 200, f"GET {url}: {status}"
            if reference_on(page):
                break
            form, token = form_on(page)
            data = with_token(fill(form), token)
            target = urljoin(url, form.action or url)
            form_data: dict[str, list[str]] = {}
            for name, value in data:
                form_data.setdefault(name, []).append(value)
            status, headers, _ = await browser.request("POST", target, form_data)
            assert status == 303, f"POST {kind_of('POST', target)}: {status}"
            url = urljoin(target, headers["location"])
            status, _, page = await browser.request("GET", url)
            requests += 2
        else:
            raise AssertionError("the journey did not end")
        requests += 1
        per_journey.append(time.process_time() - started)
        in_app += browser.app_cpu
    return requests, sum(per_journey), per_journey, in_app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=20, help="journeys a round (default 20)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds (default 5): the quickest is the steadiest figure when other work shares the machine")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="feedback-app-cpu-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        FEEDBACK_SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789abcdef",
        FEEDBACK_ENV="development",
        PICCOLO_CONF="feedback.piccolo_conf",
    )
    from feedback.app import create_app
    from feedback.database import prepare_database
    from surveys.instrument import built_in_instruments
    from surveys.runs import open_run

    async def run() -> None:
        await prepare_database()
        await open_run(built_in_instruments()["annual-send-parent"], slug=SLUG)
        app = create_app()
        async with app.lifespan():
            await journeys(app, 3)  # warm: templates compiled, caches filled
            rounds, with_client = [], []
            for _ in range(args.rounds):
                requests, cpu, per_journey, in_app = await journeys(app, args.journeys)
                rounds.append(1000 * in_app / requests)
                with_client.append(1000 * cpu / requests)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps({
            "ms_per_request_quickest_round": round(min(rounds), 3), "ms_per_request_median": round(statistics.median(rounds), 3),
            "rounds": [round(r, 3) for r in rounds], "journeys_a_round": args.journeys, "requests_a_round": requests,
            "with_client_ms_per_request_quickest_round": round(min(with_client), 3),
            "load_average": round(os.getloadavg()[0], 2), "target_ms": 1.0,
        }, indent=2) + "\n")
        print(
            f"{args.rounds} rounds of {args.journeys} journeys ({requests} requests each): "
            f"{min(rounds):.3f} ms CPU a request in the quickest round, {statistics.median(rounds):.3f} median "
            f"(rounds: {', '.join(f'{r:.2f}' for r in rounds)}); with this in-process client's own work "
            f"{min(with_client):.3f}; load average {os.getloadavg()[0]:.2f}"
        )

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
