"""How many families are in each group, for response rates (feedback/results/tables.py). Written by
hand, additive only: one new table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T20:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Families in each group"


def _params(**overrides):
    params = {
        "default": None, "null": False, "primary_key": False, "unique": False, "index": False,
        "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
    }
    params.update(overrides)
    return params


COLUMNS = [
    ("run_id", Integer, _params(default=0, index=True)),
    ("breakdown", Varchar, _params(default="", length=40)),
    ("group_value", Varchar, _params(default="", length=80)),
    ("families", Integer, _params(default=0)),
    ("updated_by", Varchar, _params(default="", length=254)),
    ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="feedback", description=DESCRIPTION)
    manager.add_table(class_name="GroupPopulation", tablename="group_population", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="GroupPopulation", tablename="group_population", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
        )
    return manager
