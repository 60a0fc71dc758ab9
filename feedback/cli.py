"""The `feedback` command line (the stable surface in DESIGN.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from feedback.settings import load_settings


def _run(coroutine):
    return asyncio.run(coroutine)


async def _with_database(work):
    from piccolo.conf.apps import Finder

    from feedback.bootstrap import prepare_database
    from feedback.database import pool

    engine = Finder().get_engine()
    await prepare_database()
    async with pool(engine):
        return await work()


def cmd_migrate(args: argparse.Namespace) -> int:
    async def nothing():
        return None

    _run(_with_database(nothing))
    print("Database is up to date.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from feedback.demo import seed_demo

    added = _run(_with_database(lambda: seed_demo(args.responses, args.seed, args.if_empty)))
    if not added:
        print("The database already has surveys: no demo data added.")
    for slug, count in added.items():
        print(f"{slug}: {count} completed responses added")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from feedback.exports import export_rows, write_csv, write_xlsx
    from surveys.runs import get_run

    async def work():
        run = await get_run(args.slug)
        if run is None:
            return None
        return await export_rows(run)

    result = _run(_with_database(work))
    if result is None:
        print(f"No survey with the slug {args.slug!r}.", file=sys.stderr)
        return 2
    header, rows = result
    if args.format == "xlsx":
        if sys.stdout.isatty():
            print("Refusing to write a spreadsheet to the terminal: redirect it to a file (> export.xlsx).", file=sys.stderr)
            return 2
        write_xlsx(header, rows, sys.stdout.buffer)
    else:
        write_csv(header, rows, sys.stdout)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = load_settings()
    workers = args.workers
    if settings.is_sqlite and workers > 1:
        print("SQLite takes one writer at a time: serving with 1 worker (use PostgreSQL for more).", file=sys.stderr)
        workers = 1
    from feedback.bootstrap import prepare_database

    _run(prepare_database())  # once, before any worker starts
    uvicorn.run(
        "feedback.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        access_log=False,  # our middleware logs method, path and status only
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_level="info",
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feedback", description="SEND co-production and feedback platform")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--forwarded-allow-ips", default="127.0.0.1", help="proxies trusted for X-Forwarded-For")
    serve.set_defaults(handler=cmd_serve)

    migrate = commands.add_parser("migrate", help="create or update the database tables")
    migrate.set_defaults(handler=cmd_migrate)

    demo = commands.add_parser("demo", help="open the demo surveys and add completed responses")
    demo.add_argument("--responses", type=int, default=300)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--if-empty", action="store_true", help="do nothing if the database already has surveys")
    demo.set_defaults(handler=cmd_demo)

    export = commands.add_parser("export", help="export submitted responses (CSV on stdout)")
    export.add_argument("slug")
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    export.set_defaults(handler=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # e.g. `feedback export x | head`: the reader stopped early
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
