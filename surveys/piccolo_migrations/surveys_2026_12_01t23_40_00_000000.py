"""A composite index for the lookup every question page makes, `browser_token_hash = ? AND run = ?`.

Without statistics SQLite picked the single-column `run` index and scanned every response of the
run (27x slower at 100,000 responses). With both columns in one index, two equality terms beat
one whatever the statistics say. Additive (an index only), so it runs on SQLite and PostgreSQL.
Piccolo 1.x tables cannot declare a composite index, so it is raw SQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T23:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite index for the draft lookup by browser token and run"

INDEX = "survey_response_browser_token_run"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)

    async def create_index():
        from surveys.tables import Response

        await Response.raw(f"CREATE INDEX IF NOT EXISTS {INDEX} ON survey_response (browser_token_hash, run)")

    async def drop_index():
        from surveys.tables import Response

        await Response.raw(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
