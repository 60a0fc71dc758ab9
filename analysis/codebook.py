"""The theme codebook: themes with a description and include/exclude terms, editable by officers.

The default SEND codebook ships as `analysis/codebook.toml` (its keys are the SEND themes in
DESIGN.md). Officers' edits are stored by the workspace as a TOML or JSON blob and loaded back with
`Codebook.from_toml` / `Codebook.from_json` / `Codebook.from_dict`; `fingerprint` changes whenever a
term changes, so stored codes can be re-coded when the codebook they came from is out of date.

Term syntax (matched on normalised words: lower case, apostrophes dropped, common misspellings and
abbreviations mapped by `spelling`, long misspelt words corrected by the coder):

- `part time timetable`: these words, next to each other;
- `exclu*`: a word starting with `exclu` (excluded, exclusion, exclusions...);
- `wait* ... paperwork`: `...` lets up to five other words come between the parts;
- `@slow`: any word of the named word group `slow` (see `groups`), e.g. `@ehc ... @slow`.

An include term that overlaps an exclude term of the same theme in a comment does not count, so
`assessment` can code EHC timeliness while `autism assessment` is excluded from it.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

DEFAULT_CODEBOOK_PATH = Path(__file__).with_name("codebook.toml")
THEME_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
GROUP_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TERM_CHARACTERS = re.compile(r"^[a-z0-9 *@_.]+$")
MAX_TERMS = 2000  # per theme: bounded, so a pasted list cannot slow coding to a crawl


class CodebookInvalid(ValueError):
    """What is wrong with a codebook, every problem at once."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def clean_term(term: str) -> str:
    """A term as stored: lower case, single spaces, apostrophes and stray punctuation removed."""
    term = term.lower().replace("’", "'").replace("'", "")
    term = re.sub(r"[^a-z0-9*@_. ]+", " ", term)
    term = re.sub(r"\s*\.\.\.\s*", " ... ", term)
    return " ".join(term.split())


@dataclass
class Theme:
    key: str
    label: str
    description: str = ""
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "description": self.description,
            "include": list(self.include),
            "exclude": list(self.exclude),
        }


