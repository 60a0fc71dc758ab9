"""Demo data: the annual survey (both versions), the POET-style outcome questionnaires (parents and
carers, young people, practitioners) and a Parent Carer Voice consultation on short breaks, open,
with reproducible completed responses.

Families are generated with polyfactory (fixed seed, its own Faker) and saved through a
persistence hook. Each family has a hidden "how well things are going" score, so its answers hang
together the way real answers do: a family whose plan is not delivered rarely says it is satisfied.
Where a run offers the easy-read and picture versions, some responses come through them (more often
from young people), tagged with the version, as real ones are.
"""

from __future__ import annotations

import random
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

from faker import Faker
from polyfactory import Use
from polyfactory.factories import DataclassFactory
from polyfactory.persistence import AsyncPersistenceProtocol

from consent.notices import current_notice
from consent.records import PARTICIPATION
from feedback.publishing.quotes import QUOTES
from consent.tables import ConsentRecord
from surveys.answer_types import DONT_UNDERSTAND, MULTIPLE_CHOICE, NUMBER, SCALE, TEXT_TYPES
from surveys.codes import random_code
from surveys.consent_steps import notice_audience
from surveys.instrument import Instrument, Question, built_in_instruments
from surveys.journey import visible_questions
from surveys.runs import Run, get_run, list_runs, open_run
from surveys.tables import Response, SurveyRun

COMMENTS = tomllib.loads((Path(__file__).parent / "demo_comments.toml").read_text(encoding="utf-8"))
ALL_VARIANTS = ("standard", "easy_read", "symbols")
FORUM_TEAM = "parent-carer-voice"  # `feedback create-user --role pcv --team parent-carer-voice` runs the consultation


class DemoRun(NamedTuple):
    instrument: str
    slug: str
    variants: tuple[str, ...] | None = None  # None: every version the instrument offers
    team: str | None = None  # the forum team that runs it (officers see every run)


DEMO_RUNS = (
    DemoRun("annual-send-parent", "annual-2026-parents"),
    DemoRun("annual-send-young-person", "annual-2026-young-people"),
    DemoRun("poet-parent-carer", "poet-2026-parents"),
    DemoRun("poet-young-person", "poet-2026-young-people", ALL_VARIANTS),
    DemoRun("poet-practitioner", "poet-2026-practitioners"),
    DemoRun("pcv-consultation-short-breaks", "pcv-short-breaks-2026", ALL_VARIANTS, FORUM_TEAM),
)
# How often each version is used when a run offers it: young people choose easy read or pictures more.
VARIANT_SHARES = {
    "young_person": {"standard": 50, "easy_read": 30, "symbols": 20},
    "mixed": {"standard": 72, "easy_read": 16, "symbols": 12},
}
DEFAULT_VARIANT_SHARES = {"standard": 90, "easy_read": 7, "symbols": 3}
# Realistic shares for the questions that shape a family's path; others are spread evenly.
WEIGHTS: dict[str, dict[str, float]] = {
    "respondent_role": {"parent": 80, "carer": 15, "other_family": 5, "young_person": 55, "young_person_helped": 35, "someone_for_me": 10},
    "support_level": {"ehcp": 48, "ehcp_assessment": 12, "sen_support": 30, "none": 5, "not_sure": 5},
    "main_need": {"communication_interaction": 45, "semh": 25, "cognition_learning": 18, "sensory_physical": 10, "not_sure": 2},
    "child_age": {"0_4": 6, "5_10": 38, "11_15": 36, "16_17": 12, "18_25": 8},
    "age_band": {"under_11": 15, "11_12": 15, "13_15": 35, "16_17": 20, "18_25": 15},
    "completed_by": {"by_self": 62, "with_help": 28, "on_behalf": 10},
    "plan_length": {"under_1_year": 24, "one_to_two_years": 34, "three_years_plus": 37, "not_sure": 5},
    "practitioner_role": {"early_years": 7, "school_staff": 35, "college_staff": 7, "health": 18, "educational_psychologist": 8,
                          "social_care": 10, "send_casework": 12, "other": 3},
    "who_answering": {"parent_carer": 70, "young_person": 18, "together": 12},
    "used_breaks": {"yes": 64, "no": 36},
    "try_ordinary_club": {"yes": 55, "no": 45},
    "most_wanted": {"more_holiday": 30, "after_school": 15, "weekend": 14, "older": 14, "overnight": 10, "inclusive": 9,
                    "transport": 6, "other": 2},
}
# Free-text comments: an instrument's own table in demo_comments.toml comes first (by question key),
# then the pools of the respondent's kind ("parent_…", "young_person_…", "practitioner_…").
BANKS = {"young_person": "young_person", "practitioner": "practitioner"}


