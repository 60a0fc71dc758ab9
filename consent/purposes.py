"""What answers may be used for, and on what lawful basis.

Taking part rests on the partnership's public task: it is acknowledged, not consented to. Every
other use is optional, rests on consent, and is off unless the person says yes: there are no
pre-ticked boxes and "no" is as easy as "yes".
"""

from __future__ import annotations

from dataclasses import dataclass

PARTICIPATION = "participation"


@dataclass(frozen=True)
class Purpose:
    key: str
    question: str  # asked of an adult or a young person aged 13 or over
    hint: str
    on_behalf_question: str  # asked of a parent or carer deciding for a child under 13
    plain_question: str  # easy-read wording
    plain_hint: str  # easy-read wording of the hint: short sentences, common words
    plain_error: str  # easy-read error when neither yes nor no is chosen
    withdraw_label: str


OPTIONAL_PURPOSES: dict[str, Purpose] = {
    "quotes": Purpose(
        key="quotes",
        question="Can we quote what you wrote, without your name, in reports and on our website?",
        hint="We remove names, places and anything else that could identify you before anything is published, and a person checks every quote.",
        on_behalf_question="Can we quote what your child wrote, without their name, in reports and on our website?",
        plain_question="Can we use your words in our report? We will not say your name.",
        plain_hint="We take out names first. A person checks your words.",
        plain_error="Choose yes or no: can we use your words?",
        withdraw_label="Stop using my words in reports (quotes)",
    ),
    "contact": Purpose(
        key="contact",
        question="Would you like us to tell you what changed because of this survey?",
        hint="We will only use your contact details for this, keep them apart from your answers, and delete them when we have told you.",
        on_behalf_question="Would you like us to tell you what changed because of this survey?",
        plain_question="Do you want us to tell you what we changed?",
        plain_hint="We keep your email or phone number away from your answers. We delete it after.",
        plain_error="Choose yes or no: do you want us to tell you what we changed?",
        withdraw_label="Delete my contact details and do not contact me",
    ),
    "follow_up": Purpose(
        key="follow_up",
        question="Would you like to be invited to help with follow-up work, such as a small group discussion?",
        hint="Saying yes does not commit you to anything. We would contact you with details first.",
        on_behalf_question="Would your child like to be invited to help with follow-up work, such as a small group discussion?",
        plain_question="Do you want to help us more, for example in a small group?",
        plain_hint="Saying yes does not mean you have to. We will tell you more first.",
        plain_error="Choose yes or no: do you want to help us more?",
        withdraw_label="Do not invite me to follow-up work",
    ),
}

# Purposes that need somewhere to reach the person.
NEEDS_CONTACT = frozenset({"contact", "follow_up"})
ALL_PURPOSES = (PARTICIPATION, *OPTIONAL_PURPOSES)
