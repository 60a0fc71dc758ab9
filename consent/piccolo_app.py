from pathlib import Path

from piccolo.conf.apps import AppConfig

from consent.tables import ConsentRecord, ContactDetail, CorrectionRequest, DataRightsEvent, Notice

APP_CONFIG = AppConfig(
    app_name="consent",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Notice, ConsentRecord, ContactDetail, DataRightsEvent, CorrectionRequest],
    migration_dependencies=[],
    commands=[],
)
