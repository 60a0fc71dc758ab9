"""Symbols in pages: OpenMoji pictures above key words (the "with pictures" version), a picture
beside each easy-read question, and faces beside scale answers, always with their words."""

from __future__ import annotations

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


def option_picture(value: str) -> Markup:
    face = FACES.get(value)
    return _img(face[0], face[1], "app-option-symbol") if face else Markup("")


def with_symbols(text: str) -> Markup:
    """Key words with their symbol above them. The picture carries the word as its name, so a
    screen reader reads the sentence once; the printed word under it is hidden from it."""
    dictionary = _dictionary()
    if dictionary is None or not text:
        return escape(text or "")
    out: list[Markup] = []
    position = 0
    for (start, end), hexcode, alt in dictionary.symbols_in(text):
        out.append(escape(text[position:start]))
        word = text[start:end]
        out.append(Markup(
            '<span class="app-sym">{}<span class="app-sym__word" aria-hidden="true">{}</span></span>'
        ).format(_img(hexcode, word, "app-sym__img"), word))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def template_globals() -> dict[str, object]:
    """What the templates call to show symbols (given to the Jinja environment by the app factory)."""
    return {
        "with_symbols": with_symbols,
        "symbol_image": symbol_image,
        "line_picture": line_picture,
        "option_picture": option_picture,
        "symbols_attribution": ATTRIBUTION,
    }
