"""Piccolo's configuration: the engine comes from DATABASE_URL, the apps from each package."""

import os

from piccolo.conf.apps import AppRegistry

from feedback.database import engine_from_url
from feedback.settings import DEFAULT_DATABASE_URL

DB = engine_from_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))

APP_REGISTRY = AppRegistry(
    apps=[
        "consent.piccolo_app",
        "surveys.piccolo_app",
        "feedback.database.piccolo_app",
        "feedback.messages.piccolo_app",
    ]
)
