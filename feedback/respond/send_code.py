"""Send me my code: a respondent can have their resume code (after "save and come back later") or
their reference (after sending) sent by email or text. The address is used for that one message:
it sits in the outbox's recipient table until the message is accepted, then is deleted, and is
never logged. At most three sends per code, so the form cannot be used to flood someone."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from consent.contacts import clean_email, clean_phone
from feedback.messages import service, wording
from feedback.settings import Settings

MAX_SENDS_PER_CODE = 3


@dataclass(frozen=True)
class SendRequest:
    channel: str
    address: str


def read_send_form(form, available: frozenset[str], easy_read: bool) -> tuple[SendRequest | None, list[dict[str, str]], dict[str, str]]:
    """The chosen channel and a checked address, or GOV.UK error-summary entries."""
    how = (form.get("how") or "").strip()
    if len(available) == 1:
        how = how or next(iter(available))
    values = {"how": how, "email": (form.get("email") or "").strip()[:254], "phone": (form.get("phone") or "").strip()[:30]}
    if how not in available:
        text = "Choose email or text message" if easy_read else "Choose how you want us to send it"
        return None, [{"text": text, "href": "#how"}], values
    if how == "email":
        address = clean_email(values["email"])
        if address is None:
            text = "Type your email address, like name@example.com" if easy_read else "Enter an email address in the correct format, like name@example.com"
            return None, [{"text": text, "href": "#email"}], values
    else:
        address = clean_phone(values["phone"])
        if address is None:
            text = "Type your mobile phone number, like 07700 900 982" if easy_read else "Enter a UK mobile phone number, like 07700 900 982"
            return None, [{"text": text, "href": "#phone"}], values
    return SendRequest(how, address), [], values


def _digest(secret: str, *parts: object) -> str:
    # Keyed with the app's secret: an outbox row cannot be tied to a response by anyone who only
    # has the database.
    return hmac.new(secret.encode(), "\x1f".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()[:40]


async def _queue(settings: Settings, kind: str, response_id: int, secret_part: str, form_token: str,
                 text: wording.Wording, send: SendRequest, easy_read: bool) -> bool:
    """One message per form shown (a double tap posts the same form token: one message), and at
    most MAX_SENDS_PER_CODE for one code."""
    from feedback.messages.tables import OutboxMessage

    thread = f"{kind}.{_digest(settings.secret_key, kind, response_id, secret_part)[:24]}"
    key = f"{kind}.{_digest(settings.secret_key, kind, response_id, secret_part, form_token[:64])}"
    if await OutboxMessage.exists().where(OutboxMessage.idempotency_key == key):
        return True
    if await OutboxMessage.count().where(OutboxMessage.about == thread) >= MAX_SENDS_PER_CODE:
        return False
    await service.send_later(kind=kind, channel=send.channel, address=send.address, subject=text.subject,
                             body=text.body, key=key, about=thread, wording="easy_read" if easy_read else "standard")
    return True


async def send_resume_code(settings: Settings, response_id: int, code: str, title: str, link: str,
                           send: SendRequest, easy_read: bool, form_token: str) -> bool:
    """Queue the code; False when it has already been sent as often as we allow."""
    text = wording.resume_code(title, code, link, send.channel, easy_read)
    return await _queue(settings, "resume_code", response_id, code, form_token, text, send, easy_read)


async def send_reference(settings: Settings, response_id: int, reference: str, title: str, link: str,
                         send: SendRequest, easy_read: bool, form_token: str) -> bool:
    text = wording.reference(title, reference, link, send.channel, easy_read)
    return await _queue(settings, "reference", response_id, reference, form_token, text, send, easy_read)
