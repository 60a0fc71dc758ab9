"""Symbols in pages: OpenMoji pictures above key words (the "with pictures" version), a picture
beside each easy-read question, and faces beside scale answers, always with their words."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# Faces for scales whose answers run from good to bad, and pictures for the non-answers.
FACES = {
    "very_satisfied": ("1F604", "very happy face"), "satisfied": ("1F642", "happy face"),
    "neither": ("1F610", "face that is not sure"), "dissatisfied": ("1F641", "unhappy face"),
    "very_dissatisfied": ("1F61E", "very unhappy face"),
    "strongly_agree": ("1F604", "very happy face"), "agree": ("1F642", "happy face"),
    "disagree": ("1F641", "unhappy face"), "strongly_disagree": ("1F61E", "very unhappy face"),
    "very_good": ("1F604", "very happy face"), "good": ("1F642", "happy face"),
    "poor": ("1F641", "unhappy face"), "very_poor": ("1F61E", "very unhappy face"),
    "a_lot_better": ("2B06", "arrow going up"), "a_bit_better": ("2197", "arrow going up a little"),
    "no_change": ("27A1", "arrow going across"), "a_bit_worse": ("2198", "arrow going down a little"),
    "a_lot_worse": ("2B07", "arrow going down"),
    "dont_know": ("1F937", "person shrugging"), "dont_understand": ("2753", "question mark"),
    "not_applicable": ("1F6AB", "no entry sign"), "yes": ("2705", "tick"), "no": ("274C", "cross"),
}
ATTRIBUTION = Markup(
    'Symbols: <a class="govuk-footer__link" href="https://openmoji.org/">OpenMoji</a>, '
    'the open-source emoji and icon project, licensed '
    '<a class="govuk-footer__link" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>.'
)


def _dictionary():
    try:
        from surveys import symbols
    except ImportError:  # the dictionary is optional: pages still work with words alone
        return None
    return symbols


def symbol_url(hexcode: str) -> str:
    return f"/symbols/{hexcode.upper()}.svg"


def _img(hexcode: str, alt: str, css: str) -> Markup:
    return Markup('<img class="{}" src="{}" alt="{}" width="56" height="56">').format(css, symbol_url(hexcode), alt)


def symbol_image(key: str | None, css: str = "app-symbol") -> Markup:
    """The picture for a dictionary key (an element's `symbol`), or nothing."""
    dictionary = _dictionary()
    if not key or dictionary is None:
        return Markup("")
    found = dictionary.symbol_for(key)
    if not found:
        return Markup("")
    hexcode, alt = found
    return _img(hexcode, alt, css)


def line_picture(text: str, css: str = "app-er-list__symbol", fallback: str = "information") -> Markup:
    """The picture for a line of easy-read text we did not write (a notice's summary): the symbol
    of its first dictionary word, or the fallback's, so every line keeps a picture on its left."""
    dictionary = _dictionary()
    if dictionary is None:
        return Markup("")
    found = dictionary.symbols_in(text or "")
    if found:
        _, hexcode, alt = found[0]
        return _img(hexcode, alt, css)
    return symbol_image(fallback, css)


def line_key(text: str, fallback: str = "information") -> str:
    """The picture for a line of easy-read text we did not write (a notice's summary): the key of
    its first dictionary word that is not negated, or the fallback."""
    dictionary = _dictionary()
    if dictionary is None:
        return fallback
    for word in dictionary.symbol_words(text or ""):
        for piece in word:
            if piece.symbol is not None and not piece.negated:
                return piece.symbol.key
    return fallback


def option_picture(value: str) -> Markup:
    face = FACES.get(value)
    return _img(face[0], face[1], "app-option-symbol") if face else Markup("")


def _symbol_word(piece, before: str = "", after: str = "") -> Markup:
    """A key word with its picture directly above it, as one unit. The picture carries the word as
    its name, so a screen reader reads the sentence once; the printed word under it is hidden from
    it. Punctuation touching the word sits on the word's own line, right against it (`before`,
    `after`), and stays readable. A negated word's picture is crossed out (the cross is drawn by
    CSS and says nothing to a screen reader: the sentence's own "not" does)."""
    img = _img(piece.symbol.hexcode, piece.text, "app-sym__img")
    if piece.negated:
        img = Markup('<span class="app-sym__picture">{}<span class="app-sym__cross" aria-hidden="true"></span></span>').format(img)
    return Markup(
        '<span class="app-sym{}">{}<span class="app-sym__row">{}<span class="app-sym__word" aria-hidden="true">{}</span>{}</span></span>'
    ).format(" app-sym--not" if piece.negated else "", img, before, piece.text, after)


_LEADING_MARKS = re.compile(r"^[^\w\s]+")
_TRAILING_MARKS = re.compile(r"[^\w\s]+$")


def _symbol_unit(word) -> Markup:
    """One unit of symbol-supported text. Punctuation with no space beside a pictured word goes on
    that word's line, right against it (a comma after "Yes" sits against the word, not after the
    picture's wider column)."""
    pieces = list(word)
    out: list[Markup] = []
    lead = ""
    for index, piece in enumerate(pieces):
        before = pieces[index - 1] if index else None
        after = pieces[index + 1] if index + 1 < len(pieces) else None
        if piece.symbol is None:
            text = piece.text
            if before is not None and before.symbol is not None:
                text = _LEADING_MARKS.sub("", text)  # already on the pictured word's line
            if after is not None and after.symbol is not None:
                marks = _TRAILING_MARKS.search(text)
                if marks:
                    lead, text = marks.group(), text[: marks.start()]
            if text:
                out.append(escape(text))
            continue
        trailing = _LEADING_MARKS.match(after.text) if after is not None and after.symbol is None else None
        out.append(_symbol_word(piece, lead, trailing.group() if trailing else ""))
        lead = ""
    return Markup("").join(out)


def _hexcode_of(key: str | None) -> str | None:
    dictionary = _dictionary()
    found = dictionary.symbol_for(key) if dictionary and key else None
    return found[0] if found else None


def with_symbols(text: str, own: str | None = None, seen: set[str] | None = None, limit: int | None = None) -> Markup:
    """Symbol-supported text: key words with their picture above them, each with the punctuation
    that touches it in one unit that wraps like a word (`surveys.symbols.symbol_words` decides which
    words get a picture). `own` is the line's own picture (a key), never repeated inline; `seen`
    the pictures already shown in this question."""
    dictionary = _dictionary()
    if dictionary is None or not text:
        return escape(text or "")
    seen = seen if seen is not None else set()
    own_hexcode = _hexcode_of(own)
    if own_hexcode:
        seen.add(own_hexcode)
    out: list[Markup] = []
    for word in dictionary.symbol_words(text, seen=seen, limit=limit):
        parts = _symbol_unit(word)
        if len(word) > 1 or word[0].symbol is not None:
            parts = Markup('<span class="app-sym-unit">{}</span>').format(parts)
        out.append(parts)
    return Markup(" ").join(out)


def line_symbol(key: str | None, text: str, css: str = "app-er-list__symbol") -> Markup:
    """A line's own picture on its left. When it only shows what the words say it is decorative
    (alt=""), so a screen reader does not hear the word twice; a picture that adds meaning keeps its name."""
    dictionary = _dictionary()
    if not key or dictionary is None:
        return Markup("")
    found = dictionary.symbol_for(key)
    if not found:
        return Markup("")
    hexcode, alt = found
    return _img(hexcode, "" if dictionary.repeats_words(key, text) else alt, css)


def offered_options(question, variant: str):
    """The answers offered in a version. Easy read has one "Not sure": where a scale also offers
    "Don't know", its middle point is left out and "Don't know" is shown as "Not sure" (recorded as
    dont_know, so it stays out of the base in figures like every "Don't know")."""
    options = list(question.all_options)
    if variant == "standard":
        return [o for o in options if o.value != "dont_understand"]
    values = {o.value for o in options}
    if question.type == "scale" and "dont_know" in values and "neither" in values:
        options = [o for o in options if o.value != "neither"]
    return options


def easy_answers(question, variant: str) -> list[tuple[object, Markup, Markup]]:
    """Each answer of an easy-read question as (option, picture, words): one picture per answer,
    the face for scales and yes/no (with its words), otherwise the picture of its first key word in
    the "with pictures" version; never the same picture for two answers of one question."""
    used: set[str] = set()
    answers = []
    for option in offered_options(question, variant):
        label = option.easy_read or option.label
        face = FACES.get(option.value)
        if face and face[0] not in used:
            used.add(face[0])
            answers.append((option, _img(face[0], face[1], "app-option-symbol"), escape(label)))
        elif variant == "symbols":
            seen = set(used)
            words = with_symbols(label, seen=seen, limit=1)
            used |= seen
            answers.append((option, Markup(""), words))
        else:
            answers.append((option, Markup(""), escape(label)))
    return answers


def answer_picture(question, value, variant: str, line: str = "", css: str = "app-er-check__symbol") -> Markup:
    """The picture beside an answer on the easy-read check page: the face for scales and yes/no,
    otherwise the picture of the chosen answer's first key word that is not negated (the first
    chosen, for several), a pencil for written answers, and the question's picture for the rest.
    Like a line's picture, it is decorative (alt="") when it only shows what the line's words say
    (`line`: the question and answer as printed), and named when it adds to them."""
    dictionary = _dictionary()
    if dictionary is None or value is None or value == "" or value == []:
        return Markup("")
    first = value[0] if isinstance(value, list) else value
    face = FACES.get(first) if isinstance(first, str) else None
    if face:
        hexcode, alt = face
    else:
        option = next((o for o in question.all_options if o.value == first), None) if question else None
        if option is not None:
            # An answer with no key word of its own ("Something else") gets no picture rather than
            # the question's: "hard" beside "Something else" would read as the answer.
            key = line_key(option.easy_read or option.label, fallback="")
        else:
            key = "write" if question.type in ("short_text", "long_text") else (question.easy_read.symbol or "information")
        found = dictionary.symbol_for(key) if key else None
        if not found:
            return _NO_PICTURE
        hexcode, alt = found
    shown = {h for _, h, _ in dictionary.symbols_in(line)}
    repeats = hexcode in shown or (alt and alt.lower() in line.lower())
    return _img(hexcode, "" if repeats else alt, css)


_NO_PICTURE = Markup('<span class="app-er-check__symbol" aria-hidden="true"></span>')  # keeps the words in line


def template_globals() -> dict[str, object]:
    """What the templates call to show symbols (given to the Jinja environment by the app factory)."""
    return {
        "with_symbols": with_symbols,
        "line_symbol": line_symbol,
        "line_key": line_key,
        "easy_answers": easy_answers,
        "offered_options": offered_options,
        "picture_set": set,
        "symbol_image": symbol_image,
        "line_picture": line_picture,
        "option_picture": option_picture,
        "answer_picture": answer_picture,
        "symbols_attribution": ATTRIBUTION,
    }
