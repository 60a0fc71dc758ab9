"""The outbox. Imports nothing of ours: the schema is shared.

A message and its recipient live apart: `OutboxMessage` records what was sent, about what, and
what happened (kept as the record of who was told, by pseudonymous subject only), while
`OutboxRecipient` holds the address and the text (which may hold a resume code) and is deleted as
soon as the message is accepted or has failed for good.
"""

from piccolo.columns import BigInt, Integer, Text, Timestamptz, Varchar
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
