"""Spreadsheet-safe files: CSV (with a byte order mark for Excel) and XLSX, every cell neutralised
against formulas. Used by every export and every published CSV."""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any, Iterable, TextIO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Look-alikes some spreadsheets (and people pasting from phones) turn into the real thing: the
# full-width and small forms fold to "=+-@" under NFKC; the minus sign and the dashes do not.
LOOK_ALIKES = ("\u2212", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2796", "\u2795", "\u229c")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (OWASP advice).

    Numbers stay numbers: a negative number typed as an answer is data, not a formula. Recipient
    columns (email addresses and E.164 phone numbers, validated where they were entered and again
    where they are written) are left alone by their writer: Notify rejects `'+447700900982`.
    """
    if isinstance(value, str) and value and (
        value.startswith(FORMULA_TRIGGERS + LOOK_ALIKES)
        or unicodedata.normalize("NFKC", value[0]).startswith(FORMULA_TRIGGERS)
    ):
        return "'" + value
    return value


def write_csv(header: list[str], rows: Iterable[list[Any]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        count += 1
    return count


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
