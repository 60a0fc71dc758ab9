"""Removing personal details from free text before it is kept long-term or quoted.

Pattern-based and deliberately cautious: it may remove a little too much, never too little of what
it recognises. In order:

1. emails, NHS numbers, UK phone numbers and postcodes;
2. the partnership's own lists (`RedactionLists`: local names, schools and staff), matched as whole
   words or phrases, any case;
3. a proper-noun heuristic: a capitalised word that does not start a sentence is taken for a name
   unless it is on the allowed list (SEND words and acronyms, services, days, months, titles, and
   the partnership's own `allowed` words); a capitalised word that does start a sentence is taken
   for a name when it is not an ordinary English word (the word lists that come with textblob).
   Words in capitals of up to five letters are read as acronyms (EHCP, CAMHS, PIP) and kept.
   Neighbouring names become one "[name removed]".

What it cannot know: a name that is also an ordinary word starting a sentence ("Rose said…") and
names written in lower case stay. A person reads every quote before it is published.

The lists live in a TOML file the partnership keeps (see `load_lists`):

    names = ["Ashdown", "Kestrel Ward"]          # local people, places and streets
    schools = ["Greenfield Academy", "St Mary's"]  # -> "[school removed]"
    staff = ["Ms Okafor", "Dr Patel"]              # -> "[name removed]"
    allowed = ["Brightwater"]                      # capitalised words that are not names here
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
# UK phone numbers: 01632 960 001, 07700 900982, +44 7700 900 982, (020) 7946 0018
PHONE = re.compile(r"(?<!\d)(?:\+44\s?|0044\s?|\(?0)\d(?:[\s)-]{0,2}\d){8,9}(?!\d)")
# NHS numbers: 10 digits, often written 3-3-4
NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")
# UK postcodes, e.g. SW1A 1AA, M1 1AE, B33 8TH
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)

# Social media handles: @sammy_b (after emails, so an address is never half-removed)
HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
# UK car registrations: AB12 CDE (current), A123 BCD (prefix)
CAR_REGISTRATION = re.compile(r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3})\b")
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december"
           "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)?\d{2}"
# Dates: 12/03/2015, 12.3.15, 12-03-2015, 12 March 2015, 12th of March, March 12th 2015
NUMERIC_DATE = re.compile(r"(?<![\d/.-])[0-3]?\d[/.\-][01]?\d[/.\-](?:19|20)?\d{2}(?![\d/])")
TEXT_DATE = re.compile(
    rf"\b(?:(?:the\s+)?{_DAY}\s+(?:of\s+)?(?:{_MONTHS})\.?(?:,?\s+{_YEAR}\b)?"
    rf"|(?:{_MONTHS})\.?\s+{_DAY}(?:,?\s+{_YEAR})?\b)", re.IGNORECASE)
# A date is taken for a birthday when it has a year, or "born", "birthday" or "DOB" comes just before.
BIRTH_WORDS = re.compile(r"\b(?:born|birthday|birth|dob|d\.o\.b)\b[^.!?\n]{0,20}$", re.IGNORECASE)
# Street addresses: a house number, up to three words, and a street word: "14 Elm Road", "3a Mill Lane"
STREET = re.compile(
    r"\b\d{1,4}[a-z]?,?\s+(?:[A-Za-z][\w'’-]*\s+){1,3}"
    r"(?:road|rd|street|avenue|ave|lane|close|drive|way|crescent|grove|place|gardens|court|terrace|walk"
    r"|mews|row|hill|view|rise|square|parade)\b\.?", re.IGNORECASE)
# An age written next to a name that was removed: "[name removed], 7," or "[name removed] (9)"
AGE_AFTER_NAME = re.compile(r"(\[name removed\](?:['’]s)?)(?:\s*,\s*(?:aged?\s+)?\d{1,2}(?=\s*[,.;)]|\s+(?:and|who|is|has|was)\b)|\s*\(\s*(?:aged?\s+)?\d{1,2}\s*\))")

NAME_REMOVED = "[name removed]"
SCHOOL_REMOVED = "[school removed]"
DATE_REMOVED = "[date removed]"

REPLACEMENTS = (
    (EMAIL, "[email removed]"),
    (HANDLE, "[handle removed]"),
    (NHS_NUMBER, "[number removed]"),
    (PHONE, "[phone number removed]"),
    (POSTCODE, "[postcode removed]"),
    (CAR_REGISTRATION, "[registration removed]"),
    (STREET, "[address removed]"),
)
# Titles that belong to the name after them: a person's ("Mrs Patel" -> "Mrs [name removed]") or a
# saint's ("St. John's": a church or a school, kept whole unless the partnership lists it).
PERSON_TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir")
SAINT_TITLES = ("st", "saint")

# Capitalised words families write in the middle of a sentence that are not anyone's name.
ALLOWED_WORDS = frozenset(w.lower() for w in """
    I I'm I've I'd I'll Mum Mummy Dad Daddy Nan Nana Grandma Grandad Mr Mrs Ms Miss Dr Sir
    EHCP EHCPs EHC SEN SEND SENCo SENCos SENCO SENDCo SENDCO CAMHS SALT OT OTs IASS SENDIASS PA PAs
    NHS GP GPs ADHD ASD ASC PDA SEMH SLCN MLD SLD PMLD HI VI MSI PD DLA PIP LA EP EPs TA TAs LSA
    CYP YP SENDIST PfA EHE PRU AP CIN CP DfE Ofsted CQC ICB SaLT ABA
    Autism Autistic Asperger's Aspergers Down Syndrome Dyslexia Dyspraxia Tourette's Tourettes
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December
    Christmas Easter Covid COVID Halloween Ramadan Eid Diwali
    English Maths Science PE RE History Geography Art Music Reception Nursery Year Key Stage GCSE GCSEs
    Local Offer Council Tribunal Mediation Panel Plan Plans Review Reviews Annual Health Care Social
    Services Service Team Education Educational Psychologist Psychology Psychiatrist Paediatrician
    Speech Language Therapy Therapist Therapists Occupational Physio Physiotherapy Early Help Help
    Short Breaks Respite School Schools College Academy University Hospital Clinic Children's Children
    Adult Adults Parent Carer Carers Forum Voice Partnership Independent Travel Transport Disability
    Disabilities Special Needs Educational Needs Assessment Direct Payment Payments Personal Budget
    Preparing Adulthood Youth Club Leisure Centre Hub Zoom Teams Google Facebook WhatsApp YouTube
    England English British UK Internet OK Ok
