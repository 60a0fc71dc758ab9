"""The SEND codebook and the coder: every theme, the way families actually write, and editing."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.codebook import Codebook, CodebookInvalid
from analysis.coding import code_comment, code_comments, theme_counts, themes_of

DESIGN_THEMES = [
    "ehc_timeliness", "ehc_quality", "annual_review", "provision_delivery", "communication", "listened_to",
    "diagnosis_waits", "mental_health", "therapies", "school_support", "exclusion_attendance", "placements",
    "transition_adulthood", "short_breaks", "family_support", "local_offer_info", "personal_budgets", "transport",
    "disputes", "friendships_safety",
]


def test_the_default_codebook_has_exactly_the_design_themes():
    codebook = Codebook.default()
    assert list(codebook.themes) == DESIGN_THEMES
    for theme in codebook.themes.values():
        assert theme.label and theme.description and len(theme.include) >= 5
    design = Path(__file__).resolve().parents[3] / "shared" / "DESIGN.md"
    if design.exists():  # the shared design card, beside the repository
        section = design.read_text(encoding="utf-8").split("## SEND themes")[1]
        assert re.findall(r"`([a-z_]+)`", section) == DESIGN_THEMES


@pytest.mark.parametrize(
    "text, expected",
    [
        # each theme, in families' words
        ("We waited nearly a year for the paperwork", {"ehc_timeliness"}),
        ("The plan is so vague and generic it could be any child", {"ehc_quality"}),
        ("Annual reveiw was in march and still no amendments", {"annual_review"}),
        ("The provision in his EHCP is just not happening", {"provision_delivery"}),
        ("Nobody picks up the phone", {"communication"}),
        ("We have had to fight for everything", {"listened_to"}),
        ("Waiting 3 years for an ADHD assesment", {"diagnosis_waits"}),
        ("CAHMS turned us down and her anxiety is terrible", {"mental_health"}),
        ("No SALT or OT for a year", {"therapies"}),
        ("The SENCo has been brilliant", {"school_support"}),
        ("He's on a part-time timetable after being excluded", {"exclusion_attendance"}),
        ("No special school places in the county", {"placements"}),
        ("Nothing for him post-16, what happens after college?", {"transition_adulthood"}),
        ("Respite has been cut", {"short_breaks"}),
        ("Our social worker and the early help team were great", {"family_support"}),
        ("The Local Offer website is impossible to navigate", {"local_offer_info"}),
        ("Can't find a PA for the direct payments", {"personal_budgets"}),
        ("the taxi is always late", {"transport"}),
        ("We had to go to tribunal", {"disputes"}),
        ("I get bullied and have no friends", {"friendships_safety"}),
        # abbreviations and the way people write them
        ("ehcp took 30 weeks", {"ehc_timeliness"}),
        ("senco never replies to emails", {"school_support", "communication"}),
        ("IASS were great", {"local_offer_info"}),
        ("SENDIASS helped", {"local_offer_info"}),
        ("EP report was good", {"therapies"}),
        ("on the ASD pathway for years", {"diagnosis_waits"}),
        ("our PA left", {"personal_budgets"}),
        ("the 1:1 in his plan was used to cover other kids", {"provision_delivery"}),
        # spelling mistakes
        ("speach therapy helped", {"therapies"}),
        ("the pyschologist was lovely", {"therapies"}),
        ("travel training gave him independance", {"transport", "transition_adulthood"}),
        ("she is bullyed every day", {"friendships_safety"}),
        ("respit is non existant", {"short_breaks"}),
        # young people's short answers
        ("my TA", {"school_support"}),
        ("lonely", {"friendships_safety"}),
        ("camhs", {"mental_health"}),
        ("getting a job", {"transition_adulthood"}),
        ("too noisy", {"school_support"}),
        ("not being listened to", {"listened_to"}),
        # nothing to code
        ("nothing", set()),
        ("dont know", set()),
        ("Very happy overall, thank you", set()),
        ("", set()),
    ],
)
def test_coder_cases(text, expected):
    assert set(themes_of(text)) == expected


def test_several_themes_come_back_in_codebook_order_with_the_terms_that_matched():
    coded = code_comment("CAMHS waiting list is 18 months and the school keep sending him home, no EP either")
    assert [theme for theme, _ in coded] == ["mental_health", "therapies", "exclusion_attendance"]
    terms = dict(coded)
    assert "camhs" in terms["mental_health"] and terms["exclusion_attendance"] == ["sending ... home"]
    assert terms["therapies"] == ["ep"]


def test_exclude_terms_only_cancel_the_overlapping_match():
    assert "ehc_timeliness" not in themes_of("Waiting for the autism assessment")
    assert themes_of("Waiting for the autism assessment") == ["diagnosis_waits"]
    both = themes_of("Waiting for the autism assessment, and the EHCP is already 6 months late")
    assert {"diagnosis_waits", "ehc_timeliness"} <= set(both)
    assert "transition_adulthood" not in themes_of("CAMHS waiting list is over 18 months")
    assert "school_support" not in themes_of("There are no special school places")


def test_codebook_edits_change_coding_and_the_fingerprint():
    codebook = Codebook.default().copy()
    before = codebook.fingerprint
    assert themes_of("the portage worker stopped coming", codebook) == []
    codebook.add_terms("family_support", include=["Portage*"])
    assert themes_of("the portage worker stopped coming", codebook) == ["family_support"]
    assert codebook.fingerprint != before
    codebook.remove_terms("family_support", include=["portage*"])
    assert themes_of("the portage worker stopped coming", codebook) == []
    codebook.add_theme("sleep", "Sleep", "Sleep problems and sleep clinics", include=["sleep*", "melatonin"])
    assert themes_of("no help with his sleep at all", codebook) == ["sleep"]
    codebook.add_terms("sleep", exclude=["sleepover*"])
    assert themes_of("invited to a sleepover", codebook) == []
    codebook.remove_theme("sleep")
    assert "sleep" not in codebook.themes
    assert Codebook.default().fingerprint == before  # the shipped codebook is untouched


def test_codebook_round_trips_through_toml_json_and_dict():
    codebook = Codebook.default()
    assert Codebook.from_toml(codebook.to_toml()).fingerprint == codebook.fingerprint
    assert Codebook.from_json(codebook.to_json()).fingerprint == codebook.fingerprint
    assert Codebook.from_dict(codebook.to_dict()).to_dict() == codebook.to_dict()


def test_a_minimal_codebook_from_a_dict_works():
    codebook = Codebook.from_dict({"themes": {"food": {"label": "Food", "include": ["lunch*", "school dinners"]}}})
    assert code_comment("School dinners are awful", codebook) == [("food", ["school dinners"])]


@pytest.mark.parametrize(
    "data, problem",
    [
        ({"themes": {}}, "'themes' must be a table"),
        ({"themes": {"Bad Key": {"include": ["x"]}}}, "theme key"),
        ({"themes": {"t": {"include": ["wait ... "]}}}, "'...' needs words on both sides"),
        ({"themes": {"t": {"include": ["w*x"]}}}, "'*' only at the end"),
        ({"themes": {"t": {"include": ["@missing"]}}}, "no word group"),
        ({"themes": {"t": {"include": "fine", "exclude": [3]}}}, "is not text"),
    ],
)
def test_bad_codebooks_are_refused_with_reasons(data, problem):
    with pytest.raises(CodebookInvalid) as error:
        Codebook.from_dict(data)
    assert problem in str(error.value)


def test_bad_edits_are_refused_and_leave_the_codebook_as_it_was():
    codebook = Codebook.default().copy()
    before = codebook.fingerprint
    with pytest.raises(CodebookInvalid):
        codebook.add_terms("transport", include=["ok", "@nope"])
    with pytest.raises(KeyError):
        codebook.add_terms("no_such_theme", include=["x"])
    with pytest.raises(CodebookInvalid):
        codebook.add_theme("transport", "Again")
    assert codebook.fingerprint == before
    with pytest.raises(CodebookInvalid):
        Codebook.from_toml("themes = [")


def test_code_comments_frame_and_theme_counts():
    comments = pd.DataFrame({
        "respondent_id": ["a", "b", "c"],
        "question": ["could_be_better"] * 3,
        "text": ["Nobody picks up the phone and the taxi is late", "lovely staff", "n/a"],
    })
    coded = code_comments(comments)
    assert coded[["respondent_id", "theme"]].to_dict("records") == [
        {"respondent_id": "a", "theme": "communication"},
        {"respondent_id": "a", "theme": "transport"},
        {"respondent_id": "b", "theme": "school_support"},
        {"respondent_id": "c", "theme": None},
    ]
    assert coded.loc[0, "terms"][0] == "@nobody ... @phone"
    counts = theme_counts(coded).set_index("label")
    assert counts.loc["Transport", "comments"] == 1
    assert counts.loc["Transport", "share"] == pytest.approx(1 / 3)
    assert counts.loc["No theme (uncoded)", "comments"] == 1
    assert len(counts) == 21


def test_coding_a_comment_never_imports_nltk_or_scipy():
    """The first respondent's submission in a process codes their comment: importing textblob's
    package (nltk, then scipy.stats) there cost 6-7 s and made the confirmation page time out."""
    import subprocess
    import sys

    code = ("import sys; from analysis.coding import code_comment, english_words; "
            "assert len(english_words()) > 10000; code_comment('We waited a year for the plan'); "
            "print(sorted(m for m in ('nltk', 'scipy', 'textblob') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
