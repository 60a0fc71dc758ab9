"""Who runs the service: the partnership's name, how families contact it, its data protection
officer, and the accessibility statement's facts (GOV.UK model statement). Stored in one row,
edited by an admin, audited; read by every page through a per-process cache.

Pure parts (defaults, reading the form) are testable without the web layer or the database.
"""

from __future__ import annotations

import logging
import re
import time
from collections import UserString
from dataclasses import asdict, dataclass, fields
from datetime import date

from consent.contacts import clean_email
from feedback.accounts.audit import audit
from feedback.privacy.tables import PartnershipSettings
from feedback.rendering import PARTNERSHIP_NAME
from feedback.workspace.dates import DateField, date_field_values, read_date

logger = logging.getLogger("feedback.privacy")

COMPLIANCE = {
    "full": "fully compliant",
    "partial": "partially compliant",
    "not": "not compliant",
}
COMPLIANCE_LABELS = {
    "full": "Fully compliant with WCAG 2.2 AA",
    "partial": "Partially compliant: some content does not meet WCAG 2.2 AA",
    "not": "Not compliant: most content has not been checked or does not meet WCAG 2.2 AA",
}

# What this product honestly does not yet do well (the statement's "non-accessible content").
DEFAULT_KNOWN_ISSUES = "\n".join([
    "Some words in the picture versions of surveys have no picture, so the words are shown on their own.",
    "Listen (reading a page aloud) uses the voices on your device, so it does not work on devices without any.",
    "Spreadsheet and CSV downloads and the printed board report have not been checked with screen readers.",
    "The service is checked automatically and by keyboard each time it changes, but has not yet been audited by an accessibility specialist or tested with disabled users.",
])
DEFAULT_STATEMENT_DATE = date(2026, 12, 1)

TEXT_LIMITS = {"name": 200, "contact_email": 254, "contact_phone": 40, "contact_address": 500,
               "dpo_name": 200, "dpo_email": 254, "dpo_phone": 40, "known_issues": 4000}
PHONE_SHAPE = re.compile(r"^[0-9+() \-]{6,40}$")


@dataclass(frozen=True)
class Identity:
    name: str = PARTNERSHIP_NAME
    contact_email: str = ""
    contact_phone: str = ""
    contact_address: str = ""
    dpo_name: str = "The council's data protection officer"
    dpo_email: str = ""
    dpo_phone: str = ""
    compliance_status: str = "partial"
    known_issues: str = DEFAULT_KNOWN_ISSUES
    prepared_on: date | None = DEFAULT_STATEMENT_DATE
    reviewed_on: date | None = DEFAULT_STATEMENT_DATE

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.contact_phone or self.contact_address)

    @property
    def compliance_text(self) -> str:
        return COMPLIANCE.get(self.compliance_status, COMPLIANCE["partial"])

    @property
    def issues(self) -> list[str]:
        return [line.strip() for line in self.known_issues.splitlines() if line.strip()]

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.contact_address.splitlines() if line.strip()]


FIELD_NAMES = tuple(f.name for f in fields(Identity))

# --- per-process cache: every page shows the name, so it is never queried per request. A save
# replaces it at once in this process; other worker processes pick it up within REFRESH_SECONDS.
REFRESH_SECONDS = 30.0
_cache: dict[str, object] = {"identity": Identity(), "loaded_at": 0.0}


def current_identity() -> Identity:
    return _cache["identity"]  # type: ignore[return-value]


async def load_identity() -> Identity:
    row = await PartnershipSettings.select().order_by(PartnershipSettings.id).first()
    identity = _from_row(row) if row else Identity()
    _cache.update(identity=identity, loaded_at=time.monotonic())
    return identity


async def refresh_if_stale() -> None:
    """Called before every request: at most one query per REFRESH_SECONDS per process. A database
    not yet migrated (or briefly away) keeps the last known identity rather than failing the page."""
    if time.monotonic() - float(_cache["loaded_at"]) >= REFRESH_SECONDS:
        try:
            await load_identity()
        except Exception:  # noqa: BLE001 - the footer must never break a page
            _cache["loaded_at"] = time.monotonic()
            logger.warning("could not read the partnership's details; showing the last known ones")


def _from_row(row: dict) -> Identity:
    values = {name: row.get(name) for name in FIELD_NAMES}
    # a blank name would leave every page saying "Run by ."
    values["name"] = values["name"] or PARTNERSHIP_NAME
    values["compliance_status"] = values["compliance_status"] if values["compliance_status"] in COMPLIANCE else "partial"
    return Identity(**{k: ("" if v is None and k not in ("prepared_on", "reviewed_on") else v) for k, v in values.items()})


