"""Done when: publishing an update sends its notice to exactly the contacts who agreed, records
it, and deletes those contacts afterwards. Through the workspace, the outbox and a real SMTP
server on loopback."""

from __future__ import annotations

import uuid

import pytest
from litestar.testing import TestClient

from consent.records import record_withdrawal
from consent.tables import ContactDetail
from feedback.accounts.audit import recent
from feedback.messages.tables import OutboxMessage, OutboxRecipient
from surveys.instrument import built_in_instruments
from surveys.runs import open_run
from surveys.tables import Response
from tests.conftest import run, unique_slug
from tests.feedback.messages.mail import app_sending_to, count_of, send_everything
from tests.feedback.messages.servers import SmtpSink
from tests.feedback.publishing.test_updates import latest_update, officer, write_update
from tests.walker import Walker, csrf_token, fill, parse_forms


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
def mail_app(settings, sink):
    return app_sending_to(settings, sink, "https://feedback.example.org")


def answer_with_contact(app, slug, contact: str, email: str) -> str:
    with TestClient(app=app, base_url="http://testserver.local") as family:
        walker = Walker(family)
        page = walker.get(f"/s/{slug}")
        while "your-choices" not in str(page.url):
            form = parse_forms(page.text)[0]
            page = walker.submit(page, form, fill(form))
        form = parse_forms(page.text)[0]
        page = family.post(form.action, data={**form.hidden(), "quotes": "no", "contact": contact, "email": email}, follow_redirects=True)
        form = parse_forms(page.text)[0]
        family.post(form.action, data=form.hidden(), follow_redirects=True)
    return email


def publish(client, update_id):
    page = client.get(f"/workspace/updates/{update_id}")
    return client.post(f"/workspace/updates/{update_id}/publish", data={"_csrf_token": csrf_token(page.text), "action": "publish"},
                       follow_redirects=False)


def test_publishing_then_sending_tells_exactly_those_who_agreed_records_it_and_deletes_their_contacts(mail_app, sink):
    survey = run(open_run(built_in_instruments()["annual-send-parent"], slug=unique_slug("notice")))
    other_survey = run(open_run(built_in_instruments()["annual-send-parent"], slug=unique_slug("notice-other")))
    tag = uuid.uuid4().hex[:6]
    agreed, easy, withdrew, refused = (f"{who}.{tag}@example.org" for who in ("agreed", "easy", "withdrew", "refused"))
    elsewhere = f"elsewhere.{tag}@example.org"
    for email, choice in ((agreed, "yes"), (easy, "yes"), (withdrew, "yes"), (refused, "no")):
        answer_with_contact(mail_app, survey.slug, choice, email)
    answer_with_contact(mail_app, other_survey.slug, "yes", elsewhere)
    subjects = [str(r["respondent_id"]) for r in run(Response.select(Response.respondent_id).where(
        Response.run == survey.id).order_by(Response.id))]
    # The second answered the easy-read version; the third withdrew their agreement to be contacted.
    run(Response.update({Response.variant: "easy_read"}).where(Response.respondent_id == subjects[1]))
    run(record_withdrawal(subjects[2], ["contact"]))

    with officer(mail_app) as client:
        write_update(client, run=str(survey.id), title=f"Call-backs within 2 days {tag}", status="done")
        update = latest_update()
        early = client.get(f"/workspace/updates/{update.id}/notice")
        assert early.status_code == 200 and "Not published yet" in early.text
        refused_send = client.post(f"/workspace/updates/{update.id}/notice", data={"_csrf_token": csrf_token(early.text)})
        assert refused_send.status_code == 422 and "Publish the update first" in refused_send.text
        assert publish(client, update.id).status_code == 303

        preview = client.get(f"/workspace/updates/{update.id}/notice")
        assert count_of(preview.text, "count-agreed") == 2 and count_of(preview.text, "count-email") == 2
        assert count_of(preview.text, "count-easy") == 1
        assert "You said, we did: Call-backs within 2 days" in preview.text  # the standard email
        assert "You told us what you think. Thank you." in preview.text  # the easy-read email
        sent = client.post(f"/workspace/updates/{update.id}/notice", data={"_csrf_token": csrf_token(preview.text)},
                           follow_redirects=True)
        assert sent.status_code == 200 and "2 notices queued to send" in sent.text
        assert "2 people&#39;s contact details deleted" in sent.text or "2 people's contact details deleted" in sent.text
        again = client.post(f"/workspace/updates/{update.id}/notice", data={"_csrf_token": csrf_token(sent.text)},
                            follow_redirects=True)
        assert "0 notices queued" in again.text  # nobody is told twice

    send_everything(sink)
    told = sorted(m["To"] for m in sink.received if tag in m["To"])
    assert told == sorted([agreed, easy])
    by_address = {m["To"]: m.get_content() for m in sink.received if tag in m["To"]}
    assert f"https://feedback.example.org/you-said-we-did#update-{update.id}" in by_address[agreed]
    assert "You told us what you think" in by_address[easy] and "You said, we did" not in by_address[easy]

    # Recorded: who (pseudonymous subject) was told about which update, and when.
    rows = run(OutboxMessage.select().where(OutboxMessage.about == f"update:{update.id}"))
    assert sorted(r["subject_ref"] for r in rows) == sorted(subjects[:2])
    assert {r["status"] for r in rows} == {"sent"} and all(r["sent_at"] for r in rows)
    assert {r["wording"] for r in rows} == {"standard", "easy_read"}
    assert run(OutboxRecipient.count().where(OutboxRecipient.message.is_in([r["id"] for r in rows]))) == 0
    # Deleted afterwards, as promised; the person elsewhere (another survey) keeps theirs.
    assert run(ContactDetail.count().where(ContactDetail.subject.is_in(subjects[:2]))) == 0
    assert run(ContactDetail.count().where(ContactDetail.email == elsewhere)) == 1
    entries = [e for e in run(recent(50, "notice_sent")) if e.object == f"update {update.id}"]
    assert [e.count for e in entries] == [0, 2]  # newest first: the second press told nobody
    assert all(tag not in (e.detail or "") for e in entries)

    with officer(mail_app) as client:
        record = client.get(f"/workspace/updates/{update.id}/notice")
        assert "2 sent, waiting for delivery news" in record.text


