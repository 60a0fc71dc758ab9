"""The Litestar application factory: the one place where the packages are wired into the web."""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from typing import AsyncIterator

from litestar import Litestar, Request
from litestar.config.compression import CompressionConfig
from litestar.datastructures import CacheControlHeader
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router

from feedback.accounts.controllers import AccountController, EnrolmentLinkController, UsersController
from feedback.accounts.auth import TwoFactorRequired, handle_two_factor_required
from feedback.results.controllers import AnalysisController
from feedback.publishing.controllers.board_report import BoardReportController
from feedback.reporting.controllers.api import ReportingController
from feedback.reporting.controllers.tokens import TokensController
from feedback.reporting.controllers.sharing import SharingController
from feedback.workspace.controllers.api import ApiController
from feedback.workspace.controllers.builder import BuilderController
from feedback.workspace.controllers.dates import SurveyDatesController
from feedback.privacy.controllers import AuditController, CorrectionsController, NoticeTextController, PartnershipController, RightsRequestsController, WhatWeHoldController
from feedback.messages import wording as message_wording
from feedback.privacy.partnership import current_identity, refresh_if_stale, template_globals as partnership_template_globals
from feedback.publishing.controllers.public import ROUTES as PUBLIC_ROUTES
from feedback.publishing.controllers.quotes import QuotesController
from feedback.publishing.controllers.notices import NoticesController
from feedback.respond.controllers.journey import RespondentController
from feedback.themes.controllers import ThemesController
from feedback.publishing.controllers.updates import UpdatesController
from feedback.respond.controllers.withdraw import WithdrawController
from feedback.respond.controllers.send_code import SendCodeController
from feedback.respond.controllers.invited import InvitedController
from feedback.workspace.controllers.invitations import InvitationsController
from feedback.messages.service import template_globals as message_template_globals
from feedback.workspace.controllers.surveys import WorkspaceController
from feedback.database import close_pool, start_pool
from feedback.rate_limit import use_shared_store
from feedback.operations.worker_watch import watch_parent
from feedback.messages.controllers import ROUTES as MESSAGE_ROUTES
from feedback.messages.worker import InProcessWorker, worker_from_settings
from feedback.errors import EXCEPTION_HANDLERS, refuse_out_of_range_numbers, refuse_unstorable_form_text
from feedback.rendering import STATIC_DIR, GzipOnDemandMiddleware, shared_pages, template_config
from feedback.respond.symbols import template_globals as symbol_template_globals
from feedback.security import csrf_config, security_headers_hook
from feedback.settings import Settings, load_settings


def create_app(settings: Settings | None = None, manage_pool: bool = True) -> Litestar:
    """`manage_pool=False` leaves PostgreSQL's pool alone (tests use a connection per query)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        from piccolo.conf.apps import Finder

        engine = Finder().get_engine()
        if manage_pool:
            await start_pool(engine)
        use_shared_store(engine, settings.secret_key)  # several processes count their rate limits together
        await refresh_if_stale()  # the partnership's name for every page, cached for this process
        watch_parent()  # a worker of `feedback serve --workers N` stops when the server process is gone
        try:
            worker = worker_from_settings(settings) if settings.worker_in_serve else None
            if worker is None:
                yield
            else:
                async with InProcessWorker(worker):
                    yield
        finally:
            if manage_pool:
                await close_pool(engine)

    static = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        include_in_schema=False,
        # Built files are requested with a content hash in the query string, so they can be cached for long.
        cache_control=CacheControlHeader(max_age=31_536_000, public=True),
    )

    message_wording.sender_name = lambda: current_identity().name  # emails signed with the stored name

    async def before_request(request: Request) -> None:
        refuse_out_of_range_numbers(request)
        await refuse_unstorable_form_text(request)
        await refresh_if_stale()  # another worker's save reaches this one within a few seconds

    app = Litestar(
        route_handlers=[*PUBLIC_ROUTES, *MESSAGE_ROUTES, RespondentController, SendCodeController, InvitedController, WithdrawController, AccountController, EnrolmentLinkController, UsersController, WorkspaceController, InvitationsController, SurveyDatesController, AuditController, RightsRequestsController, WhatWeHoldController, PartnershipController, CorrectionsController, NoticeTextController, AnalysisController, BoardReportController, ReportingController, TokensController, SharingController, ThemesController, QuotesController, UpdatesController, NoticesController, BuilderController, ApiController, static],
        lifespan=[lifespan],
        template_config=template_config({**symbol_template_globals(), **message_template_globals(), **partnership_template_globals()}),
        plugins=[HTMXPlugin()],
        csrf_config=csrf_config(settings),
        compression_config=CompressionConfig(backend="gzip", gzip_compress_level=6, minimum_size=500,
                                             middleware_class=GzipOnDemandMiddleware),
        before_send=[security_headers_hook(settings.is_production)],
        exception_handlers={**EXCEPTION_HANDLERS, TwoFactorRequired: handle_two_factor_required},
        before_request=before_request,
        openapi_config=OpenAPIConfig(
            title="SEND feedback platform",
            version="0.1.0",
            path="/schema",
            render_plugins=[JsonRenderPlugin()],  # JSON only: the HTML viewers load scripts from CDNs
            # Reporting tools send an API token (feedback/reporting) as Authorization: Bearer.
            components=Components(security_schemes={"BearerToken": SecurityScheme(
                type="http", scheme="bearer", description="An API token made in the workspace (API tokens)")}),
        ),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            handlers={"queue_listener": {"()": "feedback.logs.LogQueueHandler", "level": "DEBUG", "formatter": "standard"}},
            formatters={
                "standard": (
                    {"()": "feedback.logs.JsonFormatter"} if os.environ.get("FEEDBACK_LOG_FORMAT") == "json"
                    else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
                )
            },
            log_exceptions="never",
        ),
        request_max_body_size=settings.max_body_bytes,
        debug=False,
    )
    app.state.settings = settings
    shared_pages.vary_with(current_identity)  # the footer names the partnership, which officers can rename
    logging.getLogger("feedback").setLevel(logging.INFO)
    return app
