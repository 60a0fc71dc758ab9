"""The DPO's page: a subject access or erasure request received by phone or email, found by
reference, handled with the reason recorded; and 'what we hold', generated from the instruments."""

from __future__ import annotations

import json

import pytest

from consent.contacts import contact_for
from feedback.accounts.tables import AuditEntry
from surveys.tables import Response
from tests.conftest import open_test_run, run
from tests.consent.test_data_rights import completed, respondent_of
from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in, text_of

BASE = "/workspace/privacy/requests"


@pytest.fixture
def admin(browser):
    with browser() as client:
        client.email = make_user("admin")
        sign_in(client, client.email)
        yield client


def post(client, path, **data):
    token = csrf_token(client.get(BASE).text)
    return client.post(f"{BASE}{path}", data={"_csrf_token": token, **data}, follow_redirects=False)


def logged(slug):
    return [(e.actor, e.action, e.detail) for e in run(AuditEntry.objects().where(AuditEntry.object == slug).order_by(AuditEntry.id))]


def test_a_subject_access_request_by_email_gives_the_file_and_records_the_reason(client, admin):
    survey = open_test_run("annual-send-parent", prefix="dpo-sar")
    reference = completed(client, survey.slug)
    found = post(admin, "/find", reference=reference.lower().replace("-", " "), kind="subject_access", reason="Email from the parent, 3 March")
    assert found.status_code == 200 and survey.title in found.text and "Download the subject access file" in found.text
    download = post(admin, "/subject-access", reference=reference, kind="subject_access", reason="Email from the parent, 3 March")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    document = json.loads(download.content)
    assert document["reference"] == reference and document["contact_details"]["email"] == "a@example.com"
    assert logged(survey.slug) == [(admin.email, "rights_request", "subject_access: Email from the parent, 3 March"),
                                   (admin.email, "subject_access", "Email from the parent, 3 March")]
    everything = json.dumps([dict(e) for e in run(AuditEntry.select())], default=str)
    assert reference not in everything and "a@example.com" not in everything


def test_an_erasure_request_by_phone_erases_everything_drawn_from_the_answers(client, admin):
    survey = open_test_run("annual-send-parent", prefix="dpo-erase")
    reference = completed(client, survey.slug)
    subject = respondent_of(reference)
    data = {"reference": reference, "kind": "erasure", "reason": "Phone call from the parent, identity checked"}
    assert "Erase these answers" in post(admin, "/find", **data).text
    unconfirmed = post(admin, "/erase", **data)
    assert unconfirmed.status_code == 422 and "Confirm that the person asked" in unconfirmed.text
    assert run(Response.select(Response.status).where(Response.reference == reference).first())["status"] == "submitted"
    erased = post(admin, "/erase", confirm="yes", **data)
    assert erased.status_code == 200 and "The answers are erased" in erased.text
    row = run(Response.select(Response.status, Response.answers).where(Response.reference == reference).output(load_json=True).first())
    assert row["status"] == "withdrawn" and row["answers"] == {}
    assert run(contact_for(subject)) is None
    assert (admin.email, "erasure", "Phone call from the parent, identity checked") in logged(survey.slug)
    again = post(admin, "/erase", confirm="yes", **data)
    assert "nothing more to erase" in again.text or "already withdrawn" in again.text


@pytest.mark.parametrize("data, message", [
    ({"reference": "", "kind": "erasure", "reason": "x"}, "Enter the reference the person gave"),
    ({"reference": "<script>", "kind": "erasure", "reason": "x"}, "A reference has 12 letters and numbers"),
    ({"reference": "ABCD-EFGH-JKMN", "kind": "erasure", "reason": "x"}, "No response has that reference"),
    ({"reference": "ABCD-EFGH-JKMN", "kind": "delete_all", "reason": "x"}, "Select what the person asked for"),
    ({"reference": "ABCD-EFGH-JKMN", "kind": "erasure", "reason": ""}, "Enter how the request came in"),
])
def test_bad_requests_get_a_clear_message(admin, data, message):
    for path in ("/find", "/erase", "/subject-access"):
        page = post(admin, path, **data)
        assert page.status_code == 422 and "govuk-error-summary" in page.text and message in page.text
        assert "<script>" not in page.text


def test_only_admins_handle_requests(browser):
    for role in ("officer", "pcv"):
        with browser() as client:
            sign_in(client, make_user(role))
            assert client.get(BASE).status_code == 404
            assert client.get("/workspace/privacy/what-we-hold").status_code == 404


def test_what_we_hold_is_generated_from_the_instruments_and_their_settings(admin):
    survey = open_test_run("pcv-consultation-short-breaks", prefix="hold", team="hold-team")
    page = text_of(admin.get("/workspace/privacy/what-we-hold").text)
    for title in ("Joint annual SEND survey", "Short breaks"):
        assert title in page
    assert "deleted 3 years after the survey closes" in page
    assert "Unfinished answers: deleted 30 days after they were last saved" in page
    assert "Written comments: anonymised 1 year after the survey closes" in page
    assert "UK GDPR Article 6(1)(e)" in page and "Special category data: health and disability" in page
    assert "Contact details (email or phone)" in page
    assert "Parent Carer Voice members of the team that runs it: hold-team" in page
    assert survey.title in page
