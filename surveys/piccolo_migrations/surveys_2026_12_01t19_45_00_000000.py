"""A survey's lineage: runs and drafts copied from an earlier survey keep its lineage, so the results
page can show every year of the same survey on one trend (additive: NULL means the instrument key)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T19:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "lineage of survey runs and drafts"

_PARAMS = {
    "length": 80, "default": None, "null": True, "primary_key": False, "unique": False, "index": False,
    "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)
    for class_name, table in (("SurveyRun", "survey_run"), ("InstrumentDraft", "instrument_draft")):
        manager.add_column(
            table_class_name=class_name, tablename=table, column_name="lineage", db_column_name="lineage",
            column_class_name="Varchar", column_class=Varchar, params=dict(_PARAMS), schema=None,
        )
    return manager
