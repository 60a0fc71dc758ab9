"""The `feedback` command line (the stable surface in DESIGN.md)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from feedback.settings import load_settings


def _run(coroutine):
    return asyncio.run(coroutine)


async def _with_database(work):
    from piccolo.conf.apps import Finder

    from feedback.database import prepare_database
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
    from feedback.operations.demo import seed_demo

    added = _run(_with_database(lambda: seed_demo(args.responses, args.seed, args.if_empty)))
    if not added:
        print("The database already has surveys: no demo data added.")
    for slug, count in added.items():
        print(f"{slug}: {count} completed responses added")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from feedback.workspace.exports import export_rows, write_csv, write_xlsx
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


def _optional_int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def cmd_retention(args: argparse.Namespace) -> int:
    from feedback.operations.retention import RetentionPolicy, apply_retention, plan_retention

    policy = RetentionPolicy(draft_days=args.draft_days, contact_days=args.contact_days)

    async def work():
        plan = await plan_retention(policy)
        return plan, (await apply_retention(plan) if args.apply else None)

    plan, applied = _run(_with_database(work))
    print("Retention: each survey's periods from its instrument (drafts, finished answers, free text, contact details), as its privacy notice states"
          + (f"; unfinished drafts after {policy.draft_days} days at the latest" if policy.draft_days is not None else "")
          + (f"; contact details {policy.contact_days} days after closing at the latest" if policy.contact_days is not None else "") + ".")
    for survey in plan.surveys:
        for problem in survey.problems:
            print(f"  Warning: {survey.slug}: {problem}", file=sys.stderr)
        parts = []
        if survey.expired:
            parts.append(f"{len(survey.expired)} responses past their period (answers, codings, quotes and contact details; consent records kept)")
        if survey.drafts:
            parts.append(f"{len(survey.drafts)} unfinished drafts")
        if survey.contact_subjects:
            parts.append(f"{len(survey.contact_subjects)} contact details")
        if survey.free_text:
            parts.append(f"free text in {len(survey.free_text)} responses ({survey.free_text_action})")
        if parts:
            print(f"  {survey.slug}: " + ", ".join(parts))
    verb = "Deleted or anonymised" if args.apply else "Would delete or anonymise (dry run; add --apply to do it)"
    totals = applied if applied is not None else plan.totals
    print(verb + ": " + ", ".join(f"{count} {what}" for what, count in totals.items()))
    return 0


def cmd_subject_access(args: argparse.Namespace) -> int:
    import json

    from surveys.data_rights import subject_access

    async def work():
        from feedback.accounts.audit import COMMAND_LINE, audit

        found = await subject_access(args.reference)
        if found is not None:  # who asked is in the DPO's own records; the log says it was done, here
            await audit(COMMAND_LINE, "subject_access", object=(found.get("survey") or {}).get("slug", ""))
        return found

    document = _run(_with_database(work))
    if document is None:
        print("No response has that reference.", file=sys.stderr)
        return 2
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False, default=str)
    print()
    return 0


def cmd_enrolment_link(args: argparse.Namespace) -> int:
    """A one-time link to set up two-factor sign-in (for the first admin of a fresh install in production)."""
    from feedback.accounts.audit import COMMAND_LINE, audit
    from feedback.accounts.auth import normalise_email
    from feedback.accounts.enrolment_links import LINK_HOURS, issue_enrolment_link, link_path
    from feedback.accounts.tables import User

    email = normalise_email(args.email)

    async def work():
        user = await User.objects().where(User.email == email).first()
        if user is None or user.disabled or not user.password_hash:
            return None
        token = await issue_enrolment_link(user.id, issued_by=COMMAND_LINE)
        await audit(COMMAND_LINE, "enrolment_link_issued", object=user.email)
        return token

    token = _run(_with_database(work))
    if token is None:
        print("No active account has that email address.", file=sys.stderr)
        return 2
    base = load_settings().public_url or "http://127.0.0.1:8000"
    print(base + link_path(token))
    print(f"It works once, for {LINK_HOURS} hours. Set FEEDBACK_PUBLIC_URL for the service's own address.", file=sys.stderr)
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from feedback.accounts.auth import create_user

    password = sys.stdin.readline().rstrip("\n")
    if not password:
        print("Give the password on standard input, e.g. `feedback create-user ... < password.txt`.", file=sys.stderr)
        return 2

    async def work():
        return await create_user(args.email, args.role, password=password, team=args.team)

    try:
        user, _ = _run(_with_database(work))
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    print(f"Created {user.role} account for {user.email}.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from feedback.operations.backup import BackupError, backup

    try:
        print(backup(load_settings().database_url, args.path))
    except BackupError as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return 1
    _audit_cli("backup", str(args.path))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from feedback.operations.backup import BackupError, restore

    try:
        print(restore(load_settings().database_url, args.path))
    except BackupError as error:
        print(f"Restore failed: {error}", file=sys.stderr)
        return 1
    _audit_cli("restore", str(args.path))
    return 0


def _audit_cli(action: str, detail: str) -> None:
    from feedback.accounts.audit import audit

    async def work():
        await audit("command line", action, detail=detail)

    _run(_with_database(work))


def cmd_themes_evaluate(args: argparse.Namespace) -> int:
    """Score the theme coder on a hand-coded JSONL file; one JSON object on standard output."""
    import json

    from analysis.codebook import Codebook, CodebookInvalid
    from analysis.evaluation import EvaluationFileInvalid, evaluate

    try:
        codebook = Codebook.from_file(args.codebook) if args.codebook else None
        result = evaluate(args.file, codebook)
    except (OSError, EvaluationFileInvalid, CodebookInvalid) as error:
        print(f"Cannot evaluate: {error}", file=sys.stderr)
        return 2
    output = {"micro_f1": result["micro_f1"], "macro_f1": result["macro_f1"], "per_theme": result["per_theme"]}
    if args.confusion:
        output["confusion"] = result["confusion"]
    json.dump(output, sys.stdout, indent=2 if args.pretty else None, sort_keys=False)
    print()
    # The stable JSON stays alone on standard output; people read the confusion summary on stderr.
    mistakes = [pair for pair in result["confusion"] if pair["mistaken_for"]][:10]
    if mistakes:
        print("Most often mistaken (hand-coded theme -> what the coder gave instead, comments):", file=sys.stderr)
        for pair in mistakes:
            print(f"  {pair['theme']} -> {pair['mistaken_for']}: {pair['comments']}", file=sys.stderr)
    unseen = [pair for pair in result["confusion"] if not pair["mistaken_for"]][:10]
    if unseen:
        print("Missed with no theme given instead: "
              + ", ".join(f"{pair['theme']} {pair['comments']}" for pair in unseen), file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    load_settings()  # a clear message for bad settings before anything starts
    workers = args.workers
    if workers < 1:
        print("--workers must be 1 or more.", file=sys.stderr)
        return 2
    from feedback.database import prepare_database

    _run(prepare_database())  # once, before any worker starts
    # Each app process serves its requests on one thread: OpenBLAS's own thread pool (numpy, for the
    # analysis) would only spin against the other workers for the same cores. Set before they import it.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if workers > 1:  # the workers stop if this process is killed (feedback.operations.worker_watch)
        from feedback.operations.worker_watch import PARENT_VARIABLE

        os.environ[PARENT_VARIABLE] = str(os.getpid())
    uvicorn.run(
        "feedback.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        access_log=False,  # our middleware logs method, path and status only
        # Forwarding headers only from the proxies named (FEEDBACK_TRUSTED_PROXIES by default); none by default.
        proxy_headers=bool(args.forwarded_allow_ips.strip()),
        forwarded_allow_ips=args.forwarded_allow_ips.strip() or None,
        log_level="info",
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Send the outbox from a process of its own (when `feedback serve` runs with FEEDBACK_WORKER_IN_SERVE=0)."""
    import logging
    import signal

    from feedback.messages.worker import worker_from_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    worker = worker_from_settings(load_settings(), poll_seconds=args.poll_seconds, retry_base_seconds=args.retry_seconds,
                                  lease_seconds=args.lease_seconds)
    if worker is None:
        print("Messages are off: set FEEDBACK_SMTP_URL and FEEDBACK_MAIL_FROM, or FEEDBACK_NOTIFY_API_KEY and its template ids.", file=sys.stderr)
        return 2

    async def work():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        if args.once:
            print(await worker.run_once(limit=1000))
        else:
            await worker.run_forever(stop)

    _run(_with_database(work))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feedback", description="SEND co-production and feedback platform")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1,
        help="app processes (default 1); one per core serves most. On SQLite they take turns to write "
        "and share the rate limits through the database, as on PostgreSQL",
    )
    serve.add_argument(
        "--forwarded-allow-ips", default=os.environ.get("FEEDBACK_TRUSTED_PROXIES", ""),
        help="proxies trusted for X-Forwarded-For (default: FEEDBACK_TRUSTED_PROXIES; none)",
    )
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

    user = commands.add_parser("create-user", help="create a workspace account (password read from standard input)")
    user.add_argument("--email", required=True)
    user.add_argument("--role", required=True, choices=("admin", "officer", "pcv"))
    user.add_argument("--team", default="partnership", help="the forum team, for pcv accounts")
    user.set_defaults(handler=cmd_create_user)

    link = commands.add_parser("enrolment-link", help="print a one-time link to set up two-factor sign-in for an account")
    link.add_argument("email")
    link.set_defaults(handler=cmd_enrolment_link)

    retention = commands.add_parser("retention", help="show (or with --apply, delete) data past its retention period")
    retention.add_argument("--apply", action="store_true", help="delete and anonymise, instead of only reporting")
    # Overrides can only shorten each survey's own periods (a longer one would break its notice).
    retention.add_argument("--draft-days", type=int, default=_optional_int(os.environ.get("FEEDBACK_DRAFT_DAYS")),
                           help="delete unfinished drafts sooner than the surveys' own periods")
    retention.add_argument("--contact-days", type=int, default=_optional_int(os.environ.get("FEEDBACK_CONTACT_DAYS")),
                           help="delete contact details sooner than the surveys' own periods")
    retention.set_defaults(handler=cmd_retention)

    backup = commands.add_parser("backup", help="copy the database to a new file (safe while serving)")
    backup.add_argument("path", type=Path)
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", help="replace the database with a backup (stop the service first)")
    restore.add_argument("path", type=Path)
    restore.set_defaults(handler=cmd_restore)

    themes = commands.add_parser("themes", help="free-text themes: score the coder")
    theme_commands = themes.add_subparsers(dest="themes_command", required=True)
    evaluate = theme_commands.add_parser(
        "evaluate", help="score the coder on a hand-coded JSONL file (lines with id, text, themes)"
    )
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--codebook", type=Path, help="a codebook (.toml or .json) instead of the default")
    evaluate.add_argument("--pretty", action="store_true", help="indent the JSON")
    evaluate.add_argument("--confusion", action="store_true", help="add the confusion pairs (which themes are mistaken for which) to the JSON")
    evaluate.set_defaults(handler=cmd_themes_evaluate)

    worker = commands.add_parser("worker", help="send queued messages (when not sent by `serve`)")
    worker.add_argument("--poll-seconds", type=float, default=2.0)
    worker.add_argument("--retry-seconds", type=float, default=30.0, help="the first retry's wait; each later one doubles")
    worker.add_argument("--once", action="store_true", help="send what is due, then stop")
    worker.add_argument("--lease-seconds", type=int, default=120, help="after this long, a message a dead worker was sending is taken over")
    worker.set_defaults(handler=cmd_worker)

    access = commands.add_parser("subject-access", help="everything held for a reference, as JSON")
    access.add_argument("reference")
    access.set_defaults(handler=cmd_subject_access)
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
