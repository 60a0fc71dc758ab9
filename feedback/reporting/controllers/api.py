"""The reporting API for Power BI, Excel Power Query and similar tools: read-only, authenticated by
an API token sent as `Authorization: Bearer sendfb_…` (never the session cookie), paginated, and
described in the OpenAPI document at /schema. Figures are the published ones (disclosure control
applied); responses only for officers' tokens made to read them, through the consent gate. Every
call is audited with the survey and how many rows it returned; a survey outside the token's team is
a 404, as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, Parameter

from analysis.disclosure import SUPPRESSED_LABEL
from analysis.loading import load_run
from feedback.errors import API_ERRORS, problem
from feedback.accounts.audit import audit
from feedback.publishing.board_report import published_themes
from feedback.publishing.figures import CSV_HEADER, published_figures_of
from feedback.reporting.tokens import TokenAccess, access_for
from feedback.themes.views import themes_overview
from feedback.workspace.exports import export_rows
from surveys.runs import Run, get_run_by_id, list_runs

PER_PAGE = 500
MAX_PER_PAGE = 1000
PageNumber = Annotated[int, Parameter(ge=1, le=1_000_000, description="Page to return, from 1")]
PageSize = Annotated[int, Parameter(ge=1, le=MAX_PER_PAGE, description=f"Rows per page, at most {MAX_PER_PAGE}")]


def _refused(request: Request, exc: NotAuthorizedException) -> Response:
    """401 with the challenge reporting tools look for (the app's API handler drops headers)."""
    return problem(401, exc.detail, headers={"WWW-Authenticate": 'Bearer realm="reporting"'})


async def bearer_token(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    access = await access_for(connection.headers.get("authorization"))
    if access is None:
        raise NotAuthorizedException(
            "Send a valid API token as 'Authorization: Bearer …' (tokens expire and can be revoked).",
            headers={"WWW-Authenticate": 'Bearer realm="reporting"'},
        )
    connection.state.token = access


@dataclass
class PageInfo:
    page: int
    per_page: int
    total: int
    next_page: int | None  # None on the last page


@dataclass
class ReportingSurvey:
    id: int
    slug: str
    title: str
    status: str
    year: str
    lineage: str
    team: str | None


@dataclass
class SurveysPage:
    paging: PageInfo
    surveys: list[ReportingSurvey]


@dataclass
class FigureRow:
    """One published figure (as the published figures CSV): counts are null when suppressed."""

    survey: str
    survey_title: str
    question: str
    question_text: str
    breakdown: str
    group: str
    answer: str
    kind: str
    count: int | None
    base: int | None
    percent: float | None
    ci_low_percent: float | None
    ci_high_percent: float | None
    suppressed: bool


@dataclass
class FiguresPage:
    paging: PageInfo
    figures: list[FigureRow]


@dataclass
class ThemeRow:
    theme: str
    label: str
    people: int | None  # commenters raising it; null when too few to publish
    share_of_commenters: float | None
    suppressed: bool


@dataclass
class ThemesPage:
    paging: PageInfo
    commenters: int | None
    themes: list[ThemeRow]


@dataclass
class ReportingResponse:
    respondent_id: str
    submitted_at: str
    variant: str
    channel: str
    answers: dict[str, Any]


@dataclass
class ResponsesPage:
    paging: PageInfo
    question_keys: list[str]
    responses: list[ReportingResponse]


def _page(items: list, page: int, per_page: int) -> tuple[list, PageInfo]:
    start = (page - 1) * per_page
    chunk = items[start:start + per_page]
    return chunk, PageInfo(page, per_page, len(items), page + 1 if start + per_page < len(items) else None)


def _number(value: Any, kind=int):
    if value in ("", None, SUPPRESSED_LABEL):
        return None
    return kind(value)


class ReportingController(Controller):
    path = "/api/reporting"
    guards = [bearer_token]
    tags = ["reporting"]
    security = [{"BearerToken": []}]
    exception_handlers = {NotAuthorizedException: _refused}

    async def _run(self, request: Request, run_id: int) -> Run:
        access: TokenAccess = request.state.token
        run = await get_run_by_id(run_id)
        if run is None or not access.may_read(run):
            raise NotFoundException()
        return run

    async def _audit(self, request: Request, run: Run | None, what: str, count: int) -> None:
        access: TokenAccess = request.state.token
        await audit(access.owner.email, "api_token_used", object=run.slug if run else "",
                    detail=f"token {access.token_id} ({access.name}): {what}", count=count)

    @get("/surveys", responses=API_ERRORS, summary="Surveys this token may read")
    async def surveys(self, request: Request, page: PageNumber = 1, per_page: PageSize = PER_PAGE) -> SurveysPage:
        access: TokenAccess = request.state.token
        runs = [r for r in await list_runs() if access.may_read(r)]
        chunk, info = _page(runs, page, per_page)
        await self._audit(request, None, "surveys", len(chunk))
        return SurveysPage(info, [ReportingSurvey(r.id, r.slug, r.title, r.status, r.year, r.lineage, r.team) for r in chunk])

    @get("/surveys/{run_id:int}/figures", responses=API_ERRORS, summary="Published figures (disclosure control applied)")
    async def figures(self, request: Request, run_id: FromPath[int], page: PageNumber = 1,
                      per_page: PageSize = PER_PAGE) -> FiguresPage:
        run = await self._run(request, run_id)
        rows = (await published_figures_of(run, request.app.state.settings.satisfaction_target))["rows"]
        chunk, info = _page(rows, page, per_page)
        figures = []
        for row in chunk:
            values = dict(zip(CSV_HEADER, row))
            figures.append(FigureRow(
                survey=values["survey"], survey_title=values["survey_title"], question=values["question"],
                question_text=values["question_text"], breakdown=values["breakdown"], group=values["group"],
                answer=values["answer"], kind=values["kind"], count=_number(values["count"]), base=_number(values["base"]),
                percent=_number(values["percent"], float), ci_low_percent=_number(values["ci_low_percent"], float),
                ci_high_percent=_number(values["ci_high_percent"], float),
                suppressed=SUPPRESSED_LABEL in (values["count"], values["base"], values["percent"]),
            ))
        await self._audit(request, run, "figures", len(figures))
        return FiguresPage(info, figures)

    @get("/surveys/{run_id:int}/themes", responses=API_ERRORS, summary="Themes in comments (published: small numbers hidden)")
    async def themes(self, request: Request, run_id: FromPath[int], page: PageNumber = 1,
                     per_page: PageSize = PER_PAGE) -> ThemesPage:
        run = await self._run(request, run_id)
        overview = (await themes_overview(run, await load_run(run)))["themes"]
        published = published_themes(overview, limit=None)
        chunk, info = _page(published["rows"], page, per_page)
        await self._audit(request, run, "themes", len(chunk))
        return ThemesPage(info, published["commenters"],
                          [ThemeRow(r["key"], r["label"], r["people"], r["share"], r["suppressed"]) for r in chunk])

    @get("/surveys/{run_id:int}/responses", responses=API_ERRORS, summary="Responses the consent gate allows (officers' tokens made to read them)")
    async def responses(self, request: Request, run_id: FromPath[int], page: PageNumber = 1,
                        per_page: PageSize = PER_PAGE) -> ResponsesPage:
        access: TokenAccess = request.state.token
        run = await self._run(request, run_id)
        if not access.may_read_raw(run) or access.owner.role not in ("admin", "officer"):
            raise PermissionDeniedException("This token reads published figures and themes only.")
        header, rows = await export_rows(run)
        keys = header[4:]
        chunk, info = _page(rows, page, per_page)
        records = [ReportingResponse(row[0], row[1], row[2], row[3], {k: v for k, v in zip(keys, row[4:]) if v != ""})
                   for row in chunk]
        await self._audit(request, run, "responses", len(records))
        return ResponsesPage(info, list(keys), records)
