"""One-time links to set up two-factor sign-in (feedback/accounts/enrolment_links.py).
Written by hand, additive only: one new table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T00:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Two-factor enrolment links"


def _params(**overrides):
    params = {
        "default": None, "null": False, "primary_key": False, "unique": False, "index": False,
        "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
    }
    params.update(overrides)
    return params


COLUMNS = [
    ("token_hash", Varchar, _params(default="", length=64, unique=True)),
    ("user_id", Integer, _params(default=0, index=True)),
    ("issued_by", Varchar, _params(default="", length=254)),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ("expires_at", Timestamptz, _params(default=None)),
    ("used_at", Timestamptz, _params(default=None, null=True)),
    ("session_hash", Varchar, _params(default=None, null=True, length=64)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="feedback", description=DESCRIPTION)
    manager.add_table(class_name="EnrolmentLink", tablename="workspace_enrolment_link", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="EnrolmentLink", tablename="workspace_enrolment_link", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
        )
    return manager