@dataclass
class DemoFamily:
    """One made-up respondent: how well things are going for them, and when they answered."""

    experience: float
    days_ago: int
    writes_comments: bool
    seed: int
    answers: dict[str, Any] = field(default_factory=dict)


def _scale_answer(question: Question, experience: float, rng: random.Random, easy: bool = False) -> str:
    roll = rng.random()
    specials = [o.value for o in question.special_options if o.value != DONT_UNDERSTAND.value]
    if specials and roll < 0.05:
        return rng.choice(specials)
    if easy and roll < 0.08:  # easy-read and picture versions offer "I don't understand"
        return DONT_UNDERSTAND.value
    score = min(0.999, max(0.0, experience + rng.gauss(0, 0.18)))
    options = [o.value for o in question.options]
    return options[len(options) - 1 - int(score * len(options))]


def _choice(question: Question, rng: random.Random) -> str:
    weights = WEIGHTS.get(question.key, {})
    values = [o.value for o in question.options]
    return rng.choices(values, [weights.get(v, 1 if not weights else 0.5) for v in values])[0]


def _comments(instrument: Instrument, question: Question, bank: str, kind: str) -> list[str]:
    own = COMMENTS.get(instrument.key, {})
    return own.get(f"{bank}_{question.key}") or own.get(question.key) or COMMENTS[f"{bank}_{kind}"]


def _number(question: Question, rng: random.Random) -> int:
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else max(low, 10)
    return int(round(rng.triangular(low, high, low + (high - low) * 0.25)))  # most answers are small


def variant_for(run: Run, family: DemoFamily) -> str:
    """The version this family answered in, among those the run offers."""
    offered = [v for v in run.variants if v in ALL_VARIANTS] or ["standard"]
    shares = VARIANT_SHARES.get(run.instrument.audience, DEFAULT_VARIANT_SHARES)
    rng = random.Random(family.seed ^ 0x5EED)  # apart from the answers' own stream
    return rng.choices(offered, [shares.get(v, 1) for v in offered])[0]


def answers_for(instrument: Instrument, family: DemoFamily, variant: str = "standard") -> dict[str, Any]:
    rng = random.Random(family.seed)
    answers: dict[str, Any] = {}
    for question in instrument.questions:
        if question not in visible_questions(instrument, answers):
            continue
        young = instrument.audience == "young_person" or answers.get("who_answering") == "young_person"
        bank = "young_person" if young else BANKS.get(instrument.audience, "parent")
        if question.type == SCALE:
            answers[question.key] = _scale_answer(question, family.experience, rng, easy=variant != "standard")
        elif question.type == MULTIPLE_CHOICE:
            values = [o.value for o in question.options if not o.exclusive]
            exclusive = [o.value for o in question.options if o.exclusive]
            if exclusive and rng.random() < 0.08:
                answers[question.key] = exclusive[:1]
            elif not question.optional or rng.random() < 0.85:
                picked = set(rng.sample(values, k=rng.randint(1, min(4, len(values)))))
                answers[question.key] = [v for v in values if v in picked]
        elif question.type in TEXT_TYPES:
            if not family.writes_comments:
                continue
            comment = None
            if question.key == "works_well":
                if rng.random() < 0.35 + family.experience * 0.5:
                    comment = rng.choice(_comments(instrument, question, bank, "works_well"))
            elif question.key == "could_be_better":
                if rng.random() < 1.1 - family.experience * 0.6:
                    comment = rng.choice(_comments(instrument, question, bank, "could_be_better"))
            elif question.key in COMMENTS.get(instrument.key, {}):
                if rng.random() < 0.6:
                    comment = rng.choice(COMMENTS[instrument.key][question.key])
            elif rng.random() < 0.15:
                comment = rng.choice(COMMENTS[f"{bank}_could_be_better"])
            if comment:
                answers[question.key] = comment[: question.text_limit]
        elif question.type == NUMBER:
            answers[question.key] = _number(question, rng)
        else:
            answers[question.key] = _choice(question, rng)
    return answers


