"""The EventTablet table (browsers put into event mode from the workspace, by token hash).
Written by hand, additive only: one new table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T19:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Event mode tablets"


def _params(**overrides):
    params = {
        "default": None, "null": False, "primary_key": False, "unique": False, "index": False,
        "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
    }
    params.update(overrides)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="feedback", description=DESCRIPTION)
    manager.add_table(class_name="EventTablet", tablename="event_tablet", schema=None, columns=None)
    columns = [
        ("run", Integer, _params(default=0, index=True)),
        ("token_hash", Varchar, _params(default="", unique=True, length=64)),
        ("started_by", Varchar, _params(default="", length=254)),
        ("started_at", Timestamptz, _params(default=TimestamptzNow())),
        ("ended_at", Timestamptz, _params(default=None, null=True)),
    ]
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name="EventTablet", tablename="event_tablet", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
        )
    return manager
