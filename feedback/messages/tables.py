"""The outbox. Imports nothing of ours: the schema is shared.

A message and its recipient live apart: `OutboxMessage` records what was sent, about what, and
what happened (kept as the record of who was told, by pseudonymous subject only), while
`OutboxRecipient` holds the address and the text (which may hold a resume code) and is deleted as
soon as the message is accepted or has failed for good.
"""

from piccolo.columns import BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table, tablename="messages_outbox"):
    # Unique: enqueueing the same thing twice (a double tap, two officers) makes one message.
    idempotency_key = Varchar(length=120, null=False, unique=True)
    kind = Varchar(length=30, null=False)  # resume_code | reference | update_notice | invitation | reminder
    channel = Varchar(length=10, null=False)  # email | sms
    about = Varchar(length=80, null=False, default="", index=True)  # e.g. "update:12", "run:4"
    subject_ref = Varchar(length=64, null=True, default=None, index=True)  # pseudonymous contact subject
    wording = Varchar(length=20, null=False, default="standard")  # standard | easy_read
    # queued -> sending -> sent -> delivered | failed; a failed try goes back to queued later.
    status = Varchar(length=20, null=False, default="queued", index=True)
    attempts = Integer(null=False, default=0)
    next_attempt_ms = BigInt(null=False, default=0, index=True)  # epoch ms: plain numbers compare alike on both databases
    lease_until_ms = BigInt(null=False, default=0)
    claimed_by = Varchar(length=80, null=True, default=None)
    sender = Varchar(length=10, null=True, default=None)  # smtp | notify
    provider_id = Varchar(length=80, null=True, default=None, index=True)  # Notify's notification id
    last_error = Varchar(length=200, null=True, default=None)  # never an address or a body
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)


class OutboxRecipient(Table, tablename="messages_recipient"):
    message = Integer(null=False, unique=True)
    address = Varchar(length=254, null=False)
    subject = Varchar(length=200, null=False, default="")
    body = Text(null=False, default="")


class InvitationList(Table, tablename="messages_invitation_list"):
    """One imported contact list for a survey, with the lawful basis the officer recorded for it."""

    run = Integer(null=False, index=True)
    lawful_basis = Varchar(length=30, null=False)  # public_task | legitimate_interests | consent
    basis_note = Text(null=False, default="")  # where the list came from and why we may use it
    imported_by = Varchar(length=254, null=False, default="")
    size = Integer(null=False, default=0)
    imported_at = Timestamptz(default=TimestamptzNow())


class Invitee(Table, tablename="messages_invitee"):
    """A person on a list. Anonymity: `responded` is a yes/no set when a browser that came through
    this person's link submits; no response id, no time, nothing that joins it to the answers."""

    invitation_list = Integer(null=False, index=True)
    run = Integer(null=False, index=True)
    channel = Varchar(length=10, null=False)  # email | sms
    address = Varchar(length=254, null=True, default=None)  # deleted when the survey closes or they opt out
    token_hash = Varchar(length=64, null=False, unique=True)
    invited = Boolean(null=False, default=False)
    reminders_sent = Integer(null=False, default=0)
    responded = Boolean(null=False, default=False)
    opted_out = Boolean(null=False, default=False)


class MessageOptOut(Table, tablename="messages_opt_out"):
    """Addresses that asked never to be sent invitations again, as keyed hashes (never the address),
    so a later import honours the opt-out."""

    address_hash = Varchar(length=64, null=False, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
