"""The journey on PostgreSQL with 1, 2 and 4 app workers (`make bench`; issue 17, scale-out).

For each worker count it makes a fresh PostgreSQL database, starts `feedback serve --workers N` on a
free loopback port and drives the same no-JS respondents as bench/journey.py (imported, not copied),
then prints requests/s, page saves/s and p95 latency. It reports, it does not fail: exit status 0 when
figures are poor, non-zero only when something broke (a 5xx, a failed request, the server falling over).
PostgreSQL comes from FEEDBACK_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432, trust
auth); when it cannot be reached the bench says so and is skipped. The database it uses is dropped after.

    .venv/bin/python bench/workers.py [--workers 1 2 4] [--concurrency 100] [--duration 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import journey  # noqa: E402  (bench/journey.py: the server wrapper and the respondents)

DATABASE = "feedback_bench_workers"


def _psql(base_url: str, sql: str) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", f"{base_url}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
                          capture_output=True, text=True, timeout=60)


def run_one(base_url: str, workers: int, concurrency: int, duration: float, workdir: Path) -> dict:
    dropped = _psql(base_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    created = _psql(base_url, f"CREATE DATABASE {DATABASE}")
    if dropped.returncode or created.returncode:
        raise RuntimeError(f"could not make the database: {dropped.stderr}{created.stderr}")
    env = journey.environment(f"{base_url}/{DATABASE}")
    server = None
    try:
        journey.prepare(env)
        server = journey.Server(env, journey.free_port(), workdir / f"server-{workers}.log", workers)
        server.wait_until_healthy()
        warm, _ = asyncio.run(journey.drive(server.base_url, 10, 10, 60.0))
        recorder, elapsed = asyncio.run(journey.drive(server.base_url, concurrency, 10**6, duration))
        alive = server.process.poll() is None
    finally:
        if server is not None:
            server.stop()
        _psql(base_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    everything = [v for values in recorder.latencies.values() for v in values]
    saves = recorder.latencies.get(journey.PAGE_SAVE, [])
    elapsed = max(elapsed, 1e-9)
    return {
        "workers": workers,
        "requests_per_s": round(len(everything) / elapsed, 1),
        "page_saves_per_s": round(len(saves) / elapsed, 1),
        "p95_ms": round(journey.percentile(everything, 95) * 1000, 1),
        "page_save_p95_ms": round(journey.percentile(saves, 95) * 1000, 1),
        "errors": warm.error_count + recorder.error_count,
        "server_errors": warm.server_errors + recorder.server_errors,
        "first_errors": (warm.errors + recorder.errors)[:5],
        "alive": alive,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=journey.TARGET_CONCURRENCY)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per worker count (default 20)")
    args = parser.parse_args(argv)
    base_url = os.environ.get("FEEDBACK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
    if urlsplit(base_url).path not in ("", "/"):
        parser.error("FEEDBACK_BENCH_POSTGRES_URL names a server, not a database")
    probe = _psql(base_url, "SELECT 1")
    if probe.returncode:
        print(f"bench/workers.py skipped: PostgreSQL at {base_url} cannot be reached ({probe.stderr.strip()})")
        return 0
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min) on {os.cpu_count()} cores")
    broken = False
    with tempfile.TemporaryDirectory(prefix="feedback-bench-workers-") as workdir:
        for workers in args.workers:
            started = time.perf_counter()
            try:
                result = run_one(base_url, workers, args.concurrency, args.duration, Path(workdir))
            except Exception as exc:  # noqa: BLE001 - report what broke and go on to the next count
                print(f"{workers} worker(s): FAILED: {exc}")
                broken = True
                continue
            broken |= bool(result["errors"]) or not result["alive"]
            print(
                f"{workers} worker(s), {args.concurrency} concurrent, PostgreSQL: {result['requests_per_s']:.1f} requests/s "
                f"(p95 {result['p95_ms']:.0f} ms), {result['page_saves_per_s']:.1f} page saves/s "
                f"(p95 {result['page_save_p95_ms']:.0f} ms), {result['errors']} failed requests "
                f"({result['server_errors']} 5xx) [{time.perf_counter() - started:.0f} s]",
                flush=True,
            )
            if result["first_errors"]:
                print("   first errors: " + "; ".join(result["first_errors"]))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
