"""Two real senders behind one interface: GOV.UK Notify (its official client) and SMTP (smtplib).

A sender takes one `Outgoing` message and either returns what the provider said (`Accepted`) or
raises `PermanentFailure` (never try again: a refused address, a bad template) or
`TemporaryFailure` (try again later: a timeout, a 5xx, a full mailbox). Senders are blocking; the
worker calls them in a thread. Nothing here logs an address, a code or a body.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol
from urllib.parse import unquote, urlsplit

from feedback.settings import Settings

# The Notify client logs failed requests at WARNING with the API's message; keep our own log instead.
logging.getLogger("notifications_python_client").setLevel(logging.ERROR)

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class Outgoing:
    channel: str  # email | sms
    address: str
    subject: str
    body: str
    idempotency_key: str


@dataclass(frozen=True)
class Accepted:
    provider_id: str | None = None


class SendFailure(Exception):
    """`reason` is safe to store and log: it never holds the address or the text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:200]


class PermanentFailure(SendFailure):
    pass


class TemporaryFailure(SendFailure):
    pass


class Sender(Protocol):
    name: str
    channels: frozenset[str]

    def send(self, message: Outgoing) -> Accepted: ...

    def already_sent(self, idempotency_key: str) -> Accepted | None:
        """After a crash mid-send: did the provider take this message? None if unknown or not."""
        ...


class SmtpConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"}:
            raise SmtpConfigError("FEEDBACK_SMTP_URL must start with smtp:// or smtps://")
        if not parts.hostname:
            raise SmtpConfigError("FEEDBACK_SMTP_URL needs a host, e.g. smtp://127.0.0.1:2525")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 587)
        except ValueError as error:
            raise SmtpConfigError("FEEDBACK_SMTP_URL has a port that is not a number") from error
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=parts.scheme == "smtps" or port == 465,
        )


class SmtpSender:
    """Email through an SMTP server: STARTTLS whenever the server offers it, and a password is
    never sent over a connection that is not encrypted (unless the relay is on this machine)."""

    name = "smtp"
    channels = frozenset({"email"})

    def __init__(self, url: str, mail_from: str, timeout: float = 20.0) -> None:
        self.target = SmtpTarget.from_url(url)
        if not mail_from:
            raise SmtpConfigError("FEEDBACK_MAIL_FROM must be set when FEEDBACK_SMTP_URL is")
        self.mail_from = mail_from
        self.timeout = timeout
        self.domain = mail_from.rpartition("@")[2] or "localhost"
        self._context: ssl.SSLContext | None = None

    def _tls_context(self) -> ssl.SSLContext:
        # Made once: loading the system's certificates takes ~0.1 s, longer than sending a message.
        if self._context is None:
            self._context = ssl.create_default_context()
        return self._context

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        context = self._tls_context()
        if target.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, local_hostname=self.domain,
                                                        timeout=self.timeout, context=context)
        else:
            # local_hostname: otherwise smtplib looks up this machine's name on every connection.
            connection = smtplib.SMTP(target.host, target.port, local_hostname=self.domain, timeout=self.timeout)
        connection.ehlo()
        if not target.implicit_tls and connection.has_extn("starttls"):
            connection.starttls(context=context)
            connection.ehlo()
            encrypted = True
        else:
            encrypted = target.implicit_tls
        if target.username:
            if not encrypted and target.host not in LOOPBACK:
                connection.close()
                raise PermanentFailure("the SMTP server offers no STARTTLS: the password is not sent in clear")
            connection.login(target.username, target.password or "")
        return connection

    def _email(self, message: Outgoing) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = message.address
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        # The same key gives the same Message-ID on every try, so a receiver can drop a repeat.
        email["Message-ID"] = f"<{message.idempotency_key.replace(':', '.')}@{self.domain}>"
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.body)
        return email

    def send(self, message: Outgoing) -> Accepted:
        if message.channel != "email":
            raise PermanentFailure("SMTP sends email only: text messages need GOV.UK Notify")
        try:
            connection = self._connect()
            try:
                connection.send_message(self._email(message))
            finally:
                try:
                    connection.quit()
                except (smtplib.SMTPException, OSError):
                    connection.close()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                raise TemporaryFailure(f"recipient deferred by the SMTP server ({codes[0]})") from None
            raise PermanentFailure(f"recipient refused by the SMTP server ({codes[0] if codes else 'no code'})") from None
        except smtplib.SMTPAuthenticationError as error:
            raise PermanentFailure(f"the SMTP server refused the user name or password ({error.smtp_code})") from None
        except smtplib.SMTPResponseException as error:
            kind = TemporaryFailure if 400 <= error.smtp_code < 500 else PermanentFailure
            raise kind(f"the SMTP server answered {error.smtp_code}") from None
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            raise TemporaryFailure(f"could not reach the SMTP server ({type(error).__name__})") from None
        return Accepted()

    def already_sent(self, idempotency_key: str) -> Accepted | None:
        return None  # SMTP cannot be asked; the stable Message-ID lets receivers drop a repeat


