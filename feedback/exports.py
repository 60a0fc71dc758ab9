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


def write_xlsx(header: list[str], rows: Iterable[list[Any]], out, codebook_sheet: tuple[list[str], list[list[Any]]] | None = None) -> int:
    """An Excel workbook; cells are written as text or numbers, never as formulas."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("Responses")
    sheet.write_row(0, 0, [neutralise(h) for h in header], bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.write_row(count, 0, [neutralise(v) for v in row])
    if codebook_sheet is not None:
        book_header, book_rows = codebook_sheet
        sheet = workbook.add_worksheet("Codebook")
        sheet.write_row(0, 0, [neutralise(h) for h in book_header], bold)
        for index, row in enumerate(book_rows, start=1):
            sheet.write_row(index, 0, [neutralise(v) for v in row])
        sheet.set_column(1, 1, 60)
        sheet.set_column(5, 5, 60)
    workbook.close()
    return count


def csv_for_excel(header: list[str], rows: Iterable[list[Any]]) -> tuple[str, int]:
    """CSV with a byte order mark so Excel opens UTF-8 (names with accents, curly quotes) correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    count = write_csv(header, rows, buffer)
    return buffer.getvalue(), count
