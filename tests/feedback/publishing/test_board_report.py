"""The board report: Word and PDF from the results page, opening with the survey's title and its
headline percentage, with disclosure control (a small group's figures never reach it), and an
easy-read summary as its own document."""

from __future__ import annotations

import io
import uuid

import pytest
from docx import Document
from pypdf import PdfReader

from surveys.instrument import built_in_instruments
from surveys.runs import open_run
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import run
from tests.workspace_client import signed_in


def _docx_text(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(c.text for c in row.cells))
    return lines


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture(scope="module")
def board_survey():
    """24 answers: 18 satisfied (75%); 21 from parents and 3 from other family members (a small group)."""
    instrument = built_in_instruments()["annual-send-parent"]
    survey = run(open_run(instrument, slug=f"board-{uuid.uuid4().hex[:8]}", title="Board test survey",
                          lineage=f"board-{uuid.uuid4().hex[:6]}"))
    for i in range(24):
        role = "other_family" if i >= 21 else "parent"
        answers = valid_answers(survey.instrument, 700 + i, overall_satisfaction="satisfied" if i < 18 else "dissatisfied",
                                respondent_role=role)
        run(submitted(survey, answers))
    return survey


def test_results_page_links_both_reports_which_open_with_title_and_headline(app, board_survey):
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{board_survey.id}/analysis").text
    base = f"/workspace/surveys/{board_survey.id}/analysis"
    for link in ("board-report.docx", "board-report.pdf", "easy-read-summary.docx"):
        assert f"{base}/{link}" in page
    word = client.get(f"{base}/board-report.docx")
    assert word.status_code == 200 and "wordprocessingml" in word.headers["content-type"]
    lines = _docx_text(word.content)
    assert lines[0] == "Board test survey"
    assert lines[2] == "Overall satisfaction: 75%"
    pdf = client.get(f"{base}/board-report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert text.lstrip().startswith("Board test survey")
    assert "Overall satisfaction: 75%" in text.split("Year by year")[0]
    easy = _docx_text(client.get(f"{base}/easy-read-summary.docx").content)
    assert easy[0] == "Board test survey" and "About 8 out of 10 people who answered were happy with the help for SEND." in easy


def test_a_small_group_never_reaches_the_board_report_unsuppressed(app, board_survey):
    client = signed_in(app)
    base = f"/workspace/surveys/{board_survey.id}/analysis"
    lines = _docx_text(client.get(f"{base}/board-report.docx").content)
    text = _pdf_text(client.get(f"{base}/board-report.pdf").content)
    # 3 "other family" respondents: the whole respondent-group breakdown is suppressed ([c]), not "x of 3"
    for where in ("\n".join(lines), text):
        assert " of 3" not in where
        assert "of 21" not in where  # the parents' figure would give the small group away by subtraction
        assert "[c]" in where
    # the full figures page (officers only) does show them, with the warning
    page = client.get(base).text
    assert "Full figures" in page


def test_someone_elses_survey_has_no_board_report(app, board_survey):
    forum = signed_in(app, role="pcv", team=f"forum-{uuid.uuid4().hex[:6]}")
    for link in ("board-report.docx", "board-report.pdf", "easy-read-summary.docx"):
        assert forum.get(f"/workspace/surveys/{board_survey.id}/analysis/{link}").status_code == 404
