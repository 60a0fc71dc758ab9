"""Exports of submitted responses (CSV, XLSX and the codebook). Every cell goes through
`feedback.spreadsheets`, which neutralises spreadsheet formulas."""

from __future__ import annotations

import io
from typing import Any

from consent.gate import permitted_subjects
from consent.purposes import PARTICIPATION
from surveys.responses import submitted_responses
from surveys.runs import Run

from feedback.spreadsheets import csv_for_excel, neutralise, write_csv, write_xlsx  # noqa: F401 (the export API)

META_COLUMNS = ("respondent_id", "submitted_at", "variant", "channel")


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def labelled(question, value: Any) -> Any:
    """An answer as people read it: option labels instead of codes."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(question.label_for(v) for v in value)
    if question.option_values and isinstance(value, str):
        return question.label_for(value)
    return value


def codebook(run: Run) -> tuple[list[str], list[list[Any]]]:
    """One row per export column: what it holds and, for choices, every code and its label."""
    header = ["column", "question", "section", "type", "optional", "codes", "shown only when"]
    rows: list[list[Any]] = [
        ["respondent_id", "Pseudonymous id of the respondent (links to consent records)", "", "id", "no", "", ""],
        ["submitted_at", "When the answers were sent (UTC)", "", "date-time", "no", "", ""],
        ["variant", "Version answered", "", "code", "no", "standard = Standard; easy_read = Easy read; symbols = With pictures", ""],
        ["channel", "How the answers were given", "", "code", "no", "web = Online; event = At an event; paper = Paper form typed in", ""],
    ]
    sections = {s.key: s.title for s in run.instrument.sections}
    for q in run.instrument.questions:
        codes = "; ".join(f"{o.value} = {o.label}" for o in q.all_options)
        condition = ""
        if q.show_if is not None:
            condition = f"{q.show_if.question} is {' or '.join(q.show_if.values())}"
        rows.append([q.key, q.text, sections.get(q.section, ""), q.type, "yes" if q.optional else "no", codes, condition])
    return header, rows


async def export_rows(run: Run, labels: bool = False) -> tuple[list[str], list[list[Any]]]:
    """Header (meta columns then question keys) and one row per submitted, non-withdrawn response."""
    keys = list(run.instrument.question_keys)
    header = [*META_COLUMNS, *keys]
    rows = []
    responses = await submitted_responses(run.id)
    # Through the consent gate: anyone who withdrew is left out, whatever their row says.
    allowed = await permitted_subjects(PARTICIPATION, [r.respondent_id for r in responses])
    for response in (r for r in responses if r.respondent_id in allowed):
        submitted = response.submitted_at.isoformat(timespec="seconds") if response.submitted_at else ""
        meta = [response.respondent_id, submitted, response.variant, response.channel]
        if labels:
            questions = run.instrument.questions_by_key
            rows.append(meta + [labelled(questions[key], response.answers.get(key)) for key in keys])
        else:
            rows.append(meta + [cell(response.answers.get(key)) for key in keys])
    return header, rows


async def export_csv_text(run: Run) -> str:
    header, rows = await export_rows(run)
    buffer = io.StringIO()
    write_csv(header, rows, buffer)
    return buffer.getvalue()
