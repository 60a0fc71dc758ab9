"""A survey's opening and closing dates: kept through close and reopen, changed by its managers with
GOV.UK date inputs, and a survey scheduled to open on a date is not listed or answerable before it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from feedback.accounts.tables import AuditEntry
from feedback.workspace.dates import read_survey_dates
from surveys.runs import get_run, set_status
from surveys.tables import SurveyRun
from tests.conftest import run
from tests.walker import csrf_token
from tests.workspace_client import make_user, open_survey, sign_in, text_of

TODAY = datetime.now(timezone.utc).date()


def date_form(prefix: str, when: date | None) -> dict[str, str]:
    if when is None:
        return {f"{prefix}-day": "", f"{prefix}-month": "", f"{prefix}-year": ""}
    return {f"{prefix}-day": str(when.day), f"{prefix}-month": str(when.month), f"{prefix}-year": str(when.year)}


def save_dates(client, survey, opens: date | None, closes: date | None, **extra):
    page = client.get(f"/workspace/surveys/{survey.id}/dates")
    assert page.status_code == 200
    data = {"_csrf_token": csrf_token(page.text), **date_form("opens", opens), **date_form("closes", closes), **extra}
    return client.post(f"/workspace/surveys/{survey.id}/dates", data=data, follow_redirects=False)


@pytest.fixture
def officer(browser):
    with browser() as client:
        sign_in(client, make_user("officer"))
        yield client


def test_reopening_keeps_the_closing_date_and_retention_counts_from_the_close(officer):
    closes = TODAY + timedelta(days=60)
    survey = open_survey(None)
    assert save_dates(officer, survey, None, closes).status_code == 303
    page = officer.get(f"/workspace/surveys/{survey.id}")
    officer.post(f"/workspace/surveys/{survey.id}/status", data={"_csrf_token": csrf_token(page.text), "action": "close"})
    closed = run(get_run(survey.slug))
    assert closed.closes_at.date() == closes  # closing early keeps the planned date
    assert closed.closed_since() is not None and closed.closed_since().date() == TODAY  # retention counts from today
    assert "Stopped taking answers" in text_of(officer.get(f"/workspace/surveys/{survey.id}").text)
    officer.post(f"/workspace/surveys/{survey.id}/status", data={"_csrf_token": csrf_token(page.text), "action": "open"})
    reopened = run(get_run(survey.slug))
    assert reopened.is_open() and reopened.closes_at.date() == closes and reopened.closed_since() is None
    assert f"Closes {closes:%-d %B %Y}" in text_of(officer.get(f"/workspace/surveys/{survey.id}").text)


def test_reopening_after_the_closing_date_asks_for_a_new_one(officer):
    survey = open_survey(None)
    run(SurveyRun.update({SurveyRun.status: "closed", SurveyRun.closes_at: datetime.now(timezone.utc) - timedelta(days=3)})
        .where(SurveyRun.id == survey.id))
    page = officer.get(f"/workspace/surveys/{survey.id}")
    asked = officer.post(f"/workspace/surveys/{survey.id}/status", data={"_csrf_token": csrf_token(page.text), "action": "open"},
                         follow_redirects=True)
    assert "Set a new closing date to reopen the survey" in asked.text and "has passed" in asked.text
    assert run(get_run(survey.slug)).status == "closed"  # nothing changed yet
    # a past date is refused with the GOV.UK message; a later one saves and reopens
    refused = officer.post(f"/workspace/surveys/{survey.id}/dates", data={
        "_csrf_token": csrf_token(asked.text), "reopen": "yes", **date_form("opens", None),
        **date_form("closes", TODAY - timedelta(days=1))})
    assert refused.status_code == 422 and "govuk-error-summary" in refused.text
    assert "The closing date must be today or in the future" in refused.text
    saved = save_dates(officer, survey, None, TODAY + timedelta(days=30), reopen="yes")
    assert saved.status_code == 303
    reopened = run(get_run(survey.slug))
    assert reopened.is_open() and reopened.closes_at.date() == TODAY + timedelta(days=30)
    actions = [e.action for e in run(AuditEntry.objects().where(AuditEntry.object == survey.slug))]
    assert "survey_dates_changed" in actions and "survey_reopened" in actions


def test_a_scheduled_survey_is_not_listed_nor_answerable_before_its_opening_date(officer, client):
    survey = open_survey(None)
    opens = TODAY + timedelta(days=7)
    assert save_dates(officer, survey, opens, opens + timedelta(days=30)).status_code == 303
    workspace = text_of(officer.get(f"/workspace/surveys/{survey.id}").text)
    assert "Scheduled" in workspace and f"Opens {opens:%-d %B %Y} (scheduled" in workspace
    assert "Scheduled" in text_of(officer.get("/workspace").text)
    assert f"/s/{survey.slug}" not in client.get("/").text
    start = client.get(f"/s/{survey.slug}")
    assert start.status_code == 403 and f"opens on {opens:%-d %B %Y}" in text_of(start.text)
    assert client.post(f"/s/{survey.slug}/before-you-start", data={}).status_code in (403, 400)
    assert client.get(f"/s/{survey.slug}?version=easy_read").status_code == 403
    # once the opening date comes, it is open
    run(SurveyRun.update({SurveyRun.opens_at: datetime.now(timezone.utc) - timedelta(minutes=1)}).where(SurveyRun.id == survey.id))
    assert client.get(f"/s/{survey.slug}").status_code == 200
    assert f"/s/{survey.slug}" in client.get("/").text


@pytest.mark.parametrize("opens, closes, message", [
    ({"day": "31", "month": "2", "year": "2027"}, None, "The opening date must be a real date"),
    ({"day": "1", "month": "", "year": "2027"}, None, "The opening date must include a month"),
    (None, {"day": "", "month": "", "year": "2027"}, "The closing date must include a day and month"),
    (None, {"day": "1", "month": "3", "year": "27"}, "Year must include 4 numbers"),
    (None, {"day": "x", "month": "3", "year": "2027"}, "The closing date must be a real date"),
    ({"day": "10", "month": "3", "year": str(TODAY.year + 1)}, {"day": "1", "month": "3", "year": str(TODAY.year + 1)},
     "The closing date must be after the opening date"),
    (None, {"day": "1", "month": "1", "year": "9999"}, "The closing date must be within the next 5 years"),
])
def test_bad_dates_get_a_clear_message_and_lose_nothing(officer, opens, closes, message):
    survey = open_survey(None)
    before = run(get_run(survey.slug))
    page = officer.get(f"/workspace/surveys/{survey.id}/dates")
    data = {"_csrf_token": csrf_token(page.text)}
    for prefix, parts in (("opens", opens), ("closes", closes)):
        for part in ("day", "month", "year"):
            data[f"{prefix}-{part}"] = (parts or {}).get(part, "")
    refused = officer.post(f"/workspace/surveys/{survey.id}/dates", data=data)
    assert refused.status_code == 422
    assert "govuk-error-summary" in refused.text and message in refused.text
    assert "govuk-input--error" in refused.text
    for part in ("day", "month", "year"):  # what was typed comes back
        for prefix, parts in (("opens", opens), ("closes", closes)):
            if parts and parts.get(part):
                assert f'value="{parts[part]}"' in refused.text
    after = run(get_run(survey.slug))
    assert (after.opens_at, after.closes_at, after.status) == (before.opens_at, before.closes_at, before.status)


def test_only_the_surveys_managers_change_its_dates(browser):
    team_survey = open_survey("dates-team-a")
    for role, team, expected in (("pcv", "dates-team-b", 404), ("pcv", "dates-team-a", 200), ("officer", "partnership", 200)):
        with browser() as client:
            sign_in(client, make_user(role, team))
            assert client.get(f"/workspace/surveys/{team_survey.id}/dates").status_code == expected
            token = csrf_token(client.get("/workspace").text)
            posted = client.post(f"/workspace/surveys/{team_survey.id}/dates", follow_redirects=False,
                                 data={"_csrf_token": token, **date_form("opens", None), **date_form("closes", None)})
            assert posted.status_code == (404 if expected == 404 else 303)
    with browser() as anonymous:
        assert anonymous.get(f"/workspace/surveys/{team_survey.id}/dates", follow_redirects=False).status_code in (302, 303)


def test_blank_dates_mean_open_now_and_no_end_and_the_pure_reader_agrees():
    dates = read_survey_dates({}, TODAY)
    assert dates.errors == [] and dates.opens_at is None and dates.closes_at is None
    dates = read_survey_dates({"closes-day": "1", "closes-month": "3", "closes-year": str(TODAY.year + 1)}, TODAY)
    assert dates.closes_at == datetime(TODAY.year + 1, 3, 1, 23, 59, tzinfo=timezone.utc)


def test_closing_a_survey_twice_keeps_the_first_closing_time():
    survey = open_survey(None)
    run(set_status(survey.slug, "closed"))
    first = run(get_run(survey.slug)).closed_at
    run(set_status(survey.slug, "closed"))
    assert run(get_run(survey.slug)).closed_at == first
