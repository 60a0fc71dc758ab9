"""Contact details, kept apart from answers and only for people who asked to hear back."""

from __future__ import annotations

import re
from typing import Iterable

from consent.tables import ContactDetail

# An address's shape: no spaces, quotes or angle brackets (an address is never markup or a formula).
EMAIL = re.compile(r"^[^@\s\"'<>(),;:\\\[\]]{1,64}@[A-Za-z0-9.-]{1,185}\.[A-Za-z]{2,}$")
UK_PHONE = re.compile(r"^(\+44|0044|0)(\d{9,10})$")
UK_MOBILE_E164 = re.compile(r"^\+447\d{9}$")


def clean_email(text: str) -> str | None:
    """An email address in a shape mail can be sent to, or None."""
    text = (text or "").strip()
    return text if text and len(text) <= 254 and EMAIL.match(text) and ".." not in text else None


def clean_phone(text: str) -> str | None:
    """A UK phone number in E.164 (`+447700900982`), the form GOV.UK Notify takes, or None.
    Stored so, it never starts with a formula character a spreadsheet guard would have to touch."""
    digits = re.sub(r"[\s()\-.]", "", (text or "").replace("(0)", ""))
    match = UK_PHONE.match(digits)
    if not match or (match.group(1) != "0" and match.group(2).startswith("0")):
        return None
    return "+44" + match.group(2)


def clean_mobile(text: str) -> str | None:
    """A UK mobile number in E.164 (`+447…`, what a text message can go to), or None."""
    phone = clean_phone(text)
    return phone if phone and UK_MOBILE_E164.match(phone) else None


async def save_contact(subject: str, email: str | None, phone: str | None, purpose: str = "contact") -> ContactDetail:
    await ContactDetail.delete().where(ContactDetail.subject == subject)
    contact = ContactDetail(subject=subject, purpose=purpose, email=email, phone=phone)
    await contact.save()
    return contact


async def delete_contacts(subjects: Iterable[str]) -> int:
    subjects = [str(s) for s in subjects]
    if not subjects:
        return 0
    count = await ContactDetail.count().where(ContactDetail.subject.is_in(subjects))
    if count:
        await ContactDetail.delete().where(ContactDetail.subject.is_in(subjects))
    return count


async def contact_for(subject: str) -> ContactDetail | None:
    return await ContactDetail.objects().where(ContactDetail.subject == subject).first()
