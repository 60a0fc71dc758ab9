"""The senders against real servers on loopback, and the outbox's claims, retries and records."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import replace

import pytest

from feedback.messages import outbox
from feedback.messages.senders import (
    NotifySender,
    Outgoing,
    PermanentFailure,
    SmtpSender,
    TemporaryFailure,
    sender_from_settings,
)
from feedback.messages.tables import OutboxMessage, OutboxRecipient
from feedback.messages.worker import OutboxWorker
from tests.conftest import run
from tests.feedback.messages.servers import API_KEY, FakeNotify, SmtpSink

FROM = "forum@example.org"


def _our_logs(caplog) -> str:
    """What our code (and the Notify client) logged; the test SMTP server's own log is not ours."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))


def _outgoing(address="parent@example.com", channel="email", body="Your code is ABCD-EFGH-JKLM"):
    return Outgoing(channel=channel, address=address, subject="Your code", body=body, idempotency_key=f"test.{uuid.uuid4().hex}")


def _notify(fake: FakeNotify, timeout: float = 5.0) -> NotifySender:
    return NotifySender(API_KEY, "email-template-id", "sms-template-id", fake.base_url, timeout=timeout)


# -- SMTP -------------------------------------------------------------------------------------------

def test_smtp_delivers_a_plain_text_email_with_a_stable_message_id():
    with SmtpSink() as sink:
        message = _outgoing()
        SmtpSender(sink.url, FROM).send(message)
        SmtpSender(sink.url, FROM).send(message)  # the same message tried again
        received = sink.wait_for(2)
    assert [m["To"] for m in received] == ["parent@example.com"] * 2
    assert received[0]["From"] == FROM
    assert "ABCD-EFGH-JKLM" in received[0].get_content()
    assert received[0]["Message-ID"] == received[1]["Message-ID"]  # a receiver can drop the repeat


def test_smtp_refused_recipient_is_permanent_and_deferred_is_temporary():
    with SmtpSink() as sink:
        sink.refuse_rcpt = {"gone@example.com": 550, "full@example.com": 452}
        with pytest.raises(PermanentFailure):
            SmtpSender(sink.url, FROM).send(_outgoing("gone@example.com"))
        with pytest.raises(TemporaryFailure):
            SmtpSender(sink.url, FROM).send(_outgoing("full@example.com"))


def test_smtp_server_down_is_temporary_and_the_error_holds_no_address():
    with SmtpSink() as sink:
        url = sink.url
    with pytest.raises(TemporaryFailure) as failure:
        SmtpSender(url, FROM, timeout=2).send(_outgoing("secret.person@example.com"))
    assert "secret.person" not in failure.value.reason


def test_smtp_never_sends_a_password_in_clear_to_a_server_without_starttls():
    with SmtpSink() as sink:
        sender = SmtpSender(sink.url.replace("127.0.0.1", "user:pass@localhost.localdomain"), FROM)
        # Point the connection at the sink while the configured host is not loopback.
        sender.target = replace(sender.target, host="127.0.0.1")
        import feedback.messages.senders as senders

        original = senders.LOOPBACK
        senders.LOOPBACK = set()
        try:
            with pytest.raises(PermanentFailure, match="STARTTLS"):
                sender.send(_outgoing())
        finally:
            senders.LOOPBACK = original
        assert sink.received == []


# -- GOV.UK Notify ----------------------------------------------------------------------------------

def test_notify_client_sends_email_and_sms_with_a_valid_jwt_and_our_reference():
    with FakeNotify() as fake:
        sender = _notify(fake)
        email = _outgoing()
        sms = _outgoing("07700900123", "sms", "Code ABCD-EFGH-JKLM")
        assert sender.send(email).provider_id
        assert sender.send(sms).provider_id
    assert fake.bad_tokens == 0
    (email_path, email_body), (sms_path, sms_body) = fake.requests
    assert email_path == "/v2/notifications/email" and email_body["email_address"] == "parent@example.com"
    assert email_body["template_id"] == "email-template-id" and email_body["reference"] == email.idempotency_key
    assert email_body["personalisation"] == {"subject": "Your code", "body": email.body}
    assert sms_path == "/v2/notifications/sms" and sms_body["phone_number"] == "07700900123"


