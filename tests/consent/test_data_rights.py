"""Consent choices in the journey, children, withdrawal and erasure at /withdraw, subject access,
retention: the promises the privacy notice makes, checked over HTTP and in the database."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from consent.contacts import contact_for
from consent.events import events
from consent.gate import permitted
from consent.records import records_for
from consent.tables import ContactDetail
from feedback.cli import main
from feedback.respond.controllers.withdraw import reference_attempts
from feedback.workspace.exports import export_csv_text
from surveys.runs import get_run, set_status
from surveys.tables import Response, SurveyRun
from tests.conftest import open_test_run, run
from tests.walker import Walker, csrf_token, fill, parse_forms, reference_on


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    reference_attempts.reset()
    yield
    reference_attempts.reset()


def walk_to(client, slug: str, stop: str, overrides: dict | None = None):
    """Walk a survey with JavaScript off until the URL contains `stop`, answering first options
    except where `overrides` says otherwise."""
    walker = Walker(client)
    response = walker.get(f"/s/{slug}")
    for _ in range(60):
        if stop in str(response.url):
            return response
        form = parse_forms(response.text)[0]
        data = [(k, v) for k, v in fill(form) if k not in (overrides or {})]
        for key, value in (overrides or {}).items():
            if any(f.name == key for f in form.fields):
                data.append((key, value))
        response = walker.submit(response, form, data)
    raise AssertionError(f"never reached {stop}")


def post_form(client, page, data: dict):
    form = parse_forms(page.text)[0]
    return client.post(form.action, data={**form.hidden(), **data}, follow_redirects=True)


def submit_from_check(client, page) -> str:
    assert "/check" in str(page.url), page.url
    done = post_form(client, page, {})
    reference = reference_on(done.text)
    assert reference
    return reference


def respondent_of(reference: str) -> str:
    row = run(Response.select(Response.respondent_id).where(Response.reference == reference).first())
    return str(row["respondent_id"])


def export_lines(slug: str) -> int:
    return len(run(export_csv_text(run(get_run(slug)))).strip().splitlines()) - 1


# --- the choices step ------------------------------------------------------------------------


def test_an_adult_grants_quotes_and_contact_with_details_kept_apart(client, parent_run):
    page = walk_to(client, parent_run.slug, "your-choices")
    assert "How we can use your answers" in page.text
    assert not re.search(r'name="(quotes|contact)"[^>]*checked', page.text)  # nothing pre-ticked
    missing = post_form(client, page, {"quotes": "yes", "contact": "yes"})
    assert missing.status_code == 422 and "Enter an email address or a phone number" in missing.text
    bad = post_form(client, page, {"quotes": "yes", "contact": "yes", "email": "not-an-email", "phone": "12"})
    assert "Enter an email address in the correct format" in bad.text and "Enter a UK phone number" in bad.text
    check = post_form(client, page, {"quotes": "yes", "contact": "yes", "email": "parent@example.com"})
    assert "Check your answers" in check.text and "How we can use your answers" in check.text
    reference = submit_from_check(client, check)
    subject = respondent_of(reference)
    first, choices = run(records_for(subject))
    assert first.purposes == {"participation": "acknowledged"}
    assert choices.purposes == {"quotes": "granted", "contact": "granted"}
    assert (choices.actor, choices.channel) == ("self", "web") and choices.notice == first.notice
    assert run(contact_for(subject)).email == "parent@example.com"
    assert "parent@example.com" not in run(export_csv_text(run(get_run(parent_run.slug))))
    assert run(permitted(subject, "quotes")) and run(permitted(subject, "contact"))


def test_a_refused_purpose_is_refused_by_the_gate_and_stores_no_contact(client, parent_run):
    page = walk_to(client, parent_run.slug, "your-choices")
    check = post_form(client, page, {"quotes": "no", "contact": "no", "email": "ignored@example.com"})
    subject = respondent_of(submit_from_check(client, check))
    assert not run(permitted(subject, "quotes")) and not run(permitted(subject, "contact"))
    assert run(permitted(subject, "participation"))
    assert run(contact_for(subject)) is None


def test_under_13_needs_a_parent_or_carer_for_optional_uses(client, young_person_run):
    page = walk_to(client, young_person_run.slug, "your-choices", {"age_band": "11_12"})
    assert "Because you are under 13" in page.text
    error = post_form(client, page, {"quotes": "yes"})
    assert error.status_code == 422 and "Select whether a parent or carer is deciding with you" in error.text
    check = post_form(client, page, {"decider": "nobody", "quotes": "yes", "contact": "yes"})
    subject = respondent_of(submit_from_check(client, check))
    records = run(records_for(subject))
    assert records[-1].purposes == {"quotes": "not_asked", "contact": "not_asked"}
    assert not run(permitted(subject, "quotes"))
    assert run(permitted(subject, "participation"))  # the child still takes part (public task)


def test_under_13_with_a_parent_deciding_records_the_parent_as_acting(client, young_person_run):
    page = walk_to(client, young_person_run.slug, "your-choices", {"age_band": "under_11"})
    check = post_form(client, page, {"decider": "parent_carer", "quotes": "yes", "contact": "no"})
    subject = respondent_of(submit_from_check(client, check))
    last = run(records_for(subject))[-1]
    assert last.actor == "parent_carer" and last.purposes == {"quotes": "granted", "contact": "refused"}
    assert run(permitted(subject, "quotes"))


def test_13_and_over_decide_for_themselves(client, young_person_run):
    page = walk_to(client, young_person_run.slug, "your-choices", {"age_band": "13_15"})
    assert "Because you are under 13" not in page.text and 'name="decider"' not in page.text
    check = post_form(client, page, {"quotes": "yes", "contact": "no"})
    last = run(records_for(respondent_of(submit_from_check(client, check))))[-1]
    assert last.actor == "self" and last.purposes["quotes"] == "granted"


def test_changing_the_age_to_under_13_from_check_asks_the_choices_again(client, young_person_run):
    """A tester's finding: choices made as 16, then the age changed to under 13 through "Change" on
    check your answers, went back to check with quotes and contact still yes, and were sent: a
    child's consent without a parent or carer. Now the choices are asked again, with the parent or
    carer question, before anything can be sent; a direct send is turned back too."""
    slug = young_person_run.slug
    page = walk_to(client, slug, "your-choices", {"age_band": "16_17"})
    check = post_form(client, page, {"quotes": "yes", "contact": "yes", "email": "kid@example.com"})
    assert "/check" in str(check.url)
    age_page = client.get(f"/s/{slug}/q/age_band?return_to=check")
    form = parse_forms(age_page.text)[0]
    after = client.post(form.action, data={**form.hidden(), "age_band": "under_11"}, follow_redirects=True)
    assert str(after.url).endswith(f"/s/{slug}/your-choices"), after.url
    assert "Because you are under 13" in after.text and 'name="decider"' in after.text
    assert str(client.get(f"/s/{slug}/check").url).endswith("/your-choices")
    token = csrf_token(after.text)
    sent = client.post(f"/s/{slug}/check", data={"_csrf_token": token}, follow_redirects=True)
    assert reference_on(sent.text) is None and str(sent.url).endswith("/your-choices")  # nothing sent

    check = post_form(client, after, {"decider": "nobody", "quotes": "yes", "contact": "yes"})
    subject = respondent_of(submit_from_check(client, check))
    last = run(records_for(subject))[-1]
    assert last.purposes == {"quotes": "not_asked", "contact": "not_asked"}
    assert not run(permitted(subject, "quotes")) and not run(permitted(subject, "contact"))
    assert run(contact_for(subject)) is None  # the 16-year-old's email went with the choices


def test_under_13_with_a_parent_deciding_keeps_the_choices_when_other_answers_change(client, young_person_run):
    slug = young_person_run.slug
    page = walk_to(client, slug, "your-choices", {"age_band": "under_11"})
    check = post_form(client, page, {"decider": "parent_carer", "quotes": "yes", "contact": "no"})
    age_page = client.get(f"/s/{slug}/q/age_band?return_to=check")
    form = parse_forms(age_page.text)[0]
    after = client.post(form.action, data={**form.hidden(), "age_band": "11_12"}, follow_redirects=True)
    assert "/check" in str(after.url), after.url  # still under 13, a parent decided: nothing to ask again
    subject = respondent_of(submit_from_check(client, after))
    assert run(records_for(subject))[-1].actor == "parent_carer"


def test_young_people_read_the_plain_notice(client, young_person_run):
    page = walk_to(client, young_person_run.slug, "before-you-start")
    assert "We want to make help for children and young people better" in page.text


def test_changing_choices_appends_a_new_record(client, parent_run):
    page = walk_to(client, parent_run.slug, "your-choices")
    check = post_form(client, page, {"quotes": "yes", "contact": "no"})
    change = client.get(re.search(r'href="([^"]+your-choices\?return_to=check)"', check.text).group(1))
    assert re.search(r'value="yes"\s+checked', change.text)
    check = post_form(client, change, {"quotes": "no", "contact": "no"})
    subject = respondent_of(submit_from_check(client, check))
    records = run(records_for(subject))
    assert [r.purposes.get("quotes") for r in records] == [None, "granted", "refused"]


# --- withdrawal and erasure ------------------------------------------------------------------


def completed(client, slug, choices=None) -> str:
    page = walk_to(client, slug, "your-choices")
    check = post_form(client, page, choices or {"quotes": "yes", "contact": "yes", "email": "a@example.com"})
    return submit_from_check(client, check)


def test_withdrawing_all_answers_shrinks_the_export_by_exactly_one_row(client, parent_run):
    reference = completed(client, parent_run.slug)
    completed(client, parent_run.slug)
    assert export_lines(parent_run.slug) == 2
    form = client.get("/withdraw")
    choose = client.post("/withdraw", data={"_csrf_token": csrf_token(form.text), "reference": reference.lower()})
    assert choose.status_code == 200 and "What do you want to withdraw?" in choose.text
    assert "Stop using my words in reports" in choose.text
    done = post_form(client, choose, {"withdraw": "answers"})
    assert "Your answers have been withdrawn" in done.text and reference not in str(done.url)
    assert export_lines(parent_run.slug) == 1
    row = run(Response.select().where(Response.reference == reference).output(load_json=True).first())
    assert row["answers"] == {} and row["status"] == "withdrawn"
    subject = str(row["respondent_id"])
    assert run(contact_for(subject)) is None
    assert not run(permitted(subject, "participation")) and not run(permitted(subject, "quotes"))
    erasures = run(events("erasure"))
    assert erasures and all(reference not in e.detail and subject not in e.detail for e in erasures)
    again = client.post("/withdraw", data={"_csrf_token": csrf_token(form.text), "reference": reference})
    # Withdrawn: the reference finds nothing to withdraw, and says they are already gone.
    assert again.status_code == 200 and "These answers have already been withdrawn" in again.text
    assert 'name="withdraw"' not in again.text and "Stop using my words" not in again.text


def test_withdrawing_one_consent_keeps_the_answers(client, parent_run):
    reference = completed(client, parent_run.slug)
    form = client.get("/withdraw")
    choose = client.post("/withdraw", data={"_csrf_token": csrf_token(form.text), "reference": reference})
    done = post_form(client, choose, {"withdraw": "contact"})
    assert "Your choice has been recorded" in done.text
    subject = respondent_of(reference)
    assert not run(permitted(subject, "contact")) and run(permitted(subject, "quotes"))
    assert run(contact_for(subject)) is None
    assert export_lines(parent_run.slug) == 1
    choose = client.post("/withdraw", data={"_csrf_token": csrf_token(form.text), "reference": reference})
    nothing = post_form(client, choose, {})
    assert nothing.status_code == 422 and "Select what you want to withdraw" in nothing.text


def test_wrong_or_guessed_references_get_one_plain_message_and_are_rate_limited(client):
    form = client.get("/withdraw")
    token = csrf_token(form.text)
    for guess in ("ABCD-EFGH-JKMN", "XXXX", "<script>", ""):
        page = client.post("/withdraw", data={"_csrf_token": token, "reference": guess})
        assert page.status_code == 422 and "govuk-error-summary" in page.text
        assert "<script>" not in page.text
    for _ in range(10):
        page = client.post("/withdraw", data={"_csrf_token": token, "reference": "ABCD-EFGH-JKMN"})
    assert page.status_code == 429 and "Too many attempts" in page.text


# --- subject access and retention ------------------------------------------------------------


def test_subject_access_produces_everything_held_as_json(client, parent_run, capsys):
    reference = completed(client, parent_run.slug)
    assert main(["subject-access", reference]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["reference"] == reference
    assert document["survey"]["slug"] == parent_run.slug
    answers = {a["question"]: a for a in document["response"]["answers"]}
    assert answers["respondent_role"]["answer_text"] == "A parent"
    assert [r["purposes"] for r in document["consent_records"]][-1] == {"quotes": "granted", "contact": "granted"}
    assert document["consent_records"][0]["notice"]["key"] == "annual-send-survey"
    assert document["contact_details"]["email"] == "a@example.com"
    assert main(["subject-access", "ABCD-EFGH-JKMN"]) == 2


def test_retention_dry_run_changes_nothing_and_apply_deletes(client, capsys):
    survey = open_test_run("annual-send-parent")
    # an abandoned draft, 40 days old
    page = walk_to(client, survey.slug, "q/setting")
    draft = run(Response.select().where(Response.run == survey.id).first())
    run(Response.update({Response.updated_at: datetime.now(timezone.utc) - timedelta(days=40)}).where(Response.id == draft["id"]))
    # a submitted response with contact details and identifying free text, on a survey closed 400 days ago
    old = open_test_run("annual-send-parent")
    with_contact = completed_with_text(client, old.slug)
    run(SurveyRun.update({SurveyRun.status: "closed", SurveyRun.closes_at: datetime.now(timezone.utc) - timedelta(days=400)}).where(SurveyRun.slug == old.slug))

    assert main(["retention"]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and f"{survey.slug}: 1 unfinished drafts" in out
    assert f"{old.slug}: 1 contact details, free text in 1 responses (anonymise)" in out
    assert run(Response.exists().where(Response.id == draft["id"]))

    assert main(["retention", "--apply"]) == 0
    assert "Deleted or anonymised" in capsys.readouterr().out
    assert not run(Response.exists().where(Response.id == draft["id"]))
    subject = respondent_of(with_contact)
    assert run(contact_for(subject)) is None
    answers = run(Response.select(Response.answers).where(Response.reference == with_contact).output(load_json=True).first())["answers"]
    assert answers["works_well"] == "Ring me on [phone number removed] about the SENCo"
    assert run(events("retention"))
    assert page


def completed_with_text(client, slug) -> str:
    page = walk_to(client, slug, "q/works_well")
    walk = post_form(client, page, {"works_well": "Ring me on 07700 900982 about the SENCo", "action": "continue"})
    walker = Walker(client)
    response = walk
    for _ in range(10):
        if "your-choices" in str(response.url):
            break
        form = parse_forms(response.text)[0]
        response = walker.submit(response, form, fill(form))
    check = post_form(client, response, {"quotes": "no", "contact": "yes", "phone": "07700 900 982"})
    return submit_from_check(client, check)


def test_contact_details_are_not_in_the_response_table(client, parent_run):
    reference = completed(client, parent_run.slug)
    row = run(Response.select().where(Response.reference == reference).first())
    assert "a@example.com" not in json.dumps(row, default=str)
    assert run(ContactDetail.count().where(ContactDetail.email == "a@example.com")) >= 1
