""""Ask us to correct it" (issue 12): the right every standard notice promises. A respondent with
their reference says what is wrong and what it should say; officers see it in the workspace's
privacy area and record what they did; both steps are audited without the words or the reference;
the request is in the subject access file and is deleted with the answers (erasure, retention)."""

from __future__ import annotations

import json

from consent.tables import CorrectionRequest
from feedback.accounts.tables import AuditEntry
from feedback.cli import main
from surveys.data_rights import subject_access
from surveys.tables import Response
from tests.conftest import open_test_run, run
from tests.consent.test_data_rights import completed
from tests.feedback.operations.test_retention import close_days_ago
from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in, text_of

WRONG = "Question 3 says my son has no EHC plan <b hx-get=/x>bold</b>"
SHOULD = "He has had an EHC plan since 2023"


def ask_to_correct(client, reference: str, what: str = WRONG, should: str = SHOULD, version: str = ""):
    start = client.get("/withdraw" + (f"?version={version}" if version else ""))
    extra = {"version": version} if version else {}
    choose = client.post("/withdraw", data={"_csrf_token": csrf_token(start.text), "reference": reference, **extra})
    assert choose.status_code == 200
    form = client.post("/withdraw/correct", data={"_csrf_token": csrf_token(choose.text), "reference": reference, **extra})
    assert form.status_code == 200
    return client.post("/withdraw/correct", data={
        "_csrf_token": csrf_token(form.text), "reference": reference, "send": "yes",
        "what_is_wrong": what, "should_say": should, **extra,
    }, follow_redirects=False), form


def requests_for(reference: str) -> list[dict]:
    subject = run(Response.select(Response.respondent_id).where(Response.reference == reference).first())["respondent_id"]
    return run(CorrectionRequest.select().where(CorrectionRequest.subject == str(subject)))


def everything_logged() -> str:
    return json.dumps([[e["actor"], e["action"], e["object"], e["detail"]] for e in run(AuditEntry.select())])


def test_the_withdraw_page_offers_a_correction_in_standard_and_easy_read(client):
    survey = open_test_run("annual-send-parent", prefix="correct-offer")
    reference = completed(client, survey.slug)
    for version, button, heading in (("", "Ask us to correct it", "Ask us to correct your answers"),
                                     ("easy_read", "Tell us what is wrong", "Tell us what is wrong")):
        start = client.get("/withdraw" + (f"?version={version}" if version else ""))
        assert "wrong" in text_of(start.text)  # the page says it is where corrections are asked for
        choose = client.post("/withdraw", data={"_csrf_token": csrf_token(start.text), "reference": reference,
                                                **({"version": version} if version else {})})
        assert button in text_of(choose.text)
        sent, form = ask_to_correct(client, reference, version=version)
        assert heading in text_of(form.text)
        assert sent.status_code == 303 and reference not in sent.headers["location"]
        done = client.get(sent.headers["location"])
        assert ("We have your request to correct your answers" if not version else "We will look at it") in text_of(done.text)
    assert len(requests_for(reference)) == 2