def test_notify_4xx_is_permanent_5xx_and_429_are_temporary():
    error = {"status_code": 400, "errors": [{"error": "BadRequestError", "message": "Not a UK mobile number"}]}
    with FakeNotify(respond_with=[(400, error), (500, {"errors": []}), (429, {"errors": []})]) as fake:
        sender = _notify(fake)
        with pytest.raises(PermanentFailure):
            sender.send(_outgoing("0770", "sms"))
        with pytest.raises(TemporaryFailure):
            sender.send(_outgoing())
        with pytest.raises(TemporaryFailure):
            sender.send(_outgoing())


def test_notify_timeout_is_temporary():
    with FakeNotify(delay=2.0) as fake:
        with pytest.raises(TemporaryFailure):
            _notify(fake, timeout=0.5).send(_outgoing())


def test_notify_can_be_asked_whether_it_already_took_a_message():
    with FakeNotify() as fake:
        sender = _notify(fake)
        message = _outgoing()
        assert sender.already_sent(message.idempotency_key) is None
        accepted = sender.send(message)
        assert sender.already_sent(message.idempotency_key).provider_id == accepted.provider_id


def test_neither_sender_configured_means_messages_are_off(settings):
    assert sender_from_settings(replace(settings, smtp_url="", notify_api_key="")) is None


# -- the outbox -------------------------------------------------------------------------------------

def _queue(key=None, address="parent@example.com", channel="email", about="test"):
    return run(outbox.enqueue(kind="test", channel=channel, address=address, subject="Hello", body="Your code is WXYZ",
                              key=key or f"test.{uuid.uuid4().hex}", about=about))


def _row(message_id):
    return run(OutboxMessage.select().where(OutboxMessage.id == message_id).first())


def _recipient(message_id):
    return run(OutboxRecipient.select().where(OutboxRecipient.message == message_id).first())


def _smtp_worker(sink, **options):
    from feedback.messages.senders import MultiSender

    return OutboxWorker(MultiSender([SmtpSender(sink.url, FROM, timeout=3)]), **options)


def _drain(worker, rounds=10):
    async def go():
        total = {}
        for _ in range(rounds):
            for k, v in (await worker.run_once(limit=500)).items():
                total[k] = total.get(k, 0) + v
        return total
    return run(go())


def test_the_same_key_queues_one_message():
    key = f"test.{uuid.uuid4().hex}"
    first, second = _queue(key), _queue(key)
    assert first.created and not second.created and first.id == second.id
    assert run(OutboxMessage.count().where(OutboxMessage.idempotency_key == key)) == 1


def test_worker_sends_records_sent_and_deletes_the_recipient(caplog):
    about = f"about-{uuid.uuid4().hex[:8]}"
    queued = _queue(address="only.once@example.com", about=about)
    with SmtpSink() as sink, caplog.at_level(logging.DEBUG):
        _drain(_smtp_worker(sink), rounds=3)
        received = sink.wait_for(1)
    assert [m["To"] for m in received if m["To"] == "only.once@example.com"] == ["only.once@example.com"]
    row = _row(queued.id)
    assert row["status"] == "sent" and row["sent_at"] is not None and row["sender"] == "smtp" and row["attempts"] == 1
    assert _recipient(queued.id) is None
    assert "only.once" not in _our_logs(caplog) and "WXYZ" not in _our_logs(caplog)


def test_a_temporary_failure_is_retried_after_a_backoff_and_a_permanent_one_is_not(caplog):
    retried = _queue(address="full@example.com")
    refused = _queue(address="gone@example.com")
    with SmtpSink() as sink, caplog.at_level(logging.INFO):
        sink.refuse_rcpt = {"full@example.com": 451, "gone@example.com": 550}
        worker = _smtp_worker(sink, retry_base_seconds=1.0)
        _drain(worker, rounds=1)
        assert _row(retried.id)["status"] == "queued" and _row(retried.id)["next_attempt_ms"] > outbox.now_ms()
        assert _row(refused.id)["status"] == "failed" and _recipient(refused.id) is None
        _drain(worker, rounds=1)  # not yet due: nothing is tried
        assert _row(retried.id)["attempts"] == 1
        sink.refuse_rcpt = {"gone@example.com": 550}
        run(asyncio.sleep(1.3))  # past the backoff (1 s, give or take a fifth)
        _drain(worker, rounds=2)
        received = sink.wait_for(1)
    assert [m["To"] for m in received if m["To"] in ("full@example.com", "gone@example.com")] == ["full@example.com"]
    assert _row(retried.id)["status"] == "sent" and _row(retried.id)["attempts"] == 2
    assert _row(refused.id)["attempts"] == 1  # never tried again
    assert "gone@example.com" not in _our_logs(caplog) and "full@example.com" not in _our_logs(caplog)


