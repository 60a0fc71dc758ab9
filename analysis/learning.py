"""Learning from officers: their review decisions become terms the partnership's codebook can take.

Every confirmation, removal and addition in the review queue says something about the coder:

- an officer **added** a theme the coder missed: the comment's words name the theme in a way the
  codebook does not know yet ("the ARP is full" -> placements). Phrases of one to three words from
  such comments are suggested as include terms, when no decided comment without that theme has them;
- an officer **removed** a theme the coder gave: the words that matched were used in another sense
  ("nothing to do with them" is not about activities). The matched words with a neighbour are
  suggested as an exclude term, when no comment where the theme was kept has that phrase.

`suggest_terms` is pure (texts and decisions in, suggestions out) so it runs in tests, a notebook or
the web layer alike; `apply_suggestions` gives the edited copy of the codebook an officer accepts.
Suggestions are scored on the decided comments only, and each missed comment contributes at most
its best phrase or two, so a handful of decisions cannot flood the codebook with one-off wording.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from analysis.codebook import Codebook, clean_term, term_problems
from analysis.coding import code_comment, compile_codebook

# Words that never start or end a suggested phrase (a phrase of only these says nothing).
STOP_WORDS = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both but by
can cant could couldnt did didnt do does doesnt doing dont down during each even ever every few for from get gets
got had hadnt has hasnt have havent having he her here hers him his how i if im in into is isnt it its ive just
me more most my no nor not now of off on once only or other our ours out over own really same she should so some
such than that thats the their them then there theres these they theyre this those through to too under until up
us very was wasnt we were werent what when where which while who whom why will with wont would wouldnt you your
yours one two three lot lots still again always never nothing anything something everything thing things like
know think want wanted need needs needed say said says told tell make made go going went come came take took
way well good bad great much many get getting been being also back day days time times year years week weeks
month months son daughter child children kid kids he she him her his hers
""".split())
WORD = re.compile(r"[a-z0-9]+")
MAX_PHRASE_WORDS = 3
PER_MISSED_COMMENT = 2


COMMON_WORD = 300  # occurrences in textblob's word list (from about a million words of English)


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, int]:
    try:
        text = resources.files("textblob.en").joinpath("en-spelling.txt").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - textblob is a dependency
        return {}
    pairs = (line.split() for line in text.splitlines() if line and not line.startswith(";"))
    return {p[0]: int(p[1]) for p in pairs if len(p) == 2 and p[1].isdigit()}


def word_frequency(word: str) -> int:
    return _frequencies().get(word, 0)


@dataclass(frozen=True)
class Decided:
    """One reviewed comment: its text, the themes the coder gave, and the themes it carries after
    the officer's decisions (confirmed, added, minus removed)."""
    text: str
    coder: frozenset[str]
    final: frozenset[str]


@dataclass
class Suggestion:
    theme: str
    term: str
    kind: str  # "include" or "exclude"
    comments: int  # decided comments that back it
    examples: list[str] = field(default_factory=list)


def _words(text: str) -> list[str]:
    return WORD.findall(re.sub(r"['’‘`´]", "", text.lower()))


def _phrases(words: Sequence[str]) -> set[str]:
    found = set()
    for n in range(1, MAX_PHRASE_WORDS + 1):
        for i in range(len(words) - n + 1):
            part = words[i : i + n]
            if part[0] in STOP_WORDS or part[-1] in STOP_WORDS:
                continue
            if n == 1 and (len(part[0]) < 3 or part[0].isdigit()):
                continue
            found.add(" ".join(part))
    return found


def decided_from_codings(text: str, coder_themes: Iterable[str], final_themes: Iterable[str]) -> Decided:
    return Decided(text=text, coder=frozenset(coder_themes), final=frozenset(final_themes))


