"""The answer types an instrument may use, and the built-in scales and age bands.

Scales are shared so that figures from different surveys mean the same thing: "satisfied" is
always the same two points of the same five-point scale.
"""

from __future__ import annotations

from dataclasses import dataclass

SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
SCALE = "scale"
YES_NO = "yes_no"
SHORT_TEXT = "short_text"
LONG_TEXT = "long_text"
NUMBER = "number"
AGE_BAND = "age_band"

ANSWER_TYPES = (SINGLE_CHOICE, MULTIPLE_CHOICE, SCALE, YES_NO, SHORT_TEXT, LONG_TEXT, NUMBER, AGE_BAND)
CHOICE_TYPES = (SINGLE_CHOICE, MULTIPLE_CHOICE, SCALE, YES_NO, AGE_BAND)
TEXT_TYPES = (SHORT_TEXT, LONG_TEXT)

# Character limits: generous for what families want to say, bounded so nothing can fill the disk.
DEFAULT_MAX_LENGTH = {SHORT_TEXT: 200, LONG_TEXT: 5000}
ABSOLUTE_MAX_LENGTH = 20000


@dataclass(frozen=True)
class ChoiceOption:
    value: str
    label: str
    easy_read: str | None = None
    hint: str | None = None
    exclusive: bool = False  # "None of these": cannot be combined with other answers


# Answers that are not an opinion. They are kept apart from the base in every figure.
# In easy read "Don't know" is "Not sure": one answer for not knowing, kept apart from "I don't
# understand" (which says the question failed, not the respondent's view).
DONT_KNOW = ChoiceOption("dont_know", "Don't know", "Not sure")
NOT_APPLICABLE = ChoiceOption("not_applicable", "Does not apply to us", "This does not apply to me")
DONT_UNDERSTAND = ChoiceOption("dont_understand", "I don't understand the question", "I don't understand")
NON_OPINION_VALUES = frozenset({DONT_KNOW.value, NOT_APPLICABLE.value, DONT_UNDERSTAND.value})


@dataclass(frozen=True)
class Scale:
    key: str
    options: tuple[ChoiceOption, ...]
    positive: frozenset[str]  # the values counted as "satisfied" / "agree" / "better" in figures


SCALES: dict[str, Scale] = {
    "satisfaction": Scale(
        "satisfaction",
        (
            ChoiceOption("very_satisfied", "Very satisfied", "Very happy"),
            ChoiceOption("satisfied", "Satisfied", "Happy"),
            ChoiceOption("neither", "Neither satisfied nor dissatisfied", "Not sure"),
            ChoiceOption("dissatisfied", "Dissatisfied", "Unhappy"),
            ChoiceOption("very_dissatisfied", "Very dissatisfied", "Very unhappy"),
        ),
        frozenset({"very_satisfied", "satisfied"}),
    ),
    "agreement": Scale(
        "agreement",
        (
            ChoiceOption("strongly_agree", "Strongly agree", "Yes, a lot"),
            ChoiceOption("agree", "Agree", "Yes"),
            ChoiceOption("neither", "Neither agree nor disagree", "Not sure"),
            ChoiceOption("disagree", "Disagree", "No"),
            ChoiceOption("strongly_disagree", "Strongly disagree", "No, not at all"),
        ),
        frozenset({"strongly_agree", "agree"}),
    ),
    "frequency": Scale(
        "frequency",
        (
            ChoiceOption("all_of_the_time", "All of the time", "Always"),
            ChoiceOption("most_of_the_time", "Most of the time", "Most of the time"),
            ChoiceOption("some_of_the_time", "Some of the time", "Sometimes"),
            ChoiceOption("none_of_the_time", "None of the time", "Never"),
        ),
        frozenset({"all_of_the_time", "most_of_the_time"}),
    ),
    "change": Scale(
        "change",
        (
            ChoiceOption("a_lot_better", "A lot better", "A lot better"),
            ChoiceOption("a_bit_better", "A bit better", "A bit better"),
            ChoiceOption("no_change", "No change", "The same"),
            ChoiceOption("a_bit_worse", "A bit worse", "A bit worse"),
            ChoiceOption("a_lot_worse", "A lot worse", "A lot worse"),
        ),
        frozenset({"a_lot_better", "a_bit_better"}),
    ),
    "rating": Scale(
        "rating",
        (
            ChoiceOption("very_good", "Very good", "Very good"),
            ChoiceOption("good", "Good", "Good"),
            ChoiceOption("neither", "Neither good nor poor", "OK"),
            ChoiceOption("poor", "Poor", "Bad"),
            ChoiceOption("very_poor", "Very poor", "Very bad"),
        ),
        frozenset({"very_good", "good"}),
    ),
}

YES_NO_OPTIONS = (ChoiceOption("yes", "Yes"), ChoiceOption("no", "No"))

# Age bands. The young person's bands keep "under 13" recoverable: consent rules depend on it.
AGE_BANDS: dict[str, tuple[ChoiceOption, ...]] = {
    "child": (
        ChoiceOption("0_4", "0 to 4 years"),
        ChoiceOption("5_10", "5 to 10 years"),
        ChoiceOption("11_15", "11 to 15 years"),
        ChoiceOption("16_17", "16 or 17 years"),
        ChoiceOption("18_25", "18 to 25 years"),
    ),
    "young_person": (
        ChoiceOption("under_11", "10 or younger", "10 or younger"),
        ChoiceOption("11_12", "11 or 12", "11 or 12"),
        ChoiceOption("13_15", "13 to 15", "13 to 15"),
        ChoiceOption("16_17", "16 or 17", "16 or 17"),
        ChoiceOption("18_25", "18 to 25", "18 to 25"),
    ),
}
UNDER_13_BANDS = frozenset({"under_11", "11_12"})