class _ResponseWriter(AsyncPersistenceProtocol[DemoFamily]):
    """Saves generated families as submitted responses, each with its participation record."""

    def __init__(self, run: Run, notice_ids: dict[str, int], answered_by: datetime | None = None):
        self.run = run
        self.notice_ids = notice_ids  # by notice audience: the version shown depends on the variant
        self.answered_by = answered_by  # earlier years' answers are dated in their own year

    def purposes_for(self, family: DemoFamily) -> dict[str, str]:
        """Taking part, and (adults only, where the survey asks) about 4 in 10 agree to be quoted."""
        purposes = {PARTICIPATION: "acknowledged"}
        if QUOTES in self.run.instrument.consent_purposes and self.run.instrument.audience != "young_person":
            purposes[QUOTES] = "granted" if family.seed % 10 < 4 else "refused"
        return purposes

    async def save(self, data: DemoFamily) -> DemoFamily:
        return (await self.save_many([data]))[0]

    async def save_many(self, data: list[DemoFamily]) -> list[DemoFamily]:
        now = self.answered_by or datetime.now(timezone.utc)
        responses, records = [], []
        for family in data:
            variant = variant_for(self.run, family)
            family.answers = answers_for(self.run.instrument, family, variant)
            respondent = uuid.uuid4()
            when = now - timedelta(days=family.days_ago, minutes=family.seed % 1440)
            responses.append(
                Response(
                    run=self.run.id, respondent_id=respondent, reference=random_code(), status="submitted",
                    variant=variant, channel="web", current_page="check", answers=family.answers,
                    pages_saved=len(family.answers), started_at=when - timedelta(minutes=9),
                    updated_at=when, submitted_at=when,
                )
            )
            records.append(
                ConsentRecord(
                    subject=str(respondent), actor="self",
                    notice=self.notice_ids[notice_audience(self.run.instrument, variant)],
                    channel="web" if variant == "standard" else "easy_read_web",
                    purposes=self.purposes_for(family), recorded_at=when - timedelta(minutes=9),
                )
            )
        await Response.insert(*responses)
        await ConsentRecord.insert(*records)
        return data


def family_factory(base_seed: int, better: float = 0.0) -> type[DataclassFactory[DemoFamily]]:
    """Families with a fixed seed; `better` shifts how well things go (earlier years went worse)."""
    class DemoFamilyFactory(DataclassFactory[DemoFamily]):
        __model__ = DemoFamily
        __faker__ = Faker("en_GB")
        __random__ = random.Random(base_seed)
        experience = Use(lambda: min(0.999, max(0.0, DemoFamilyFactory.__random__.betavariate(3.2, 2.0) + better)))
        days_ago = Use(lambda: DemoFamilyFactory.__random__.randint(0, 40))
        writes_comments = Use(lambda: DemoFamilyFactory.__random__.random() < 0.7)
        seed = Use(lambda: DemoFamilyFactory.__random__.randrange(2**31))
        answers = Use(dict)

    DemoFamilyFactory.__faker__.seed_instance(base_seed)
    return DemoFamilyFactory


