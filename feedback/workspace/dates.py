"""A survey's opening and closing dates from GOV.UK date inputs (day, month and year boxes), with
the GOV.UK pattern's error messages. Pure: the controller reads the form, this says what it means."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

PARTS = ("day", "month", "year")
# A survey opens at the start of its opening day and closes at the end of its closing day (UTC, as
# the "Open a survey" form has always done).
OPENS_AT = time(0, 0)
CLOSES_AT = time(23, 59)


@dataclass
class DateField:
    name: str  # "opens" or "closes": the inputs are opens-day, opens-month, opens-year
    label: str  # "The opening date"
    values: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    error_parts: tuple[str, ...] = ()
    value: date | None = None

    @property
    def first_error_id(self) -> str:
        return f"{self.name}-{(self.error_parts or PARTS)[0]}"


def date_field_values(when: datetime | None) -> dict[str, str]:
    return {"day": str(when.day), "month": str(when.month), "year": str(when.year)} if when else {p: "" for p in PARTS}


def read_date(name: str, label: str, values: dict[str, str]) -> DateField:
    """One date from its three boxes: blank is "no date"; anything else must be a real date."""
    parsed = DateField(name, label, {p: (values.get(p) or "").strip()[:10] for p in PARTS})
    given = parsed.values
    missing = [p for p in PARTS if not given[p]]
    if len(missing) == 3:
        return parsed
    if missing:
        parsed.error = f"{label} must include a {' and '.join(missing)}"
        parsed.error_parts = tuple(missing)
        return parsed
    if not all(given[p].isdigit() for p in PARTS):
        parsed.error = f"{label} must be a real date"
        parsed.error_parts = tuple(p for p in PARTS if not given[p].isdigit())
        return parsed
    if len(given["year"]) != 4:
        parsed.error = "Year must include 4 numbers"
        parsed.error_parts = ("year",)
        return parsed
    try:
        parsed.value = date(int(given["year"]), int(given["month"]), int(given["day"]))
    except ValueError:
        parsed.error = f"{label} must be a real date"
    return parsed


@dataclass
class SurveyDates:
    opens: DateField
    closes: DateField

    @property
    def errors(self) -> list[DateField]:
        return [f for f in (self.opens, self.closes) if f.error]

    @property
    def opens_at(self) -> datetime | None:
        return datetime.combine(self.opens.value, OPENS_AT, tzinfo=timezone.utc) if self.opens.value else None

    @property
    def closes_at(self) -> datetime | None:
        return datetime.combine(self.closes.value, CLOSES_AT, tzinfo=timezone.utc) if self.closes.value else None


def read_survey_dates(form: dict[str, str], today: date) -> SurveyDates:
    """Both dates, checked together: the closing date is today or later, and after the opening date.
    (An opening date in the past is allowed: the survey is simply open.)"""
    dates = SurveyDates(
        read_date("opens", "The opening date", {p: form.get(f"opens-{p}", "") for p in PARTS}),
        read_date("closes", "The closing date", {p: form.get(f"closes-{p}", "") for p in PARTS}),
    )
    closes, opens = dates.closes, dates.opens
    if closes.value is not None and closes.value < today:
        closes.error = "The closing date must be today or in the future"
    elif closes.value is not None and opens.value is not None and closes.value <= opens.value:
        closes.error = "The closing date must be after the opening date"
    if opens.value is not None and opens.value.year > today.year + 5:
        opens.error = "The opening date must be within the next 5 years"
        opens.error_parts = ("year",)
    if closes.value is not None and closes.value.year > today.year + 5:
        closes.error = "The closing date must be within the next 5 years"
        closes.error_parts = ("year",)
    return dates
