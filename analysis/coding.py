"""Coding free text against the codebook: fast, multi-label, and able to say why.

`code_comment(text, codebook)` returns the themes a comment touches, each with the codebook terms
that matched, so an officer can see why a comment was coded. A codebook is compiled once (and again
after every edit) into word-level lookups, and what each distinct word matches is remembered, so
coding costs a dictionary lookup per word plus a check of the few terms that start there.

Families write the way people write: "EHCP", "ehc plan", "Senco", "sencos"; "assesment",
"reveiw", "CAHMS". Words are normalised (lower case, apostrophes dropped, "1:1" and "16+" kept as
one word), mapped through the codebook's spelling table, and a word the coder does not know — not
in the codebook and not an ordinary English word — is matched to a codebook word or stem one typing
slip away (a letter missing, extra, wrong or swapped) when it is at least five letters long.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pandas as pd

from analysis.codebook import Codebook

MAX_GAP = 5  # words allowed between the parts of a "a ... b" term
MIN_FUZZY_LENGTH = 5
WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile(r"['’‘`´]")
_ONE_TO_ONE = re.compile(r"\b1\s*(?::|-|to|2)\s*1\b")
_PLUS = re.compile(r"\b(\d+)\s*\+")

EXACT, PREFIX, GROUP = 0, 1, 2


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Ordinary English words (the word list textblob ships for its spelling corrector), so the
    coder never "corrects" a real word into a codebook word."""
    # Found without importing textblob: its package imports nltk, which imports scipy.stats
    # (seconds), and this runs on a respondent's first submission.
    spec = importlib.util.find_spec("textblob")
    try:
        folder = Path(next(iter(spec.submodule_search_locations)))
        text = (folder / "en" / "en-spelling.txt").read_text(encoding="utf-8")
    except (AttributeError, StopIteration, TypeError, FileNotFoundError):  # pragma: no cover - textblob is a dependency
        return frozenset()
    return frozenset(line.split()[0] for line in text.splitlines() if line and not line.startswith(";"))


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _osa_distance(a: str, b: str, limit: int = 1) -> int:
    """Edit distance counting a swap of neighbouring letters as one edit (stops early past `limit`)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@dataclass(frozen=True)
class _Entry:
    theme: int
    exclude: bool
    term: str
    segments: tuple[tuple[int, ...], ...]  # element ids; segments are separated by "..."


class CompiledCodebook:
    """Word-level lookups built from a codebook (see `compile_codebook`)."""

    def __init__(self, codebook: Codebook):
        self.theme_keys = list(codebook.themes)
        self.spelling = dict(codebook.spelling)
        self.protected = frozenset(codebook.known_words)
        self._element_ids: dict[tuple, int] = {}
        self.exact: dict[str, set[int]] = {}
        self.stems: dict[str, set[int]] = {}
        self.entries: list[_Entry] = []
        self.starting: dict[int, list[int]] = {}
        for index, theme in enumerate(codebook.themes.values()):
            for exclude, terms in ((False, theme.include), (True, theme.exclude)):
                for term in terms:
                    segments = tuple(
                        tuple(self._element(word, codebook.groups) for word in part.split())
                        for part in term.split("...")
                    )
                    entry_id = len(self.entries)
                    self.entries.append(_Entry(index, exclude, term, segments))
                    self.starting.setdefault(segments[0][0], []).append(entry_id)
        self.stem_lengths = sorted({len(s) for s in self.stems})
        self._word_cache: dict[str, frozenset[int]] = {}
        self._fix_cache: dict[str, str] = {}
        self._vocabulary = {w for w in self.exact if len(w) >= MIN_FUZZY_LENGTH - 1 and w.isalpha()}
        self._vocabulary_deletes: dict[str, set[str]] = {}
        for word in self._vocabulary:
            for variant in _deletes(word) | {word}:
                self._vocabulary_deletes.setdefault(variant, set()).add(word)
        self._prepare_matching()
        self._stem_deletes: dict[str, set[str]] = {}
        for stem in self.stems:
            if len(stem) >= MIN_FUZZY_LENGTH - 1 and stem.isalpha():
                for variant in _deletes(stem) | {stem}:
                    self._stem_deletes.setdefault(variant, set()).add(stem)

    def _element(self, word: str, groups) -> int:
        if word.startswith("@"):
            members = groups[word[1:]]
            key = (GROUP, word[1:])
            if key not in self._element_ids:
                element = self._element_ids[key] = len(self._element_ids)
                for member in members:
                    if member.endswith("*"):
                        self.stems.setdefault(member[:-1], set()).add(element)
                    else:
                        self.exact.setdefault(member, set()).add(element)
            return self._element_ids[key]
        if word.endswith("*"):
            key = (PREFIX, word[:-1])
            if key not in self._element_ids:
                self._element_ids[key] = len(self._element_ids)
                self.stems.setdefault(word[:-1], set()).add(self._element_ids[key])
            return self._element_ids[key]
        key = (EXACT, word)
        if key not in self._element_ids:
            self._element_ids[key] = len(self._element_ids)
            self.exact.setdefault(word, set()).add(self._element_ids[key])
        return self._element_ids[key]

    # -- words ------------------------------------------------------------------------------

    def elements_of(self, word: str) -> frozenset[int]:
        """The term elements a (normalised, corrected) word matches, remembered per word."""
        found = self._word_cache.get(word)
        if found is None:
            ids: set[int] = set(self.exact.get(word, ()))
            for length in self.stem_lengths:
                if length > len(word):
                    break
                ids.update(self.stems.get(word[:length], ()))
            found = self._word_cache[word] = frozenset(ids)
        return found

    def fix(self, word: str) -> str:
        """The word as the codebook knows it: spelling table first, then one typing slip away."""
        fixed = self._fix_cache.get(word)
        if fixed is None:
            fixed = self._fix_cache[word] = self._correct(word)
        return fixed

    def _correct(self, word: str) -> str:
        word = self.spelling.get(word, word)
        if (
            " " in word
            or len(word) < MIN_FUZZY_LENGTH
            or not word.isalpha()
            or word in self.protected
            or self.elements_of(word)
            or word in english_words()
        ):
            return word
        candidates: set[tuple[str, str]] = set()
        for variant in _deletes(word) | {word}:
            for known in self._vocabulary_deletes.get(variant, ()):
                candidates.add((known, ""))
        for length in self.stem_lengths:
            if length < MIN_FUZZY_LENGTH - 1:
                continue
            for cut in (length - 1, length, length + 1):
                if cut > len(word):
                    continue
                head = word[:cut]
                for variant in _deletes(head) | {head}:
                    for stem in self._stem_deletes.get(variant, ()):
                        if len(stem) == length:
                            candidates.add((stem, word[cut:]))
        best = None
        for known, tail in sorted(candidates):
            target = word[: len(word) - len(tail)] if tail else word
            if known[0] == word[0] and _osa_distance(target, known) <= 1:
                best = known + tail
                break
        return best or word

    def words(self, text: str) -> list[str]:
        text = _APOSTROPHES.sub("", text.lower())
        if "1" in text:
            text = _ONE_TO_ONE.sub(" onetoone ", text)
        if "+" in text:
            text = _PLUS.sub(r"\1plus ", text)
        fix = self.fix
        result = []
        for token in WORD.findall(text):
            fixed = fix(token)
            if " " in fixed:  # a spelling entry may expand an abbreviation into words
                result.extend(fixed.split())
            else:
                result.append(fixed)
        return result

    # -- matching ---------------------------------------------------------------------------

    def _prepare_matching(self) -> None:
        """Per element, the one-word terms it completes and the longer terms it may start, each
        longer term with the set of elements it needs (skipped at once when one is absent)."""
        self._singles: dict[int, list[tuple[int, bool, str]]] = {}
        self._longer: dict[int, list[tuple[tuple[tuple[int, ...], ...], frozenset[int], int, bool, str]]] = {}
        for entry in self.entries:
            first = entry.segments[0][0]
            if len(entry.segments) == 1 and len(entry.segments[0]) == 1:
                self._singles.setdefault(first, []).append((entry.theme, entry.exclude, entry.term))
            else:
                needed = frozenset(e for segment in entry.segments for e in segment)
                self._longer.setdefault(first, []).append((entry.segments, needed, entry.theme, entry.exclude, entry.term))
        self._token_cache: dict[str, tuple[frozenset[int], ...]] = {}

    def _token_elements(self, token: str) -> tuple[frozenset[int], ...]:
        """What a raw word matches, after correction (a spelling entry may give several words)."""
        cached = self._token_cache.get(token)
        if cached is None:
            fixed = self.fix(token)
            cached = tuple(self.elements_of(w) for w in fixed.split()) if " " in fixed else (self.elements_of(fixed),)
            if len(self._token_cache) < 500_000:  # bounded: a flood of unique junk cannot exhaust memory
                self._token_cache[token] = cached
        return cached

    def matches(self, text: str) -> list[tuple[str, list[str]]]:
        text = _APOSTROPHES.sub("", text.lower())
        if "1" in text:
            text = _ONE_TO_ONE.sub(" onetoone ", text)
        if "+" in text:
            text = _PLUS.sub(r"\1plus ", text)
        token_elements = self._token_elements
        elements: list[frozenset[int]] = []
        for token in WORD.findall(text):
            elements.extend(token_elements(token))
        n = len(elements)
        present: set[int] = set()
        for here in elements:
            if here:
                present.update(here)
        if not present:
            return []
        found: dict[int, list[tuple[int, int, str]]] = {}
        blocked: dict[int, list[tuple[int, int]]] = {}
        singles, longer = self._singles, self._longer
        for i, here in enumerate(elements):
            if not here:
                continue
            for element in here:
                for theme, exclude, term in singles.get(element, ()):
                    if exclude:
                        blocked.setdefault(theme, []).append((i, i))
                    else:
                        found.setdefault(theme, []).append((i, i, term))
                for segments, needed, theme, exclude, term in longer.get(element, ()):
                    if not needed <= present:
                        continue
                    end = _match_at(segments, elements, i, n)
                    if end < 0:
                        continue
                    if exclude:
                        blocked.setdefault(theme, []).append((i, end))
                    else:
                        found.setdefault(theme, []).append((i, end, term))
        result = []
        for theme in sorted(found):
            spans = blocked.get(theme, ())
            terms: list[str] = []
            for start, end, term in found[theme]:
                if any(start <= b_end and b_start <= end for b_start, b_end in spans):
                    continue
                if term not in terms:
                    terms.append(term)
            if terms:
                result.append((self.theme_keys[theme], terms))
        return result


def _match_segment(segment: tuple[int, ...], elements: list[frozenset[int]], start: int, n: int) -> bool:
    if start + len(segment) > n:
        return False
    for offset, element in enumerate(segment):
        if element not in elements[start + offset]:
            return False
    return True


def _match_at(segments, elements, start: int, n: int) -> int:
    """The index of the last word of a match of `segments` starting at `start`, or -1."""
    first = segments[0]
    if not _match_segment(first, elements, start, n):
        return -1
    end = start + len(first) - 1
    for segment in segments[1:]:
        for begin in range(end + 1, min(end + 2 + MAX_GAP, n)):
            if _match_segment(segment, elements, begin, n):
                end = begin + len(segment) - 1
                break
        else:
            return -1
    return end


def compile_codebook(codebook: Codebook) -> CompiledCodebook:
    """The compiled form, kept on the codebook until it is next edited."""
    if codebook._compiled is None:
        codebook._compiled = CompiledCodebook(codebook)
    return codebook._compiled


def code_comment(text: str, codebook: Codebook | None = None) -> list[tuple[str, list[str]]]:
    """The themes `text` touches, in codebook order, each with the terms that matched.

    >>> code_comment("Nobody picks up the phone")
    [('communication', ['nobody ... phone'])]
    """
    if not text:
        return []
    return compile_codebook(codebook or default_codebook()).matches(text)


def themes_of(text: str, codebook: Codebook | None = None) -> list[str]:
    return [theme for theme, _terms in code_comment(text, codebook)]


@lru_cache(maxsize=1)
def _default() -> Codebook:
    return Codebook.default()


def default_codebook() -> Codebook:
    """The shipped codebook, loaded once (copy it with `.copy()` before editing)."""
    return _default()


def code_comments(comments: pd.DataFrame, codebook: Codebook | None = None, text_column: str = "text") -> pd.DataFrame:
    """Code every comment in a comments frame (as from `analysis.loading`): one row per
    (comment, theme) with the matched terms, keeping the comment frame's other columns.
    Comments with no theme are kept once with theme None (the "uncoded" queue)."""
    compiled = compile_codebook(codebook or default_codebook())
    matches = compiled.matches
    rows_index: list[int] = []
    themes: list[str | None] = []
    terms: list[list[str]] = []
    for position, text in enumerate(comments[text_column].tolist()):
        coded = matches(text) if isinstance(text, str) else []
        if not coded:
            rows_index.append(position)
            themes.append(None)
            terms.append([])
        for theme, matched in coded:
            rows_index.append(position)
            themes.append(theme)
            terms.append(matched)
    result = comments.iloc[rows_index].reset_index(drop=True)
    result["theme"] = pd.Series(themes, dtype=object)
    result["terms"] = pd.Series(terms, dtype=object)
    return result


def theme_counts(coded: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """How many comments touch each theme (every theme listed, zeros included), and the share of
    all comments. `coded` is the output of `code_comments`."""
    codebook = codebook or default_codebook()
    key_columns = [c for c in ("respondent_id", "question") if c in coded.columns]
    total = coded.drop_duplicates(key_columns).shape[0] if key_columns else len(coded)
    counts = coded.dropna(subset=["theme"]).drop_duplicates([*key_columns, "theme"])["theme"].value_counts()
    rows = [
        {"theme": key, "label": theme.label, "comments": int(counts.get(key, 0)),
         "share": (counts.get(key, 0) / total) if total else float("nan")}
        for key, theme in codebook.themes.items()
    ]
    uncoded = int(coded["theme"].isna().sum())
    rows.append({"theme": None, "label": "No theme (uncoded)", "comments": uncoded, "share": uncoded / total if total else float("nan")})
    return pd.DataFrame(rows)


def code_many(texts: Iterable[str], codebook: Codebook | None = None) -> list[list[tuple[str, list[str]]]]:
    compiled = compile_codebook(codebook or default_codebook())
    return [compiled.matches(t) if t else [] for t in texts]