def test_a_correction_request_reaches_the_officers_who_record_what_they_did(client, browser):
    survey = open_test_run("annual-send-parent", prefix="correct-flow")
    reference = completed(client, survey.slug)
    sent, _ = ask_to_correct(client, reference)
    assert sent.status_code == 303
    [stored] = requests_for(reference)
    assert stored["what_is_wrong"] == WRONG and stored["should_say"] == SHOULD and stored["status"] == "open"
    with browser() as officer:
        sign_in(officer, make_user("officer"))
        listing = officer.get("/workspace/privacy/corrections")
        assert listing.status_code == 200 and survey.slug in text_of(listing.text)
        page = officer.get(f"/workspace/privacy/corrections/{stored['id']}")
        assert SHOULD in text_of(page.text)
        # the respondent's words are escaped, inside an hx-disable region
        assert "<b hx-get=/x>" not in page.text and "&lt;b hx-get=/x&gt;" in page.text
        assert page.text.index("hx-disable") < page.text.index("&lt;b hx-get")
        # an outcome needs a note
        missing = officer.post(f"/workspace/privacy/corrections/{stored['id']}",
                               data={"_csrf_token": csrf_token(page.text), "outcome": "corrected"})
        assert missing.status_code == 422 and "Enter what you changed" in text_of(missing.text)
        done = officer.post(f"/workspace/privacy/corrections/{stored['id']}", follow_redirects=False,
                            data={"_csrf_token": csrf_token(page.text), "outcome": "corrected", "note": "Changed Q3 to yes"})
        assert done.status_code == 303
        again = officer.post(f"/workspace/privacy/corrections/{stored['id']}",
                             data={"_csrf_token": csrf_token(page.text), "outcome": "not_changed", "note": "no"})
        assert again.status_code == 422 and "already been handled" in text_of(again.text)
    [handled] = requests_for(reference)
    assert handled["status"] == "corrected" and handled["outcome"] == "Changed Q3 to yes" and handled["handled_by"]
    logged = [(e.actor, e.action, e.detail) for e in run(AuditEntry.objects().where(AuditEntry.object == survey.slug))]
    assert ("respondent (self-service)", "correction_requested", "") in logged
    assert any(action == "correction_handled" and detail == "corrected" for _, action, detail in logged)
    text = everything_logged()
    assert reference not in text and "EHC plan since" not in text and "Changed Q3" not in text


def test_a_forum_member_cannot_see_correction_requests(browser):
    with browser() as member:
        sign_in(member, make_user("pcv"))
        assert member.get("/workspace/privacy/corrections").status_code == 404


def test_a_correction_needs_both_answers_and_a_real_reference(client):
    survey = open_test_run("annual-send-parent", prefix="correct-errors")
    reference = completed(client, survey.slug)
    sent, form = ask_to_correct(client, reference, what=" ", should="")
    assert sent.status_code == 422
    shown = text_of(sent.text)
    assert "Enter what is wrong in your answers" in shown and "Enter what it should say" in shown
    wrong = client.post("/withdraw/correct", data={"_csrf_token": csrf_token(form.text), "reference": "ABCD-EFGH-JKMN",
                                                   "send": "yes", "what_is_wrong": "x", "should_say": "y"})
    assert wrong.status_code == 422 and "could not find answers" in text_of(wrong.text)
    assert requests_for(reference) == []


def test_a_correction_request_is_in_the_subject_access_file_and_goes_with_an_erasure(client):
    survey = open_test_run("annual-send-parent", prefix="correct-erase")
    reference = completed(client, survey.slug)
    ask_to_correct(client, reference)
    document = run(subject_access(reference))
    assert [c["should_say"] for c in document["correction_requests"]] == [SHOULD]
    start = client.get("/withdraw")
    choose = client.post("/withdraw", data={"_csrf_token": csrf_token(start.text), "reference": reference})
    client.post("/withdraw/confirm", data={"_csrf_token": csrf_token(choose.text), "reference": reference, "withdraw": "answers"})
    assert requests_for(reference) == []


def test_a_correction_request_is_deleted_with_the_answers_at_the_end_of_their_period(client, capsys):
    survey = open_test_run("annual-send-parent", prefix="correct-retention")
    reference = completed(client, survey.slug)
    ask_to_correct(client, reference)
    subject = requests_for(reference)[0]["subject"]
    close_days_ago(survey.slug, 4 * 365)
    assert main(["retention", "--apply"]) == 0
    capsys.readouterr()
    assert run(CorrectionRequest.count().where(CorrectionRequest.subject == subject)) == 0


def test_what_we_hold_lists_correction_requests_and_how_long_they_are_kept(browser):
    with browser() as admin:
        sign_in(admin, make_user("admin"))
        page = text_of(admin.get("/workspace/privacy/what-we-hold").text)
    assert "Requests to correct answers, in the person's own words" in page
    assert "Requests to correct answers: deleted with the answers they are about" in page
