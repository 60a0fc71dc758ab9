"""The shared rate-limit store (feedback/rate_limit.py): counts for the public-form limits and the
sign-in failure throttles, so several app processes on PostgreSQL count together. Keys are HMACs,
never an email or an address; times are wall-clock seconds; each row carries its expiry. Written by
hand (raw SQL: no Piccolo table uses them), additive only. Created on SQLite too (unused there: one
process keeps its counts in memory) so both engines have the same schema.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T00:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "shared rate-limit and sign-in throttle counts"

TABLES = {
    "rate_limit_hit": (
        "CREATE TABLE IF NOT EXISTS rate_limit_hit (key VARCHAR(64) NOT NULL, window_start DOUBLE PRECISION NOT NULL, "
        "count INTEGER NOT NULL, expires DOUBLE PRECISION NOT NULL, PRIMARY KEY (key, window_start))"
    ),
    "failure_throttle": (
        "CREATE TABLE IF NOT EXISTS failure_throttle (key VARCHAR(64) PRIMARY KEY, count INTEGER NOT NULL, "
        "last DOUBLE PRECISION NOT NULL, expires DOUBLE PRECISION NOT NULL)"
    ),
}
INDEXES = {
    "rate_limit_hit_expires": "rate_limit_hit (expires)",
    "failure_throttle_expires": "failure_throttle (expires)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="feedback", description=DESCRIPTION)

    async def create_tables():
        from feedback.themes.tables import CommentCoding

        for sql in TABLES.values():
            await CommentCoding.raw(sql)
        for name, target in INDEXES.items():
            await CommentCoding.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_tables():
        from feedback.themes.tables import CommentCoding

        for name in TABLES:
            await CommentCoding.raw(f"DROP TABLE IF EXISTS {name}")

    manager.add_raw(create_tables)
    manager.add_raw_backwards(drop_tables)
    return manager
