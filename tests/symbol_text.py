"""Checks of symbol-supported text in a rendered page, shared by the HTTP and the browser tests.

Independent of the code that lays the text out (`surveys.symbols.symbol_words`): it reads the HTML
as a reader would meet it and reports what a young person would be misled or confused by:
- a picture shown twice in one question (its own picture, its words and its hint) or one answer;
- two answers of a question with the same picture, or an answer with more than one picture;
- a word negated by not/never/no/nothing/don't/can't/without shown with its plain picture;
- punctuation or a one-letter word that can be cut from its word at a line break;
- a picture of a small word (the, a, to, and).
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

NEGATORS = {"not", "never", "no", "nothing", "nobody", "none", "without", "cannot", "neither", "nor"}
SMALL_WORDS = {"the", "a", "an", "to", "and", "or", "of", "in", "on", "at", "it", "is", "i", "me", "my", "you"}
CLAUSE_END = re.compile(r"[,.;:?!]")
CLAUSE_WORDS = {"but", "because", "so", "when", "if", "unless", "then"}


def _negator(word: str) -> bool:
    word = word.lower().strip(".,;:?!\"'()").replace("’", "'")
    return word in NEGATORS or word.endswith("n't")


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _sequence(element):
    """The element's content in reading order: ("text", words) and ("sym", element) items."""
    items = []

    def visit(node):
        if not isinstance(node.tag, str):
            return
        if "app-sym" in _classes(node):
            items.append(("sym", node))
        else:
            if node.text:
                items.append(("text", node.text))
            for child in node:
                visit(child)
        if node is not element and node.tail:
            items.append(("text", node.tail))

    visit(element)
    return items


def _word_of(sym) -> str:
    word = sym.find_class("app-sym__word")
    return " ".join((word[0].text_content() if word else "").split())


def text_problems(element, what: str) -> list[str]:
    """Negation, small words and cut punctuation inside one piece of text."""
    problems = []
    negating = False
    for kind, item in _sequence(element):
        if kind == "text":
            for token in item.split():
                if token.lower().strip(".,;:?!") in CLAUSE_WORDS:
                    negating = False
                if _negator(token):
                    negating = True
                if CLAUSE_END.search(token[-1:]):
                    negating = False
            continue
        word = _word_of(item)
        crossed = "app-sym--not" in _classes(item)
        own_negation = any(_negator(w) for w in word.split())
        if negating and not own_negation and not crossed:
            problems.append(f"{what}: {word!r} is negated but shown with its plain picture")
        if crossed and not negating:
            problems.append(f"{what}: {word!r} is crossed out but not negated")
        if word.lower() in SMALL_WORDS:
            problems.append(f"{what}: the small word {word!r} has a picture")
        if "app-sym-unit" not in _classes(item.getparent()):
            problems.append(f"{what}: {word!r} and its picture are not kept together with their punctuation")
        if CLAUSE_END.search(" ".join(item.text_content().split())[-1:]):  # its punctuation ends the clause
            negating = False
    for unit in element.find_class("app-sym-unit"):
        tail = unit.tail or ""
        if tail and not tail[0].isspace():
            problems.append(f"{what}: {tail[:3]!r} after {unit.text_content().split()!r} can be cut from its word")
        before = unit.getprevious()
        previous_text = (before.tail if before is not None else unit.getparent().text) or ""
        if previous_text and not previous_text[-1].isspace():
            problems.append(f"{what}: {previous_text[-3:]!r} before {unit.text_content().split()!r} can be cut from its word")
        elif previous_text.split() and len(previous_text.split()[-1]) == 1 and previous_text.split()[-1].isalpha():
            problems.append(f"{what}: the word {previous_text.split()[-1]!r} can be left alone at the end of a line")
    return problems


def pictures(element) -> list[str]:
    return [img.get("src") for img in element.iter("img")]


def question_problems(page_html: str, what: str) -> list[str]:
    """Every check on a question page (and on easy-read lines of any page)."""
    root = lxml_html.fromstring(page_html)
    main = root.get_element_by_id("main-content")
    problems = []
    for heading in main.find_class("app-er-question"):
        question = heading.getparent() if heading.tag != "h1" else heading
        # The question: its own picture, its words and its hint together show each picture once.
        # The question's own group: its fieldset (with the form group around it), or its form group.
        group = next((a for a in heading.iterancestors() if a.tag == "fieldset" or "govuk-form-group" in _classes(a)), None)
        if group is not None and group.tag == "fieldset" and "govuk-form-group" in _classes(group.getparent()):
            group = group.getparent()
        hint = [h for h in (group if group is not None else main).find_class("govuk-hint")][:1]
        shown = pictures(heading) + [src for h in hint for src in pictures(h)]
        repeated = sorted({src for src in shown if shown.count(src) > 1})
        if repeated:
            problems.append(f"{what}: the question shows {repeated} more than once")
        problems += text_problems(question, f"{what} (question)")
        for h in hint:
            problems += text_problems(h, f"{what} (hint)")
        answers = (group if group is not None else main).find_class("app-er-option")
        seen: dict[str, str] = {}
        for answer in answers:
            words = " ".join(answer.text_content().split())
            srcs = pictures(answer)
            if len(srcs) > 1:
                problems.append(f"{what}: the answer {words!r} has {len(srcs)} pictures")
            for src in srcs:
                if src in seen:
                    problems.append(f"{what}: the answers {seen[src]!r} and {words!r} have the same picture {src}")
                seen[src] = words
            problems += text_problems(answer, f"{what} (answer {words!r})")
    for line in main.find_class("app-er-list__item"):
        words = " ".join(line.text_content().split())
        srcs = pictures(line)
        repeated = sorted({src for src in srcs if srcs.count(src) > 1})
        if repeated:
            problems.append(f"{what}: the line {words!r} shows {repeated} twice")
        problems += text_problems(line, f"{what} (line {words!r})")
        own = line.find_class("app-er-list__symbol")
        if own and _pictures_a_negated_word(own[0].get("src"), words):
            problems.append(f"{what}: the line {words!r} has the plain picture of what it says is not so")
    return problems


def _pictures_a_negated_word(src: str | None, text: str) -> bool:
    """Whether the picture (by its file) stands for a word the line negates."""
    from surveys.symbols import dictionary, normalise

    hexcode = (src or "").rsplit("/", 1)[-1].removesuffix(".svg")
    names = {normalise(w) for s in dictionary().symbols.values() if s.hexcode == hexcode for w in s.words}
    for clause in re.split(r"[,.;:?!]|\b(?:but|because|so|when|if)\b", text):
        tokens = clause.split()
        for index, token in enumerate(tokens):
            if _negator(token):
                after = normalise(" ".join(tokens[index + 1:]))
                if any(re.search(rf"(?<![\w']){re.escape(name)}(?![\w'])", after) for name in names):
                    return True
    return False
