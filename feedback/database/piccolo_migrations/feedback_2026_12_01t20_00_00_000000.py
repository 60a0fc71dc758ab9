"""Two-factor sign-in: authenticator apps, recovery codes, and sign-ins waiting for their code.
Written by hand, additive only: three new tables."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Two-factor sign-in"


def _params(**overrides):
    params = {
        "default": None, "null": False, "primary_key": False, "unique": False, "index": False,
        "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
    }
    params.update(overrides)
    return params


TABLES = {
    ("TwoFactor", "workspace_two_factor"): [
        ("user_id", Integer, _params(default=0, index=True)),
        ("secret_encrypted", Varchar, _params(default="", length=300)),
        ("confirmed_at", Timestamptz, _params(default=None, null=True)),
        ("last_step", Integer, _params(default=None, null=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ],
    ("RecoveryCode", "workspace_recovery_code"): [
        ("user_id", Integer, _params(default=0, index=True)),
        ("code_hash", Varchar, _params(default="", length=64, index=True)),
        ("used_at", Timestamptz, _params(default=None, null=True)),
    ],
    ("PendingSignIn", "workspace_pending_sign_in"): [
        ("token_hash", Varchar, _params(default="", length=64, unique=True)),
        ("user_id", Integer, _params(default=0, index=True)),
        ("expires_at", Timestamptz, _params(default=None)),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="feedback", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name, tablename=tablename, column_name=name, db_column_name=name,
                column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
            )
    return manager