def suggest_terms(decided: Iterable[Decided], codebook: Codebook, limit: int = 50, min_comments: int = 2,
                  excludes: bool = True) -> list[Suggestion]:
    """Include and exclude terms suggested by officers' decisions (see the module docstring)."""
    decided = [d for d in decided if d.text]
    compiled = compile_codebook(codebook)
    phrase_sets = [_phrases(compiled.words(d.text)) for d in decided]
    known = {t for theme in codebook.themes.values() for t in (*theme.include, *theme.exclude)}
    suggestions: list[Suggestion] = []
    for theme in codebook.themes:
        with_theme = [i for i, d in enumerate(decided) if theme in d.final]
        without = [i for i, d in enumerate(decided) if theme not in d.final]
        missed = [i for i in with_theme if theme not in decided[i].coder]
        # -- includes: the phrases of comments the coder missed, never seen without the theme
        chosen: dict[str, Suggestion] = {}
        for i in missed:
            ranked = []
            for phrase in phrase_sets[i]:
                if phrase in known or any(phrase in phrase_sets[j] for j in without):
                    continue
                support = [j for j in with_theme if phrase in phrase_sets[j]]
                n_words = len(phrase.split())
                # What one comment says once ("waiting", "care", a typo) does not generalise: a
                # suggestion must recur in at least `min_comments` comments an officer gave the theme.
                if len(support) < min_comments:
                    continue
                # A single word the codebook already uses ("plan", "help") or everyday English ("felt")
                # means too many things to stand alone; local names and jargon ("the Bridge", "SPARK") pass.
                if n_words == 1 and (compiled.elements_of(phrase) or word_frequency(phrase) >= COMMON_WORD):
                    continue
                # More comments first; among phrases seen once the longer (more specific) one.
                ranked.append((-len(support), -n_words if len(support) < 2 else n_words, -len(phrase), phrase, support))
            for _neg, _n, _len, phrase, support in sorted(ranked)[:PER_MISSED_COMMENT]:
                if phrase not in chosen:
                    chosen[phrase] = Suggestion(theme, phrase, "include", len(support), [decided[j].text for j in support[:3]])
        suggestions.extend(chosen.values())
        # -- excludes: the words that wrongly matched, with a neighbour, never in a kept comment
        removed = [i for i, d in enumerate(decided) if theme in d.coder and theme not in d.final] if excludes else []
        kept = [i for i in with_theme if theme in decided[i].coder]
        wrong_matches: dict[str, Suggestion] = {}
        kept_text = [" ".join(compiled.words(decided[j].text)) for j in kept]
        for i in removed:
            words = compiled.words(decided[i].text)
            seen_here = set()
            for position in _matched_positions(decided[i].text, theme, codebook, words):
                for start, end in ((position - 1, position + 1), (position, position + 2)):
                    if start < 0 or end > len(words):
                        continue
                    neighbour = words[start] if start < position else words[end - 1]
                    if neighbour in STOP_WORDS:  # "to find" would block every "find out"; "club staff" is specific
                        continue
                    phrase = " ".join(words[start:end])
                    if phrase in known or phrase in seen_here or any(phrase in text for text in kept_text):
                        continue
                    seen_here.add(phrase)
                    entry = wrong_matches.setdefault(phrase, Suggestion(theme, phrase, "exclude", 0, []))
                    entry.comments += 1
                    entry.examples.append(decided[i].text)
        wrong_matches = {p: s for p, s in wrong_matches.items() if s.comments >= min_comments}
        suggestions.extend(wrong_matches.values())
    valid = [s for s in suggestions if clean_term(s.term) == s.term and not term_problems(s.term, codebook.groups)]
    valid.sort(key=lambda s: (-s.comments, s.theme, s.kind, s.term))
    return valid[:limit]


def _matched_positions(text: str, theme: str, codebook: Codebook, words: list[str]) -> list[int]:
    """Positions (in the coder's words) of the words that gave `theme` its match."""
    terms = next((terms for key, terms in code_comment(text, codebook) if key == theme), [])
    compiled = compile_codebook(codebook)
    positions = []
    for term in terms:
        first = term.split("...")[0].split()[0]
        for i, word in enumerate(words):
            if first.startswith("@"):
                members = codebook.groups.get(first[1:], [])
                hit = any(word == m or (m.endswith("*") and word.startswith(m[:-1])) for m in members)
            elif first.endswith("*"):
                hit = word.startswith(first[:-1])
            else:
                hit = word == first
            if hit:
                positions.append(i)
                break
    del compiled
    return positions


def apply_suggestions(codebook: Codebook, suggestions: Iterable[Suggestion]) -> Codebook:
    """A copy of `codebook` with the accepted suggestions added (the original is left as it is)."""
    edited = codebook.copy()
    for s in suggestions:
        if s.theme not in edited.themes:
            continue
        if s.kind == "include":
            edited.add_terms(s.theme, include=[s.term])
        else:
            edited.add_terms(s.theme, exclude=[s.term])
    return edited


def simulate_officer_corrections(items: Sequence[dict], codebook: Codebook, share: float = 0.1, seed: int = 0, **options) -> dict:
    """Officers review `share` of a hand-coded set (their decisions are the hand codes), every
    suggestion from those decisions is accepted, and the rest of the set is scored before and
    after: {"before", "after"} (scores as `analysis.evaluation.score`), "reviewed", "suggestions"."""
    import random

    from analysis.evaluation import score

    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    cut = max(1, round(len(items) * share))
    reviewed, rest = [items[i] for i in order[:cut]], [items[i] for i in order[cut:]]
    compiled = compile_codebook(codebook)
    decided = [Decided(i["text"], frozenset(t for t, _ in compiled.matches(i["text"])), frozenset(i["themes"])) for i in reviewed]
    suggestions = suggest_terms(decided, codebook, limit=10_000, **options)
    learned = apply_suggestions(codebook, suggestions)
    gold = [i["themes"] for i in rest]

    def predicted(book: Codebook) -> list[list[str]]:
        matcher = compile_codebook(book).matches
        return [[t for t, _ in matcher(i["text"])] for i in rest]

    keys = list(codebook.themes)
    return {"before": score(gold, predicted(codebook), keys), "after": score(gold, predicted(learned), keys),
            "reviewed": len(reviewed), "suggestions": suggestions}