""".split())
# Phrases kept whole, even where their words are not allowed on their own.
ALLOWED_PHRASES = ("Local Offer", "Short Breaks", "Preparing for Adulthood", "Parent Carer Voice", "Early Help")
ACRONYM_MAX = 5  # words in capitals up to this length are taken for acronyms

# A word: letters, with inner apostrophes or hyphens (O'Brien, Smith-Jones, Children's).
WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# What ends a sentence or starts a new one: full stops, ! ?, colons, new lines, bullets.
SENTENCE_BREAK = re.compile(r"(?:[.!?:;]+[\"'”’)\]]*\s+|\n+\s*(?:[-*•]\s*)?|^\s*(?:[-*•]\s*)?)[\"'“‘(\[]*$")


@dataclass(frozen=True)
class RedactionLists:
    """The partnership's own lists: names to remove (people, places), schools, staff, and extra
    capitalised words that are not names here."""

    names: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()

    def replacements(self) -> list[tuple[str, str]]:
        pairs = [(n, NAME_REMOVED) for n in (*self.names, *self.staff)] + [(s, SCHOOL_REMOVED) for s in self.schools]
        # Longest first, so "St Mary's School" goes before "St Mary's".
        return sorted({(t.strip(), r) for t, r in pairs if t and t.strip()}, key=lambda p: len(p[0]), reverse=True)


class ListsProblem(ValueError):
    """The lists file cannot be read or is not in the expected shape."""


def load_lists(path: str | Path) -> RedactionLists:
    """Read the partnership's lists from a TOML file (keys `names`, `schools`, `staff`, `allowed`,
    each a list of strings; any may be left out)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ListsProblem(f"cannot read the redaction lists in {path}: {error}") from None
    values: dict[str, tuple[str, ...]] = {}
    for key in ("names", "schools", "staff", "allowed"):
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ListsProblem(f"{key} in {path} must be a list of words or phrases in quotes")
        values[key] = tuple(i.strip() for i in items if i.strip())
    unknown = set(data) - {"names", "schools", "staff", "allowed"}
    if unknown:
        raise ListsProblem(f"unknown keys in {path}: {', '.join(sorted(unknown))}")
    return RedactionLists(**values)


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Ordinary English words (lower case), from the word lists that come with textblob: the
    tagger's lexicon and the spelling list, without words the lexicon only knows as names."""
    try:
        import textblob
    except ImportError:  # without textblob, every capitalised word that starts a sentence is kept
        return frozenset()
    folder = Path(textblob.__file__).parent / "en"
    lower: set[str] = set()
    proper: set[str] = set()
    try:
        for line in (folder / "en-lexicon.txt").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) < 2 or line.startswith(";"):
                continue
            word, tag = parts[0], parts[1]
            if word.islower():
                lower.add(word)
            elif tag.startswith("NNP") and word[:1].isupper():
                proper.add(word.lower())
        for line in (folder / "en-spelling.txt").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and not line.startswith(";") and parts[0] not in proper:
                lower.add(parts[0].lower())
    except OSError:
        return frozenset()
    return frozenset(lower)