def test_after_the_last_try_a_message_fails_for_good_and_its_recipient_goes():
    queued = _queue(address="full@example.com")
    with SmtpSink() as sink:
        sink.refuse_rcpt = {"full@example.com": 451}
        worker = _smtp_worker(sink, retry_base_seconds=0.0)
        _drain(worker, rounds=outbox.MAX_ATTEMPTS + 2)
    row = _row(queued.id)
    assert row["status"] == "failed" and row["attempts"] == outbox.MAX_ATTEMPTS and _recipient(queued.id) is None


def test_notify_5xx_then_success_sends_once_and_keeps_notifys_id():
    from feedback.messages.senders import MultiSender

    queued = _queue(address="parent@example.com")
    with FakeNotify(respond_with=[(503, {"errors": []})]) as fake:
        worker = OutboxWorker(MultiSender([_notify(fake)]), retry_base_seconds=0.0)
        _drain(worker, rounds=3)
    row = _row(queued.id)
    assert row["status"] == "sent" and row["attempts"] == 2 and row["sender"] == "notify"
    mine = [n for n in fake.accepted if n["reference"] == row["idempotency_key"]]
    assert row["provider_id"] == mine[0]["id"] and len(mine) == 1


def test_two_workers_racing_send_every_message_exactly_once():
    ids = [_queue(address=f"race{i}@example.com").id for i in range(40)]
    with SmtpSink() as sink:
        first, second = _smtp_worker(sink), _smtp_worker(sink)

        async def race():
            for _ in range(10):
                await asyncio.gather(first.run_once(limit=5), second.run_once(limit=5))
        run(race())
        received = sink.wait_for(40)
    addresses = sorted(m["To"] for m in received if m["To"].startswith("race"))
    assert addresses == sorted(f"race{i}@example.com" for i in range(40))
    assert {_row(i)["status"] for i in ids} == {"sent"}


def test_a_row_left_sending_by_a_dead_worker_is_taken_over_when_its_lease_runs_out():
    from feedback.messages.senders import MultiSender

    queued = _queue()
    dead = run(outbox.claim("dead-worker", limit=500, lease_seconds=0))
    assert queued.id in [c.id for c in dead]
    with FakeNotify() as fake:
        # The dead worker had got the message to Notify before it died: it is not sent again.
        _notify(fake).send(next(c.outgoing for c in dead if c.id == queued.id))
        run(asyncio.sleep(0.01))
        _drain(OutboxWorker(MultiSender([_notify(fake)])), rounds=2)
    mine = [n for n in fake.accepted if n["reference"] == _row(queued.id)["idempotency_key"]]
    assert len(mine) == 1 and _row(queued.id)["status"] == "sent"
    assert _row(queued.id)["provider_id"] == mine[0]["id"]
    # ...and the dead worker, had it woken, could not record over the new owner's outcome.
    assert run(outbox._finish(queued.id, "dead-worker", {OutboxMessage.status: "queued"})) is False


# -- Notify's status callback -----------------------------------------------------------------------

def _callback_client(app, token):
    from litestar.testing import TestClient

    app.state.settings = replace(app.state.settings, notify_callback_token=token)
    return TestClient(app=app, base_url="http://testserver.local")


def test_notify_status_callback_needs_the_bearer_token_and_records_delivery(app):
    from feedback.messages.senders import MultiSender

    queued = _queue()
    with FakeNotify() as fake:
        _drain(OutboxWorker(MultiSender([_notify(fake)])), rounds=2)
    provider_id = _row(queued.id)["provider_id"]
    original = app.state.settings
    try:
        with _callback_client(app, "callback-token-0123456789") as client:
            payload = {"id": provider_id, "reference": "x", "to": "parent@example.com", "status": "delivered"}
            assert client.post("/messages/notify/status", json=payload).status_code == 401
            assert client.post("/messages/notify/status", json=payload, headers={"Authorization": "Bearer wrong"}).status_code == 401
            assert _row(queued.id)["status"] == "sent"
            good = {"Authorization": "Bearer callback-token-0123456789"}
            assert client.post("/messages/notify/status", content=b"not json", headers=good).status_code == 400
            assert client.post("/messages/notify/status", json=payload, headers=good).status_code == 204
        assert _row(queued.id)["status"] == "delivered" and _row(queued.id)["delivered_at"] is not None
        with _callback_client(app, "") as client:  # no token configured: the endpoint is off
            assert client.post("/messages/notify/status", json=payload, headers=good).status_code == 404
    finally:
        app.state.settings = original
