"""Gathering a survey's results for the results page, its chart downloads and the board report:
this run and every earlier run of its lineage the account may see, loaded through the consent gate."""

from __future__ import annotations

from typing import Any

from analysis.charts import Chart
from analysis.loading import SurveyData, load_run
from analysis.report import POET_VIEWS, side_by_side, trend
from feedback.accounts.auth import Account, can_see
from feedback.results import cache
from feedback.results.dashboard import dashboard_context
from feedback.results.populations import populations_of, representation_context
from feedback.themes.views import themes_over_years, themes_overview
from surveys.runs import Run, lineage_runs, list_runs


async def visible_lineage(account: Account, run: Run) -> list[Run]:
    """Every run of the lineage up to `run` that `account` may see, oldest first."""
    return [r for r in await lineage_runs(run) if r.id == run.id or can_see(account, r)]


async def lineage_history(account: Account, run: Run) -> list[tuple[Run, SurveyData]]:
    """Every run of the lineage up to `run` that `account` may see, oldest first, with its data."""
    return [(r, await load_run(r)) for r in await visible_lineage(account, run)]


def _plain_label(run: Run, runs: list[Run]) -> str:
    same_year = [r for r in runs if r.year == run.year]
    return run.year if run.year and len(same_year) == 1 else f"{run.title} ({run.year})" if run.year else run.title


def _label(run: Run, runs: list[Run]) -> str:
    """The run's year, or its title when two runs share a year; numbered in date order when two
    runs share both (a copy keeps the title), so every run of the trend has a label of its own."""
    label = _plain_label(run, runs)
    alike = [r for r in runs if _plain_label(r, runs) == label]
    return label if len(alike) == 1 else f"{label} – {[r.id for r in alike].index(run.id) + 1} of {len(alike)}"


async def results_context(account: Account, run: Run, target: float, weight_by: str | None = None) -> dict[str, Any]:
    """Everything the results page shows. The figures are computed once per state of the data they
    come from (see `cache`); the POET views depend on which other surveys the account sees, so they
    are gathered each time. Callers get a copy of the top level to add their own keys to."""
    runs = await visible_lineage(account, run)
    key = ("results", run.id, target, weight_by, await cache.fingerprint(runs, run.id))
    computed = cache.get(key)
    if computed is None:
        computed = await _computed_results(run, runs, target, weight_by)
        cache.put(key, computed)
    context = dict(computed)
    context["poet"] = await poet_views(account, run, context["data"])
    return context


async def _computed_results(run: Run, visible: list[Run], target: float, weight_by: str | None) -> dict[str, Any]:
    history = [(r, await load_run(r)) for r in visible]
    data = history[-1][1]
    earlier_run, earlier = (history[-2] if len(history) >= 2 else (None, None))
    runs = [r for r, _ in history]
    points = trend([(r.id, _label(r, runs), r.title, d) for r, d in history])
    themes = await themes_overview(run, data)
    themes_before = (await themes_overview(earlier_run, earlier))["themes"]["rows"] if earlier_run is not None else []
    context = dashboard_context(
        data, target, earlier, history=points,
        sections=[(s.key, s.title) for s in run.instrument.sections],
        themes_now=themes["themes"]["rows"], themes_before=themes_before,
    )
    context.update(themes)
    context["theme_trends"] = await themes_over_years([(_label(r, runs), r, d) for r, d in history])
    context.update({"previous_run": earlier_run, "data": data})
    context.update(representation_context(data, await populations_of(run.id), weight_by))
    return context


async def poet_views(account: Account, run: Run, data: SurveyData) -> dict[str, Any] | None:
    """For a POET questionnaire: the parent/carer, young person and practitioner views of each
    outcome area side by side, each from the latest run of its questionnaire this account may see."""
    keys = [key for key, _ in POET_VIEWS]
    if run.instrument.key not in keys and run.lineage not in keys:
        return None
    latest: dict[str, Run] = {}
    for other in await list_runs():
        lineage = other.lineage
        if lineage in keys and can_see(account, other) and (lineage not in latest or other.id > latest[lineage].id):
            latest[lineage] = other
    own = run.lineage if run.lineage in keys else run.instrument.key
    latest[own] = run
    views, shown = [], []
    for key, label in POET_VIEWS:
        if key in latest:
            views.append((label, data if latest[key].id == run.id else await load_run(latest[key])))
            shown.append({"label": label, "run": latest[key]})
    return {"views": shown, "rows": side_by_side(views)}


def find_chart(context: dict[str, Any], chart_id: str) -> Chart | None:
    """The chart of the results page with this id (trend, headline, breakdowns, questions, themes)."""
    charts: list[Chart | None] = [context.get("trend_chart"), context.get("headline_chart")]
    charts += [b["chart"] for b in context.get("breakdowns", [])]
    charts += [q["chart"] for q in context.get("questions", [])]
    charts.append((context.get("themes") or {}).get("chart"))
    return next((c for c in charts if c is not None and c.id == chart_id), None)


def svg_to_png(svg: str) -> bytes:
    """PNG for slides, drawn on our server by CairoSVG from the same SVG (nothing leaves the machine)."""
    import cairosvg  # imported here: libcairo is only needed when someone downloads a PNG

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"))
