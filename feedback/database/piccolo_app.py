from pathlib import Path

from piccolo.conf.apps import AppConfig

from feedback.accounts.tables import AuditEntry, EnrolmentLink, PendingSignIn, RecoveryCode, TwoFactor, User, WorkspaceSession
from feedback.privacy.tables import PartnershipSettings
from feedback.publishing.tables import Quote, Update, UpdateEvent
from feedback.reporting.tables import ApiToken
from feedback.results.tables import GroupPopulation
from feedback.respond.tables import EventTablet
from feedback.themes.tables import CodedComment, CommentCoding, ThemeCodebook

APP_CONFIG = AppConfig(
    app_name="feedback",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[User, WorkspaceSession, AuditEntry, TwoFactor, RecoveryCode, PendingSignIn, EnrolmentLink, Update, UpdateEvent, ThemeCodebook, CommentCoding, CodedComment, Quote, ApiToken, GroupPopulation, EventTablet, PartnershipSettings],
    migration_dependencies=["surveys.piccolo_app"],
    commands=[],
)