class NotifySender:
    """GOV.UK Notify: one email template with ((subject)) and ((body)), one text template with
    ((body)). Our idempotency key is sent as Notify's `reference`, so after a crash the worker
    asks Notify whether it already took the message instead of sending it again."""

    name = "notify"

    def __init__(self, api_key: str, template_email: str, template_sms: str, base_url: str, timeout: float = 15.0) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        if len(api_key) < 74:
            raise ValueError("FEEDBACK_NOTIFY_API_KEY does not look like a Notify API key (name-serviceid-secret)")
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)
        self.templates = {"email": template_email, "sms": template_sms}
        self.channels = frozenset(channel for channel, template in self.templates.items() if template)

    @staticmethod
    def _failure(error: Exception) -> SendFailure:
        from notifications_python_client.errors import APIError

        status = error.status_code if isinstance(error, APIError) else 503
        # 400 (bad request, a bad number), 403 (key): trying again changes nothing. 429 and 5xx, and
        # timeouts or refused connections (the client reports those as 503), may pass later.
        if status == 429 or status >= 500:
            return TemporaryFailure(f"GOV.UK Notify answered {status}")
        return PermanentFailure(f"GOV.UK Notify refused the message ({status})")

    def send(self, message: Outgoing) -> Accepted:
        template = self.templates.get(message.channel)
        if not template:
            raise PermanentFailure(f"no GOV.UK Notify template is set for {message.channel}")
        try:
            if message.channel == "email":
                answer = self.client.send_email_notification(
                    email_address=message.address, template_id=template,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=message.idempotency_key,
                )
            else:
                answer = self.client.send_sms_notification(
                    phone_number=message.address, template_id=template,
                    personalisation={"body": message.body}, reference=message.idempotency_key,
                )
        except Exception as error:  # the client raises its own errors and requests' ones
            raise self._failure(error) from None
        return Accepted(provider_id=str((answer or {}).get("id") or "") or None)

    def already_sent(self, idempotency_key: str) -> Accepted | None:
        try:
            found = self.client.get_all_notifications(reference=idempotency_key)
        except Exception as error:
            raise self._failure(error) from None
        notifications = (found or {}).get("notifications") or []
        return Accepted(provider_id=str(notifications[0].get("id"))) if notifications else None


class MultiSender:
    """Notify for what it has templates for, SMTP for the rest (e.g. text by Notify, email by SMTP)."""

    name = "multi"

    def __init__(self, senders: list[Sender]) -> None:
        self.senders = senders
        self.channels = frozenset().union(*(s.channels for s in senders))

    def for_channel(self, channel: str) -> Sender | None:
        return next((s for s in self.senders if channel in s.channels), None)

    def send(self, message: Outgoing) -> Accepted:
        sender = self.for_channel(message.channel)
        if sender is None:
            raise PermanentFailure(f"no sender is set up for {message.channel}")
        return sender.send(message)

    def already_sent(self, idempotency_key: str) -> Accepted | None:
        for sender in self.senders:
            found = sender.already_sent(idempotency_key)
            if found is not None:
                return found
        return None


def sender_from_settings(settings: Settings) -> MultiSender | None:
    """None when no sender is configured: every feature then says that messages are off."""
    senders: list[Sender] = []
    if settings.notify_api_key:
        senders.append(NotifySender(
            settings.notify_api_key, settings.notify_template_email, settings.notify_template_sms, settings.notify_base_url,
        ))
    if settings.smtp_url:
        senders.append(SmtpSender(settings.smtp_url, settings.mail_from))
    senders = [s for s in senders if s.channels]
    return MultiSender(senders) if senders else None


def channels_available(settings: Settings) -> frozenset[str]:
    try:
        sender = sender_from_settings(settings)
    except (ValueError, SmtpConfigError):
        return frozenset()
    return sender.channels if sender else frozenset()
