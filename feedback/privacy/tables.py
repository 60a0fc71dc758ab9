"""The partnership's identity and its accessibility statement, edited by an admin (one row)."""

from piccolo.columns import Date, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class PartnershipSettings(Table, tablename="partnership_settings"):
    name = Varchar(length=200, default="")
    contact_email = Varchar(length=254, default="")
    contact_phone = Varchar(length=40, default="")
    contact_address = Text(default="")
    dpo_name = Varchar(length=200, default="")
    dpo_email = Varchar(length=254, default="")
    dpo_phone = Varchar(length=40, default="")
    compliance_status = Varchar(length=20, default="")
    known_issues = Text(default="")
    prepared_on = Date(default=None, null=True)
    reviewed_on = Date(default=None, null=True)
    updated_by = Varchar(length=254, default="")
    updated_at = Timestamptz(default=TimestamptzNow())
