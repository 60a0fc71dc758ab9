"""The public page's figures: each survey with a published update shows its headline with
disclosure control (chart, data table and a sentence), and /you-said-we-did/figures.csv gives the
published figures exactly, with suppressed cells as [c], secondary suppression, breakdowns under 10
hidden, formulas neutralised, and withdrawn or erased answers left out."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from litestar.testing import TestClient

from consent.records import record_withdrawal
from feedback.publishing.updates import save_update, set_published
from surveys.data_rights import erase_response
from surveys.runs import open_run
from surveys.instrument import built_in_instruments, parse_instrument
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import open_test_run, run, unique_slug

# 20 in the base (one more said "I don't understand"): 13 positive = 65%
SATISFACTION = ["very_satisfied"] * 7 + ["satisfied"] * 6 + ["neither"] * 2 + ["dissatisfied"] * 5 + ["dont_understand"]
LEVELS = ["ehcp"] * 12 + ["sen_support"] * 9


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def seeds_for(instrument, wanted: dict[str, int]) -> dict[str, list[int]]:
    """Seeds whose demo answers take a valid path with each support level."""
    seeds: dict[str, list[int]] = {k: [] for k in wanted}
    seed = 2000
    while any(len(seeds[k]) < n for k, n in wanted.items()):
        level = valid_answers(instrument, seed).get("support_level")
        if level in seeds and len(seeds[level]) < wanted[level]:
            seeds[level].append(seed)
        seed += 1
    return seeds


def publish(survey, title="What we changed"):
    async def create():
        update = await save_update({"run": survey.id, "themes": [], "title": title, "you_said": "Families said things.",
                                    "we_did": "We did things.", "easy_read_you_said": "", "easy_read_we_did": "",
                                    "owner": "", "status": "planned", "reason": "", "progress": 0, "due_on": ""}, actor="tests")
        await set_published(update, True)
        return update

    return run(create())


@pytest.fixture(scope="module")
def known():
    survey = open_test_run("annual-send-parent")
    seeds = seeds_for(survey.instrument, {"ehcp": 12, "sen_support": 9})
    used = {"ehcp": 0, "sen_support": 0}
    for satisfaction, level in zip(SATISFACTION, LEVELS):
        seed = seeds[level][used[level]]
        used[level] += 1
        run(submitted(survey, valid_answers(survey.instrument, seed, overall_satisfaction=satisfaction)))
    gone = run(submitted(survey, valid_answers(survey.instrument, 1, overall_satisfaction="very_dissatisfied")))
    run(record_withdrawal(gone.respondent_id, ["participation"]))
    erased = run(submitted(survey, valid_answers(survey.instrument, 2, overall_satisfaction="very_dissatisfied")))
    assert run(erase_response(erased))
    publish(survey)
    return survey


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_published_csv_has_exact_figures_with_suppression(app, known):
    client = TestClient(app=app, base_url="http://testserver.local")
    rows = rows_of(client.get("/you-said-we-did/figures.csv", params={"survey": known.slug}))
    overall = {r["answer"]: r for r in rows if r["question"] == "overall_satisfaction" and r["breakdown"] == "All respondents"}
    pick = lambda r: (r["count"], r["base"], r["percent"], r["ci_low_percent"], r["ci_high_percent"])  # noqa: E731
    assert pick(overall["Very satisfied"]) == ("7", "20", "35.0", "18.1", "56.7")
    assert pick(overall["Satisfied"]) == ("6", "20", "30.0", "14.5", "51.9")
    assert pick(overall["Neither satisfied nor dissatisfied"]) == ("[c]", "20", "[c]", "[c]", "[c]")  # 2: primary
    assert pick(overall["Dissatisfied"]) == ("[c]", "20", "[c]", "[c]", "[c]")  # 5: secondary, else 20-7-6-0 gives 2 away
    assert pick(overall["Very dissatisfied"]) == ("0", "20", "0.0", "0.0", "16.1")  # the withdrawn and erased are not here
    assert overall["Positive"]["kind"] == "positive" and pick(overall["Positive"]) == ("13", "20", "65.0", "43.3", "81.9")
    understand = [r for r in overall.values() if r["kind"] == "not in base"]
    # 1 person did not understand it: a small count, but the only non-answer, and 21 people answered
    # this question everyone is asked, so 21 - 20 gives it away whatever is hidden: shown, not [c].
    assert len(understand) == 1 and pick(understand[0]) == ("1", "", "", "", "")
    # by support level: SEN support has 8 in the base (under 10), so its row is hidden, and the EHC
    # plan row too (otherwise the total would give SEN support's figures away)
    by_level = [r for r in rows if r["question"] == "overall_satisfaction" and r["breakdown"] == "EHC plan or SEN support"]
    assert len({r["group"] for r in by_level}) == 2
    assert all(r["count"] == "[c]" for r in by_level)
    assert all(r["base"] == r["percent"] == "[c]" for r in by_level if r["kind"] != "not in base")
    # every question is broken down too, with the same rules: support level has a group under 10
    joined = [r for r in rows if r["question"] == "services_joined_up" and r["breakdown"] == "EHC plan or SEN support"]
    assert joined and all(r["count"] == "[c]" for r in joined)
    assert {r["breakdown"] for r in rows} >= {"All respondents", "EHC plan or SEN support"}
    # every cell is neutralised; the header is the documented one
    assert list(rows[0].keys())[:4] == ["survey", "survey_title", "question", "question_text"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_public_page_shows_the_headline_with_its_table_and_summary(app, known):
    client = TestClient(app=app, base_url="http://testserver.local")
    page = client.get("/you-said-we-did", params={"survey": known.slug})
    assert page.status_code == 200
    text = text_of(page.text)
    assert "65% of the 20 people who answered were satisfied or very satisfied overall (95% confidence interval 43% to 82%)" in text
    assert "Our target is 90%: we are below it" in text or "so we are below the target" in text
    assert f'id="published-headline-{known.slug}"' in page.text
    assert f'data-chart="published-headline-{known.slug}"' in page.text  # the chart's data table
    assert f"/you-said-we-did/figures.csv?survey={known.slug}" in page.text
    printed = client.get("/you-said-we-did/print", params={"survey": known.slug})
    assert printed.status_code == 200 and "65% of the 20 people" in text_of(printed.text)
    assert "/you-said-we-did/figures.csv" in printed.text


def test_a_small_survey_shows_no_figure(app):
    survey = open_test_run("annual-send-parent")
    for seed in range(4):
        run(submitted(survey, valid_answers(survey.instrument, 3000 + seed, overall_satisfaction="very_satisfied")))
    publish(survey)
    client = TestClient(app=app, base_url="http://testserver.local")
    text = text_of(client.get("/you-said-we-did", params={"survey": survey.slug}).text)
    assert "Too few people answered for us to publish this figure" in text
    rows = rows_of(client.get("/you-said-we-did/figures.csv", params={"survey": survey.slug}))
    overall = [r for r in rows if r["question"] == "overall_satisfaction" and r["breakdown"] == "All respondents"]
    assert overall and all(r["count"] in ("[c]", "") or r["kind"] == "not in base" for r in overall)
    assert all(r["percent"] in ("[c]", "") for r in overall)


def test_only_surveys_with_published_updates_have_public_figures(app, known):
    unpublished = open_test_run("annual-send-parent")
    client = TestClient(app=app, base_url="http://testserver.local")
    for bad in [unpublished.slug, "no-such-survey", "x" * 5000, "=cmd", "../../etc/passwd"]:
        response = client.get("/you-said-we-did/figures.csv", params={"survey": bad})
        assert response.status_code == 404, bad
    everything = rows_of(client.get("/you-said-we-did/figures.csv"))
    surveys = {r["survey"] for r in everything}
    assert known.slug in surveys and unpublished.slug not in surveys


def test_survey_titles_that_look_like_formulas_are_neutralised(app):
    raw = __import__("copy").deepcopy(dict(built_in_instruments()["annual-send-young-person"].raw))
    raw["title"] = "=HYPERLINK(\"http://evil\")"
    survey = run(open_run(parse_instrument(raw), slug=unique_slug("formula-pub")))
    publish(survey)
    client = TestClient(app=app, base_url="http://testserver.local")
    text = client.get("/you-said-we-did/figures.csv", params={"survey": survey.slug}).content.decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def main_text(html: str) -> str:
    """The words of the page's main part; punctuation joined to its word as a reader sees it (the
    picture version wraps each key word and its full stop in its own element)."""
    return re.sub(r" ([.,?!:])", r"\1", text_of(html[html.index("<main"):html.index("</main>")]))


# What a young person or a parent reading easy read must not meet: percentages, intervals, file
# formats, the suppression mark, statistical words.
JARGON = ("%", "interval", "confidence", "CSV", ".csv", "[c]", "base", "Progress:", "Due ")


def test_the_easy_read_and_picture_versions_say_the_headline_in_words_without_jargon(app, known):
    client = TestClient(app=app, base_url="http://testserver.local")
    for version in ("easy_read", "symbols"):
        page = client.get("/you-said-we-did", params={"survey": known.slug, "version": version})
        assert page.status_code == 200
        text = main_text(page.text)
        # 13 of 20 were satisfied: 65% is "about 7 in 10" (halves round up), with the target in words
        assert "About 7 in 10 people who answered said they were happy with the help for SEND." in text
        assert "20 people answered this question." in text
        assert "We want 9 in 10 people to be happy." in text and "We have not got there yet." in text
        assert 'data-filled="7"' in page.text  # the picture of 10 people has 7 blue
        assert "Each person in the picture is 1 in 10 people." in text
        assert known.title_for(version) in text and known.title_for(version) != known.title  # the easy title
        for word in JARGON:
            assert word not in text, (version, word)
        assert "figures.csv" not in page.text and "data-chart=" not in page.text
        assert "All themes" not in text and "What it is about" in text  # the filter in plain words too
        # a link back to the standard version of the same survey, and across to the other easy read
        assert f'href="/you-said-we-did?survey={known.slug}"' in page.text
        other = "easy_read" if version == "symbols" else "symbols"
        assert f'href="/you-said-we-did?version={other}&amp;survey={known.slug}"' in page.text
    standard = client.get("/you-said-we-did", params={"survey": known.slug})
    assert f'href="/you-said-we-did?version=easy_read&amp;survey={known.slug}"' in standard.text
    assert "65%" in main_text(standard.text)  # the standard page keeps its percentages


def test_easy_read_says_everyone_and_not_enough_in_words(app):
    everyone = open_test_run("annual-send-parent")
    for seed in range(10):
        run(submitted(everyone, valid_answers(everyone.instrument, 4000 + seed, overall_satisfaction="satisfied")))
    publish(everyone)
    few = open_test_run("annual-send-parent")
    for seed in range(4):
        run(submitted(few, valid_answers(few.instrument, 4100 + seed, overall_satisfaction="satisfied")))
    publish(few)
    client = TestClient(app=app, base_url="http://testserver.local")
    page = client.get("/you-said-we-did", params={"survey": everyone.slug, "version": "easy_read"})
    text = main_text(page.text)
    assert "Everyone who answered said they were happy with the help for SEND." in text
    assert "We have reached this." in text and 'data-filled="10"' in page.text
    page = client.get("/you-said-we-did", params={"survey": few.slug, "version": "easy_read"})
    text = main_text(page.text)
    assert "Not enough people answered for us to share the numbers yet." in text
    assert "data-filled" not in page.text  # no picture of people when there is no figure
    for word in JARGON:
        assert word not in text, word


def test_an_easy_read_update_says_its_progress_and_date_in_words(app):
    survey = open_test_run("annual-send-parent")

    async def create():
        update = await save_update({"run": survey.id, "themes": [], "title": "Phone calls", "you_said": "Nobody answers.",
                                    "we_did": "A helpline.", "easy_read_you_said": "You said nobody answers the phone.",
                                    "easy_read_we_did": "We have a new phone line.", "owner": "", "status": "in_progress",
                                    "reason": "", "progress": 45, "due_on": "2027-05-30"}, actor="tests")
        await set_published(update, True)

    run(create())
    client = TestClient(app=app, base_url="http://testserver.local")
    easy = main_text(client.get("/you-said-we-did", params={"survey": survey.slug, "version": "easy_read"}).text)
    assert "We have a new phone line." in easy
    assert "We are about half way. We plan to finish by 30 May 2027." in easy
    for word in JARGON:
        assert word not in easy, word
    standard = main_text(client.get("/you-said-we-did", params={"survey": survey.slug}).text)
    assert "Progress: 45% · Due 2027-05-30" in standard


def test_public_figures_are_worked_out_once_and_again_after_any_withdrawal(app, monkeypatch):
    """Anyone can open the public page, so its figures are kept between visits; a new response, an
    erasure or a withdrawal changes them at once (never a stale figure after someone withdraws)."""
    import feedback.publishing.figures as published

    survey = open_test_run("annual-send-parent")
    drafts = [run(submitted(survey, valid_answers(survey.instrument, 900 + i, overall_satisfaction="satisfied")))
              for i in range(12)]
    publish(survey)
    loads = []
    real_load = published.load_run

    async def counting_load(r):
        loads.append(r.id)
        return await real_load(r)

    monkeypatch.setattr(published, "load_run", counting_load)
    client = TestClient(app=app, base_url="http://testserver.local")

    def headline_text():
        page = client.get("/you-said-we-did", params={"survey": survey.slug})
        assert page.status_code == 200
        return text_of(page.text)

    assert "100% of the 12 people who answered" in headline_text()
    assert "100% of the 12 people who answered" in headline_text()
    rows_of(client.get("/you-said-we-did/figures.csv", params={"survey": survey.slug}))
    assert loads.count(survey.id) == 1  # three visits, one load
    run(record_withdrawal(drafts[0].respondent_id, ["participation"]))
    assert "100% of the 11 people who answered" in headline_text()
    assert run(erase_response(drafts[1]))
    assert "100% of the 10 people who answered" in headline_text()
    run(submitted(survey, valid_answers(survey.instrument, 950, overall_satisfaction="very_satisfied")))
    assert "100% of the 11 people who answered" in headline_text()
    assert loads.count(survey.id) == 4
