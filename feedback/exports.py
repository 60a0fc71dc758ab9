"""Exports of submitted responses. Every cell is neutralised against spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, TextIO

from consent.gate import permitted_subjects
from consent.purposes import PARTICIPATION
from surveys.responses import submitted_responses
from surveys.runs import Run

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
META_COLUMNS = ("respondent_id", "submitted_at", "variant", "channel")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (OWASP advice).

    Numbers stay numbers: a negative number typed as an answer is data, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


async def export_rows(run: Run) -> tuple[list[str], list[list[Any]]]:
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
        rows.append(meta + [cell(response.answers.get(key)) for key in keys])
    return header, rows


def write_csv(header: list[str], rows: Iterable[list[Any]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        count += 1
    return count


async def export_csv_text(run: Run) -> str:
    header, rows = await export_rows(run)
    buffer = io.StringIO()
    write_csv(header, rows, buffer)
    return buffer.getvalue()


def write_xlsx(header: list[str], rows: Iterable[list[Any]], out) -> int:
    """An Excel workbook; cells are written as text or numbers, never as formulas."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("Responses")
    sheet.write_row(0, 0, [neutralise(h) for h in header])
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.write_row(count, 0, [neutralise(v) for v in row])
    workbook.close()
    return count
