"""Public pages: the home page listing open surveys, health check, privacy and accessibility."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE

from consent.notices import parse_body
from consent.tables import Notice
from feedback.rendering import render
from surveys.runs import list_open_runs, told_apart
from surveys.tables import SurveyRun

VARIANT_LABELS = {"easy_read": "Easy read", "symbols": "With pictures"}


@get("/", include_in_schema=False)
async def home(request: Request) -> Response:
    runs = told_apart(await list_open_runs())  # two open runs called the same are told apart
    return render(
        request, "home.html",
        {"page_title": "Have your say", "runs": runs, "variant_labels": VARIANT_LABELS},
        private=False,
    )


@get("/healthz", tags=["operations"], summary="Liveness and database check")
async def healthz() -> Response:
    try:
        await SurveyRun.count()
    except Exception:  # the database is down or unreachable: say so, without detail
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
    return Response({"status": "ok", "database": "ok"})


@get("/privacy", include_in_schema=False)
async def privacy(request: Request) -> Response:
    notices = await Notice.objects().where(Notice.audience == "standard").order_by(Notice.key).order_by(Notice.version, ascending=False)
    latest: dict[str, Notice] = {}
    for notice in notices:
        latest.setdefault(notice.key, notice)
    return render(
        request, "public/privacy.html",
        {"page_title": "Privacy", "notices": [(n, parse_body(n.body)) for n in latest.values()]},
        private=False,
    )


@get("/accessibility", include_in_schema=False)
async def accessibility(request: Request) -> Response:
    return render(request, "public/accessibility.html", {"page_title": "Accessibility statement"}, private=False)


@get("/you-said-we-did", include_in_schema=False)
async def you_said_we_did(
    request: Request,
    survey: FromQuery[str | None] = None,
    year: FromQuery[str | None] = None,
    theme: FromQuery[str | None] = None,
    version: FromQuery[str | None] = None,
) -> Response:
    """Published updates: filter by survey, year and theme with plain links and a GET form."""
    context = await _updates_context(survey, year, theme, version, request.app.state.settings.satisfaction_target)
    return render(request, "public/you_said_we_did.html", context, private=False)


@get("/you-said-we-did/print", include_in_schema=False)
async def you_said_we_did_print(request: Request, survey: FromQuery[str | None] = None) -> Response:
    context = await _updates_context(survey, None, None, None, request.app.state.settings.satisfaction_target)
    context["page_title"] = "You said, we did: report"
    return render(request, "public/you_said_we_did_print.html", context, private=False)


async def _published_runs(survey: str | None = None) -> list:
    """Surveys with at least one published update (only those have public figures), or the one
    chosen by its slug."""
    from feedback.publishing.updates import published_updates
    from surveys.runs import list_runs

    with_updates = {u.run for u in await published_updates() if u.run is not None}
    runs = [r for r in await list_runs() if r.id in with_updates]
    if survey is not None:
        runs = [r for r in runs if r.slug == survey]
    return sorted(runs, key=lambda r: r.title)


@get("/you-said-we-did/figures.csv", include_in_schema=False)
async def published_figures_csv(request: Request, survey: FromQuery[str | None] = None) -> Response:
    """The published figures (disclosure control applied) of every survey with a published update,
    or of one (?survey=slug). A survey without a published update has no public figures: 404."""
    from litestar.exceptions import NotFoundException

    from feedback.publishing.figures import figures_csv

    runs = await _published_runs(survey[:200] if survey is not None else None)
    if survey is not None and not runs:
        raise NotFoundException()
    text, _ = await figures_csv(runs, request.app.state.settings.satisfaction_target)
    name = f"{runs[0].slug}-published-figures.csv" if survey is not None else "published-figures.csv"
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-cache"})


async def _updates_context(survey: str | None, year: str | None, theme: str | None, version: str | None,
                           target: float = 0.9) -> dict:
    from feedback.publishing.figures import date_in_words, progress_in_words, survey_results
    from feedback.publishing.quotes import published_quotes
    from feedback.publishing.updates import STATUS_TAGS, STATUSES, published_updates, theme_labels, timeline
    from surveys.runs import list_runs

    runs = {r.id: r for r in await list_runs()}
    by_slug = {r.slug: r for r in runs.values()}
    chosen = by_slug.get(survey or "")
    # A year is four ASCII digits; anything else (5,000 digits, "²") is no filter, never an error.
    year_number = int(year) if year and len(year) == 4 and year.isascii() and year.isdigit() else None
    themes = await theme_labels()
    everything = await published_updates()
    # a theme removed from the codebook can still be chosen while published updates mention it
    known = set(themes) | {t for u in everything for t in (u.themes or []) if isinstance(t, str)}
    theme = theme if theme in known else None
    updates = await published_updates(chosen.id if chosen else None, year_number, theme)
    easy = version in ("easy_read", "symbols")
    shown_runs = sorted({runs[u.run].id: runs[u.run] for u in updates if u.run in runs}.values(), key=lambda r: r.title)
    return {
        "quotes": await published_quotes([u.id for u in updates]),
        "results": await survey_results(shown_runs, target),
        "target_percent": f"{target * 100:g}%",
        "page_title": "You said, we did",
        "updates": updates,
        "events": await timeline([u.id for u in updates]),
        "runs": runs,
        "survey_options": sorted({runs[u.run].slug: runs[u.run].title for u in everything if u.run in runs}.items()),
        "year_options": sorted({u.published_at.year for u in everything if u.published_at}, reverse=True),
        "theme_options": sorted({t: themes.get(t, t) for u in everything for t in (u.themes or [])}.items(), key=lambda kv: kv[1]),
        "themes": themes,
        "chosen": {"survey": chosen.slug if chosen else "", "year": year_number, "theme": theme or ""},
        "statuses": STATUSES,
        "tags": STATUS_TAGS,
        "variant": version if easy else "standard",
        "progress_in_words": progress_in_words,
        "date_in_words": date_in_words,
    }


@get("/symbols/{name:str}", include_in_schema=False)
async def symbol_file(name: FromPath[str]) -> Response:
    """An OpenMoji symbol, served from the installed package (never from another site)."""
    from litestar.exceptions import NotFoundException

    try:
        from surveys.symbols import symbol_path
    except ImportError:
        raise NotFoundException() from None
    path = symbol_path(name.removesuffix(".svg")) if name.endswith(".svg") else None
    if path is None or not path.exists():
        raise NotFoundException()
    return Response(path.read_bytes(), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=31536000, immutable"})


ROUTES = [home, healthz, privacy, accessibility, you_said_we_did, you_said_we_did_print, published_figures_csv, symbol_file]
