"""Symbol-supported text in every easy-read and picture version of every built-in survey.

The walk answers so that every conditional question shows, and checks each question and answer as
a young person meets them (tests/symbol_text.py): no picture twice, no negated word pictured
plainly, no two answers with the same picture, one picture per answer, no punctuation or word cut
from its line, no picture for small words. The lines around the questions are checked too."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from feedback.respond.symbols import easy_answers, offered_options, with_symbols
from surveys.instrument import built_in_instruments
from surveys.journey import visible_pages
from tests.conftest import open_test_run
from tests.symbol_text import question_problems, text_problems
from tests.walker import Walker, parse_forms, reference_on

EASY_VERSIONS = [
    (key, version)
    for key, instrument in sorted(built_in_instruments().items())
    for version in instrument.variants if version != "standard"
]


def revealing_answers(instrument) -> dict[str, list[str]]:
    prefer: dict[str, list[str]] = {}
    for question in instrument.questions:
        condition = question.show_if
        if condition is None:
            continue
        if condition.includes is not None:
            prefer.setdefault(condition.question, []).append(condition.includes)
        else:
            prefer.setdefault(condition.question, [condition.values()[0]])
    return prefer


def answer(form, prefer) -> list[tuple[str, str]]:
    data, done = [], set()
    for f in form.fields:
        if f.kind == "hidden":
            data.append((f.name, f.value))
        elif f.kind in ("radio", "checkbox"):
            wanted = prefer.get(f.name)
            if wanted is not None:
                if f.value in wanted:
                    data.append((f.name, f.value))
            elif f.name not in done:
                data.append((f.name, f.value))
                done.add(f.name)
        elif f.kind == "textarea":
            data.append((f.name, "The SENCo listens."))
        elif f.kind in ("text", "number") and f.name not in done:
            data.append((f.name, "3" if f.inputmode == "numeric" else "A friend"))
            done.add(f.name)
    return data


@pytest.mark.parametrize(("instrument_key", "version"), EASY_VERSIONS, ids=[f"{k}-{v}" for k, v in EASY_VERSIONS])
def test_every_question_and_answer_reads_right(client, instrument_key, version):
    survey = open_test_run(instrument_key, prefix="symtext")
    instrument = survey.instrument
    prefer = revealing_answers(instrument)
    walker = Walker(client)
    response = walker.get(f"/s/{survey.slug}?version={version}")
    problems = question_problems(response.text, "start page")
    questions_seen = set()
    for _ in range(80):
        assert response.status_code < 500, response.text[:500]
        if reference_on(response.text):
            break
        step = str(response.url).split("?")[0].rsplit("/", 1)[-1]
        if "/q/" in str(response.url):
            questions_seen.add(step)
        problems += question_problems(response.text, step)
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, answer(form, prefer))
    assert reference_on(response.text), f"the walk did not reach the confirmation: {walker.pages_seen[-3:]}"
    problems += question_problems(response.text, "confirmation")
    multiple = {q.key for q in instrument.questions if q.type == "multiple_choice"}
    chosen = {key: (values if key in multiple else values[0]) for key, values in prefer.items()}
    expected = {p.key for p in visible_pages(instrument, chosen)}
    assert questions_seen == expected, f"the walk missed {expected - questions_seen}"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_picture_version_shows_pictures_at_all():
    """The checks above pass trivially on words alone: the picture version must show pictures."""
    instrument = built_in_instruments()["annual-send-young-person"]
    shown = sum(str(with_symbols(q.easy_read.text or q.text, q.easy_read.symbol)).count("<img") for q in instrument.questions)
    assert shown >= 10


def fragment(markup) -> object:
    return lxml_html.fragment_fromstring(f"<p>{markup}</p>")


@pytest.mark.parametrize("text", [
    "Please do not write any names.",
    "I do not have to tell my story again and again.",
    "Nothing makes it hard.",
    "We never tell anyone.",
    "You can go to school without help.",
    "I can't get to the park.",
])
def test_a_negated_word_is_never_pictured_plainly(text):
    markup = with_symbols(text)
    element = fragment(markup)
    assert text_problems(element, text) == []
    assert "app-sym--not" in str(markup), f"{text!r}: the negated key word should be crossed out"
    assert " ".join(element.text_content().split()) == text


def test_words_that_mean_not_knowing_are_their_own_picture_not_a_negation():
    for text in ("I don't know", "I am not sure", "I don't understand"):
        markup = str(with_symbols(text))
        assert "app-sym--not" not in markup and markup.count("<img") == 1, markup


def test_punctuation_and_one_letter_words_stay_with_their_word():
    markup = str(with_symbols("Do you have an EHC plan? I don't know."))
    assert '<span class="app-sym-unit">' in markup
    element = fragment(markup)
    units = [" ".join(u.text_content().split()) for u in element.find_class("app-sym-unit")]
    assert units == ["EHC plan EHC plan?", "I don't know don't know."] or all(u.endswith(("?", ".")) for u in units), units
    assert text_problems(element, "plan") == []


def test_a_picture_appears_once_and_never_repeats_the_lines_own_picture():
    markup = str(with_symbols("Help at school and help at home, school every day.", own="home"))
    assert markup.count("/symbols/1F3EB.svg") == 1  # school once
    assert "/symbols/1F3E0.svg" not in markup  # home is the line's own picture
    assert markup.count('alt="Help"') == 1 and 'alt="help"' not in markup


def test_small_words_have_no_picture():
    markup = str(with_symbols("I want to go to the shop and the park."))
    element = fragment(markup)
    assert [" ".join(s.text_content().split()) for s in element.find_class("app-sym__word")] == ["shop", "park"]


def test_answers_get_one_picture_each_and_never_the_same_one():
    instrument = built_in_instruments()["annual-send-young-person"]
    for question in instrument.questions:
        if not question.all_options:
            continue
        pictures = []
        for _, picture, words in easy_answers(question, "symbols"):
            shown = str(picture) + str(words)
            assert shown.count("<img") <= 1, (question.key, shown)
            pictures += [src for src in lxml_html.fragment_fromstring(f"<p>{shown}</p>").xpath("//img/@src")]
        assert len(pictures) == len(set(pictures)), (question.key, pictures)


def test_easy_read_scales_have_one_not_sure_and_keep_i_dont_understand_apart():
    instrument = built_in_instruments()["annual-send-young-person"]
    scale = next(q for q in instrument.questions if q.type == "scale" and any(o.value == "dont_know" for o in q.all_options))
    easy = [(o.value, o.easy_read or o.label) for o in offered_options(scale, "easy_read")]
    labels = [label for _, label in easy]
    assert labels.count("Not sure") == 1 and "I don't know" not in labels
    assert ("dont_know", "Not sure") in easy and ("dont_understand", "I don't understand") in easy
    assert len(easy) == 6
    standard = [o.value for o in offered_options(scale, "standard")]
    assert "neither" in standard and "dont_know" in standard and "dont_understand" not in standard


def test_a_possessive_stays_whole_under_its_picture():
    element = fragment(with_symbols("Give the young person's age."))
    words = [" ".join(s.text_content().split()) for s in element.find_class("app-sym__row")]
    assert words == ["young person's", "age."]
    assert text_problems(element, "possessive") == []
