from pathlib import Path

from piccolo.conf.apps import AppConfig

from feedback.tables import AuditEntry, CodedComment, CommentCoding, ThemeCodebook, Update, UpdateEvent, User, Quote, WorkspaceSession

APP_CONFIG = AppConfig(
    app_name="feedback",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[User, WorkspaceSession, AuditEntry, Update, UpdateEvent, ThemeCodebook, CommentCoding, CodedComment, Quote],
    migration_dependencies=["surveys.piccolo_app"],
    commands=[],
)
