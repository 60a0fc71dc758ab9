""""You said, we did": writing updates, moving them along, publishing them, and telling the people
who asked to hear back.

Updates belong to the application shell (publishing), and read survey runs, themes and the
consent gate; nothing here reaches into answers except through the gate.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable

from consent.gate import permitted_subjects
from consent.tables import ContactDetail
from feedback.spreadsheets import neutralise
from feedback.publishing.tables import Update, UpdateEvent
from surveys.tables import Response

STATUSES = {
    "planned": "Planned",
    "in_progress": "In progress",
    "done": "Done",
    "not_taken_forward": "Not taken forward",
}
STATUS_TAGS = {"planned": "grey", "in_progress": "blue", "done": "green", "not_taken_forward": "orange"}
LIMITS = {"title": 200, "you_said": 4000, "we_did": 4000, "easy_read_you_said": 2000, "easy_read_we_did": 2000,
          "owner": 200, "reason": 2000}


@dataclass
class UpdateForm:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _clean(text: str, limit: int) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", (text or "").replace("\r\n", "\n")).strip()[: limit + 1]


def check_update_form(raw: dict[str, str], theme_keys: Iterable[str], run_ids: Iterable[int]) -> UpdateForm:
    """Check an update as typed into the workspace; every problem gets a message for its field."""
    form = UpdateForm()
    values = form.values
    for name, limit in LIMITS.items():
        values[name] = _clean(raw.get(name, ""), limit)
        if len(values[name]) > limit:
            form.errors[name] = f"Must be {limit:,} characters or fewer"
    if not values["title"]:
        form.errors["title"] = "Enter a short title, like ‘Replies from the SEN team’"
    if not values["you_said"]:
        form.errors["you_said"] = "Enter what families said"
    status = raw.get("status", "planned")
    values["status"] = status if status in STATUSES else "planned"
    if status not in STATUSES:
        form.errors["status"] = "Select a status"
    if values["status"] == "not_taken_forward" and not values["reason"]:
        form.errors["reason"] = "Say why it is not being taken forward: families deserve a reason"
    progress = (raw.get("progress") or "0").strip().rstrip("%")
    # isdecimal, not isdigit: "²" is a digit that int() refuses; a length limit keeps int() cheap.
    if not (progress.isdecimal() and len(progress) <= 3) or not 0 <= int(progress) <= 100:
        form.errors["progress"] = "Enter progress as a whole number from 0 to 100"
        values["progress"] = 0
    else:
        values["progress"] = int(progress)
    due = (raw.get("due_on") or "").strip()
    if due:
        try:
            date.fromisoformat(due)
        except ValueError:
            form.errors["due_on"] = "Enter the date like 2027-03-31"
    values["due_on"] = due
    known_themes = set(theme_keys)
    themes = raw.get("themes") or []
    themes = [themes] if isinstance(themes, str) else list(themes)
    values["themes"] = [t for t in themes if t in known_themes]
    if len(values["themes"]) != len(themes):
        form.errors["themes"] = "Select themes from the list"
    run_raw = (raw.get("run") or "").strip()
    values["run"] = int(run_raw) if run_raw.isdecimal() and len(run_raw) <= 19 and int(run_raw) in set(run_ids) else None
    if run_raw and values["run"] is None:
        form.errors["run"] = "Select a survey from the list"
    return form


async def save_update(values: dict[str, Any], actor: str, update_id: int | None = None, team: str | None = None,
                      note: str = "") -> Update:
    """Create or change an update. A change of status or progress, or a note, is one timeline entry
    (a save with a note used to write two: the progress and then the note)."""
    now = datetime.now(timezone.utc)
    if update_id is None:
        update = Update(**values, team=team, created_at=now, updated_at=now)
        await update.save()
        await UpdateEvent(update=update.id, status=update.status, note="Created", actor=actor).save()
        return update
    update = await Update.objects().where(Update.id == update_id).first()
    previous = (update.status, update.progress)
    for name, value in values.items():
        setattr(update, name, value)
    update.updated_at = now
    await update.save()
    if (update.status, update.progress) != previous or note:
        await UpdateEvent(update=update.id, status=update.status, note=note or f"Progress {update.progress}%", actor=actor).save()
    return update


async def add_progress_note(update: Update, status: str, note: str, actor: str, progress: int | None = None) -> None:
    update.status = status
    if progress is not None:
        update.progress = progress
    update.updated_at = datetime.now(timezone.utc)
    await update.save()
    await UpdateEvent(update=update.id, status=status, note=note, actor=actor).save()


async def set_published(update: Update, published: bool) -> None:
    update.published = published
    update.published_at = datetime.now(timezone.utc) if published else None
    await update.save()


async def timeline(update_ids: list[int]) -> dict[int, list[UpdateEvent]]:
    events: dict[int, list[UpdateEvent]] = {i: [] for i in update_ids}
    if update_ids:
        for event in await UpdateEvent.objects().where(UpdateEvent.update.is_in(update_ids)).order_by(UpdateEvent.at):
            events[event.update].append(event)
    return events


async def published_updates(run_id: int | None = None, year: int | None = None, theme: str | None = None) -> list[Update]:
    query = Update.objects().where(Update.published == True).order_by(Update.published_at, ascending=False)  # noqa: E712
    if run_id is not None:
        query = query.where(Update.run == run_id)
    updates = await query.output(load_json=True)
    if year is not None:
        updates = [u for u in updates if u.published_at and u.published_at.year == year]
    if theme:
        updates = [u for u in updates if theme in (u.themes or [])]
    return updates


# --- bulk status updates by CSV ------------------------------------------------------------------

BULK_COLUMNS = ("id", "status", "progress", "note")


@dataclass
class BulkResult:
    applied: int = 0
    problems: list[str] = field(default_factory=list)


def parse_bulk_csv(text: str, known_ids: set[int]) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of `id,status,progress,note` (a header row is required). Nothing is applied if any row
    is wrong, so a half-applied spreadsheet never leaves the updates in a muddle."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"id", "status"} <= {f.strip().lower() for f in reader.fieldnames}:
        return [], ["The first row must be the column names: id, status, progress, note"]
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        if not (row.get("id", "").isdecimal() and len(row["id"]) <= 19) or int(row["id"]) not in known_ids:
            problems.append(f"Row {number}: there is no update with id {row.get('id')!r}")
            continue
        status = row.get("status", "").lower().replace(" ", "_")
        if status not in STATUSES:
            problems.append(f"Row {number}: status must be one of {', '.join(STATUSES)}")
            continue
        progress = row.get("progress", "").rstrip("%")
        if progress and (not (progress.isdecimal() and len(progress) <= 3) or int(progress) > 100):
            problems.append(f"Row {number}: progress must be a whole number from 0 to 100")
            continue
        rows.append({"id": int(row["id"]), "status": status, "progress": int(progress) if progress else None,
                     "note": row.get("note", "")[:2000]})
        if len(rows) > 5000:
            problems.append("At most 5,000 rows at a time")
            break
    return rows, problems


async def apply_bulk(rows: list[dict[str, Any]], actor: str) -> int:
    for row in rows:
        update = await Update.objects().where(Update.id == row["id"]).first()
        await add_progress_note(update, row["status"], row["note"] or "Updated in bulk", actor, row["progress"])
    return len(rows)


# --- telling people who asked to hear back ---------------------------------------------------------


async def contacts_to_tell(update: Update) -> list[ContactDetail]:
    """Everyone who answered the update's survey, agreed to be contacted and left contact details.
    Withdrawn and refused people are left out by the consent gate."""
    if update.run is None:
        return []
    subjects = [str(r["respondent_id"]) for r in await Response.select(Response.respondent_id).where(
        (Response.run == update.run) & (Response.status == "submitted")
    )]
    allowed = await permitted_subjects("contact", subjects)
    if not allowed:
        return []
    return await ContactDetail.objects().where(ContactDetail.subject.is_in(sorted(allowed)))


def notify_csv(contacts: list[ContactDetail], kind: str, title: str, link: str) -> tuple[str, int]:
    """A GOV.UK Notify recipients file: `email address` (or `phone number`) then personalisation
    columns for the template (`update_title`, `link`). One file per kind, as Notify expects."""
    from consent.contacts import clean_email, clean_mobile

    column = "email address" if kind == "email" else "phone number"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column, "update_title", "link"])
    count = 0
    for contact in contacts:
        # The recipient is checked again, not neutralised: a valid address or +447… number cannot
        # be a formula, and Notify refuses a prefixed one. Landlines cannot take a text message.
        value = clean_email(contact.email or "") if kind == "email" else clean_mobile(contact.phone or "")
        if value:
            writer.writerow([value, neutralise(title), neutralise(link)])
            count += 1
    return buffer.getvalue(), count


async def theme_labels() -> dict[str, str]:
    """Theme keys and their names for pickers and filters: the codebook as officers last saved it
    (themes added in the workspace included), or the built-in SEND codebook."""
    from feedback.themes.store import current_codebook

    return {key: theme.label for key, theme in (await current_codebook()).themes.items()}
