"""Retention as the privacy notices promise it, through the `feedback retention` command: finished
answers go with everything drawn from them once their survey's period ends, consent records stay as
evidence, open surveys keep everything, and each survey's periods are settings of its instrument."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest

from consent.records import records_for
from consent.tables import ConsentRecord, ContactDetail
from feedback.accounts.tables import AuditEntry
from feedback.cli import main
from feedback.publishing.quotes import refresh_candidates
from feedback.publishing.tables import Quote
from feedback.themes.tables import CodedComment, CommentCoding
from surveys.instrument import built_in_instruments, parse_instrument
from surveys.runs import get_run, open_run
from surveys.tables import Response, SurveyRun
from tests.conftest import open_test_run, run, unique_slug
from tests.walker import Walker, fill, parse_forms, reference_on

COMMENT = "The SENCo never answers my emails and we waited a year for the EHC plan, it is vague"


def post_form(client, page, data: dict):
    form = parse_forms(page.text)[0]
    return client.post(form.action, data={**form.hidden(), **data}, follow_redirects=True)


def answer_with_comment(client, slug: str, choices: dict | None = None) -> str:
    """One finished response with a comment (coded into themes), agreeing to quotes and contact."""
    walker = Walker(client)
    page = walker.get(f"/s/{slug}")
    for _ in range(80):
        url = str(page.url)
        if "your-choices" in url:
            break
        form = parse_forms(page.text)[0]
        values = fill(form, text=COMMENT) if "/q/works_well" in url else fill(form)
        page = walker.submit(page, form, values)
    check = post_form(client, page, choices or {"quotes": "yes", "contact": "yes", "email": "parent@example.com"})
    assert "/check" in str(check.url)
    reference = reference_on(post_form(client, check, {}).text)
    assert reference
    return reference


def close_days_ago(slug: str, days: int) -> None:
    run(SurveyRun.update({SurveyRun.status: "closed",
                          SurveyRun.closes_at: datetime.now(timezone.utc) - timedelta(days=days)}).where(SurveyRun.slug == slug))


def held(survey) -> dict:
    ids = [r["id"] for r in run(Response.select(Response.id).where(Response.run == survey.id))]
    subjects = [str(r["respondent_id"]) for r in run(Response.select(Response.respondent_id).where(Response.run == survey.id))]
    return {
        "responses": len(ids),
        "codings": run(CommentCoding.count().where(CommentCoding.run == survey.id)),
        "coded": run(CodedComment.count().where(CodedComment.run == survey.id)),
        "quotes": run(Quote.count().where(Quote.run == survey.id)),
        "contacts": run(ContactDetail.count().where(ContactDetail.subject.is_in(subjects))) if subjects else 0,
    }


def test_a_survey_closed_four_years_ago_holds_no_answers_after_retention_apply_and_an_open_one_keeps_all(client, capsys):
    old = open_test_run("annual-send-parent", prefix="closed-2022")
    references = [answer_with_comment(client, old.slug) for _ in range(3)]
    subjects = [str(run(Response.select(Response.respondent_id).where(Response.reference == r).first())["respondent_id"])
                for r in references]
    run(refresh_candidates(run(get_run(old.slug)), "officer@example.com"))
    current = open_test_run("annual-send-parent", prefix="open-now")
    answer_with_comment(client, current.slug)
    answer_with_comment(client, current.slug)
    before_open = held(current)
    before = held(old)
    assert before["responses"] == 3 and before["codings"] > 0 and before["quotes"] > 0 and before["contacts"] == 3
    close_days_ago(old.slug, 4 * 365)

    # the dry run says what would go and changes nothing
    assert main(["retention"]) == 0
    out = capsys.readouterr().out
    assert f"{old.slug}: 3 responses past their period" in out and "dry run" in out
    assert current.slug not in out
    assert held(old) == before

    assert main(["retention", "--apply"]) == 0
    out = capsys.readouterr().out
    assert "3 responses past their period" in out
    assert held(old) == {"responses": 0, "codings": 0, "coded": 0, "quotes": 0, "contacts": 0}
    assert held(current) == before_open  # an open survey keeps every answer
    assert before_open["responses"] == 2
    # the consent records stay as the evidence of what was agreed, and they hold no answers
    for subject in subjects:
        records = run(records_for(subject))
        assert records and all(COMMENT not in json.dumps(r.purposes) for r in records)
    assert run(ConsentRecord.count().where(ConsentRecord.subject.is_in(subjects))) >= 3
    # the run is told in the audit log by the command line, with counts and nothing else
    entry = run(AuditEntry.objects().where(AuditEntry.action == "retention").order_by(AuditEntry.id, ascending=False).first())
    assert entry.actor == "command line" and "responses past their period: 3" in entry.detail
    for reference in references:
        assert reference not in entry.detail
    # the survey itself is still listed, with nothing to export
    assert run(get_run(old.slug)) is not None


def test_answers_are_kept_until_their_period_ends(client, capsys):
    survey = open_test_run("annual-send-parent", prefix="closed-2024")
    answer_with_comment(client, survey.slug)
    close_days_ago(survey.slug, 3 * 365 - 2)  # two days short of three years
    assert main(["retention", "--apply"]) == 0
    capsys.readouterr()
    assert held(survey)["responses"] == 1


def _instrument_with(**periods):
    raw = copy.deepcopy(built_in_instruments()["annual-send-parent"].raw)
    raw["retention"] = {**raw["retention"], **periods}
    return parse_instrument(raw, source="test")


def test_each_survey_keeps_answers_for_its_own_instruments_period(client, capsys):
    short = run(open_run(_instrument_with(answers_days=400, free_text_days=365), slug=unique_slug("short-period")))
    answer_with_comment(client, short.slug)
    standard = open_test_run("annual-send-parent", prefix="standard-period")
    answer_with_comment(client, standard.slug)
    close_days_ago(short.slug, 401)
    close_days_ago(standard.slug, 401)
    assert main(["retention", "--apply"]) == 0
    capsys.readouterr()
    assert held(short)["responses"] == 0
    assert held(standard)["responses"] == 1


def test_command_line_overrides_only_shorten_a_surveys_periods(client, capsys):
    survey = open_test_run("annual-send-parent", prefix="drafts")
    Walker(client).get(f"/s/{survey.slug}")
    page = Walker(client)
    walker = Walker(client)
    response = walker.get(f"/s/{survey.slug}")
    form = parse_forms(response.text)[0]
    walker.submit(response, form, fill(form))
    draft = run(Response.select(Response.id).where(Response.run == survey.id).first())
    assert draft is not None and page
    run(Response.update({Response.updated_at: datetime.now(timezone.utc) - timedelta(days=20)}).where(Response.id == draft["id"]))
    # 90 days asked for, but the notice promises 30: the draft (20 days old) stays, none is kept longer
    assert main(["retention", "--apply", "--draft-days", "90"]) == 0
    assert run(Response.exists().where(Response.id == draft["id"]))
    assert main(["retention", "--apply", "--draft-days", "10"]) == 0
    capsys.readouterr()
    assert not run(Response.exists().where(Response.id == draft["id"]))


@pytest.mark.parametrize("periods, message", [
    ({"answers_days": "three years"}, "'retention.answers_days' must be a whole number of days from 30 to 3650"),
    ({"drafts_days": 0}, "'retention.drafts_days' must be a whole number of days from 1 to 365"),
    ({"contacts_days": 2000}, "'retention.contacts_days' cannot be longer than 'retention.answers_days'"),
    ({"kept_for": 3}, "unknown field 'kept_for'"),
])
def test_instrument_retention_settings_are_checked(periods, message):
    from surveys.instrument import InstrumentInvalid

    with pytest.raises(InstrumentInvalid) as error:
        _instrument_with(**periods)
    assert message in str(error.value)


def test_invitation_addresses_go_once_their_survey_has_closed(client, settings, capsys):
    """Invitations and reminders only go to an open survey: once it closes, retention deletes the
    addresses (opt-out hashes and the yes/no 'responded' stay); an open survey keeps them."""
    from feedback.messages.invitations import LAWFUL_BASES, import_list, parse_contact_csv
    from feedback.messages.tables import Invitee

    closing, staying = open_test_run(prefix="inv-closed"), open_test_run(prefix="inv-open")
    basis = sorted(LAWFUL_BASES)[0]
    for survey in (closing, staying):
        parsed = parse_contact_csv("email\nfamily-one@example.org\nfamily-two@example.org\n")
        run(import_list(settings, survey.id, parsed, basis, "families on the forum's list", "test"))
    close_days_ago(closing.slug, 1)

    assert main(["retention", "--apply"]) == 0
    assert "invitation addresses" in capsys.readouterr().out
    addresses = {s.id: [r["address"] for r in run(Invitee.select(Invitee.address).where(Invitee.run == s.id))] for s in (closing, staying)}
    assert addresses[closing.id] == [None, None]
    assert sorted(addresses[staying.id]) == ["family-one@example.org", "family-two@example.org"]
