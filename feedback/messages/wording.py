"""What each message says, in standard and easy-read wording. Plain text only (no markup is ever
built): email bodies are text/plain, and Notify's templates hold only ((subject)) and ((body))."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from feedback.rendering import PARTNERSHIP_NAME

# Who signs emails. The app factory points this at the partnership's stored name (feedback/privacy,
# a later layer this package may not import); the package default keeps a bare install working.
sender_name: Callable[[], str] = lambda: PARTNERSHIP_NAME


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


def _signed(parts: list[str]) -> str:
    """An email body ending with who sent it (text messages stay short and unsigned)."""
    name = _one_line(sender_name())
    return "\n\n".join([*parts, f"From {name}"])


def _one_line(text: str) -> str:
    return " ".join((text or "").split())[:150]


def resume_code(title: str, code: str, link: str, channel: str, easy_read: bool) -> Wording:
    title = _one_line(title)
    if channel == "sms":
        if easy_read:
            return Wording("", f"Your code for {title} is {code}. Keep it safe. To carry on, go to {link} and type in the code.")
        return Wording("", f"Your code to carry on with {title}: {code}. Go to {link} and enter it. Anyone with the code can see your answers.")
    if easy_read:
        return Wording(f"Your code for {title}", _signed([
            f"You saved your answers to {title}.",
            f"Your code is: {code}",
            "Keep the code safe. Anyone with it can see and change your answers.",
            f"To carry on, go to {link}",
            "Then type in the code.",
            "After 30 days we delete answers you did not send.",
            "We did not keep your email address. We only used it to send this email.",
        ]))
    return Wording(f"Your code to carry on: {title}", _signed([
        f"You saved your answers to {title}.",
        f"Your code is: {code}",
        f"To carry on, go to {link} and enter the code.",
        "Anyone with this code can see and change your answers, so keep it safe. Unfinished answers are deleted after 30 days. Any earlier code no longer works.",
        "We have not kept your email address: it was used only to send this message. If you did not ask for it, you can ignore it.",
    ]))


def reference(title: str, reference_number: str, withdraw_link: str, channel: str, easy_read: bool) -> Wording:
    title = _one_line(title)
    if channel == "sms":
        if easy_read:
            return Wording("", f"Thank you for answering {title}. Your reference number is {reference_number}. Keep it safe.")
        return Wording("", f"Thank you for taking part in {title}. Your reference is {reference_number}. You need it to withdraw your answers: {withdraw_link}")
    if easy_read:
        return Wording(f"Your reference number for {title}", _signed([
            f"Thank you for answering {title}.",
            f"Your reference number is: {reference_number}",
            "Keep this number safe.",
            f"You need the number to take your answers back later: {withdraw_link}",
            "We did not keep your email address. We only used it to send this email.",
        ]))
    return Wording(f"Your reference: {title}", _signed([
        f"Thank you for taking part in {title}.",
        f"Your reference is: {reference_number}",
        f"You need it if you want to withdraw your answers later: {withdraw_link}",
        "We have not kept your email address: it was used only to send this message.",
    ]))


STATUS_WORDS = {
    "planned": ("is planned", "We plan to do this."),
    "in_progress": ("is under way", "We have started doing this."),
    "done": ("is done", "We have done this."),
}


def update_notice(title: str, status: str, summary: str, link: str, channel: str, easy_read: bool) -> Wording:
    """A "we did" notice: the update's title, where it stands, and a link to read it."""
    title = _one_line(title)
    standard_status, easy_status = STATUS_WORDS.get(status, ("has changed", "This has changed."))
    if channel == "sms":
        if easy_read:
            return Wording("", f"You told us what you think. {easy_status} {title}. Read more: {link}")
        return Wording("", f"You said, we did: {title} {standard_status}. Read the update: {link}")
    closing_standard = ("You asked to hear what happened after you took part. We have now deleted your contact "
                        "details, as we promised: we will not contact you again about this survey.")
    if easy_read:
        return Wording(f"What we did: {title}", _signed([
            "You told us what you think. Thank you.",
            f"{easy_status} {title}",
            f"Read more on our website: {link}",
            "You asked us to tell you. Now we have told you, we deleted your email address.",
        ]))
    return Wording(f"You said, we did: {title}", _signed([part for part in [
        f"An update you asked to hear about {standard_status}: {title}.",
        _one_line(summary) if summary else "",
        f"Read the full update: {link}",
        closing_standard,
    ] if part]))
