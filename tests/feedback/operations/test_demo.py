"""`feedback demo`: the annual surveys, the POET-style questionnaires for all three audiences and a
forum consultation open, with reproducible, realistic completed responses."""

from collections import Counter

import pytest

from feedback.operations.demo import ALL_VARIANTS, DEMO_RUNS, DemoFamily, answers_for
from surveys.answer_types import DONT_UNDERSTAND
from surveys.instrument import built_in_instruments
from surveys.journey import missing_answers, visible_questions
from surveys.validation import validate_question

INSTRUMENTS = built_in_instruments()
PARENT = INSTRUMENTS["annual-send-parent"]
DEMO_INSTRUMENTS = sorted({demo.instrument for demo in DEMO_RUNS})


def family(seed, experience=0.5):
    return DemoFamily(experience=experience, days_ago=3, writes_comments=True, seed=seed)


def test_demo_answers_are_complete_and_reproducible():
    for seed in range(50):
        answers = answers_for(PARENT, family(seed))
        assert missing_answers(PARENT, answers) == []
        assert answers == answers_for(PARENT, family(seed))


@pytest.mark.parametrize("key", DEMO_INSTRUMENTS)
def test_demo_answers_to_every_demo_instrument_are_complete_and_valid(key):
    instrument = INSTRUMENTS[key]
    seen: set[str] = set()
    for seed in range(120):
        variant = ALL_VARIANTS[seed % 3] if len(instrument.variants) > 1 else "standard"
        answers = answers_for(instrument, family(seed, experience=(seed % 10) / 10), variant)
        assert missing_answers(instrument, answers) == [], (key, seed)
        assert answers == answers_for(instrument, family(seed, experience=(seed % 10) / 10), variant)
        visible = {q.key: q for q in visible_questions(instrument, answers)}
        for question_key, value in answers.items():
            assert question_key in visible, (key, question_key)  # nothing answered off the path
            values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            clean, error = validate_question(visible[question_key], values, variant)
            assert error is None and clean == value, (key, question_key, value, error)
        seen |= set(answers)
    # over many families every question is reached, conditional ones included
    assert seen == set(instrument.question_keys), set(instrument.question_keys) - seen


def test_demo_answers_hang_together_with_how_things_are_going():
    def satisfied_share(experience):
        answers = [answers_for(PARENT, family(seed, experience)) for seed in range(200)]
        counts = Counter(a["overall_satisfaction"] for a in answers)
        return (counts["very_satisfied"] + counts["satisfied"]) / 200

    assert satisfied_share(0.9) > 0.8 > 0.2 > satisfied_share(0.15)


def test_poet_outcomes_follow_how_things_are_going_too():
    poet = INSTRUMENTS["poet-parent-carer"]

    def better_share(experience):
        answers = [answers_for(poet, family(seed, experience)) for seed in range(200)]
        counts = Counter(a["outcome_learning"] for a in answers)
        return (counts["a_lot_better"] + counts["a_bit_better"]) / 200

    assert better_share(0.9) > 0.7 > 0.2 > better_share(0.15)


def test_only_easy_read_and_picture_respondents_say_they_did_not_understand():
    young = INSTRUMENTS["poet-young-person"]
    def answers(variant):
        return [v for seed in range(100) for v in answers_for(young, family(seed), variant).values()]

    assert DONT_UNDERSTAND.value not in answers("standard")
    assert DONT_UNDERSTAND.value in answers("easy_read")


def test_forum_consultation_comments_come_from_its_own_pool():
    from feedback.operations.demo import COMMENTS

    consultation = INSTRUMENTS["pcv-consultation-short-breaks"]
    pool = COMMENTS["pcv-consultation-short-breaks"]
    everything = [answers_for(consultation, family(seed, 0.2)) for seed in range(300)]
    others = [a["barriers_other"] for a in everything if "barriers_other" in a]
    assert others and set(others) <= set(pool["barriers_other"])
    better = [a["could_be_better"] for a in everything if "could_be_better" in a]
    assert better and set(better) <= set(pool["could_be_better"]) | set(pool["young_person_could_be_better"])


def test_demo_command_opens_every_demo_survey_with_responses(app, capsys):
    from feedback.cli import main
    from surveys.runs import get_run
    from surveys.responses import submitted_responses
    from tests.conftest import run

    assert main(["demo", "--responses", "30", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    for demo in DEMO_RUNS:
        assert demo.slug in out
        survey = run(get_run(demo.slug))
        assert survey.is_open() and survey.instrument.key == demo.instrument
        responses = run(submitted_responses(survey.id))
        assert len(responses) >= 30
        assert any(r.answers.get("could_be_better") for r in responses)
        if demo.variants:
            assert tuple(survey.variants) == demo.variants
    assert {"poet-2026-parents", "poet-2026-young-people", "poet-2026-practitioners"} <= {d.slug for d in DEMO_RUNS}
    consultation = run(get_run("pcv-short-breaks-2026"))
    assert tuple(consultation.variants) == ("standard", "easy_read", "symbols") and consultation.team
    young = run(get_run("poet-2026-young-people"))
    assert tuple(young.variants) == ("standard", "easy_read", "symbols")
    variants = Counter(r.variant for r in run(submitted_responses(young.id)))
    assert set(variants) == {"standard", "easy_read", "symbols"}, variants
    # Parents and carers have easy-read and picture versions too, in both their surveys.
    parents = run(get_run("annual-2026-parents"))
    assert tuple(parents.variants) == ("standard", "easy_read", "symbols")
    assert {"standard", "easy_read"} <= {r.variant for r in run(submitted_responses(parents.id))}
    assert tuple(run(get_run("poet-2026-parents")).variants) == ("standard", "easy_read", "symbols")
    assert main(["demo", "--if-empty"]) == 0
    assert "already has surveys" in capsys.readouterr().out
    # "you said, we did" is published for the parents' survey, with quotes only from people who agreed
    from litestar.testing import TestClient

    from consent.gate import permitted_subjects
    from feedback.operations.demo_updates import DEMO_UPDATES
    from feedback.publishing.quotes import APPROVED, quotes_for_run

    with TestClient(app=app, base_url="http://testserver.local") as public:
        page = public.get("/you-said-we-did", params={"survey": parents.slug})
    assert page.status_code == 200
    for spec in DEMO_UPDATES:
        assert spec["title"] in page.text
    approved = run(quotes_for_run(parents.id, APPROVED))
    assert approved and page.text.count("<blockquote") == len(approved)
    assert run(permitted_subjects("quotes", [q.respondent_id for q in approved])) == {q.respondent_id for q in approved}


@pytest.mark.parametrize("demo", DEMO_RUNS, ids=lambda d: d.slug)
def test_a_respondent_without_javascript_completes_every_version_of_each_demo_survey(app, demo):
    from litestar.testing import TestClient

    from surveys.runs import open_run
    from surveys.responses import submitted_responses
    from tests.conftest import run, unique_slug
    from tests.walker import Walker

    instrument = INSTRUMENTS[demo.instrument]
    survey = run(open_run(instrument, slug=unique_slug("demo-walk"), variants=demo.variants))
    for variant in survey.variants:
        with TestClient(app=app, base_url="http://testserver.local") as browser:
            url = f"/s/{survey.slug}" + ("" if variant == "standard" else f"?version={variant}")
            assert Walker(browser).complete(url)
    responses = run(submitted_responses(survey.id))
    assert sorted(r.variant for r in responses) == sorted(survey.variants)
    for response in responses:
        assert missing_answers(instrument, response.answers) == []
