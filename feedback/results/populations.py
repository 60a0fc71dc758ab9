"""How many families are in each group (entered on a form or uploaded as CSV), and what the results
page makes of them: response rates per group, who is under-represented, a weighted headline."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from analysis.loading import BREAKDOWNS, SurveyData
from analysis.report import response_rates, weighted_headline
from feedback.results.dashboard import interval_text
from feedback.results.tables import GroupPopulation

MAX_FAMILIES = 10_000_000
MAX_UPLOAD = 100_000  # bytes: a CSV of a few dozen groups is far smaller
# Breakdowns families can be counted by (the respondents' columns the survey asks about).
POPULATION_BREAKDOWNS = ("support_level", "main_need", "age_band", "group")


def breakdowns_of(data: SurveyData) -> dict[str, str]:
    """The breakdowns this survey's answers have, with their names."""
    return {by: BREAKDOWNS[by] for by in POPULATION_BREAKDOWNS
            if by in BREAKDOWNS and by in data.respondents.columns and data.respondents[by].notna().any()}


def groups_of(data: SurveyData, by: str) -> dict[str, str]:
    """value -> label for every group of a breakdown (those in the answers and those the survey offers)."""
    labels = data.breakdown_labels(by)
    seen = [str(v) for v in data.respondents[by].dropna().astype(str).unique()] if by in data.respondents.columns else []
    return {value: labels.get(value, value) for value in dict.fromkeys([*labels, *seen])}


async def populations_of(run_id: int) -> dict[str, dict[str, int]]:
    """breakdown -> {group value: families} for one survey."""
    result: dict[str, dict[str, int]] = {}
    for row in await GroupPopulation.select().where(GroupPopulation.run_id == run_id).order_by(GroupPopulation.id):
        result.setdefault(row["breakdown"], {})[row["group_value"]] = row["families"]
    return result


async def save_populations(run_id: int, by: str, families: dict[str, int], actor: str) -> None:
    """Replace one breakdown's numbers (all of them at once: a half-saved set would mislead)."""
    await GroupPopulation.delete().where((GroupPopulation.run_id == run_id) & (GroupPopulation.breakdown == by))
    rows = [GroupPopulation(run_id=run_id, breakdown=by, group_value=g, families=n, updated_by=actor)
            for g, n in families.items()]
    if rows:
        await GroupPopulation.insert(*rows)


def _number(text: str) -> int | None:
    cleaned = text.strip().replace(",", "").replace(" ", "")
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise ValueError
    value = int(cleaned)
    if value > MAX_FAMILIES:
        raise ValueError
    return value


def families_from_form(form_values: dict[str, str], groups: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """The numbers typed in (blank: not known), or errors by field."""
    families, errors = {}, {}
    for value, label in groups.items():
        text = form_values.get(f"families-{value}", "")
        try:
            number = _number(text[:30])
        except ValueError:
            errors[f"families-{value}"] = f"Enter the number of families for {label} as a whole number, like 1240"
            continue
        if number:
            families[value] = number
    return families, errors


def families_from_csv(content: bytes, groups: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """A CSV with a group column and a families column (headers "group" and "families"; the group
    as its name, its short name in brackets, or its code). Returns the numbers, or the problems found (then nothing is saved)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, ["The file must be a CSV saved as UTF-8 text"]
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return {}, ["The file is empty"]
    header = [cell.strip().lower() for cell in rows[0]]
    if "group" not in header or "families" not in header:
        return {}, ["The first row must name the columns: group, families"]
    g, f = header.index("group"), header.index("families")
    by_name = {label.lower(): value for value, label in groups.items()} | {value.lower(): value for value in groups}
    for value, label in groups.items():  # a label's short form in brackets, e.g. "EHC plan"
        for short in re.findall(r"\(([^)]+)\)", label):
            by_name.setdefault(short.strip().lower(), value)
    families: dict[str, int] = {}
    problems = []
    for line, row in enumerate(rows[1:], start=2):
        name = row[g].strip() if g < len(row) else ""
        value = by_name.get(name.lower())
        if value is None:
            problems.append(f"Row {line}: '{name[:60]}' is not one of this survey's groups ({', '.join(groups.values())})")
            continue
        try:
            number = _number(row[f] if f < len(row) else "")
        except ValueError:
            problems.append(f"Row {line}: enter the number of families as a whole number")
            continue
        if number:
            families[value] = number
    if len(rows) > 501:
        problems.append("The file has more than 500 rows")
    return families, problems


def representation_context(data: SurveyData, populations: dict[str, dict[str, int]], weight_by: str | None) -> dict[str, Any]:
    """For the results page: response rates per group for each breakdown with numbers, the groups
    under-represented, and the headline weighted by one breakdown (the chosen one, else the first)."""
    sections = []
    for by, families in populations.items():
        if by not in data.respondents.columns:
            continue
        rates = response_rates(data, by, families)
        sections.append({
            "by": by, "title": BREAKDOWNS.get(by, by), "rows": rates,
            "under": [r.label for r in rates if r.under_represented],
        })
    weighted = None
    choice = weight_by if weight_by in populations else (next(iter(populations)) if populations else None)
    if choice:
        result = weighted_headline(data, choice, populations[choice])
        if result is not None:
            weighted = {"by": choice, "title": BREAKDOWNS.get(choice, choice), "share": f"{result.share * 100:.0f}%",
                        "interval": interval_text(result.ci_low, result.ci_high), "effective": f"{result.effective_base:.0f}",
                        "missing": [groups_of(data, choice).get(g, g) for g in result.groups_missing]}
    return {"representation": sections, "weighted": weighted, "weight_options": list(populations)}


@dataclass
class PopulationForm:
    by: str
    title: str
    groups: dict[str, str]
    values: dict[str, str]
