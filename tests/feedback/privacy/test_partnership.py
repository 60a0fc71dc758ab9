"""The partnership's identity and accessibility statement, edited by an admin in the workspace and
shown on every page that uses them (footer, privacy page, accessibility statement)."""

from __future__ import annotations

import pytest

from feedback.accounts.tables import AuditEntry
from feedback.privacy.partnership import load_identity
from feedback.privacy.tables import PartnershipSettings
from feedback.rendering import PARTNERSHIP_NAME
from tests.conftest import open_test_run, run
from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in, text_of

PAGE = "/workspace/privacy/partnership"

GOOD = {
    "name": "the Northshire SEND partnership & Parent Carer Forum",
    "contact_email": "Send@Northshire.example.org", "contact_phone": "01632 960 001",
    "contact_address": "County Hall\r\nNorth Street\r\nNS1 1AA",
    "dpo_name": "Northshire's data protection officer", "dpo_email": "dpo@northshire.example.org", "dpo_phone": "01632 960 002",
    "compliance_status": "partial", "known_issues": "Some charts have no table beside them.\nPDF reports are not tagged.",
    "prepared_on-day": "3", "prepared_on-month": "11", "prepared_on-year": "2026",
    "reviewed_on-day": "20", "reviewed_on-month": "11", "reviewed_on-year": "2026",
}


@pytest.fixture(autouse=True)
def fresh_identity():
    """Every test starts from, and leaves behind, the package defaults (other tests rely on them)."""
    run(PartnershipSettings.delete(force=True))
    run(load_identity())
    yield
    run(PartnershipSettings.delete(force=True))
    run(load_identity())


@pytest.fixture
def admin(browser):
    with browser() as client:
        client.email = make_user("admin")
        sign_in(client, client.email)
        yield client


def save(client, **data):
    token = csrf_token(client.get(PAGE).text)
    return client.post(PAGE, data={"_csrf_token": token, **data}, follow_redirects=False)


def test_a_fresh_install_shows_the_package_defaults(client, admin):
    footer = text_of(client.get("/").text)
    assert f"Run by {PARTNERSHIP_NAME}." in footer
    form = admin.get(PAGE)
    assert form.status_code == 200 and PARTNERSHIP_NAME in form.text
    statement = text_of(client.get("/accessibility").text)
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA" in statement
    assert "Parent Carer Voice or the council's SEND team" in statement
    assert "Equality Advisory and Support Service" in statement and "prepared on 1 December 2026" in statement


def test_an_admin_changes_the_identity_and_every_public_page_shows_it(client, admin):
    saved = save(admin, **GOOD)
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?saved=1"
    assert "Saved. Every page now shows these details." in admin.get(saved.headers["location"]).text
    home = text_of(client.get("/").text)
    assert "Run by the Northshire SEND partnership & Parent Carer Forum." in home and PARTNERSHIP_NAME not in home
    privacy = text_of(client.get("/privacy").text)
    assert "send@northshire.example.org" in privacy and "01632 960 001" in privacy
    assert "County Hall, North Street, NS1 1AA" in privacy
    assert "Data protection officer: Northshire's data protection officer, dpo@northshire.example.org , 01632 960 002." in privacy
    statement = text_of(client.get("/accessibility").text)
    assert "run by the Northshire SEND partnership" in statement and "The Northshire SEND partnership" in statement
    assert "Some charts have no table beside them." in statement and "PDF reports are not tagged." in statement
    assert "prepared on 3 November 2026. It was last reviewed on 20 November 2026." in statement
    assert "email send@northshire.example.org" in statement
    stored = run(PartnershipSettings.select().output(as_list=False))
    assert len(stored) == 1 and stored[0]["updated_by"] == admin.email
    # saving again keeps one row and the form shows what was saved
    save(admin, **{**GOOD, "compliance_status": "full", "known_issues": ""})
    assert run(PartnershipSettings.count()) == 1
    assert "fully compliant" in text_of(client.get("/accessibility").text)
    assert "We do not know of any part" in text_of(client.get("/accessibility").text)


def test_changes_are_audited_without_contact_details(admin):
    save(admin, **GOOD)
    mine = (AuditEntry.action == "partnership_updated") & (AuditEntry.actor == admin.email)
    entries = run(AuditEntry.select().where(mine))
    assert [(e["actor"], e["object"]) for e in entries] == [(admin.email, "partnership")]
    assert "contact_email" in entries[0]["detail"] and "name" in entries[0]["detail"]
    assert "northshire" not in entries[0]["detail"].lower()
    # saving the same details again changes nothing, so nothing is logged
    save(admin, **GOOD)
    assert len(run(AuditEntry.select(AuditEntry.id).where(mine))) == 1


def test_user_written_text_is_escaped_and_inert(client, admin):
    save(admin, **{**GOOD, "name": '<b hx-get="/workspace">Bad</b> partnership', "known_issues": '<img src=x onerror=alert(1)>'})
    home = client.get("/").text
    assert '<b hx-get' not in home and "&lt;b hx-get=" in home
    statement = client.get("/accessibility").text
    assert "<img src=x" not in statement and "&lt;img src=x onerror=alert(1)&gt;" in statement


