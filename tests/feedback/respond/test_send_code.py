"""Send me my code: on the saved page (the resume code) and the confirmation page (the reference),
by email through a real SMTP server on loopback; the address is used once and not kept."""

from __future__ import annotations

import logging
import re

import pytest
from litestar.testing import TestClient

from feedback.messages.tables import OutboxMessage, OutboxRecipient
from tests.conftest import run
from tests.feedback.messages.mail import app_sending_to, send_everything
from tests.feedback.messages.servers import SmtpSink
from tests.feedback.respond.test_journey_http import answer, begin
from tests.walker import Walker, csrf_token, parse_forms


@pytest.fixture(autouse=True)
def _fresh_send_limit():
    from feedback.respond.controllers.send_code import send_attempts

    send_attempts.reset()


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
def mail_app(settings, sink):
    return app_sending_to(settings, sink, "https://feedback.example.org")


@pytest.fixture
def mail_client(mail_app):
    with TestClient(app=mail_app, base_url="http://testserver.local") as client:
        yield client


def saved_page(client, slug):
    page = begin(client, slug)
    page = answer(client, page, {"respondent_role": "parent"})
    saved = answer(client, page, {"child_age": "16_17"}, button="save_later")
    assert saved.status_code == 200
    return saved, re.search(r'id="resume-code">([A-Z0-9-]+)<', saved.text).group(1)


def send_form(page):
    return [f for f in parse_forms(page.text) if f.action.endswith(("/send-code", "/send-reference"))][0]


def post_send(client, page, **fields):
    form = send_form(page)
    return client.post(form.action, data={**form.hidden(), **fields})


def mine(sink, address):
    return [m for m in sink.received if m["To"] == address]


def test_saved_page_sends_the_code_by_email_once_and_keeps_no_address(mail_client, parent_run, sink, caplog):
    saved, code = saved_page(mail_client, parent_run.slug)
    assert "have it sent to you below" in saved.text and "we cannot send it to you" not in saved.text
    with caplog.at_level(logging.DEBUG):
        response = post_send(mail_client, saved, email="carer.one@example.com")
        assert response.status_code == 200 and "Your code is on its way" in response.text
        again = post_send(mail_client, saved, email="carer.one@example.com")  # a double tap: same form
        assert again.status_code == 200
        queued = run(OutboxMessage.select().where(OutboxMessage.kind == "resume_code").order_by(OutboxMessage.id, ascending=False).first())
        send_everything(sink)
    received = mine(sink, "carer.one@example.com")
    assert len(received) == 1
    body = received[0].get_content()
    assert code in body and f"https://feedback.example.org/s/{parent_run.slug}/resume" in body
    assert "carer.one" not in response.text  # not echoed
    # Used once and not kept: the recipient row is gone, and nothing logged the address or the code.
    row = run(OutboxMessage.select().where(OutboxMessage.id == queued["id"]).first())
    assert row["status"] == "sent" and run(OutboxRecipient.count().where(OutboxRecipient.message == row["id"])) == 0
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "carer.one" not in ours and code not in ours


def test_the_emailed_code_opens_the_saved_answers_on_another_device(mail_client, mail_app, parent_run, sink):
    saved, _ = saved_page(mail_client, parent_run.slug)
    post_send(mail_client, saved, email="carer.two@example.com")
    send_everything(sink)
    emailed = re.search(r"Your code is: ([A-Z0-9-]+)", mine(sink, "carer.two@example.com")[0].get_content()).group(1)
    with TestClient(app=mail_app, base_url="http://testserver.local") as phone:
        form = phone.get(f"/s/{parent_run.slug}/resume")
        resumed = phone.post(f"/s/{parent_run.slug}/resume", data={"_csrf_token": csrf_token(form.text), "code": emailed},
                             follow_redirects=True)
        assert resumed.status_code == 200 and "/q/" in str(resumed.url)