@dataclass
class Codebook:
    """Themes (in display order), word groups usable in terms, spelling fixes and protected words."""

    themes: dict[str, Theme]
    groups: dict[str, list[str]] = field(default_factory=dict)
    spelling: dict[str, str] = field(default_factory=dict)
    known_words: list[str] = field(default_factory=list)  # real words the coder must never "correct"
    name: str = "SEND themes"
    _compiled: Any = field(default=None, repr=False, compare=False)

    # -- loading and saving -----------------------------------------------------------------

    @classmethod
    def default(cls) -> "Codebook":
        return cls.from_toml(DEFAULT_CODEBOOK_PATH.read_text(encoding="utf-8"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Codebook":
        problems: list[str] = []
        if not isinstance(data, Mapping):
            raise CodebookInvalid(["a codebook must be a table"])
        raw_themes = data.get("themes")
        if not isinstance(raw_themes, Mapping) or not raw_themes:
            raise CodebookInvalid(["'themes' must be a table of themes"])
        themes: dict[str, Theme] = {}
        for key, raw in raw_themes.items():
            if not THEME_KEY.match(str(key)):
                problems.append(f"theme key {key!r} must be lower case letters, digits and _")
                continue
            if not isinstance(raw, Mapping):
                problems.append(f"{key}: must be a table with label, description, include and exclude")
                continue
            include = _terms(raw.get("include", []), f"{key}.include", problems)
            exclude = _terms(raw.get("exclude", []), f"{key}.exclude", problems)
            themes[str(key)] = Theme(
                key=str(key),
                label=str(raw.get("label") or key.replace("_", " ").capitalize()),
                description=str(raw.get("description", "")),
                include=include,
                exclude=exclude,
            )
        groups: dict[str, list[str]] = {}
        for key, words in (data.get("groups") or {}).items():
            if not GROUP_KEY.match(str(key)):
                problems.append(f"group name {key!r} must be lower case letters, digits and _")
                continue
            cleaned = _terms(words, f"groups.{key}", problems)
            bad = [w for w in cleaned if " " in w or "@" in w]
            if bad:
                problems.append(f"groups.{key}: members are single words or stems, not {bad[:3]}")
            groups[str(key)] = [w for w in cleaned if w not in bad]
        spelling = {clean_term(str(k)): clean_term(str(v)) for k, v in (data.get("spelling") or {}).items()}
        known = [clean_term(str(w)) for w in data.get("known_words") or []]
        codebook = cls(themes=themes, groups=groups, spelling=spelling, known_words=known,
                       name=str(data.get("name", "SEND themes")))
        problems.extend(codebook.problems())
        if problems:
            raise CodebookInvalid(problems)
        return codebook

    @classmethod
    def from_toml(cls, text: str) -> "Codebook":
        try:
            return cls.from_dict(tomllib.loads(text))
        except tomllib.TOMLDecodeError as error:
            raise CodebookInvalid([f"not valid TOML: {error}"]) from error

    @classmethod
    def from_json(cls, text: str) -> "Codebook":
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as error:
            raise CodebookInvalid([f"not valid JSON: {error}"]) from error

    @classmethod
    def from_file(cls, path: str | Path) -> "Codebook":
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        return cls.from_json(text) if path.suffix.lower() == ".json" else cls.from_toml(text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "themes": {key: theme.to_dict() for key, theme in self.themes.items()},
            "groups": {key: list(words) for key, words in self.groups.items()},
            "spelling": dict(self.spelling),
            "known_words": list(self.known_words),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    def to_toml(self) -> str:
        import tomli_w

        return tomli_w.dumps(self.to_dict())

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything that affects coding changes (a short hex digest)."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    # -- checking -------------------------------------------------------------------------

    def problems(self) -> list[str]:
        found: list[str] = []
        for theme in self.themes.values():
            if len(theme.include) + len(theme.exclude) > MAX_TERMS:
                found.append(f"{theme.key}: more than {MAX_TERMS} terms")
            for term in [*theme.include, *theme.exclude]:
                found.extend(f"{theme.key}: {p}" for p in term_problems(term, self.groups))
        return found

    # -- editing (each edit makes the compiled matcher be rebuilt) -------------------------

    def _changed(self) -> None:
        self._compiled = None

    def theme(self, key: str) -> Theme:
        try:
            return self.themes[key]
        except KeyError:
            raise KeyError(f"no theme {key!r} in the codebook") from None

    def add_theme(self, key: str, label: str, description: str = "", include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Theme:
        if not THEME_KEY.match(key):
            raise CodebookInvalid([f"theme key {key!r} must be lower case letters, digits and _"])
        if key in self.themes:
            raise CodebookInvalid([f"there is already a theme {key!r}"])
        self.themes[key] = Theme(key, label, description)
        self._changed()
        self.add_terms(key, include=include, exclude=exclude)
        return self.themes[key]

    def remove_theme(self, key: str) -> None:
        self.theme(key)
        del self.themes[key]
        self._changed()

    def add_terms(self, key: str, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> None:
        theme = self.theme(key)
        problems: list[str] = []
        new_include = _terms(list(include), f"{key}.include", problems)
        new_exclude = _terms(list(exclude), f"{key}.exclude", problems)
        for term in [*new_include, *new_exclude]:
            problems.extend(f"{key}: {p}" for p in term_problems(term, self.groups))
        if problems:
            raise CodebookInvalid(problems)
        theme.include.extend(t for t in new_include if t not in theme.include)
        theme.exclude.extend(t for t in new_exclude if t not in theme.exclude)
        self._changed()

    def remove_terms(self, key: str, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> None:
        theme = self.theme(key)
        drop_in = {clean_term(t) for t in include}
        drop_out = {clean_term(t) for t in exclude}
        theme.include = [t for t in theme.include if t not in drop_in]
        theme.exclude = [t for t in theme.exclude if t not in drop_out]
        self._changed()

    def set_description(self, key: str, label: str | None = None, description: str | None = None) -> None:
        theme = self.theme(key)
        if label is not None:
            theme.label = label
        if description is not None:
            theme.description = description
        self._changed()

    def copy(self) -> "Codebook":
        return Codebook.from_dict(self.to_dict())


def _terms(raw: Any, where: str, problems: list[str]) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        problems.append(f"{where} must be a list of terms")
        return []
    cleaned: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            problems.append(f"{where}: {item!r} is not text")
            continue
        term = clean_term(item)
        if term and term not in cleaned:
            cleaned.append(term)
    return cleaned


def term_problems(term: str, groups: Mapping[str, list[str]]) -> list[str]:
    """Why a term cannot be used (an empty list when it is fine)."""
    problems = []
    if not TERM_CHARACTERS.match(term):
        problems.append(f"term {term!r} has characters other than letters, digits, spaces, * and ...")
        return problems
    parts = [p.strip() for p in term.split("...")]
    if any(not p for p in parts):
        problems.append(f"term {term!r}: '...' needs words on both sides")
    for part in parts:
        for word in part.split():
            if word.startswith("@"):
                if word[1:] not in groups:
                    problems.append(f"term {term!r}: no word group {word[1:]!r}")
            elif "*" in word[:-1] or word == "*" or "@" in word or "." in word:
                problems.append(f"term {term!r}: '*' only at the end of a word, after at least one letter")
            elif word.endswith("*") and len(word) < 3:
                problems.append(f"term {term!r}: a stem needs at least two letters before '*'")
    return problems
