from pathlib import Path

from piccolo.conf.apps import AppConfig

from feedback.messages.tables import InvitationList, Invitee, MessageOptOut, OutboxMessage, OutboxRecipient

APP_CONFIG = AppConfig(
    app_name="messages",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[OutboxMessage, OutboxRecipient, InvitationList, Invitee, MessageOptOut],
    migration_dependencies=[],
    commands=[],
)
