"""The consent steps of the journey: which notice a respondent reads, and the optional choices
(quotes, contact, follow-up) asked after the questions, once their age is known.

Under 13, optional uses need a parent or carer deciding on the child's behalf; without one they are
not asked and stay off. From 13 a young person decides for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from consent.contacts import clean_email, clean_phone, delete_contacts, save_contact
from consent.gate import latest_decisions
from consent.notices import current_notice
from consent.purposes import NEEDS_CONTACT, OPTIONAL_PURPOSES, PARTICIPATION
from consent.records import record_consent, records_for
from surveys.answer_types import UNDER_13_BANDS
from surveys.instrument import Instrument
from surveys.responses import Draft
from surveys.validation import FieldError, field_values

DECIDERS = ("self", "parent_carer", "nobody")


def notice_audience(instrument: Instrument, variant: str) -> str:
    if variant in ("easy_read", "symbols"):
        return "easy_read"
    return "young_person" if instrument.audience == "young_person" else "standard"


def consent_channel(draft: Draft) -> str:
    if draft.channel in ("paper", "event"):
        return draft.channel
    return "easy_read_web" if draft.variant != "standard" else "web"


def is_under_13(instrument: Instrument, answers: Mapping[str, Any]) -> bool:
    question = instrument.respondent_age_question
    return question is not None and answers.get(question.key) in UNDER_13_BANDS


async def notice_for(instrument: Instrument, variant: str):
    notice = await current_notice(instrument.notice, notice_audience(instrument, variant))
    if notice is None:
        raise LookupError(f"no published notice '{instrument.notice}'")
    return notice


async def record_participation(draft: Draft, notice, actor: str = "self") -> None:
    await record_consent(
        subject=draft.respondent_id, notice=notice, purposes={PARTICIPATION: "acknowledged"},
        actor=actor, channel=consent_channel(draft),
    )


@dataclass
class Choices:
    decider: str = "self"  # who decided: the respondent, a parent or carer, or nobody (under 13, alone)
    decisions: dict[str, str] = field(default_factory=dict)  # purpose -> granted | refused | not_asked
    email: str | None = None
    phone: str | None = None


def validate_choices(instrument: Instrument, answers: Mapping[str, Any], form: Mapping[str, Any]) -> tuple[Choices, list[FieldError], dict[str, str]]:
    """Check the choices form. Returns the choices, errors, and the raw values to show back."""
    purposes = instrument.consent_purposes
    raw = {key: (field_values(form, key) or [""])[0][:300] for key in ("decider", "email", "phone", *purposes)}
    errors: list[FieldError] = []
    choices = Choices()
    if is_under_13(instrument, answers):
        decider = raw["decider"]
        if decider not in ("parent_carer", "nobody"):
            errors.append(FieldError("decider", "Select whether a parent or carer is deciding with you"))
            return choices, errors, raw
        choices.decider = decider
        if decider == "nobody":
            choices.decisions = {p: "not_asked" for p in purposes}
            return choices, errors, raw
    else:
        choices.decider = "self"
    for purpose in purposes:
        value = raw[purpose]
        if value not in ("yes", "no"):
            errors.append(FieldError(purpose, f"Select yes or no: {OPTIONAL_PURPOSES[purpose].question.lower().rstrip('?')}"))
            continue
        choices.decisions[purpose] = "granted" if value == "yes" else "refused"
    if any(choices.decisions.get(p) == "granted" for p in NEEDS_CONTACT):
        email_text, phone_text = raw["email"].strip(), raw["phone"].strip()
        choices.email = clean_email(email_text) if email_text else None
        choices.phone = clean_phone(phone_text) if phone_text else None
        if email_text and not choices.email:
            errors.append(FieldError("email", "Enter an email address in the correct format, like name@example.com"))
        if phone_text and not choices.phone:
            errors.append(FieldError("phone", "Enter a UK phone number, like 01632 960 001 or 07700 900 982"))
        if not email_text and not phone_text:
            errors.append(FieldError("email", "Enter an email address or a phone number so we can contact you"))
    return choices, errors, raw


async def record_choices(draft: Draft, instrument: Instrument, choices: Choices) -> None:
    """A new consent record (never an edit), and contact details kept apart, or removed."""
    notice = await notice_for(instrument, draft.variant)
    actor = "parent_carer" if choices.decider == "parent_carer" else "self"
    if draft.channel == "paper" and actor == "self":
        actor = "volunteer"  # typed in from a paper form by a volunteer
    await record_consent(draft.respondent_id, notice, choices.decisions, actor=actor, channel=consent_channel(draft))
    if choices.email or choices.phone:
        await save_contact(draft.respondent_id, choices.email, choices.phone)
    else:
        await delete_contacts([draft.respondent_id])


async def choices_made(draft: Draft, instrument: Instrument) -> dict[str, str] | None:
    """The latest decision for each optional purpose, or None if the choices step is still to do.

    Also None when the choices no longer fit the answers: made as 13 or over, and the age then
    changed to under 13 (from "check your answers"). A child's yes needs a parent or carer deciding
    with them, so the step is asked again before anything can be sent."""
    if not instrument.consent_purposes:
        return {}
    decisions = (await latest_decisions([draft.respondent_id]))[draft.respondent_id]
    if not all(p in decisions for p in instrument.consent_purposes):
        return None
    made = {p: decisions[p] for p in instrument.consent_purposes}
    if is_under_13(instrument, draft.answers) and any(d != "not_asked" for d in made.values()):
        if await _latest_choices_actor(draft.respondent_id, instrument.consent_purposes) != "parent_carer":
            return None
    return made


async def _latest_choices_actor(subject: str, purposes) -> str | None:
    """Who made the latest record that decided any of `purposes` (a withdrawal is one too)."""
    for record in reversed(await records_for(str(subject))):
        if any(p in (record.purposes or {}) for p in purposes):
            return record.actor
    return None
