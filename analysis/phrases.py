"""Emerging phrases: noun phrases that recur in comments no theme caught, to suggest new themes.

Two ways to find noun phrases, both from textblob:

- the full path, `TextBlob(text).noun_phrases`, when the NLTK corpora it needs are installed
  (`brown` for its noun-phrase extractor and `punkt_tab` for sentences; see NLTK_DATA);
- the offline path otherwise: textblob's bundled Pattern chunker, `textblob.en.parse(text,
  chunks=True)`, which needs no corpora; its NP chunks are collected.

The offline path is the one a fresh machine without network takes, and both give phrases in the
same normalised form (lower case, leading determiners and pronouns dropped).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Callable, Iterable, Sequence

import pandas as pd

FULL, OFFLINE, AUTO = "full", "offline", "auto"
# Words that say nothing on their own at the start of a phrase or as the whole of it.
_LEADING_TAGS = {"DT", "PRP", "PRP$", "WDT", "WP", "WP$", "CD", "PDT", "EX", "CC"}
STOP_PHRASES = frozenset(
    """
    i me my we us our you your he him his she her they them their it its this that these those thing things
    anything everything nothing something lot lots time times way ways bit day days week weeks month months year years
    people everyone anyone someone nobody one ones help support child children kid kids son daughter parent parents
    school need needs
    """.split()
)
# Quantity words and slips of the tagger ("we need more ...") dropped from the front of a phrase.
_LEADING_WORDS = frozenset(
    "more less some any no not need needs lots lot much many other same such own only just very really all".split()
)
_CLEAN = re.compile(r"[^a-z0-9 '\-]+")
_INNER_WORDS = frozenset("the a an my our his her their your its this that these those is was are were be been it i we he she they".split())
_EDGE_WORDS = _INNER_WORDS | frozenset("to of and or but in on at for with from by as if so than then".split())


@lru_cache(maxsize=1)
def corpora_available() -> bool:
    """Whether the NLTK corpora textblob's `.noun_phrases` needs are installed (no download tried)."""
    try:
        import nltk

        nltk.data.find("corpora/brown")
        try:
            nltk.data.find("tokenizers/punkt_tab")
        except LookupError:
            nltk.data.find("tokenizers/punkt")
        return True
    except (LookupError, ImportError, OSError):
        return False


def _normalise(words: Sequence[str]) -> str | None:
    phrase = _CLEAN.sub(" ", " ".join(words).lower().replace("’", "'"))
    phrase = " ".join(w.strip("'-") for w in phrase.split() if w.strip("'-"))
    if not phrase:
        return None
    tokens = phrase.split()
    if len(tokens) == 1 and (tokens[0] in STOP_PHRASES or len(tokens[0]) < 3 or tokens[0].isdigit()):
        return None
    if all(t in STOP_PHRASES for t in tokens):
        return None
    # A chunker slip spans two phrases ("place the school", "plan the"): a determiner, pronoun or
    # verb "to be" inside, or a function word at either end, is never part of a real noun phrase.
    if len(tokens) > 1 and (tokens[0] in _EDGE_WORDS or tokens[-1] in _EDGE_WORDS or any(t in _INNER_WORDS for t in tokens[1:-1])):
        return None
    return phrase


def _tokens(sentence: str) -> list[list[str]]:
    tokens = []
    for token in sentence.split(" "):
        parts = token.split("/")
        if len(parts) >= 3:
            tokens.append([parts[0].replace("&slash;", "/"), parts[1], parts[2]])
    return tokens


def _mend_noun_compounds(tokens: list[list[str]]) -> None:
    """The bundled tagger reads the first noun of a compound after "the" as a verb ("the sleep
    clinic", "the swimming pool"). A verb cannot follow a determiner, so make it part of the NP."""
    for i in range(1, len(tokens) - 1):
        before, word, after = tokens[i - 1], tokens[i], tokens[i + 1]
        if word[1].startswith("VB") and before[1] in ("DT", "PRP$") and after[1].startswith("NN"):
            before[2], word[1], word[2], after[2] = "B-NP", "NN", "I-NP", "I-NP"


def noun_phrases_offline(text: str) -> list[str]:
    """Noun phrases from the Pattern chunker that ships with textblob (no NLTK corpora needed)."""
    from textblob.en import parse

    phrases: list[str] = []
    parsed = parse(text, chunks=True, relations=False, lemmata=False)
    for sentence in parsed.split("\n"):
        tokens = _tokens(sentence)
        _mend_noun_compounds(tokens)
        current: list[tuple[str, str]] = []

        def flush() -> None:
            words = list(current)
            while words and (words[0][1] in _LEADING_TAGS or words[0][0].lower() in _LEADING_WORDS):
                words.pop(0)
            if words and any(tag.startswith("NN") for _, tag in words):
                phrase = _normalise([w for w, _ in words])
                if phrase:
                    phrases.append(phrase)
            current.clear()

        for word, tag, chunk in tokens:
            if chunk == "B-NP" or (chunk != "I-NP" and current):
                flush()
            if chunk in ("B-NP", "I-NP"):
                current.append((word, tag))
        flush()
    return phrases


