"""The built-in instrument files: they load, the POET-style questionnaires have the agreed structure,
the consultation uses every question type, and easy-read wording stays short."""

import re
import tomllib

import pytest

from surveys.answer_types import AGE_BAND, ANSWER_TYPES, LONG_TEXT, MULTIPLE_CHOICE, SCALE, SINGLE_CHOICE
from surveys.instrument import BUILT_IN_DIR, built_in_instruments, iter_problems, parse_instrument

INSTRUMENTS = built_in_instruments()
POET = ("poet-parent-carer", "poet-young-person", "poet-practitioner")
EASY_READ_FILES = ("annual-send-young-person", "poet-young-person", "pcv-consultation-short-breaks")
LIFE_AREAS = ("health", "relationships", "learning", "community", "choice_control", "safety", "adulthood", "independence")
PROCESS = ("views_included", "information_clear", "agencies_together", "kept_simple")
RATINGS = ("dignity", "heard", "information", "choice")


def test_every_instrument_file_loads():
    assert list(iter_problems(BUILT_IN_DIR)) == []
    assert set(INSTRUMENTS) >= {
        "annual-send-parent", "annual-send-young-person", *POET, "pcv-consultation-short-breaks",
    }
    assert len(INSTRUMENTS) == len(list(BUILT_IN_DIR.glob("*.toml")))


@pytest.mark.parametrize("key", POET)
def test_poet_questionnaires_ask_who_filled_it_in_and_about_the_child(key):
    instrument = INSTRUMENTS[key]
    questions = instrument.questions_by_key
    completed_by = questions["completed_by"]
    assert completed_by.type == SINGLE_CHOICE
    assert [o.value for o in completed_by.options] == ["by_self", "with_help", "on_behalf"]
    assert sum(q.type == AGE_BAND for q in instrument.questions) == 1
    main_need = questions["main_need"]
    assert main_need.type == SINGLE_CHOICE
    assert {o.value for o in main_need.options} == {
        "communication_interaction", "cognition_learning", "semh", "sensory_physical", "not_sure",
    }
    assert instrument.audience == {"poet-parent-carer": "parent_carer", "poet-young-person": "young_person",
                                   "poet-practitioner": "practitioner"}[key]


@pytest.mark.parametrize("key", POET)
def test_poet_process_outcome_and_rating_questions_use_the_shared_scales(key):
    questions = INSTRUMENTS[key].questions_by_key
    process = [q for q in questions.values() if q.key.startswith("process_")]
    outcomes = [q for q in questions.values() if q.key.startswith("outcome_")]
    ratings = [q for q in questions.values() if q.key.startswith("rating_")]
    for item in PROCESS:
        assert f"process_{item}" in questions
    assert all(q.type == SCALE and q.scale == "frequency" for q in process)
    assert all("dont_know" in {o.value for o in q.special_options} for q in process)
    assert [q.key for q in outcomes] == [f"outcome_{area}" for area in LIFE_AREAS]
    assert all(q.type == SCALE and q.scale == "change" for q in outcomes)
    assert all("dont_know" in {o.value for o in q.special_options} for q in outcomes)
    for item in RATINGS:
        assert f"rating_{item}" in questions
    assert all(q.type == SCALE and q.scale == "rating" for q in ratings)
    free_text = [q for q in questions.values() if q.type == LONG_TEXT]
    assert free_text and all(q.optional for q in free_text)


def test_poet_questionnaires_share_keys_so_the_three_views_can_be_compared():
    shared = {"completed_by", "main_need", "plan_length", "works_well", "could_be_better"}
    shared |= {f"process_{p}" for p in (*PROCESS, "on_time", "knew_next")}
    shared |= {f"outcome_{a}" for a in LIFE_AREAS} | {f"rating_{r}" for r in (*RATINGS, "overall")}
    for key in POET:
        assert shared <= set(INSTRUMENTS[key].question_keys), key
    option_sets = {key: {q: [o.value for o in INSTRUMENTS[key].questions_by_key[q].options] for q in ("completed_by", "main_need", "plan_length")} for key in POET}
    assert option_sets["poet-parent-carer"] == option_sets["poet-young-person"] == option_sets["poet-practitioner"]