def _term_regex(term: str) -> str:
    """A listed name as written in any case, with spaces or hyphens between its words ("Amelia-Rose"
    also matches "amelia rose"), "St" with or without its full stop, and either apostrophe."""
    words = [w for w in re.split(r"[\s\-]+", term.strip()) if w]
    parts = []
    for word in words:
        bare = word.rstrip(".")
        if bare.lower() in SAINT_TITLES + PERSON_TITLES:
            parts.append(re.escape(bare) + r"\.?")
        else:
            # Apostrophes and full stops may be left out ("st johns primary" for "St John's Primary").
            letters = [c for c in word if c not in "'’."]
            if not letters:
                continue
            parts.append(r"['’.]?".join(re.escape(c) for c in letters) + (r"\.?" if word.endswith(".") else ""))
    return r"[\s\-]+".join(parts)


def _term_key(term: str) -> str:
    """A listed term as its letters alone: what a match written with or without punctuation shares."""
    return " ".join(re.sub(r"['’.]", "", term.lower()).replace("-", " ").split())


def _list_pattern(terms: Iterable[str]) -> re.Pattern | None:
    terms = [t for t in terms if t]
    if not terms:
        return None
    # A hyphenated name continues the match ("Amelia" listed takes "amelia-rose" whole).
    return re.compile(r"(?<![\w\-])(" + "|".join(_term_regex(t) for t in terms) + r")(?:-[^\W\d_]+)*(?![\w])",
                      re.IGNORECASE)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _is_acronym(word: str) -> bool:
    letters = word.replace("'", "").replace("’", "").replace("-", "")
    return letters.isupper() and 2 <= len(letters.rstrip("s")) <= ACRONYM_MAX


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 12):start]
    title = re.search(r"\b([A-Za-z]+)\.\s+$", before)
    if title and title.group(1).lower() in PERSON_TITLES + SAINT_TITLES:
        return False  # "St. John's", "Dr. Patel": a title's full stop does not end a sentence
    return bool(SENTENCE_BREAK.search(before)) if start > 0 else True


