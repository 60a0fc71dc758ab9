"""`feedback export`: one row per submitted response, question keys as the header, no formulas."""

import csv
import io

import pytest

from feedback.cli import main
from feedback.spreadsheets import neutralise
from surveys.consent_steps import notice_for, record_participation
from surveys.responses import save_page, start_response, submit_response
from surveys.tables import Response
from tests.conftest import open_test_run, run


async def submitted(survey, answers, variant="standard"):
    draft, _ = await start_response(survey, variant=variant)
    await record_participation(draft, await notice_for(survey.instrument, variant))
    await save_page(Response._meta.db, draft, answers, "check")
    return await submit_response(draft, survey)


YOUNG_ANSWERS = {
    "respondent_role": "young_person", "age_band": "13_15", "setting": "secondary", "support_level": "ehcp",
    "listened_to": "agree", "involved_in_decisions": "disagree", "tell_us_once": "dont_know",
    "needs_met": "agree", "support_timely": "strongly_disagree", "feel_safe": "agree", "ehc_plan_helps": "agree",
    "preparing_for_adulthood": "neither", "overall_satisfaction": "satisfied",
}


def export(slug, capsys, *extra):
    assert main(["export", slug, *extra]) == 0
    return capsys.readouterr().out


def test_export_has_question_keys_as_header_and_one_row_per_submitted_response(capsys):
    survey = open_test_run("annual-send-young-person")
    run(submitted(survey, YOUNG_ANSWERS))
    run(submitted(survey, {**YOUNG_ANSWERS, "works_well": "my TA is nice"}))
    run(start_response(survey))  # an unfinished draft is not exported
    rows = list(csv.reader(io.StringIO(export(survey.slug, capsys))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["respondent_id", "submitted_at", "variant", "channel"]
    assert header[4:] == list(survey.instrument.question_keys)
    assert len(body) == 2
    record = dict(zip(header, body[1]))
    assert record["works_well"] == "my TA is nice" and record["age_band"] == "13_15"
    assert record["variant"] == "standard" and record["channel"] == "web"


def test_withdrawn_responses_are_not_exported(capsys):
    survey = open_test_run("annual-send-young-person")
    kept = run(submitted(survey, YOUNG_ANSWERS))
    gone = run(submitted(survey, YOUNG_ANSWERS))
    run(Response.update({Response.status: "withdrawn"}).where(Response.id == gone.id))
    body = list(csv.reader(io.StringIO(export(survey.slug, capsys))))[1:]
    assert [row[0] for row in body] == [kept.respondent_id]


def test_the_export_goes_through_the_consent_gate(capsys):
    """A participation withdrawal recorded in consent/ excludes the row even if the response row
    itself was somehow left as submitted: one gate, no path that forgot to check."""
    from consent.records import record_withdrawal

    survey = open_test_run("annual-send-young-person")
    kept = run(submitted(survey, YOUNG_ANSWERS))
    gone = run(submitted(survey, YOUNG_ANSWERS))
    run(record_withdrawal(gone.respondent_id, ["participation"]))
    body = list(csv.reader(io.StringIO(export(survey.slug, capsys))))[1:]
    assert [row[0] for row in body] == [kept.respondent_id]


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"])
def test_every_cell_is_neutralised_against_formulas(dangerous, capsys):
    assert neutralise(dangerous) == "'" + dangerous
    survey = open_test_run("annual-send-young-person")
    run(submitted(survey, {**YOUNG_ANSWERS, "could_be_better": dangerous.strip() or dangerous}))
    out = export(survey.slug, capsys)
    for row in list(csv.reader(io.StringIO(out)))[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_neutralise_leaves_safe_values_alone():
    assert neutralise("A parent") == "A parent"
    assert neutralise(-3) == -3
    assert neutralise("") == ""


def test_xlsx_export_writes_text_cells_never_formulas():
    import zipfile

    from feedback.workspace.exports import export_rows, write_xlsx

    survey = open_test_run("annual-send-young-person")
    run(submitted(survey, {**YOUNG_ANSWERS, "works_well": "=1+1"}))
    header, rows = run(export_rows(survey))
    buffer = io.BytesIO()
    assert write_xlsx(header, rows, buffer) == 1
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet  # no formula cells at all
    assert "'=1+1" in strings


def test_exporting_an_unknown_survey_says_so(capsys):
    assert main(["export", "no-such-survey"]) == 2
    assert "No survey with the slug" in capsys.readouterr().err
