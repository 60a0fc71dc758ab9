"""`feedback demo`: both annual surveys open with reproducible, realistic completed responses."""

from collections import Counter

from feedback.demo import DemoFamily, answers_for
from surveys.instrument import built_in_instruments
from surveys.journey import missing_answers

PARENT = built_in_instruments()["annual-send-parent"]


def family(seed, experience=0.5):
    return DemoFamily(experience=experience, days_ago=3, writes_comments=True, seed=seed)


def test_demo_answers_are_complete_and_reproducible():
    for seed in range(50):
        answers = answers_for(PARENT, family(seed))
        assert missing_answers(PARENT, answers) == []
        assert answers == answers_for(PARENT, family(seed))


def test_demo_answers_hang_together_with_how_things_are_going():
    def satisfied_share(experience):
        answers = [answers_for(PARENT, family(seed, experience)) for seed in range(200)]
        counts = Counter(a["overall_satisfaction"] for a in answers)
        return (counts["very_satisfied"] + counts["satisfied"]) / 200

    assert satisfied_share(0.9) > 0.8 > 0.2 > satisfied_share(0.15)


def test_demo_command_opens_both_surveys_with_responses(capsys):
    from feedback.cli import main
    from surveys.runs import get_run
    from surveys.responses import submitted_responses
    from tests.conftest import run

    assert main(["demo", "--responses", "12", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "annual-2026-parents" in out and "annual-2026-young-people" in out
    for slug in ("annual-2026-parents", "annual-2026-young-people"):
        survey = run(get_run(slug))
        assert survey.is_open()
        responses = run(submitted_responses(survey.id))
        assert len(responses) >= 12
        assert any(r.answers.get("could_be_better") for r in responses)
    assert main(["demo", "--if-empty"]) == 0
    assert "already has surveys" in capsys.readouterr().out
