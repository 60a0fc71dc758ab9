"""Getting a database ready: migrations, then the published notice texts."""

from __future__ import annotations

from consent.notices import publish_notice_files
from feedback.database import migrate


async def prepare_database() -> None:
    await migrate()
    await publish_notice_files()