def noun_phrases_full(text: str) -> list[str]:
    """Noun phrases from textblob's default extractor (needs the NLTK corpora)."""
    from textblob import TextBlob

    found = []
    for phrase in TextBlob(text).noun_phrases:
        words = str(phrase).split()
        while words and (words[0].lower() in _LEADING_WORDS or words[0].lower() in {"the", "a", "an", "my", "our", "his", "her", "their"}):
            words.pop(0)
        normalised = _normalise(words)
        if normalised:
            found.append(normalised)
    return found


def phrase_extractor(method: str = AUTO) -> Callable[[str], list[str]]:
    if method == AUTO:
        method = FULL if corpora_available() else OFFLINE
    if method == FULL:
        return noun_phrases_full
    if method == OFFLINE:
        return noun_phrases_offline
    raise ValueError(f"method must be {AUTO!r}, {FULL!r} or {OFFLINE!r}")


def emerging_phrases(
    texts: Iterable[str],
    top: int = 20,
    min_comments: int = 2,
    method: str = AUTO,
    ignore: Iterable[str] = (),
) -> pd.DataFrame:
    """The noun phrases found in most comments (each comment counted once per phrase), most
    frequent first, with up to three example comments each. Pass the texts of the uncoded
    comments (see `uncoded_texts`). `ignore` lists phrases already dealt with."""
    extract = phrase_extractor(method)
    skip = {p.lower() for p in ignore}
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for text in texts:
        if not isinstance(text, str) or not text.strip():
            continue
        for phrase in dict.fromkeys(p for found in extract(text) for p in _with_parts(found)):
            if phrase in skip:
                continue
            counts[phrase] += 1
            if len(examples.setdefault(phrase, [])) < 3:
                examples[phrase].append(text)
    frequent = {p: n for p, n in counts.items() if n >= min_comments}
    # A part that never occurs without the same longer phrase adds nothing: keep the longer one.
    redundant = {
        part for phrase, n in frequent.items() for part in _with_parts(phrase)
        if part != phrase and frequent.get(part) == n
    }
    rows = [
        {"phrase": phrase, "comments": n, "examples": examples[phrase]}
        for phrase, n in sorted(frequent.items(), key=lambda kv: (-kv[1], -len(kv[0].split()), kv[0]))
        if phrase not in redundant
    ][:top]
    return pd.DataFrame(rows, columns=["phrase", "comments", "examples"])


def _stems(phrase: str) -> frozenset[str]:
    """The content words of a phrase, cut to five letters ("assessments" ~ "assessment")."""
    return frozenset(w[:5] for w in phrase.split() if w not in _EDGE_WORDS and w not in STOP_PHRASES) or frozenset(phrase.split())


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return a <= b or b <= a or len(a & b) / len(a | b) >= 0.5


def emerging_phrase_groups(
    texts: Iterable[str],
    top: int = 20,
    min_comments: int = 2,
    method: str = AUTO,
    ignore: Iterable[str] = (),
) -> list[dict]:
    """Emerging phrases grouped by similarity ("sleep clinic", "sleep clinic appointment", "the
    sleep clinics"): each group led by its most frequent phrase, with the similar ones, the number
    of distinct comments any of them occurs in, and up to three example comments."""
    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    # Every phrase, even one seen once: "sleep clinics" said once still counts towards "sleep clinic".
    found = emerging_phrases(texts, top=100_000, min_comments=1, method=method, ignore=ignore)
    extract = phrase_extractor(method)
    in_text = [set(p for f in extract(text) for p in _with_parts(f)) for text in texts]
    groups: list[dict] = []
    for phrase in found["phrase"]:
        stems = _stems(phrase)
        for group in groups:
            if _similar(stems, group["stems"]):
                group["similar"].append(phrase)
                break
        else:
            groups.append({"phrase": phrase, "stems": stems, "similar": []})
    result = []
    for group in groups:
        members = {group["phrase"], *group["similar"]}
        comments = [i for i, phrases in enumerate(in_text) if phrases & members]
        result.append({"phrase": group["phrase"], "similar": group["similar"], "comments": len(comments),
                       "examples": [texts[i] for i in comments[:3]]})
    result = [g for g in result if g["comments"] >= min_comments]
    result.sort(key=lambda g: (-g["comments"], g["phrase"]))
    return result[:top]


def _with_parts(phrase: str) -> list[str]:
    """A phrase and, for three words or more, its runs of two or more words ("sleep clinic
    appointment" also counts as "sleep clinic"), so a recurring idea is counted wherever it occurs."""
    words = phrase.split()
    parts = [phrase]
    for size in range(len(words) - 1, 1, -1):
        for start in range(len(words) - size + 1):
            part = _normalise(words[start : start + size])
            if part:
                parts.append(part)
    return parts


def uncoded_texts(coded: pd.DataFrame, text_column: str = "text") -> list[str]:
    """The texts of comments no theme caught, from the output of `analysis.coding.code_comments`."""
    return coded.loc[coded["theme"].isna(), text_column].tolist()
