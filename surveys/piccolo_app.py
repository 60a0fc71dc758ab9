from pathlib import Path

from piccolo.conf.apps import AppConfig

from surveys.tables import InstrumentDraft, Response, SurveyRun

APP_CONFIG = AppConfig(
    app_name="surveys",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SurveyRun, Response, InstrumentDraft],
    migration_dependencies=["consent.piccolo_app"],
    commands=[],
)
