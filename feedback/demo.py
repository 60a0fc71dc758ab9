"""Demo data: both versions of the annual survey, open, with reproducible completed responses.

Families are generated with polyfactory (fixed seed, its own Faker) and saved through a
persistence hook. Each family has a hidden "how well things are going" score, so its answers hang
together the way real answers do: a family whose plan is not delivered rarely says it is satisfied.
"""

from __future__ import annotations

import random
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from faker import Faker
from polyfactory import Use
from polyfactory.factories import DataclassFactory
from polyfactory.persistence import AsyncPersistenceProtocol

from consent.notices import current_notice
from consent.records import PARTICIPATION
from consent.tables import ConsentRecord
from surveys.answer_types import MULTIPLE_CHOICE, SCALE
from surveys.codes import random_code
from surveys.instrument import Instrument, Question, built_in_instruments
from surveys.journey import visible_questions
from surveys.runs import Run, get_run, list_runs, open_run
from surveys.tables import Response

COMMENTS = tomllib.loads((Path(__file__).parent / "demo_comments.toml").read_text(encoding="utf-8"))
DEMO_RUNS = (
    ("annual-send-parent", "annual-2026-parents"),
    ("annual-send-young-person", "annual-2026-young-people"),
)
# Realistic shares for the questions that shape a family's path; others are spread evenly.
WEIGHTS: dict[str, dict[str, float]] = {
    "respondent_role": {"parent": 80, "carer": 15, "other_family": 5, "young_person": 55, "young_person_helped": 35, "someone_for_me": 10},
    "support_level": {"ehcp": 48, "ehcp_assessment": 12, "sen_support": 30, "none": 5, "not_sure": 5},
    "main_need": {"communication_interaction": 45, "semh": 25, "cognition_learning": 18, "sensory_physical": 10, "not_sure": 2},
    "child_age": {"0_4": 6, "5_10": 38, "11_15": 36, "16_17": 12, "18_25": 8},
    "age_band": {"under_11": 15, "11_12": 15, "13_15": 35, "16_17": 20, "18_25": 15},
}


@dataclass
class DemoFamily:
    """One made-up respondent: how well things are going for them, and when they answered."""

    experience: float
    days_ago: int
    writes_comments: bool
    seed: int
    answers: dict[str, Any] = field(default_factory=dict)


def _scale_answer(question: Question, experience: float, rng: random.Random) -> str:
    roll = rng.random()
    specials = [o.value for o in question.special_options if o.value != "dont_understand"]
    if specials and roll < 0.05:
        return rng.choice(specials)
    score = min(0.999, max(0.0, experience + rng.gauss(0, 0.18)))
    options = [o.value for o in question.options]
    return options[len(options) - 1 - int(score * len(options))]


def _choice(question: Question, rng: random.Random) -> str:
    weights = WEIGHTS.get(question.key, {})
    values = [o.value for o in question.options]
    return rng.choices(values, [weights.get(v, 1 if not weights else 0.5) for v in values])[0]


def answers_for(instrument: Instrument, family: DemoFamily) -> dict[str, Any]:
    rng = random.Random(family.seed)
    answers: dict[str, Any] = {}
    bank = "young_person" if instrument.audience == "young_person" else "parent"
    for question in instrument.questions:
        if question not in visible_questions(instrument, answers):
            continue
        if question.type == SCALE:
            answers[question.key] = _scale_answer(question, family.experience, rng)
        elif question.type == MULTIPLE_CHOICE:
            values = [o.value for o in question.options if not o.exclusive]
            exclusive = [o.value for o in question.options if o.exclusive]
            if exclusive and rng.random() < 0.08:
                answers[question.key] = exclusive[:1]
            elif not question.optional or rng.random() < 0.85:
                picked = set(rng.sample(values, k=rng.randint(1, min(4, len(values)))))
                answers[question.key] = [v for v in values if v in picked]
        elif question.type in ("long_text", "short_text"):
            if not family.writes_comments:
                continue
            if question.key == "works_well":
                pool = COMMENTS[f"{bank}_works_well"]
                if rng.random() < 0.35 + family.experience * 0.5:
                    answers[question.key] = rng.choice(pool)
            elif question.key == "could_be_better":
                pool = COMMENTS[f"{bank}_could_be_better"]
                if rng.random() < 1.1 - family.experience * 0.6:
                    answers[question.key] = rng.choice(pool)
            elif rng.random() < 0.15:
                answers[question.key] = rng.choice(COMMENTS[f"{bank}_could_be_better"])
        elif question.type == "number":
            answers[question.key] = rng.randint(question.min or 0, question.max or 10)
        else:
            answers[question.key] = _choice(question, rng)
    return answers


