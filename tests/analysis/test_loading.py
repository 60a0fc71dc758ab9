"""Loading through the consent gate: only submitted, permitted answers reach analysis; withdrawn
and erased answers are absent from every frame and every figure."""

from __future__ import annotations

import pandas as pd

from analysis.coding import code_comments
from analysis.loading import RESPONDENT_COLUMNS, build_survey_data, load_run, load_survey
from analysis.metrics import POSITIVE, dashboard, question_figures
from consent.records import record_consent, record_withdrawal
from feedback.operations.demo import DemoFamily, answers_for
from surveys.consent_steps import notice_for, record_participation
from surveys.data_rights import erase_response
from surveys.responses import save_page, start_response, submit_response
from surveys.tables import Response
from tests.conftest import open_test_run, run


async def submitted(survey, answers, variant="standard", quotes=False):
    draft, _ = await start_response(survey, variant=variant)
    notice = await notice_for(survey.instrument, variant)
    await record_participation(draft, notice)
    if quotes:
        await record_consent(draft.respondent_id, notice, {"quotes": "granted"})
    await save_page(Response._meta.db, draft, answers, "check")
    return await submit_response(draft, survey)


def valid_answers(instrument, seed: int, **overrides):
    """A complete, valid set of answers for any instrument (the demo generator walks its path)."""
    answers = answers_for(instrument, DemoFamily(experience=0.5, days_ago=0, writes_comments=False, seed=seed))
    answers.update(overrides)
    return answers


def test_load_run_keeps_only_submitted_permitted_responses():
    survey = open_test_run("annual-send-parent")
    instrument = survey.instrument
    kept = run(submitted(survey, valid_answers(instrument, 1, works_well="Our SENCo is brilliant",
                                               overall_satisfaction="satisfied", support_level="ehcp",
                                               child_age="5_10", main_need="semh"), quotes=True))
    erased = run(submitted(survey, valid_answers(instrument, 2, works_well="ERASED secret about our family")))
    withdrawn = run(submitted(survey, valid_answers(instrument, 3, could_be_better="WITHDRAWN nobody picks up the phone")))
    run(start_response(survey))  # an unfinished draft is never analysed
    assert run(erase_response(erased))
    run(record_withdrawal(withdrawn.respondent_id, ["participation"]))

    data = run(load_run(survey))
    assert list(data.respondents["respondent_id"]) == [kept.respondent_id]
    assert list(data.answers["respondent_id"]) == [kept.respondent_id]
    assert set(data.comments["respondent_id"]) == {kept.respondent_id}
    everything = " ".join(str(v) for frame in (data.respondents, data.answers, data.choices, data.comments)
                          for v in frame.to_numpy().ravel())
    assert "ERASED" not in everything and "WITHDRAWN" not in everything
    assert erased.respondent_id not in everything and withdrawn.respondent_id not in everything

    row = data.respondents.iloc[0]
    assert list(data.respondents.columns) == list(RESPONDENT_COLUMNS)
    assert (row["group"], row["variant"], row["channel"]) == ("parent_carer", "standard", "web")
    assert (row["support_level"], row["main_need"], row["age_band"]) == ("ehcp", "semh", "5_10")
    assert data.answers.iloc[0]["overall_satisfaction"] == "satisfied"
    comment = data.comments.iloc[0]
    assert (comment["question"], comment["text"], comment["may_quote"]) == ("works_well", "Our SENCo is brilliant", True)

    board = dashboard(data, full=True)
    assert board.respondents == 1 and board.headline.positive == 1
    coded = code_comments(data.comments)
    assert list(coded["theme"]) == ["school_support"]
    assert run(load_survey(survey.slug)).respondents.shape[0] == 1
    assert run(load_survey("no-such-survey")) is None


def test_withdrawing_after_loading_once_removes_the_answers_from_the_next_load():
    survey = open_test_run("annual-send-young-person")
    drafts = [run(submitted(survey, valid_answers(survey.instrument, seed, overall_satisfaction="very_satisfied")))
              for seed in range(12)]
    first = run(load_run(survey))
    assert len(first) == 12
    assert question_figures(first, "overall_satisfaction").row(POSITIVE)["count"] == 12
    run(erase_response(drafts[0]))
    second = run(load_run(survey))
    assert len(second) == 11 and drafts[0].respondent_id not in set(second.respondents["respondent_id"])
    assert question_figures(second, "overall_satisfaction").row(POSITIVE)["count"] == 11
    assert set(second.respondents["group"]) == {"young_person"}
    assert second.respondents["main_need"].isna().all()  # the young people's survey does not ask it
    # only those who agreed may be quoted (no one here)
    assert not second.comments["may_quote"].any() if len(second.comments) else True


def test_build_survey_data_from_plain_dicts():
    from surveys.instrument import built_in_instruments

    instrument = built_in_instruments()["annual-send-parent"]
    data = build_survey_data(instrument, [
        {"respondent_id": "a", "variant": "easy_read", "channel": "paper", "submitted_at": "2026-03-01T10:00:00+00:00",
         "answers": {"overall_satisfaction": "satisfied", "services_used": ["camhs", "physiotherapy"],
                     "works_well": "  Respite  ", "could_be_better": "   "}},
        {"respondent_id": "b", "answers": {}},
    ], run_slug="paper-forms")
    assert list(data.respondents["variant"]) == ["easy_read", "standard"]
    assert list(data.respondents["channel"]) == ["paper", "web"]
    assert data.respondents["submitted_at"].iloc[0] == pd.Timestamp("2026-03-01T10:00:00Z")
    assert data.choices.to_dict("records") == [
        {"respondent_id": "a", "question": "services_used", "value": "camhs"},
        {"respondent_id": "a", "question": "services_used", "value": "physiotherapy"},
    ]
    assert data.comments[["respondent_id", "question", "text", "may_quote"]].to_dict("records") == [
        {"respondent_id": "a", "question": "works_well", "text": "Respite", "may_quote": False}
    ]
    assert "works_well" not in data.answers.columns  # free text lives in `comments`
    assert pd.isna(data.answers.loc[1, "overall_satisfaction"])
    assert list(data.answers["overall_satisfaction"].cat.categories)[:2] == ["very_satisfied", "satisfied"]
    # the same figures from a wide frame (one row per response, a column per question, like the export)
    wide = pd.DataFrame({"respondent_id": ["a", "b"], "variant": ["easy_read", "standard"],
                         "overall_satisfaction": ["satisfied", None], "services_used": [["camhs", "physiotherapy"], None],
                         "works_well": ["  Respite  ", None]})
    from_frame = build_survey_data(instrument, wide)
    assert list(from_frame.respondents["variant"]) == ["easy_read", "standard"]
    assert from_frame.choices.to_dict("records") == data.choices.to_dict("records")
    assert list(from_frame.comments["text"]) == ["Respite"]
