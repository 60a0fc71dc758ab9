"""Reviewing coded comments: pure functions behind the stored codings and the workspace pages.

- `merge_codings`: what a re-code changes in a comment's stored codings, keeping officers'
  decisions (a confirmed, removed or officer-added theme survives any re-code, unless the theme
  itself has been removed from the codebook);
- `current_themes`: a comment's themes now (suggested or confirmed, not removed);
- `coded_frame`: comments plus stored codings in the shape `analysis.coding.code_comments` gives,
  so `theme_counts` and `analysis.sentiment.sentiment_by` work on officers' decisions;
- `theme_summary`: comments per theme and the share of commenters who raised it;
- `highlight`: a comment split into plain and matched parts, to show why it was coded.

No database and no web layer here: the workspace stores and shows what these return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from analysis.codebook import Codebook
from analysis.coding import EXACT, GROUP, PREFIX, compile_codebook, default_codebook

CODER, OFFICER = "coder", "officer"
SUGGESTED, CONFIRMED, REMOVED = "suggested", "confirmed", "removed"
STATUSES = (SUGGESTED, CONFIRMED, REMOVED)
CURRENT = (SUGGESTED, CONFIRMED)


@dataclass
class StoredCoding:
    """One stored theme of one comment (as the workspace keeps it)."""

    theme: str
    terms: list[str] = field(default_factory=list)
    source: str = CODER
    status: str = SUGGESTED
    id: int | None = None

    @property
    def is_decision(self) -> bool:
        """An officer has decided on it (confirmed, removed, or added it themselves)."""
        return self.status != SUGGESTED or self.source != CODER


@dataclass
class CodingChanges:
    insert: list[StoredCoding] = field(default_factory=list)
    update: list[StoredCoding] = field(default_factory=list)  # new terms for an existing row
    delete: list[StoredCoding] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.insert or self.update or self.delete)


def merge_codings(existing: Iterable[StoredCoding], matches: Iterable[tuple[str, list[str]]],
                  themes: Iterable[str] | None = None) -> CodingChanges:
    """What re-coding a comment changes: new matches become suggestions, the coder's suggestions
    that no longer match go, matched terms are refreshed, and officers' decisions stay as they are.

    `themes`, when given, are the codebook's theme keys: a stored row of any other theme (one
    removed from the codebook) goes, officers' decisions about it included."""
    found = {theme: list(terms) for theme, terms in matches}
    known = None if themes is None else set(themes)
    changes = CodingChanges()
    seen: set[str] = set()
    for row in existing:
        if row.theme in seen or (known is not None and row.theme not in known):  # a duplicate from a race, or a removed theme
            changes.delete.append(row)
            continue
        seen.add(row.theme)
        if row.theme in found:
            if list(row.terms) != found[row.theme]:
                changes.update.append(StoredCoding(row.theme, found[row.theme], row.source, row.status, row.id))
        elif not row.is_decision:
            changes.delete.append(row)
        elif row.terms:
            changes.update.append(StoredCoding(row.theme, [], row.source, row.status, row.id))
    for theme, terms in found.items():
        if theme not in seen:
            changes.insert.append(StoredCoding(theme, terms))
    return changes


def current_themes(codings: Iterable[StoredCoding], order: Iterable[str] = (), themes: Iterable[str] | None = None) -> list[str]:
    """The comment's themes now: the coder's where no officer has decided, otherwise the officer's
    (removed themes left out), in codebook order where given. `themes`, when given, are the
    codebook's theme keys: a stored theme no longer in the codebook does not count."""
    known = None if themes is None else set(themes)
    keys = [c.theme for c in codings if c.status in CURRENT and (known is None or c.theme in known)]
    rank = {key: i for i, key in enumerate(order)}
    return sorted(dict.fromkeys(keys), key=lambda k: (rank.get(k, len(rank)), k))


