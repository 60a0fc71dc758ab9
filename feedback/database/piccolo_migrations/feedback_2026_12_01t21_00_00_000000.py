"""The partnership's identity and accessibility statement (feedback/privacy/tables.py). Written by
hand, additive only: one new table."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The partnership's identity and accessibility statement"


def _params(**overrides):
    params = {
        "default": None, "null": False, "primary_key": False, "unique": False, "index": False,
        "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
    }
    params.update(overrides)
    return params


COLUMNS = [
    ("name", Varchar, _params(default="", length=200)),
    ("contact_email", Varchar, _params(default="", length=254)),
    ("contact_phone", Varchar, _params(default="", length=40)),
    ("contact_address", Text, _params(default="")),
    ("dpo_name", Varchar, _params(default="", length=200)),
    ("dpo_email", Varchar, _params(default="", length=254)),
    ("dpo_phone", Varchar, _params(default="", length=40)),
    ("compliance_status", Varchar, _params(default="", length=20)),
    ("known_issues", Text, _params(default="")),
    ("prepared_on", Date, _params(default=None, null=True)),
    ("reviewed_on", Date, _params(default=None, null=True)),
    ("updated_by", Varchar, _params(default="", length=254)),
    ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="feedback", description=DESCRIPTION)
    manager.add_table(class_name="PartnershipSettings", tablename="partnership_settings", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="PartnershipSettings", tablename="partnership_settings", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
        )
    return manager