def test_with_messages_off_the_notice_page_says_so_and_keeps_the_notify_lists(app):
    survey = run(open_run(built_in_instruments()["annual-send-parent"], slug=unique_slug("notice-off")))
    with officer(app) as client:
        write_update(client, run=str(survey.id))
        update = latest_update()
        publish(client, update.id)
        page = client.get(f"/workspace/updates/{update.id}/notice")
        assert page.status_code == 200 and "Messages are off" in page.text and 'action="/workspace/updates' not in page.text
        attempt = client.post(f"/workspace/updates/{update.id}/notice", data={"_csrf_token": csrf_token(page.text)})
        assert attempt.status_code == 422 and "govuk-error-summary" in attempt.text
        edit = client.get(f"/workspace/updates/{update.id}")
        assert "notify.csv?kind=email" in edit.text and f"/workspace/updates/{update.id}/notice" in edit.text


def test_another_teams_forum_member_cannot_preview_or_send_a_notice(mail_app):
    with officer(mail_app, "pcv", "forum-a-notice") as team_a, officer(mail_app, "pcv", "forum-b-notice") as team_b:
        write_update(team_a, title="Team A's notice")
        update = latest_update()
        assert team_a.get(f"/workspace/updates/{update.id}/notice").status_code == 200
        assert team_b.get(f"/workspace/updates/{update.id}/notice").status_code == 404
        page = team_b.get("/workspace/updates")
        assert team_b.post(f"/workspace/updates/{update.id}/notice", data={"_csrf_token": csrf_token(page.text)}).status_code == 404


def test_a_withdrawal_after_send_is_pressed_but_before_the_worker_runs_stops_that_notice(mail_app, sink):
    survey = run(open_run(built_in_instruments()["annual-send-parent"], slug=unique_slug("notice-late")))
    tag = uuid.uuid4().hex[:6]
    stays, leaves = f"stays.{tag}@example.org", f"leaves.{tag}@example.org"
    answer_with_contact(mail_app, survey.slug, "yes", stays)
    answer_with_contact(mail_app, survey.slug, "yes", leaves)
    subjects = [str(r["respondent_id"]) for r in run(Response.select(Response.respondent_id).where(
        Response.run == survey.id).order_by(Response.id))]
    with officer(mail_app) as client:
        write_update(client, run=str(survey.id), title=f"Late withdrawal {tag}")
        update = latest_update()
        publish(client, update.id)
        preview = client.get(f"/workspace/updates/{update.id}/notice")
        client.post(f"/workspace/updates/{update.id}/notice", data={"_csrf_token": csrf_token(preview.text)})
    run(record_withdrawal(subjects[1], ["contact"]))  # the worker has not run yet
    send_everything(sink)
    assert sorted(m["To"] for m in sink.received if tag in m["To"]) == [stays]
    rows = {r["subject_ref"]: r for r in run(OutboxMessage.select().where(OutboxMessage.about == f"update:{update.id}"))}
    assert rows[subjects[1]]["status"] == "cancelled" and rows[subjects[0]]["status"] == "sent"
    assert run(OutboxRecipient.count().where(OutboxRecipient.message == rows[subjects[1]]["id"])) == 0
