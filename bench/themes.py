"""Stored theme codings at scale (not in `make bench`; run it by hand): a throwaway SQLite
database with the demo surveys (`--responses` each), then times

- coding every comment for the first time (what the workspace does lazily for answers stored
  before coding existed, or if coding failed at submission);
- the dashboard's themes section, the review queue and the uncoded queue for the first three runs;
- saving a codebook change, which re-codes every run (officers' decisions kept);
- `comment_themes` for one run once everything is coded.

    .venv/bin/python bench/themes.py [--responses 3000] [--seed 2026]

It reports; it does not fail on slow figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-themes-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("FEEDBACK_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")
    os.environ["PICCOLO_CONF"] = "feedback.piccolo_conf"
    asyncio.run(run(args))
    return 0


async def run(args) -> None:
    from analysis.loading import load_run
    from feedback.database import prepare_database
    from feedback.operations.demo import seed_demo
    from feedback.themes.store import comment_themes, ensure_coded, latest_codebook, save_codebook
    from feedback.themes.views import review_context, themes_overview, uncoded_context
    from surveys.runs import list_runs

    await prepare_database()
    await seed_demo(args.responses, args.seed)
    runs = await list_runs()
    started = time.perf_counter()
    comments = 0
    for survey in runs:
        comments += len(await ensure_coded(survey))
    print(f"first coding: {comments} comments in {len(runs)} runs, {time.perf_counter() - started:.2f} s")
    for survey in runs[:3]:
        started = time.perf_counter()
        data = await load_run(survey)
        await themes_overview(survey, data)
        overview = time.perf_counter() - started
        started = time.perf_counter()
        await review_context(survey)
        review = time.perf_counter() - started
        started = time.perf_counter()
        await uncoded_context(survey)
        uncoded = time.perf_counter() - started
        print(f"{survey.slug}: {len(data.comments)} comments; dashboard (load + themes) {overview:.2f} s, "
              f"review queue {review:.2f} s, uncoded queue {uncoded:.2f} s")
    _, codebook = await latest_codebook()
    edited = codebook.copy()
    edited.add_terms("transport", include=["bus pass*"])
    started = time.perf_counter()
    await save_codebook(edited, "bench@example.org", "bench")
    print(f"codebook saved and every run re-coded: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    await comment_themes(runs[0].id)
    print(f"comment_themes for {runs[0].slug}: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
