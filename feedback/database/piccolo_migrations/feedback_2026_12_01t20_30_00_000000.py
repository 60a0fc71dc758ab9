"""API tokens for reporting tools (feedback/reporting/tables.py). Written by hand, additive only: one new table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "API tokens for reporting tools"


def _params(**overrides):
    params = {
        "default": None, "null": False, "primary_key": False, "unique": False, "index": False,
        "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
    }
    params.update(overrides)
    return params


COLUMNS = [
    ("name", Varchar, _params(default="", length=100)),
    ("token_hash", Varchar, _params(default="", length=64, unique=True)),
    ("prefix", Varchar, _params(default="", length=12)),
    ("owner_id", Integer, _params(default=0, index=True)),
    ("team", Varchar, _params(default="", length=80)),
    ("may_read_responses", Boolean, _params(default=False)),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ("expires_at", Timestamptz, _params(default=None)),
    ("revoked_at", Timestamptz, _params(default=None, null=True)),
    ("last_used_at", Timestamptz, _params(default=None, null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="feedback", description=DESCRIPTION)
    manager.add_table(class_name="ApiToken", tablename="api_token", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="ApiToken", tablename="api_token", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
        )
    return manager