class _ResponseWriter(AsyncPersistenceProtocol[DemoFamily]):
    """Saves generated families as submitted responses, each with its participation record."""

    def __init__(self, run: Run, notice_id: int):
        self.run = run
        self.notice_id = notice_id

    async def save(self, data: DemoFamily) -> DemoFamily:
        return (await self.save_many([data]))[0]

    async def save_many(self, data: list[DemoFamily]) -> list[DemoFamily]:
        now = datetime.now(timezone.utc)
        responses, records = [], []
        for family in data:
            family.answers = answers_for(self.run.instrument, family)
            respondent = uuid.uuid4()
            when = now - timedelta(days=family.days_ago, minutes=family.seed % 1440)
            responses.append(
                Response(
                    run=self.run.id, respondent_id=respondent, reference=random_code(), status="submitted",
                    variant="standard", channel="web", current_page="check", answers=family.answers,
                    pages_saved=len(family.answers), started_at=when - timedelta(minutes=9),
                    updated_at=when, submitted_at=when,
                )
            )
            records.append(
                ConsentRecord(
                    subject=str(respondent), actor="self", notice=self.notice_id, channel="web",
                    purposes={PARTICIPATION: "acknowledged"}, recorded_at=when - timedelta(minutes=9),
                )
            )
        await Response.insert(*responses)
        await ConsentRecord.insert(*records)
        return data


def family_factory(base_seed: int) -> type[DataclassFactory[DemoFamily]]:
    class DemoFamilyFactory(DataclassFactory[DemoFamily]):
        __model__ = DemoFamily
        __faker__ = Faker("en_GB")
        __random__ = random.Random(base_seed)
        experience = Use(lambda: DemoFamilyFactory.__random__.betavariate(3.2, 2.0))
        days_ago = Use(lambda: DemoFamilyFactory.__random__.randint(0, 40))
        writes_comments = Use(lambda: DemoFamilyFactory.__random__.random() < 0.7)
        seed = Use(lambda: DemoFamilyFactory.__random__.randrange(2**31))
        answers = Use(dict)

    DemoFamilyFactory.__faker__.seed_instance(base_seed)
    return DemoFamilyFactory


async def ensure_demo_runs() -> list[Run]:
    instruments = built_in_instruments()
    closes = datetime.now(timezone.utc).replace(hour=23, minute=59, second=0, microsecond=0) + timedelta(days=56)
    runs = []
    for key, slug in DEMO_RUNS:
        run = await get_run(slug)
        if run is None:
            run = await open_run(instruments[key], slug=slug, closes_at=closes)
        runs.append(run)
    return runs


async def seed_demo(responses: int = 300, seed: int = 2026, if_empty: bool = False) -> dict[str, int]:
    """Open the demo runs and add `responses` completed responses to each (skipped if data exists
    and `if_empty`). Returns how many responses were added per run slug."""
    if if_empty and await list_runs():
        return {}
    added: dict[str, int] = {}
    for index, run in enumerate(await ensure_demo_runs()):
        notice = await current_notice(run.instrument.notice)
        assert notice is not None, "publish the notice files first (feedback migrate)"
        factory = family_factory(seed + index)
        factory.__async_persistence__ = _ResponseWriter(run, notice.id)
        created = 0
        while created < responses:
            batch = min(200, responses - created)
            await factory.create_batch_async(batch)
            created += batch
        added[run.slug] = created
    return added
