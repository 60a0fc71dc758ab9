"""How long the results page of the parents' annual survey takes on the demo data (300 responses a
year, 2024-2026), called through the real app in one process (Litestar's test client), as an admin.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/results_page.py [--repeat 5] [--profile]

Without DATABASE_URL it makes a throwaway SQLite database and seeds it with `feedback demo`. It
reports the first request (nothing cached) and the later ones (the computed figures cached per run,
keyed on the run's last change), and the board report downloads. `--profile` prints a cProfile of
one uncached request. It reports; it never fails on a timing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--slug", default="annual-2026-parents")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("FEEDBACK_SECRET_KEY", "bench-results-page-" + "x" * 32)
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="bench-results-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/demo.sqlite3"
        python = sys.executable
        subprocess.run([python, "-m", "feedback", "migrate"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run([python, "-m", "feedback", "demo"], cwd=ROOT, check=True, capture_output=True)

    from litestar.testing import TestClient

    from feedback.accounts.auth import create_user
    from feedback.app import create_app
    from feedback.settings import load_settings
    from surveys.runs import get_run
    from tests.conftest import run
    from tests.walker import csrf_token

    app = create_app(load_settings(), manage_pool=False)
    email, password = f"bench-{uuid.uuid4().hex[:8]}@example.org", "bench-password-long-enough-1"
    with TestClient(app=app, base_url="http://testserver.local") as client:
        run(create_user(email, "admin", password=password))
        page = client.get("/login")
        client.post("/login", data={"_csrf_token": csrf_token(page.text), "email": email, "password": password})
        survey = run(get_run(args.slug))
        if survey is None:
            print(f"no survey {args.slug}: run `feedback demo` first", file=sys.stderr)
            return 1
        url = f"/workspace/surveys/{survey.id}/analysis"

        cpu: list[float] = []

        def timed(path: str) -> float:
            """Wall-clock seconds; the CPU seconds of this process go to `cpu` (steadier on a busy machine)."""
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            cpu.append(time.process_time() - started_cpu)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code}")
            return elapsed

        try:
            from feedback.results import cache
        except ImportError:  # before the cache existed: every request computes everything
            cache = None
        clear = cache.clear if cache else (lambda: None)
        clear()
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            timed(url)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            clear()
        cpu.clear()
        first = timed(url)
        later = [timed(url) for _ in range(args.repeat)]
        print(f"results page {args.slug}: first {first * 1000:.0f} ms (CPU {cpu[0] * 1000:.0f} ms), then median"
              f" {statistics.median(later) * 1000:.0f} ms (CPU {statistics.median(cpu[1:]) * 1000:.0f} ms) over {len(later)}"
              f" (min {min(later) * 1000:.0f}, max {max(later) * 1000:.0f}); load average {os.getloadavg()[0]:.1f}")
        for name in ("board-report.docx", "board-report.pdf"):
            wall = timed(f"{url}/{name}")
            print(f"{name}: {wall * 1000:.0f} ms (CPU {cpu[-1] * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