def _title_before(text: str, start: int) -> str | None:
    match = re.search(r"\b([A-Za-z]+)\.?\s+$", text[max(0, start - 10):start])
    return match.group(1).lower() if match else None


def remove_proper_nouns(text: str, allowed: Iterable[str] = ()) -> str:
    """Replace capitalised words that look like names with "[name removed]" (see the module notes)."""
    allowed_words = ALLOWED_WORDS | {a.lower() for a in allowed if " " not in a.strip()}
    phrases = [*ALLOWED_PHRASES, *(a for a in allowed if " " in a.strip())]
    protected: list[tuple[int, int]] = []
    pattern = _list_pattern(phrases)
    if pattern is not None:
        protected = [m.span() for m in pattern.finditer(text)]
    common = common_words()
    spans: list[tuple[int, int]] = []
    for match in WORD.finditer(text):
        word = match.group()
        if not _is_capitalised(word) or any(a <= match.start() < b for a, b in protected):
            continue
        lowered = word.lower()
        base = re.sub(r"['’]s$", "", lowered)
        plural = lowered[:-1] if lowered.endswith("s") else lowered  # "Tuesdays", "Mondays"
        if lowered in allowed_words or base in allowed_words or plural in allowed_words or _is_acronym(word):
            continue
        if lowered in SAINT_TITLES or lowered in PERSON_TITLES:
            continue  # a title is judged with the name after it
        title = _title_before(text, match.start())
        if title in SAINT_TITLES:
            continue  # "St. John's" is a church or a school: kept whole unless listed

        if word.isupper() and len(word) > ACRONYM_MAX and (lowered in common or not common):
            continue  # shouting, not a name
        if _starts_sentence(text, match.start()) and (not common or base in common or lowered in common):
            continue
        spans.append(match.span())
    if not spans:
        return text
    spans.sort()
    # Neighbouring names (separated only by spaces) become one placeholder: "Sarah Jane Smith".
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and text[merged[-1][1]:start].strip() == "" and "\n" not in text[merged[-1][1]:start]:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    pieces, last = [], 0
    for start, end in merged:
        word = text[start:end]
        suffix = word[-2:] if word.endswith(("'s", "’s")) else ""
        pieces += [text[last:start], NAME_REMOVED + suffix]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def redact(
    text: str,
    local_names: Iterable[str] = (),
    lists: RedactionLists | None = None,
    proper_nouns: bool = True,
) -> str:
    """Replace emails, UK phone numbers, NHS numbers, postcodes, listed local names, schools and
    staff, and (with `proper_nouns`) capitalised words that look like names."""
    for pattern, replacement in REPLACEMENTS:
        text = pattern.sub(replacement, text)
    text = _remove_dates(text)
    lists = lists or RedactionLists()
    pairs = lists.replacements() + [(n.strip(), NAME_REMOVED) for n in local_names if n and n.strip()]
    pairs.sort(key=lambda p: len(p[0]), reverse=True)
    if pairs:
        lookup = {_term_key(t): r for t, r in reversed(pairs)}
        pattern = _list_pattern(t for t, _ in pairs)
        text = pattern.sub(lambda m: lookup.get(_term_key(m.group(1)), NAME_REMOVED), text)
    if proper_nouns:
        text = remove_proper_nouns(text, lists.allowed)
    return AGE_AFTER_NAME.sub(lambda m: m.group(1), text)


def _remove_dates(text: str) -> str:
    """Full dates anywhere, and a day and month where a birth is mentioned just before."""
    text = NUMERIC_DATE.sub(DATE_REMOVED, text)

    def replace(match: re.Match) -> str:
        has_year = bool(re.search(r"\d{4}|\s\d{2}$", match.group()))
        if has_year or BIRTH_WORDS.search(text[max(0, match.start() - 40):match.start()]):
            return DATE_REMOVED
        return match.group()

    return TEXT_DATE.sub(replace, text)
