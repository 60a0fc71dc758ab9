"""The instrument format: the built-in files are valid, and every kind of mistake is reported
with the file, the question key and what is wrong."""

import copy
import tomllib
from pathlib import Path

import pytest

from surveys.instrument import (
    BUILT_IN_DIR,
    InstrumentInvalid,
    built_in_instruments,
    load_instrument_file,
    parse_instrument,
)

PARENT = tomllib.loads((BUILT_IN_DIR / "annual-send-parent.toml").read_text())


def _standard_only(data):
    """The parents' survey offered in its standard version only, with no easy-read words: the
    base these format tests change one thing in (the built-in file has easy read now)."""
    data["variants"] = ["standard"]
    for section in data["sections"]:
        section.pop("easy_read", None)
        for q in section["questions"]:
            q.pop("easy_read", None)
            for option in q.get("options", []):
                option.pop("easy_read", None)
    return data


PARENT = _standard_only(PARENT)


def problems_for(data, source="test.toml"):
    with pytest.raises(InstrumentInvalid) as caught:
        parse_instrument(data, source=source)
    return [str(p) for p in caught.value.problems]


def mutated(change):
    data = copy.deepcopy(PARENT)
    change(data)
    return data


def question(data, key):
    for section in data["sections"]:
        for q in section["questions"]:
            if q["key"] == key:
                return q
    raise KeyError(key)


def test_built_in_instruments_load_and_cover_the_annual_survey_topics():
    instruments = built_in_instruments()
    assert set(instruments) >= {"annual-send-parent", "annual-send-young-person"}
    parent = instruments["annual-send-parent"]
    keys = set(parent.question_keys)
    # about you and your child, joined up, listened to, needs met, EHC plan, information, adulthood, overall, free text
    for key in ("respondent_role", "child_age", "setting", "support_level", "main_need", "services_joined_up",
                "tell_us_once", "listened_to", "needs_met", "ehc_plan_delivered", "local_offer_helpful",
                "preparing_for_adulthood", "overall_satisfaction", "works_well", "could_be_better", "anything_else"):
        assert key in keys
    young = instruments["annual-send-young-person"]
    assert young.audience == "young_person"
    assert young.questions_by_key["age_band"].type == "age_band"


def test_every_page_has_a_question_and_pages_follow_the_file_order():
    parent = built_in_instruments()["annual-send-parent"]
    assert [q.key for p in parent.pages for q in p.questions] == list(parent.question_keys)


def test_problem_names_file_question_and_what_is_wrong():
    data = mutated(lambda d: question(d, "setting").update(type="dropdown"))
    assert problems_for(data, "annual.toml") == [
        "annual.toml: setting: 'type' must be one of single_choice, multiple_choice, scale, yes_no, "
        "short_text, long_text, number, age_band, not 'dropdown'"
    ]


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: question(d, "needs_met").update(scale="happiness"), "needs_met: 'scale' must be one of"),
        (lambda d: question(d, "setting").update(options=[]), "setting: 'options' must be a non-empty list"),
        (lambda d: question(d, "setting")["options"].append({"value": "other", "label": "Dup"}), "option value 'other' is used twice"),
        (lambda d: question(d, "setting")["options"].append({"value": "Bad Value", "label": "x"}), "must be lower case letters"),
        (lambda d: question(d, "needs_met").update(colour="red"), "needs_met: unknown field 'colour'"),
        (lambda d: question(d, "ehc_plan_timely").update(show_if={"question": "nope", "equals": "x"}), "show_if refers to 'nope', which is not an earlier question"),
        (lambda d: question(d, "ehc_plan_timely").update(show_if={"question": "support_level", "equals": "maybe"}), "show_if value 'maybe' is not an option of 'support_level'"),
        (lambda d: question(d, "respondent_role").update(show_if={"question": "overall_satisfaction", "equals": "satisfied"}), "not an earlier question"),
        (lambda d: question(d, "ehc_plan_timely").update(show_if={"question": "support_level"}), "exactly one of 'equals', 'any_of' or 'includes'"),
        (lambda d: question(d, "works_well").update(max_length=0), "'max_length' must be between 1 and"),
        (lambda d: question(d, "needs_met").update(min=3), "'min' and 'max' are only for number questions"),
        (lambda d: question(d, "needs_met").update(optional="yes"), "'optional' must be true or false"),
        (lambda d: question(d, "works_well").update(dont_know=True), "'dont_know' is only for single choice"),
        (lambda d: question(d, "needs_met").pop("text"), "needs_met: 'text' is missing"),
        (lambda d: question(d, "needs_met").update(key="needs met"), "'key' must start with a letter"),
        (lambda d: question(d, "tell_us_once").update(key="services_joined_up"), "services_joined_up: this key is used by more than one question"),
        (lambda d: d.update(audience="everyone"), "instrument: 'audience' must be one of"),
        (lambda d: d.update(variants=["easy_read"]), "'variants' must be a list including 'standard'"),
        (lambda d: d.update(sections=[]), "'sections' must be a non-empty list"),
        (lambda d: d.update(minutes="ten"), "'minutes' must be a whole number"),
        (lambda d: d["sections"][0].update(questions=[]), "about: a section needs at least one question"),
        (lambda d: question(d, "child_age").update(bands="adult"), "'bands' must be one of child, young_person"),
    ],
)
def test_each_kind_of_mistake_is_reported(change, expected):
    problems = problems_for(mutated(change))
    assert any(expected in p for p in problems), problems


def test_all_problems_are_reported_at_once():
    def break_two(d):
        question(d, "needs_met").update(scale="nope")
        question(d, "setting").update(options="x")

    problems = problems_for(mutated(break_two))
    assert len(problems) == 2
    assert {p.split(": ")[1] for p in problems} == {"needs_met", "setting"}


def test_offering_easy_read_without_easy_read_text_names_each_element():
    problems = problems_for(mutated(lambda d: d.update(variants=["standard", "easy_read"])))
    assert any("respondent_role: the easy-read variant is offered but this question has no easy_read.text" in p for p in problems)
    assert any("about: the easy-read variant is offered but this section has no easy_read.text" in p for p in problems)


def test_page_groups_must_be_neighbours_in_one_section():
    def spread(d):
        question(d, "listened_to")["page"] = "group"
        question(d, "needs_met")["page"] = "group"

    assert any("page 'group' must group neighbouring questions" in p for p in problems_for(mutated(spread)))


def test_grouped_questions_share_one_page():
    def group(d):
        question(d, "services_joined_up")["page"] = "joined_up"
        question(d, "tell_us_once")["page"] = "joined_up"

    instrument = parse_instrument(mutated(group))
    page = instrument.pages_by_key["joined_up"]
    assert [q.key for q in page.questions] == ["services_joined_up", "tell_us_once"]
    assert page.title == "Services working together"


def test_a_file_that_is_not_toml_is_reported(tmp_path: Path):
    path = tmp_path / "broken.toml"
    path.write_text('key = "x"\ntitle = "unterminated\n')
    with pytest.raises(InstrumentInvalid) as caught:
        load_instrument_file(path)
    assert str(caught.value).startswith("broken.toml: -: not valid TOML")


def test_a_stored_run_definition_round_trips():
    instrument = built_in_instruments()["annual-send-young-person"]
    again = parse_instrument(copy.deepcopy(instrument.raw))
    assert again.question_keys == instrument.question_keys
    assert again.pages_by_key.keys() == instrument.pages_by_key.keys()