class EarlierYear(NamedTuple):
    slug: str
    year: int
    share: float  # of the current year's number of responses
    better: float  # how much better (negative: worse) things went than this year


# The parents' annual survey in earlier years, closed, so a fresh demo shows a trend over three years.
EARLIER_YEARS = (
    EarlierYear("annual-2024-parents", 2024, 0.8, -0.12),
    EarlierYear("annual-2025-parents", 2025, 0.9, -0.06),
)


async def ensure_earlier_years() -> list[tuple[Run, EarlierYear]]:
    instrument = built_in_instruments()["annual-send-parent"]
    runs = []
    for earlier in EARLIER_YEARS:
        run = await get_run(earlier.slug)
        if run is None:
            run = await open_run(
                instrument, slug=earlier.slug, title=f"{instrument.title} {earlier.year}",
                opens_at=datetime(earlier.year, 10, 1, tzinfo=timezone.utc),
                closes_at=datetime(earlier.year, 11, 30, 23, 59, tzinfo=timezone.utc), variants=("standard",),
            )
            await SurveyRun.update({SurveyRun.status: "closed"}).where(SurveyRun.id == run.id)
            run = await get_run(earlier.slug)
        runs.append((run, earlier))
    return runs


async def ensure_demo_runs() -> list[Run]:
    instruments = built_in_instruments()
    closes = datetime.now(timezone.utc).replace(hour=23, minute=59, second=0, microsecond=0) + timedelta(days=56)
    runs = []
    for demo in DEMO_RUNS:
        run = await get_run(demo.slug)
        if run is None:
            run = await open_run(
                instruments[demo.instrument], slug=demo.slug, closes_at=closes, variants=demo.variants, team=demo.team
            )
        runs.append(run)
    return runs


async def seed_demo(responses: int = 300, seed: int = 2026, if_empty: bool = False) -> dict[str, int]:
    """Open the demo runs and add `responses` completed responses to each (skipped if data exists
    and `if_empty`). Returns how many responses were added per run slug."""
    if if_empty and await list_runs():
        return {}
    added: dict[str, int] = {}
    for index, (run, earlier) in enumerate(await ensure_earlier_years()):  # created first: older runs, lower ids
        notice = await current_notice(run.instrument.notice, notice_audience(run.instrument, "standard"))
        notice = notice or await current_notice(run.instrument.notice)
        assert notice is not None, "publish the notice files first (feedback migrate)"
        factory = family_factory(seed - 100 - index, better=earlier.better)
        factory.__async_persistence__ = _ResponseWriter(
            run, {notice_audience(run.instrument, "standard"): notice.id},
            answered_by=datetime(earlier.year, 11, 25, 12, tzinfo=timezone.utc))
        count = max(1, int(responses * earlier.share))
        await factory.create_batch_async(count)
        added[run.slug] = count
    demo_runs = await ensure_demo_runs()
    # The joint annual survey (every year of it) is shared with Parent Carer Voice, as in a real partnership.
    await SurveyRun.update({SurveyRun.shared_with: [FORUM_TEAM]}).where(
        SurveyRun.slug.is_in(["annual-2024-parents", "annual-2025-parents", "annual-2026-parents"]))
    for index, run in enumerate(demo_runs):
        notice_ids = {}
        for variant in run.variants:
            audience = notice_audience(run.instrument, variant)
            notice = await current_notice(run.instrument.notice, audience) or await current_notice(run.instrument.notice)
            assert notice is not None, "publish the notice files first (feedback migrate)"
            notice_ids[audience] = notice.id
        factory = family_factory(seed + index)
        factory.__async_persistence__ = _ResponseWriter(run, notice_ids)
        created = 0
        while created < responses:
            batch = min(200, responses - created)
            await factory.create_batch_async(batch)
            created += batch
        added[run.slug] = created
        if run.instrument.key == "annual-send-parent":
            from feedback.operations.demo_updates import seed_demo_updates

            await seed_demo_updates(run)
    return added
