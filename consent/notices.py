"""Versioned privacy notices. Notice files in `consent/notices/` are the published versions: once a
version is in the database its text never changes; new wording needs a new version number."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from consent.tables import Notice

NOTICE_DIR = Path(__file__).parent / "notices"


@dataclass(frozen=True)
class NoticeSection:
    heading: str
    text: str


@dataclass(frozen=True)
class NoticeText:
    key: str
    version: int
    audience: str
    title: str
    summary: str
    sections: tuple[NoticeSection, ...]
    published_on: str

    @property
    def body(self) -> str:
        return "\n\n".join(f"## {s.heading}\n{s.text}" for s in self.sections)


class NoticeChanged(RuntimeError):
    """A published notice's wording differs from its file: publish a new version instead."""


def read_notice_file(path: Path) -> NoticeText:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return NoticeText(
        key=data["key"],
        version=int(data["version"]),
        audience=data.get("audience", "standard"),
        title=data["title"].strip(),
        summary=data["summary"].strip(),
        sections=tuple(NoticeSection(s["heading"].strip(), s["text"].strip()) for s in data.get("sections", [])),
        published_on=data["published_on"],
    )


def parse_body(body: str) -> tuple[NoticeSection, ...]:
    sections = []
    for chunk in body.split("\n\n## "):
        chunk = chunk.removeprefix("## ")
        heading, _, text = chunk.partition("\n")
        sections.append(NoticeSection(heading.strip(), text.strip()))
    return tuple(sections)


async def publish_notice_files(directory: Path = NOTICE_DIR) -> int:
    """Insert notice versions that are not in the database yet. Returns how many were added."""
    added = 0
    for path in sorted(directory.glob("*.toml")):
        notice = read_notice_file(path)
        existing = await Notice.objects().where(
            (Notice.key == notice.key) & (Notice.version == notice.version) & (Notice.audience == notice.audience)
        ).first()
        if existing is not None:
            if existing.edited_by:
                continue  # an admin published this number from the workspace: their wording stands
            if (existing.title, existing.summary, existing.body) != (notice.title, notice.summary, notice.body):
                raise NoticeChanged(
                    f"{path.name}: version {notice.version} is already published with different wording; "
                    "give the new wording a new version number"
                )
            continue
        await Notice(
            key=notice.key,
            version=notice.version,
            audience=notice.audience,
            title=notice.title,
            summary=notice.summary,
            body=notice.body,
            published_on=notice.published_on,
        ).save()
        added += 1
    return added


async def current_notice(key: str, audience: str = "standard") -> Notice | None:
    """The latest published version of a notice (falls back to the standard wording)."""
    notice = (
        await Notice.objects().where((Notice.key == key) & (Notice.audience == audience))
        .order_by(Notice.version, ascending=False).first()
    )
    if notice is None and audience != "standard":
        return await current_notice(key, "standard")
    return notice


async def publish_new_version(key: str, audience: str, title: str, summary: str,
                              sections: tuple[NoticeSection, ...], published_on: str) -> Notice:
    """Editing a notice: the published versions stay as they were; the new words get the next number."""
    latest = await Notice.objects().where((Notice.key == key) & (Notice.audience == audience)).order_by(
        Notice.version, ascending=False
    ).first()
    notice = Notice(
        key=key, version=(latest.version + 1) if latest else 1, audience=audience, title=title.strip(),
        summary=summary.strip(), body=NoticeText(key, 0, audience, title, summary, sections, published_on).body,
        published_on=published_on,
    )
    await notice.save()
    return notice


@dataclass(frozen=True)
class NoticeEdit:
    audience: str
    title: str
    summary: str
    sections: tuple[NoticeSection, ...]


async def notice_versions(key: str) -> list[Notice]:
    """Every published version of a notice, every audience, newest first (old ones are kept for the
    records: each consent record points at the version its person saw)."""
    return await Notice.objects().where(Notice.key == key).order_by(Notice.version, ascending=False).order_by(Notice.audience)


async def publish_edit(key: str, edits: list[NoticeEdit], edited_by: str, published_on: str) -> int:
    """An admin's edit: every audience's wording (standard, easy read, young person) gets the same
    new version number together, so the versions never drift apart. Returns that number."""
    versions = await Notice.select(Notice.version).where(Notice.key == key).order_by(Notice.version, ascending=False).first()
    number = (versions["version"] + 1) if versions else 1
    for edit in edits:
        await Notice(
            key=key, version=number, audience=edit.audience, title=edit.title.strip(), summary=edit.summary.strip(),
            body=NoticeText(key, number, edit.audience, edit.title, edit.summary, edit.sections, published_on).body,
            published_on=published_on, edited_by=edited_by,
        ).save()
    return number