@pytest.mark.parametrize(("field", "value", "message", "anchor"), [
    ("name", "   ", "Enter the partnership's name, as families know it", "name"),
    ("contact_email", "send at northshire", "Enter the email address for families in the correct format", "contact_email"),
    ("dpo_phone", "call reception", "Enter the data protection officer's phone number with numbers only", "dpo_phone"),
    ("compliance_status", "mostly", "Select how far the service meets WCAG 2.2 AA", "compliance_status"),
    ("name", "x" * 201, "The partnership's name must be 200 characters or fewer", "name"),
    ("prepared_on-month", "", "The date the statement was prepared must include a month", "prepared_on-month"),
    ("reviewed_on-day", "31", "must be the same as or after the date it was prepared", "reviewed_on-day"),
    ("prepared_on-year", "2999", "The date the statement was prepared must be today or in the past", "prepared_on-day"),
    ("reviewed_on-month", "13", "The date the statement was last reviewed must be a real date", "reviewed_on-day"),
])
def test_bad_input_gives_an_error_summary_and_loses_nothing(client, admin, field, value, message, anchor):
    save(admin, **GOOD)
    data = {**GOOD, field: value, "contact_phone": "01632 960 999"}
    if field == "reviewed_on-day":
        data.update({"reviewed_on-month": "10"})  # 31 October, before 3 November
    page = save(admin, **data)
    assert page.status_code == 422
    assert "govuk-error-summary" in page.text and message in text_of(page.text)
    assert f'href="#{anchor}"' in page.text
    assert "Error: The partnership and accessibility statement" in page.text
    assert "01632 960 999" in page.text  # what was typed is kept in the form
    # what was saved before is untouched
    assert "Run by the Northshire SEND partnership" in text_of(client.get("/").text)
    assert run(PartnershipSettings.select(PartnershipSettings.contact_phone).first())["contact_phone"] == "01632 960 001"


def test_a_blank_known_issues_list_is_refused_unless_fully_compliant(admin):
    page = save(admin, **{**GOOD, "known_issues": " "})
    assert page.status_code == 422 and "List the content that is not accessible" in page.text


@pytest.mark.parametrize("role", ["officer", "pcv"])
def test_only_admins_edit_the_partnership(browser, role):
    with browser() as client:
        sign_in(client, make_user(role))
        assert client.get(PAGE).status_code == 404
        token = csrf_token(client.get("/workspace").text)
        refused = client.post(PAGE, data={"_csrf_token": token, **GOOD}, follow_redirects=False)
        assert refused.status_code in (403, 404)
    assert run(PartnershipSettings.count()) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client):
    page = client.get(PAGE, follow_redirects=False)
    assert page.status_code in (302, 303, 401) or "/login" in page.headers.get("location", "")
    assert run(PartnershipSettings.count()) == 0


def test_a_save_by_another_worker_reaches_this_one(client, monkeypatch):
    """Each process caches the identity; a row written elsewhere shows once the cache is stale."""
    from feedback.privacy import partnership

    assert f"Run by {PARTNERSHIP_NAME}." in text_of(client.get("/").text)
    run(PartnershipSettings(name="the Westshire partnership", compliance_status="full").save())
    assert f"Run by {PARTNERSHIP_NAME}." in text_of(client.get("/").text)  # cached: no query per request
    monkeypatch.setattr(partnership, "REFRESH_SECONDS", 0.0)
    assert "Run by the Westshire partnership." in text_of(client.get("/").text)


@pytest.mark.parametrize("path", ["/s/{slug}", "/s/{slug}/before-you-start", "/s/{slug}/resume", "/withdraw"])
def test_a_save_by_another_worker_reaches_the_respondent_pages(client, monkeypatch, path):
    """The respondent controllers have a posting limit of their own; it once replaced the app's
    before-request hook, so a rename saved in another worker never reached the survey pages."""
    from feedback.privacy import partnership

    url = path.format(slug=open_test_run().slug)
    client.get(url)  # the cache is fresh
    run(PartnershipSettings(name="the Westshire partnership", compliance_status="full").save())
    monkeypatch.setattr(partnership, "REFRESH_SECONDS", 0.0)
    assert "Run by the Westshire partnership." in text_of(client.get(url).text), url


def test_admins_find_the_page_from_the_workspace(admin):
    assert 'href="/workspace/privacy/partnership"' in admin.get("/workspace").text


def test_emails_are_signed_with_the_stored_name(admin):
    from feedback.messages import wording

    before = wording.reference("Annual survey", "ABCD-EFGH-JKMN", "https://x.example/withdraw", "email", False)
    assert before.body.endswith(f"From {PARTNERSHIP_NAME}")
    save(admin, **GOOD)
    for easy_read in (False, True):
        for message in (wording.reference("Annual survey", "ABCD-EFGH-JKMN", "https://x.example/w", "email", easy_read),
                        wording.resume_code("Annual survey", "ABCD-EFGH-JKMN", "https://x.example/r", "email", easy_read),
                        wording.update_notice("Transport", "done", "", "https://x.example/u", "email", easy_read)):
            assert message.body.endswith("From the Northshire SEND partnership & Parent Carer Forum"), message.body
    sms = wording.reference("Annual survey", "ABCD-EFGH-JKMN", "https://x.example/w", "sms", False)
    assert "From " not in sms.body  # text messages stay short