def coded_frame(comments: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """Comments (respondent_id, question, text, ...) with their current stored themes: one row per
    (comment, theme) with the matched terms, a comment with no current theme once with theme None
    (like `analysis.coding.code_comments`). `codings` has respondent_id, question, theme, terms and
    status; removed themes are left out. Codings of comments not in `comments` (withdrawn, erased)
    are ignored."""
    columns = list(comments.columns)
    if codings.empty:
        current = pd.DataFrame({"respondent_id": pd.Series(dtype=object), "question": pd.Series(dtype=object),
                                "theme": pd.Series(dtype=object), "terms": pd.Series(dtype=object)})
    else:
        current = codings.loc[codings["status"].isin(CURRENT), ["respondent_id", "question", "theme", "terms"]]
        current = current.drop_duplicates(["respondent_id", "question", "theme"])
    merged = comments.merge(current, on=["respondent_id", "question"], how="left")
    merged["theme"] = merged["theme"].astype(object).where(merged["theme"].notna(), None)
    merged["terms"] = [t if isinstance(t, list) else [] for t in merged["terms"]]
    return merged[[*columns, "theme", "terms"]].reset_index(drop=True)


def theme_summary(coded: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """Per theme (every theme in the codebook, then any other stored theme, then "no theme"): how
    many comments raise it, how many respondents, and the share of commenters (respondents who
    left any comment) who raised it."""
    codebook = codebook or default_codebook()
    commenters = coded["respondent_id"].nunique() if len(coded) else 0
    themed = coded.dropna(subset=["theme"])
    comments = themed.drop_duplicates(["respondent_id", "question", "theme"])["theme"].value_counts()
    people = themed.drop_duplicates(["respondent_id", "theme"])["theme"].value_counts()
    keys = list(codebook.themes) + sorted(k for k in comments.index if k not in codebook.themes)
    rows = []
    for key in keys:
        theme = codebook.themes.get(key)
        n_people = int(people.get(key, 0))
        rows.append({
            "theme": key, "label": theme.label if theme else key.replace("_", " ").capitalize(),
            "comments": int(comments.get(key, 0)), "respondents": n_people,
            "share": n_people / commenters if commenters else float("nan"),
        })
    uncoded = coded.loc[coded["theme"].isna()]
    n_uncoded_people = uncoded["respondent_id"].nunique()
    rows.append({"theme": None, "label": "No theme", "comments": int(len(uncoded)), "respondents": int(n_uncoded_people),
                 "share": n_uncoded_people / commenters if commenters else float("nan")})
    return pd.DataFrame(rows, columns=["theme", "label", "comments", "respondents", "share"])


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*")


def _term_elements(compiled, term: str) -> set[int]:
    ids: set[int] = set()
    for word in term.replace("...", " ").split():
        if word.startswith("@"):
            key: tuple[Any, str] = (GROUP, word[1:])
        elif word.endswith("*"):
            key = (PREFIX, word[:-1])
        else:
            key = (EXACT, word)
        element = compiled._element_ids.get(key)
        if element is not None:
            ids.add(element)
    return ids


def highlight(text: str, terms: Iterable[str], codebook: Codebook | None = None) -> list[tuple[str, bool]]:
    """The comment as (part, matched) pairs: words that belong to one of `terms` (the terms the
    coder matched, as stored) are marked, so an officer sees why a theme was suggested. Spelling
    slips are followed as the coder follows them ("assesment" is marked for "assessment")."""
    compiled = compile_codebook(codebook or default_codebook())
    wanted: set[int] = set()
    for term in terms:
        wanted |= _term_elements(compiled, term)
    if not wanted or not text:
        return [(text, False)] if text else []
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _TOKEN.finditer(text):
        token = match.group(0).lower().replace("'", "").replace("’", "")
        hit = any(elements & wanted for elements in compiled._token_elements(token))
        if not hit:
            continue
        if match.start() > position:
            parts.append((text[position:match.start()], False))
        parts.append((match.group(0), True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return _joined(parts)


def _joined(parts: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Neighbouring marked words separated only by spaces become one mark."""
    result: list[tuple[str, bool]] = []
    for part, marked in parts:
        if result and marked and result[-1][1]:
            result[-1] = (result[-1][0] + part, True)
        elif len(result) >= 2 and marked and result[-2][1] and not result[-1][1] and not result[-1][0].strip():
            space = result.pop()[0]
            result[-1] = (result[-1][0] + space + part, True)
        else:
            result.append((part, marked))
    return result


def stored_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[StoredCoding]:
    return [StoredCoding(r["theme"], list(r.get("terms") or []), r.get("source", CODER), r.get("status", SUGGESTED), r.get("id"))
            for r in rows]


def theme_trends(runs: Sequence[tuple[str, pd.DataFrame]], codebook: Codebook | None = None) -> pd.DataFrame:
    """Themes across the runs of an instrument: per theme and run, the share of that run's
    commenters who raised it. `runs` holds (label, coded frame as from `coded_frame`), oldest first.

    One row per theme raised in any run (codebook order, then other stored themes), with columns
    `theme`, `label`, then for each run label `share:<label>` (NaN when the run had no commenters)
    and `respondents:<label>`, and `change` (latest share minus the first run's that had commenters,
    in percentage points). The share is of commenters, not all respondents, so a year with fewer
    comments is not read as a fall in every theme."""
    codebook = codebook or default_codebook()
    summaries = [(label, theme_summary(coded, codebook).set_index("theme", drop=False)) for label, coded in runs]
    commenters = {label: (coded["respondent_id"].nunique() if len(coded) else 0) for label, coded in runs}
    keys: list[str] = []
    for _label, summary in summaries:
        for key, respondents in zip(summary["theme"], summary["respondents"]):
            if isinstance(key, str) and respondents and key not in keys:
                keys.append(key)
    order = {key: i for i, key in enumerate(codebook.themes)}
    keys.sort(key=lambda k: (order.get(k, len(order)), k))
    rows = []
    for key in keys:
        theme = codebook.themes.get(key)
        row: dict[str, Any] = {"theme": key, "label": theme.label if theme else key.replace("_", " ").capitalize()}
        shares = []
        for label, summary in summaries:
            n = int(summary.loc[key, "respondents"]) if key in summary.index else 0
            share = n / commenters[label] if commenters[label] else float("nan")
            row[f"share:{label}"], row[f"respondents:{label}"] = share, n
            if share == share:
                shares.append(share)
        row["change"] = (shares[-1] - shares[0]) * 100 if len(shares) >= 2 else float("nan")
        rows.append(row)
    columns = ["theme", "label"] + [f"{kind}:{label}" for label, _ in runs for kind in ("share", "respondents")] + ["change"]
    return pd.DataFrame(rows, columns=columns)
