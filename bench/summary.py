"""The figures issue 17 asks for, from the last `make bench` (bench/results/*.json), on one screen.

    .venv/bin/python bench/summary.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(name: str) -> dict | None:
    try:
        return json.loads((RESULTS / f"{name}.json").read_text())
    except (OSError, ValueError):
        return None


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    journey, app_cpu, peer = load("journey"), load("app_cpu"), load("peer")
    line = "=" * 78
    print(f"\n{line}\nIssue 17 at a glance ({os.cpu_count()} cores, load average now {os.getloadavg()[0]:.1f})\n{line}")
    if journey:
        scale = journey.get("flat_cost")
        if scale:
            e, d = scale["empty"], scale["seeded"]
            print(f"{'pages/s, empty run':<31}{e['pages_per_s']:>8.1f}")
            print(f"{'pages/s, run holding ' + format(d['responses_held_at_start'], ','):<31}{d['pages_per_s']:>8.1f}   ratio "
                  f"{scale['ratio_seeded_to_empty']:.3f} (target >= 0.9)  {verdict(scale['ratio_seeded_to_empty'] >= 0.9)}")
        saves, p95 = journey["throughput_per_s"]["page_saves"], journey["latency"]["page_saves"]["p95_ms"]
        concurrency = journey["settings"]["concurrency"]
        print(f"{f'page saves/s at {concurrency} concurrent':<31}{saves:>8.1f}   target >= 600  {verdict(journey['targets']['page_saves_per_s']['pass'])}")
        print(f"{f'page save p95 at {concurrency} concurrent':<31}{p95:>8.1f} ms target < 150 ms (issue 17)  {verdict(p95 < 150)}; "
              f"< 100 ms (earlier)  {verdict(journey['targets']['page_save_p95_ms']['pass'])}")
        print(f"  (load average at start {journey['uptime_load_average_at_start']:.1f}, after {journey['cpu']['load_average_after']:.1f})")
    else:
        print("journey.py: no results")
    if app_cpu:
        ms = app_cpu["ms_per_request_quickest_round"]
        print(f"server CPU a request (app_cpu) {ms:>8.3f} ms (median round {app_cpu['ms_per_request_median']:.3f})   "
              f"target <= 1 ms  {verdict(ms <= 1.0)}   (load average {app_cpu['load_average']:.1f})")
    else:
        print("app_cpu.py: no results")
    if peer and peer.get("ours"):
        print(f"questions/s, ours / peer's     {peer['ratio_questions_per_s']:>8.2f}x  ({peer['ours']['questions_per_s']:.1f} / "
              f"{peer['peer']['questions_per_s']:.1f})   target >= 3x  {verdict(peer['ratio_questions_per_s'] >= 3)}")
        print(f"p95, ours / peer's             {peer['p95_share']:>8.3f}   ({peer['ours']['p95_ms']:.1f} ms / "
              f"{peer['peer']['p95_ms']:.1f} ms)   target <= 0.2  {verdict(peer['p95_share'] <= 0.2)}")
    else:
        print("peer/compare.py: no results (skipped, or not run)")
    print("Results from the last run of each benchmark; they are reported, never asserted.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
