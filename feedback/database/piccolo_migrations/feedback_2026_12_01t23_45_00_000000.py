"""Composite (run, response) indexes on the theme tables (feedback/themes/tables.py): submitting a
response codes its comments, which reads the codings of that run's responses by `run = ? AND
response IN (...)`; with two single-column indexes SQLite's choice depended on its statistics and
could scan the table. Written by hand (Piccolo 1.x tables cannot declare a composite index);
additive only. Also an index on quote status for the public page's approved quotes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T23:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for theme codings by run and response, and quotes by status"

INDEXES = {
    "comment_coding_run_response": "comment_coding (run, response)",
    "coded_comment_run_response": "coded_comment (run, response)",
    # The public "you said, we did" page reads approved quotes (feedback/publishing/quotes.py).
    "quote_status": "quote (status)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="feedback", description=DESCRIPTION)

    async def create_indexes():
        from feedback.themes.tables import CommentCoding

        for name, table in INDEXES.items():
            await CommentCoding.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {table}")

    async def drop_indexes():
        from feedback.themes.tables import CommentCoding

        for name in INDEXES:
            await CommentCoding.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