async def save_identity(identity: Identity, actor: str) -> list[str]:
    """Store the identity, audit which fields changed (names only: contact details stay out of the
    log), and refresh the cache. Returns the changed field names."""
    before = await load_identity()
    changed = [name for name in FIELD_NAMES if getattr(before, name) != getattr(identity, name)]
    if not changed:
        return []
    row = await PartnershipSettings.objects().order_by(PartnershipSettings.id).first()
    values = {**asdict(identity), "updated_by": actor[:254]}
    if row is None:
        await PartnershipSettings(**values).save()
    else:
        await PartnershipSettings.update(values).where(PartnershipSettings.id == row.id)
    await audit(actor, "partnership_updated", object="partnership", detail="changed: " + ", ".join(changed))
    _cache.update(identity=identity, loaded_at=time.monotonic())
    return changed


# --- the admin's form -----------------------------------------------------------------------------

@dataclass
class IdentityForm:
    values: dict[str, str]
    dates: dict[str, DateField]
    errors: dict[str, str]  # field id -> message, in page order
    identity: Identity | None


def form_values(identity: Identity) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    values = {name: str(getattr(identity, name) or "") for name in TEXT_LIMITS}
    values["compliance_status"] = identity.compliance_status
    return values, {"prepared_on": date_field_values(identity.prepared_on), "reviewed_on": date_field_values(identity.reviewed_on)}


def read_identity_form(form: dict[str, str], today: date) -> IdentityForm:
    values = {name: (form.get(name) or "").replace("\r\n", "\n").strip() for name in TEXT_LIMITS}
    values["compliance_status"] = (form.get("compliance_status") or "").strip()
    errors: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = f"{_LABELS[name]} must be {limit} characters or fewer"
    if not values["name"]:
        errors.setdefault("name", "Enter the partnership's name, as families know it")
    for name in ("contact_email", "dpo_email"):
        if values[name] and name not in errors and not clean_email(values[name]):
            errors[name] = f"Enter {_LABELS[name].lower()} in the correct format, like name@example.org"
    for name in ("contact_phone", "dpo_phone"):
        if values[name] and name not in errors and not (PHONE_SHAPE.match(values[name]) and sum(c.isdigit() for c in values[name]) >= 6):
            errors[name] = f"Enter {_LABELS[name].lower()} with numbers only, like 01632 960 001"
    if values["compliance_status"] not in COMPLIANCE:
        errors["compliance_status"] = "Select how far the service meets WCAG 2.2 AA"
    if not values["known_issues"] and values["compliance_status"] in ("partial", "not"):
        errors.setdefault("known_issues", "List the content that is not accessible, one problem on each line")
    dates = {
        "prepared_on": read_date("prepared_on", "The date the statement was prepared",
                                 {p: form.get(f"prepared_on-{p}", "") for p in ("day", "month", "year")}),
        "reviewed_on": read_date("reviewed_on", "The date the statement was last reviewed",
                                 {p: form.get(f"reviewed_on-{p}", "") for p in ("day", "month", "year")}),
    }
    for name, field in dates.items():
        if field.error is None and field.value is None:
            field.error = f"Enter {field.label[0].lower()}{field.label[1:]}"
        elif field.error is None and field.value > today:
            field.error = f"{field.label} must be today or in the past"
    prepared, reviewed = dates["prepared_on"], dates["reviewed_on"]
    if prepared.value and reviewed.value and not reviewed.error and reviewed.value < prepared.value:
        reviewed.error = "The date the statement was last reviewed must be the same as or after the date it was prepared"
    for name, field in dates.items():
        if field.error:
            errors[field.first_error_id] = field.error
    identity = None
    if not errors:
        identity = Identity(
            name=values["name"], contact_email=values["contact_email"].lower() if values["contact_email"] else "",
            contact_phone=values["contact_phone"], contact_address=values["contact_address"],
            dpo_name=values["dpo_name"], dpo_email=values["dpo_email"].lower() if values["dpo_email"] else "",
            dpo_phone=values["dpo_phone"], compliance_status=values["compliance_status"],
            known_issues=values["known_issues"], prepared_on=prepared.value, reviewed_on=reviewed.value,
        )
    return IdentityForm(values, dates, errors, identity)


_LABELS = {
    "name": "The partnership's name", "contact_email": "The email address for families",
    "contact_phone": "The phone number for families", "contact_address": "The postal address",
    "dpo_name": "The data protection officer's name or title", "dpo_email": "The data protection officer's email address",
    "dpo_phone": "The data protection officer's phone number", "known_issues": "The list of content that is not accessible",
}


class LivePartnershipName(UserString):
    """The template global `partnership_name`: behaves as a string, always the cached value."""

    def __init__(self, fixed: object = None) -> None:
        # UserString's methods (slicing, upper...) build new instances from their result: those
        # hold that fixed text; the global itself holds none and reads the cache each time.
        self._fixed = None if fixed is None else str(fixed)

    @property
    def data(self) -> str:  # type: ignore[override]
        return current_identity().name if self._fixed is None else self._fixed

    def __html__(self) -> str:
        from markupsafe import escape
        return str(escape(self.data))


def template_globals() -> dict[str, object]:
    return {"partnership_name": LivePartnershipName(), "partnership": current_identity,
            "compliance_labels": COMPLIANCE_LABELS}


__all__ = ["Identity", "current_identity", "load_identity", "refresh_if_stale", "save_identity", "read_identity_form",
           "form_values", "template_globals"]
