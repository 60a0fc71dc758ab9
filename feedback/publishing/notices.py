""""We did" notices: telling the people who asked to hear back that an update was published or
moved on, through the outbox, and then deleting their contact details as the consent question
promised ("delete them when we have told you").

Who is told: everyone who answered the update's survey, still agrees to be contacted (the consent
gate, asked again at the moment of sending: a withdrawal a minute ago counts) and left an address
we can reach by a channel that is on. Those who answered an easy-read or picture version get the
easy-read wording. The outbox keeps the record (pseudonymous subject, update, status, when).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consent.contacts import delete_contacts
from consent.tables import ContactDetail
from feedback.messages import service, wording
from feedback.messages.outbox import idempotency_key
from feedback.messages.tables import OutboxMessage
from feedback.publishing.tables import Update
from feedback.publishing.updates import contacts_to_tell
from surveys.tables import Response


def about(update: Update) -> str:
    return f"update:{update.id}"


@dataclass
class Recipient:
    contact: ContactDetail
    channel: str | None  # None: no address we can reach by a channel that is on
    easy_read: bool


@dataclass
class NoticePlan:
    recipients: list[Recipient] = field(default_factory=list)

    @property
    def reachable(self) -> list[Recipient]:
        return [r for r in self.recipients if r.channel]

    def count(self, channel: str | None = None, easy_read: bool | None = None) -> int:
        return sum(1 for r in self.reachable if (channel is None or r.channel == channel)
                   and (easy_read is None or r.easy_read == easy_read))

    @property
    def unreachable(self) -> int:
        return len(self.recipients) - len(self.reachable)


def _channel(contact: ContactDetail, channels: frozenset[str]) -> str | None:
    if contact.email and "email" in channels:
        return "email"
    if contact.phone and "sms" in channels:
        return "sms"
    return None


async def plan_notice(update: Update, channels: frozenset[str]) -> NoticePlan:
    contacts = await contacts_to_tell(update)  # through the consent gate
    if not contacts:
        return NoticePlan()
    variants = {str(r["respondent_id"]): r["variant"] for r in await Response.select(
        Response.respondent_id, Response.variant).where(
        (Response.run == update.run) & Response.respondent_id.is_in([c.subject for c in contacts]))}
    return NoticePlan([Recipient(c, _channel(c, channels), variants.get(c.subject, "standard") != "standard") for c in contacts])


def notice_wording(update: Update, link: str, channel: str, easy_read: bool) -> wording.Wording:
    summary = (update.easy_read_we_did or update.we_did) if easy_read else update.we_did
    return wording.update_notice(update.title, update.status, summary, link, channel, easy_read)


def previews(update: Update, link: str) -> dict[str, wording.Wording]:
    return {f"{'easy_read' if easy else 'standard'}_{channel}": notice_wording(update, link, channel, easy)
            for easy in (False, True) for channel in ("email", "sms")}


@dataclass(frozen=True)
class NoticeSent:
    queued: int
    already_told: int
    contacts_deleted: int
    unreachable: int


async def send_notice(update: Update, channels: frozenset[str], link: str) -> NoticeSent:
    """Queue one notice per person (the same update and status never twice), then delete the
    contact details of everyone it was queued for: the address now lives only in the outbox
    until the message is accepted."""
    plan = await plan_notice(update, channels)
    queued = already = 0
    told: list[str] = []
    for recipient in plan.reachable:
        contact = recipient.contact
        text = notice_wording(update, link, recipient.channel, recipient.easy_read)
        result = await service.send_later(
            kind="update_notice", channel=recipient.channel,
            address=contact.email if recipient.channel == "email" else contact.phone,
            subject=text.subject, body=text.body,
            key=idempotency_key("update_notice", update.id, update.status, contact.subject),
            about=about(update), subject_ref=contact.subject, wording="easy_read" if recipient.easy_read else "standard",
        )
        queued += result.created
        already += not result.created
        told.append(contact.subject)
    deleted = await delete_contacts(told)
    return NoticeSent(queued, already, deleted, plan.unreachable)


async def notice_record(update: Update) -> dict[str, int]:
    """What the outbox says about this update's notices: how many sent, delivered, waiting, failed."""
    counts: dict[str, int] = {}
    for row in await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.about == about(update)):
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


async def last_told(update: Update):
    row = await OutboxMessage.select(OutboxMessage.created_at).where(OutboxMessage.about == about(update)).order_by(
        OutboxMessage.created_at, ascending=False).first()
    return row["created_at"] if row else None
