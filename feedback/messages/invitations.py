"""Invitations and reminders: a contact list imported for a survey (a CSV, with the lawful basis
recorded and checked), survey links sent through the outbox, up to two reminders to those who
have not responded, and opt-outs honoured (an unsubscribe link in every message).

Anonymous surveys stay anonymous. Each invitee gets a token derived from the app's secret and the
invitee's row; only its hash is stored. The link sets the token in a cookie for that survey; when
that browser submits, the invitee's row is marked `responded` (a yes/no, with no time and no
response id), and nothing is written to the response. So reminders skip people who answered, and
no table, column or timestamp joins an invitee to their answers.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass, field

from consent.contacts import clean_email, clean_phone
from feedback.messages import service
from feedback.messages.outbox import cancel_unsent
from feedback.messages.tables import InvitationList, Invitee, MessageOptOut, OutboxMessage
from feedback.settings import Settings

LAWFUL_BASES = {
    "public_task": "Public task (UK GDPR Article 6(1)(e)): the council's duty to consult on SEND provision",
    "legitimate_interests": "Legitimate interests (Article 6(1)(f)), with a legitimate interests assessment",
    "consent": "Consent (Article 6(1)(a)): each person on the list agreed to be invited",
}
MAX_ROWS = 10_000
MAX_REMINDERS = 2
INVITE_COOKIE_PREFIX = "invite_"


def invite_token(secret: str, invitee_id: int) -> str:
    return hmac.new(secret.encode(), f"invitee\x1f{invitee_id}".encode(), hashlib.sha256).hexdigest()[:32]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def address_hash(secret: str, address: str) -> str:
    return hmac.new(secret.encode(), f"optout\x1f{address.strip().lower()}".encode(), hashlib.sha256).hexdigest()


@dataclass
class ParsedList:
    rows: list[tuple[str, str]] = field(default_factory=list)  # (channel, address)
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0


def parse_contact_csv(text: str) -> ParsedList:
    """A header row with `email` and/or `phone` (other columns, such as names, are ignored and
    never stored). Every row must give a valid address, or nothing is imported."""
    parsed = ParsedList()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {(f or "").strip().lower() for f in (reader.fieldnames or [])}
    if not columns & {"email", "phone"}:
        parsed.problems.append("The first row must name the columns, with one called email or phone")
        return parsed
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(k, str)}
        if not any(row.values()):
            continue
        email, phone = row.get("email", ""), row.get("phone", "")
        if email:
            address, channel = clean_email(email), "email"
            if address is None:
                parsed.problems.append(f"Row {number}: the email address is not in the right format")
                continue
        elif phone:
            address, channel = clean_phone(phone), "sms"
            if address is None:
                parsed.problems.append(f"Row {number}: the phone number is not a UK mobile number")
                continue
        else:
            parsed.problems.append(f"Row {number}: give an email address or a phone number")
            continue
        if address.lower() in seen:
            parsed.duplicates += 1
            continue
        seen.add(address.lower())
        parsed.rows.append((channel, address))
        if len(parsed.rows) > MAX_ROWS:
            parsed.problems.append(f"At most {MAX_ROWS:,} people in one list")
            break
    if not parsed.rows and not parsed.problems:
        parsed.problems.append("The file has no one in it")
    return parsed


@dataclass(frozen=True)
class Imported:
    list_id: int
    added: int
    opted_out: int
    duplicates: int


async def import_list(settings: Settings, run_id: int, parsed: ParsedList, lawful_basis: str, basis_note: str, actor: str) -> Imported:
    if lawful_basis not in LAWFUL_BASES:
        raise ValueError("unknown lawful basis")
    opted = {r["address_hash"] for r in await MessageOptOut.select(MessageOptOut.address_hash).where(
        MessageOptOut.address_hash.is_in([address_hash(settings.secret_key, a) for _, a in parsed.rows] or [""]))}
    keep = [(c, a) for c, a in parsed.rows if address_hash(settings.secret_key, a) not in opted]
    engine = Invitee._meta.db
    async with engine.transaction():
        listed = await InvitationList.insert(InvitationList(
            run=run_id, lawful_basis=lawful_basis, basis_note=basis_note[:2000], imported_by=actor, size=len(keep),
        )).returning(InvitationList.id)
        list_id = listed[0]["id"]
        for channel, address in keep:
            # A placeholder hash first: the token is derived from the row's own id.
            rows = await Invitee.insert(Invitee(invitation_list=list_id, run=run_id, channel=channel, address=address,
                                                token_hash=f"pending-{list_id}-{address_hash(settings.secret_key, address)[:40]}"
                                                )).returning(Invitee.id)
            invitee_id = rows[0]["id"]
            await Invitee.update({Invitee.token_hash: token_hash(invite_token(settings.secret_key, invitee_id))}).where(
                Invitee.id == invitee_id)
    return Imported(list_id, len(keep), len(parsed.rows) - len(keep), parsed.duplicates)


def _wording(title: str, link: str, unsubscribe: str, channel: str, reminder: int) -> tuple[str, str]:
    from feedback.messages.wording import _one_line

    title = _one_line(title)
    if channel == "sms":
        lead = "Reminder: " if reminder else ""
        return "", f"{lead}Please tell us what you think in {title}: {link} To stop these messages: {unsubscribe}"
    subject = (f"Reminder: {title}" if reminder else f"Tell us what you think: {title}")
    body = "\n\n".join([
        ("A reminder: we would still like to hear from you." if reminder else "We would like to hear what you think."),
        f"Please take part in {title}: {link}",
        "Your answers are anonymous: this link tells us only whether someone has answered, so that we do not remind you again. It is never joined to what you say.",
        f"If you do not want any more messages about our surveys, go to {unsubscribe}",
    ])
    return subject, body


async def send_round(settings: Settings, run, base_url: str, reminder: int) -> int:
    """Round 0 invites everyone not yet invited; rounds 1 and 2 remind those who have not
    responded. Opted-out people are never sent anything. Returns how many were queued."""
    if not 0 <= reminder <= MAX_REMINDERS:
        raise ValueError("at most two reminders")
    where = (Invitee.run == run.id) & (Invitee.opted_out == False) & Invitee.address.is_not_null()  # noqa: E712
    if reminder == 0:
        where &= Invitee.invited == False  # noqa: E712
    else:
        where &= (Invitee.invited == True) & (Invitee.responded == False) & (Invitee.reminders_sent == reminder - 1)  # noqa: E712
    queued = 0
    for invitee in await Invitee.objects().where(where).order_by(Invitee.id):
        token = invite_token(settings.secret_key, invitee.id)
        link = service.public_link(settings, base_url, f"/s/{run.slug}/invited?t={token}")
        unsubscribe = service.public_link(settings, base_url, f"/messages/unsubscribe?t={token}")
        subject, body = _wording(run.title, link, unsubscribe, invitee.channel, reminder)
        result = await service.send_later(
            kind="reminder" if reminder else "invitation", channel=invitee.channel, address=invitee.address,
            subject=subject, body=body, key=f"invite.{invitee.id}.{reminder}", about=f"invitations:{run.id}",
            subject_ref=f"invitee:{invitee.id}",
        )
        values = {Invitee.invited: True} if reminder == 0 else {Invitee.reminders_sent: reminder}
        await Invitee.update(values).where(Invitee.id == invitee.id)
        queued += result.created
    return queued


async def invitee_for_token(token: str) -> Invitee | None:
    if not token or len(token) > 64:
        return None
    return await Invitee.objects().where(Invitee.token_hash == token_hash(token)).first()


async def opt_out(settings: Settings, token: str) -> bool:
    """The unsubscribe link: no more invitations or reminders, now or from a later list."""
    invitee = await invitee_for_token(token)
    if invitee is None:
        return False
    if invitee.address:
        try:
            await MessageOptOut.insert(MessageOptOut(address_hash=address_hash(settings.secret_key, invitee.address)))
        except Exception as error:
            from feedback.database import is_unique_violation

            if not is_unique_violation(error):
                raise
    await Invitee.update({Invitee.opted_out: True, Invitee.address: None}).where(Invitee.id == invitee.id)
    await cancel_unsent(OutboxMessage.subject_ref == f"invitee:{invitee.id}")
    return True


async def mark_responded(token: str, run_id: int) -> None:
    """Called when a browser that came through an invitation link submits: a yes/no, nothing more."""
    await Invitee.update({Invitee.responded: True}).where(
        (Invitee.token_hash == token_hash(token)) & (Invitee.run == run_id))


async def invitation_summary(run_id: int) -> dict:
    rows = await Invitee.select(Invitee.invited, Invitee.reminders_sent, Invitee.responded, Invitee.opted_out).where(
        Invitee.run == run_id)
    lists = await InvitationList.select().where(InvitationList.run == run_id).order_by(InvitationList.id)
    return {
        "people": len(rows),
        "invited": sum(1 for r in rows if r["invited"]),
        "responded": sum(1 for r in rows if r["responded"]),
        "opted_out": sum(1 for r in rows if r["opted_out"]),
        "reminded": {n: sum(1 for r in rows if r["reminders_sent"] >= n) for n in (1, 2)},
        "waiting": sum(1 for r in rows if r["invited"] and not r["responded"] and not r["opted_out"]),
        "lists": lists,
    }


async def forget_addresses(run_id: int) -> int:
    """When a survey closes the addresses are no longer needed (opt-out hashes stay)."""
    count = await Invitee.count().where((Invitee.run == run_id) & Invitee.address.is_not_null())
    await Invitee.update({Invitee.address: None}).where(Invitee.run == run_id)
    return count
