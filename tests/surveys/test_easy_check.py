"""The easy-read checks and the picture search, without the web layer."""

from __future__ import annotations

from surveys import authoring, easy_check, symbols


def question(**raw):
    return easy_check.preview_question({"type": "single_choice", "text": "Q", **raw})


def kinds(q) -> list[str]:
    return [w.kind for w in easy_check.question_warnings(q)]


def test_the_search_finds_pictures_by_word_and_synonym_best_first_and_nothing_for_nonsense():
    assert [s.key for s in symbols.search("school")][0] == "school"
    assert {"primary_school", "special_school"} <= {s.key for s in symbols.search("school")}
    assert symbols.search("zzqxv") == [] and symbols.search("") == [] and symbols.search("a") == []
    assert symbols.search("s" * 5000) == []


def test_words_without_pictures_leave_out_small_words_negations_and_pictured_phrases():
    assert easy_check.words_without_pictures("I do not like the gubbins at school") == ["gubbins"]
    assert easy_check.words_without_pictures("Is your EHC plan helping you?") == []  # "EHC plan" is one picture
    assert easy_check.words_without_pictures("Gubbins, gubbins and wotsits") == ["gubbins", "wotsits"]  # each named once


def test_a_negated_word_is_only_a_problem_when_it_is_the_lines_plain_picture():
    assert "negated" in kinds(question(easy_read={"text": "I do not feel safe", "symbol": "safe"}))
    assert "negated" not in kinds(question(easy_read={"text": "I do not feel safe"}))  # crossed out above the word
    assert "negated" not in kinds(question(easy_read={"text": "I feel safe", "symbol": "safe"}))


def test_answers_warn_about_a_shared_first_picture_and_too_many_answers():
    options = [{"value": f"a{n}", "label": f"Answer {n}", "easy_read": "Happy"} for n in range(1, 3)]
    assert kinds(question(options=options)).count("same_picture") == 1
    six = [{"value": f"a{n}", "label": f"Club {n}", "easy_read": f"Club {n}"} for n in range(1, 7)]
    assert "too_many_answers" in kinds(question(options=six))
    assert "too_many_answers" not in kinds(question(options=six[:5]))


def test_answer_rows_change_and_parse_with_errors_under_the_row_field():
    rows = authoring.change_rows([{"label": "A"}, {"label": "B"}], "add")
    assert len(rows) == 3 and rows[2] == {"label": "", "easy_read": "", "hint": "", "value": ""}
    assert [r["label"] for r in authoring.change_rows(rows, "up-2")] == ["B", "A", ""]
    assert [r["label"] for r in authoring.change_rows(rows, "down-1")] == ["B", "A", ""]
    assert [r["label"] for r in authoring.change_rows(rows, "remove-1")] == ["B", ""]
    assert authoring.change_rows(rows, "remove-99") == rows and authoring.change_rows(rows, "up-x") == rows
    options, errors = authoring.parse_option_rows([{"label": "Yes, often"}, {"label": "", "easy_read": "Sad"}], "")
    assert options == [{"value": "yes_often", "label": "Yes, often"}]
    assert list(errors) == ["option-2-label"]
    values = authoring.rows_as_values([{"label": "A"}])
    assert authoring.option_rows({**values, "option-7-label": "B"}) == [
        {"label": "A", "easy_read": "", "hint": "", "value": ""}, {"label": "B", "easy_read": "", "hint": "", "value": ""}]