def test_preparing_for_adulthood_is_asked_of_older_children_only():
    for key in POET:
        condition = INSTRUMENTS[key].questions_by_key["outcome_adulthood"].show_if
        assert condition is not None and condition.any_of and not set(condition.any_of) & {"0_4", "5_10", "under_11", "11_12"}


def test_the_young_person_questionnaires_offer_easy_read_and_pictures_everywhere():
    for key in EASY_READ_FILES:
        instrument = INSTRUMENTS[key]
        assert instrument.variants == ("standard", "easy_read", "symbols"), key
        for section in instrument.sections:
            assert section.easy_read.text and section.easy_read.symbol, (key, section.key)
        for question in instrument.questions:
            assert question.easy_read.text and question.easy_read.symbol, (key, question.key)
            assert question.page is None
            if question.type in (SINGLE_CHOICE, MULTIPLE_CHOICE):
                assert all(o.easy_read for o in question.options), (key, question.key)


def easy_read_texts(instrument):
    for section in instrument.sections:
        yield section.key, section.easy_read.text
        yield section.key, section.easy_read.hint
        for question in section.questions:
            yield question.key, question.easy_read.text
            yield question.key, question.easy_read.hint
            for option in question.options:
                yield f"{question.key}/{option.value}", option.easy_read


@pytest.mark.parametrize("key", EASY_READ_FILES)
def test_easy_read_sentences_have_15_words_or_fewer(key):
    long_sentences = []
    for where, text in easy_read_texts(INSTRUMENTS[key]):
        for sentence in re.split(r"(?<=[.!?])\s+", text or ""):
            words = re.findall(r"[\w'’-]+", sentence)
            if len(words) > 15:
                long_sentences.append((where, sentence))
    assert long_sentences == []


@pytest.mark.parametrize("key", EASY_READ_FILES)
def test_easy_read_wording_follows_the_readability_advice(key):
    from surveys.readability import easy_read_advice

    advice = [str(a) for a in easy_read_advice(INSTRUMENTS[key])]
    # "Secondary school" is the name families use: kept, as the advice allows
    assert [a for a in advice if "Secondary" not in a] == []


def test_the_forum_consultation_uses_every_question_type_and_conditions():
    consultation = INSTRUMENTS["pcv-consultation-short-breaks"]
    assert consultation.audience in ("mixed", "parent_carer")
    assert {q.type for q in consultation.questions} == set(ANSWER_TYPES)
    exclusive = [o for q in consultation.questions if q.type == MULTIPLE_CHOICE for o in q.options if o.exclusive]
    assert [o.value for o in exclusive] == ["nothing"]
    conditions = [q.show_if for q in consultation.questions if q.show_if]
    assert any(c.equals for c in conditions) and any(c.any_of for c in conditions) and any(c.includes for c in conditions)
    number = next(q for q in consultation.questions if q.type == "number")
    assert (number.min, number.max, number.suffix) == (0, 45, "days")
    # a young person answering is asked their own age, so the under-13 consent rule applies to them
    assert consultation.respondent_age_question.key == "age_band"


def test_a_licensed_item_set_loads_as_data_with_no_code_change(tmp_path):
    """A licensed POET item set is just another instrument file: here, a stand-in with its own key
    and wording, loaded from its own folder."""
    text = (BUILT_IN_DIR / "poet-parent-carer.toml").read_text(encoding="utf-8")
    text = text.replace('key = "poet-parent-carer"', 'key = "poet-licensed-parent"', 1)
    text = text.replace("How often did the plan reflect what you told professionals about your child?", "Licensed item wording goes here")
    folder = tmp_path / "licensed"
    folder.mkdir()
    (folder / "poet-licensed-parent.toml").write_text(text, encoding="utf-8")
    loaded = built_in_instruments(folder)["poet-licensed-parent"]
    assert loaded.questions_by_key["process_views_included"].text == "Licensed item wording goes here"
    assert loaded.question_keys == INSTRUMENTS["poet-parent-carer"].question_keys
    assert parse_instrument(tomllib.loads(text)).key == "poet-licensed-parent"