def test_a_bad_address_gets_a_clear_message_and_the_code_is_still_shown(mail_client, parent_run):
    saved, code = saved_page(mail_client, parent_run.slug)
    response = post_send(mail_client, saved, email="not an email")
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text and "Enter an email address in the correct format" in response.text
    assert code in response.text and 'value="not an email"' in response.text
    assert run(OutboxMessage.count().where(OutboxMessage.kind == "resume_code")) >= 0


def test_someone_elses_or_an_old_code_cannot_be_sent(mail_client, mail_app, parent_run, sink):
    saved, code = saved_page(mail_client, parent_run.slug)
    form = send_form(saved)
    before = run(OutboxMessage.count())
    forged = mail_client.post(form.action, data={**form.hidden(), "code": "ABCD-EFGH-JKMN", "email": "x@example.com"})
    assert forged.status_code == 400 and run(OutboxMessage.count()) == before
    with TestClient(app=mail_app, base_url="http://testserver.local") as stranger:  # no draft cookie
        page = stranger.get(f"/s/{parent_run.slug}")
        response = stranger.post(form.action, data={"_csrf_token": csrf_token(page.text), "code": code, "email": "x@example.com"})
        assert response.status_code == 400 and run(OutboxMessage.count()) == before


def test_a_code_is_sent_at_most_three_times(mail_client, parent_run):
    saved, _ = saved_page(mail_client, parent_run.slug)
    statuses = []
    for _ in range(4):
        fresh = mail_client.post(send_form(saved).action, data={**send_form(saved).hidden(), "email": "flood@example.com",
                                                                "form_token": f"token-{len(statuses)}"})
        statuses.append(fresh.status_code)
    assert statuses == [200, 200, 200, 429]


def test_confirmation_page_sends_the_reference(mail_client, parent_run, sink):
    walker = Walker(mail_client)
    reference = walker.complete(f"/s/{parent_run.slug}")
    done = mail_client.get(f"/s/{parent_run.slug}/done")
    assert "Send it to me" in done.text
    response = post_send(mail_client, done, email="carer.three@example.com")
    assert response.status_code == 200 and "Your reference is on its way" in response.text
    send_everything(sink)
    assert reference in mine(sink, "carer.three@example.com")[0].get_content()


def test_with_messages_off_the_pages_say_so_plainly_and_nothing_breaks(client, parent_run):
    saved, code = saved_page(client, parent_run.slug)
    assert "not switched on for this service" in saved.text and "we cannot send it to you" in saved.text
    assert 'action="/s/' + parent_run.slug + '/send-code"' not in saved.text
    # A post anyway (an old page): a clear page, not a 500.
    token = csrf_token(client.get(f"/s/{parent_run.slug}/resume").text)
    response = client.post(f"/s/{parent_run.slug}/send-code", data={"_csrf_token": token, "code": code,
                                                                     "how": "email", "email": "a@example.com"})
    assert response.status_code == 422 and "govuk-error-summary" in response.text


@pytest.mark.parametrize("version", ["easy_read", "symbols"])
def test_easy_read_saved_page_offers_the_code_in_easy_words(mail_client, sink, version):
    from tests.feedback.respond.test_easy_read_pages import WITH_CHOICES, save_for_later
    from surveys.instrument import parse_instrument
    from surveys.runs import open_run
    from tests.conftest import unique_slug

    easy_run = run(open_run(parse_instrument(WITH_CHOICES), slug=unique_slug("sendcode"), variants=("standard", "easy_read", "symbols")))
    saved = save_for_later(mail_client, easy_run.slug, version)
    assert "Send the code to me" in saved.text and "Then we delete it." in saved.text
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', saved.text).group(1)
    sent = post_send(mail_client, saved, email=f"easy.{version}@example.com")
    assert "We are sending your code" in sent.text and "app-er-list" in sent.text
    send_everything(sink)
    body = mine(sink, f"easy.{version}@example.com")[0].get_content()
    assert code in body and "Keep the code safe." in body and f"?version={version}" in body
