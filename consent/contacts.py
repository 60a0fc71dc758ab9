"""Contact details, kept apart from answers and only for people who asked to hear back."""

from __future__ import annotations

import re
from typing import Iterable

from consent.tables import ContactDetail

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s]{2,}$")
UK_PHONE = re.compile(r"^(\+44|0044|0)\d{9,10}$")


def clean_email(text: str) -> str | None:
    text = (text or "").strip()
    return text if text and len(text) <= 254 and EMAIL.match(text) else None


def clean_phone(text: str) -> str | None:
    digits = re.sub(r"[\s()\-]", "", text or "")
    return digits if UK_PHONE.match(digits) else None


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
