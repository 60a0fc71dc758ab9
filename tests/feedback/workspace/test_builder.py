"""The consultation builder: a consultation written in the workspace over plain HTTP (CSRF tokens,
no JavaScript), checked, previewed, downloaded, published, answered in the standard and easy-read
versions by the walker, and exported; the authoring checks; who may see which draft; bad input."""

from __future__ import annotations

import re
import tomllib
import uuid

import pytest
from litestar.testing import TestClient

from feedback.accounts.audit import recent
from feedback.accounts.auth import create_user
from feedback.workspace.exports import export_rows
from surveys import authoring
from surveys.instrument import built_in_instruments, parse_instrument
from surveys.runs import get_run
from surveys.tables import InstrumentDraft, Response, SurveyRun
from tests.conftest import run, unique_slug
from tests.walker import Walker, csrf_token, parse_forms

PASSWORD = "a long enough test password"
BASE = "/workspace/consultations"


def make_user(role: str, team: str = "partnership") -> str:
    email = f"builder-{role}-{uuid.uuid4().hex[:8]}@example.org"
    run(create_user(email, role, password=PASSWORD, team=team))
    return email


@pytest.fixture
def browser(app):
    def new():
        return TestClient(app=app, base_url="http://testserver.local")
    return new


class Author:
    """Someone signed in to the workspace, filling in the builder's forms."""

    def __init__(self, client, email: str):
        self.client = client
        page = client.get("/login")
        signed = client.post("/login", data={"_csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD,
                                             "next": "/workspace"}, follow_redirects=False)
        assert signed.status_code == 303
        self.token = csrf_token(client.get(BASE).text)

    def get(self, url: str):
        return self.client.get(url, follow_redirects=False)

    def post(self, url: str, data: dict | None = None):
        return self.client.post(url, data={**(data or {}), "_csrf_token": self.token}, follow_redirects=False)

    def create(self, title: str) -> int:
        created = self.post(f"{BASE}/new", {"title": title})
        assert created.status_code == 303, created.text[:500]
        return int(re.search(r"/consultations/(\d+)$", created.headers["location"]).group(1))

    def details(self, draft: int, **changes):
        data = {
            "title": "Short breaks and holiday clubs", "description": "Tell us about short breaks.\nIt takes ten minutes.",
            "run_by": "Parent Carer Voice", "what_happens_next": "We will share what we heard in the summer.",
            "minutes": "8", "audience": "parent_carer", "notice": "annual-send-survey", "variants": ["easy_read"],
            "consent_purposes": ["quotes"], "retention_free_text": "anonymise", "retention_days": "365",
        }
        data.update(changes)
        return self.post(f"{BASE}/{draft}/details", data)

    def section(self, draft: int, title: str, **fields) -> str:
        added = self.post(f"{BASE}/{draft}/sections/new", {"title": title, **fields})
        assert added.status_code == 303, added.text[:800]
        return re.search(r"/sections/([a-z0-9_]+)/questions/new$", added.headers["location"]).group(1)

    def question(self, draft: int, section: str, **fields):
        return self.post(f"{BASE}/{draft}/sections/{section}/questions/new", answer_rows(fields))


def answer_rows(fields: dict) -> dict:
    """The answers written as `value | label | easy-read label | hint` lines (short to read in a
    test) typed into the question form's answer rows, one row a line."""
    fields = dict(fields)
    lines = [line for line in (fields.pop("options", None) or "").splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 1:
            parts = ["", parts[0]]
        for name, part in zip(("value", "label", "easy_read", "hint"), parts):
            fields[f"option-{number}-{name}"] = part
    return fields


def definition_of(draft_id: int) -> dict:
    draft = run(authoring.get_draft(draft_id))
    assert draft is not None
    return draft.definition


def build_consultation(author: Author) -> int:
    """A consultation with questions of several types, a condition and easy-read words throughout."""
    draft = author.create("Short breaks")
    assert author.details(draft).status_code == 303
    about = author.section(draft, "About your family", intro="A few questions about your child.",
                           easy_text="About you", easy_symbol="home")
    breaks = author.section(draft, "Short breaks", easy_text="Short breaks", easy_symbol="play")
    for section, fields in [
        (about, dict(key="child_age", type="age_band", bands="child", text="How old is your child?",
                     easy_text="How old is your child?", error="Select how old your child is")),
        (about, dict(key="setting", type="single_choice", text="Where does your child learn most days?",
                     options="mainstream | A mainstream school | A normal school\nspecial | A special school | A special school\n"
                             "home | At home | At home", dont_know="yes", easy_text="Where does your child learn?")),
        (breaks, dict(key="uses_breaks", type="yes_no", text="Does your family use short breaks?",
                      easy_text="Do you use short breaks?", easy_symbol="play")),
        (breaks, dict(key="breaks_happy", type="scale", scale="satisfaction", dont_know="yes",
                      text="How satisfied are you with your short breaks?", show_if_question="uses_breaks",
                      show_if_values="yes", easy_text="Are you happy with short breaks?")),
        (breaks, dict(key="activities", type="multiple_choice", text="Which activities would your child like?",
                      options="sport | Sport | Sport\nart | Art and music | Art and music\nnone | None of these | None",
                      exclusive="none", easy_text="What would your child like to do?")),
        (breaks, dict(key="hours", type="number", text="How many hours of short breaks a month do you get?",
                      min="0", max="200", suffix="hours", optional="yes", easy_text="How many hours a month?")),
        (breaks, dict(key="club_name", type="short_text", text="Which club does your child go to?", optional="yes",
                      max_length="100", easy_text="Which club?")),
        (breaks, dict(key="better", type="long_text", text="What would make short breaks better?", optional="yes",
                      hint="Tell us in your own words.", easy_text="What would make short breaks better?",
                      easy_hint="Write or ask someone to help.")),
    ]:
        added = author.question(draft, section, **fields)
        assert added.status_code == 303, (fields["key"], added.text[:2000])
    return draft


# --- built, checked, published, answered, exported -------------------------------------------


def test_a_consultation_built_in_the_workspace_is_published_answered_in_each_version_and_exported(browser):
    email = make_user("pcv", f"forum-{uuid.uuid4().hex[:6]}")
    with browser() as client:
        author = Author(client, email)
        draft_id = build_consultation(author)
        definition = definition_of(draft_id)
        instrument = parse_instrument(definition)  # what the builder saved loads like a built-in file
        assert [q.type for q in instrument.questions] == [
            "age_band", "single_choice", "yes_no", "scale", "multiple_choice", "number", "short_text", "long_text"]
        assert definition["sections"][1]["questions"][1]["show_if"] == {"question": "uses_breaks", "equals": "yes"}
        assert definition["sections"][1]["questions"][2]["options"][2] == {
            "value": "none", "label": "None of these", "easy_read": "None", "exclusive": True}
        editor = author.get(f"{BASE}/{draft_id}")
        assert editor.status_code == 200
        assert "Nothing to fix" in editor.text and "Easy-read words missing" not in editor.text

        publish_page = author.get(f"{BASE}/{draft_id}/publish")
        assert publish_page.status_code == 200 and "Publish version 1" in publish_page.text
        slug = unique_slug("built")
        published = author.post(f"{BASE}/{draft_id}/publish", {"slug": slug, "variants": ["easy_read"]})
        assert published.status_code == 303, published.text[:2000]
        survey = run(get_run(slug))
        assert published.headers["location"] == f"/workspace/surveys/{survey.id}"
        assert survey.variants == ("standard", "easy_read") and survey.is_open()
        assert survey.team == run(authoring.get_draft(draft_id)).team
        assert survey.instrument.version == "1" and survey.instrument.key == definition["key"]
        assert any(e.action == "survey_opened" and e.object == slug for e in run(recent(20, "survey_opened")))
        after = run(authoring.get_draft(draft_id))
        assert after.version == 2 and after.published[0]["slug"] == slug and after.published[0]["version"] == 1

        # Later edits are the next version: the published survey keeps the words people saw.
        author.post(f"{BASE}/{draft_id}/questions/better", {
            **authoring.question_form_values(definition["sections"][1]["questions"][-1]), "text": "Anything else?"})
        assert definition_of(draft_id)["sections"][1]["questions"][-1]["text"] == "Anything else?"
        assert definition_of(draft_id)["version"] == "2"
        assert run(get_run(slug)).instrument.questions_by_key["better"].text == "What would make short breaks better?"

    for start in (f"/s/{slug}", f"/s/{slug}?version=easy_read"):
        with browser() as respondent:
            walker = Walker(respondent)
            assert walker.complete(start)
            assert any("/q/breaks_happy" in url for url in walker.pages_seen)  # shown: the walker said yes
    header, rows = run(export_rows(run(get_run(slug))))
    assert header[:4] == ["respondent_id", "submitted_at", "variant", "channel"]
    assert header[4:] == list(instrument.question_keys)
    assert sorted(row[2] for row in rows) == ["easy_read", "standard"]
    for row in rows:
        answers = dict(zip(header, row))
        assert answers["uses_breaks"] == "yes" and answers["breaks_happy"] == "very_satisfied"
        assert answers["activities"] == "sport" and answers["hours"] == 3


def test_the_downloaded_file_round_trips_through_the_instrument_loader(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft_id = build_consultation(author)
        download = author.get(f"{BASE}/{draft_id}/download.toml")
        assert download.status_code == 200
        assert download.headers["content-disposition"].startswith("attachment;")
        assert download.headers["content-disposition"].endswith('.toml"')
        data = tomllib.loads(download.text)
        assert data == definition_of(draft_id)
        instrument = parse_instrument(data, source="downloaded.toml")
        assert instrument.questions_by_key["breaks_happy"].show_if.question == "uses_breaks"
        assert instrument.variants == ("standard", "easy_read")


# --- previews ------------------------------------------------------------------------------


def test_every_variant_of_a_question_page_is_previewed_with_the_respondent_templates_and_nothing_is_stored(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft_id = build_consultation(author)
        responses_before = run(Response.count())
        index = author.get(f"{BASE}/{draft_id}/preview")
        assert index.status_code == 200
        assert f"{BASE}/{draft_id}/preview/symbols/breaks_happy" in index.text
        standard = author.get(f"{BASE}/{draft_id}/preview/standard/breaks_happy")
        assert standard.status_code == 200
        assert "How satisfied are you with your short breaks?" in standard.text
        assert 'value="dont_understand"' not in standard.text
        assert "Only asked when the answer to uses_breaks is Yes" in standard.text
        easy = author.get(f"{BASE}/{draft_id}/preview/easy_read/breaks_happy")
        assert "Are you happy with short breaks?" in easy.text and "app-easy-read" in easy.text
        assert 'value="dont_understand"' in easy.text and "app-er-question" in easy.text
        symbols = author.get(f"{BASE}/{draft_id}/preview/symbols/uses_breaks")
        assert symbols.status_code == 200 and "Do you use short breaks?" in symbols.text
        # the page's form posts back to the preview, never to a live survey
        forms = [f for f in parse_forms(easy.text) if f.method == "post" and "logout" not in f.action]
        assert [f.action for f in forms] == [f"{BASE}/{draft_id}/preview/easy_read/breaks_happy"]
        missing = author.post(f"{BASE}/{draft_id}/preview/standard/setting", {"action": "continue"})
        assert missing.status_code == 422 and "govuk-error-summary" in missing.text
        onward = author.post(f"{BASE}/{draft_id}/preview/standard/setting", {"action": "continue", "setting": "home"})
        assert onward.status_code == 303 and onward.headers["location"] == f"{BASE}/{draft_id}/preview/standard/uses_breaks"
        last = author.post(f"{BASE}/{draft_id}/preview/standard/better", {"action": "continue"})
        assert last.headers["location"] == f"{BASE}/{draft_id}/preview?variant=standard&done=1"
        assert author.get(f"{BASE}/{draft_id}/preview/standard/nope").status_code == 404
        assert author.get(f"{BASE}/{draft_id}/preview/large_print/setting").status_code == 404
        assert run(Response.count()) == responses_before


# --- authoring checks ----------------------------------------------------------------------


def test_missing_easy_read_text_is_reported_by_element_and_blocks_publishing(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft_id = author.create("Transport consultation")
        assert author.details(draft_id, title="Transport consultation").status_code == 303
        section = author.section(draft_id, "Getting to school", easy_text="Going to school")
        added = author.question(draft_id, section, key="transport_ok", type="single_choice",
                                text="Is your child's transport to school reliable?",
                                options="yes | Yes, always | Yes\nno | No, it is often late")
        assert added.status_code == 303  # saved: unfinished easy-read words are allowed while writing
        editor = author.get(f"{BASE}/{draft_id}")
        problems = editor.text[editor.text.index('id="problem-list"'):]
        assert "Question ‘Is your child&#39;s transport to school reliable?’ (transport_ok)" in problems
        assert "the easy-read variant is offered but this question has no easy_read.text" in problems
        assert "option &#39;no&#39; has no easy_read label" in problems
        assert f'href="{BASE}/{draft_id}/questions/transport_ok"' in problems
        assert "Easy-read words missing" in editor.text
        refused = author.post(f"{BASE}/{draft_id}/publish", {"slug": unique_slug("transport")})
        assert refused.status_code == 422 and "govuk-error-summary" in refused.text
        assert "no easy_read.text" in refused.text
        assert run(SurveyRun.count().where(SurveyRun.instrument_key == definition_of(draft_id)["key"])) == 0


def test_readability_advice_flags_a_long_sentence_without_blocking(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft_id = author.create("Advice")
        author.details(draft_id, title="Advice")
        section = author.section(draft_id, "Views", easy_text="Your views")
        long_sentence = ("We would really like to know what you think about the help that your family gets "
                         "from the short breaks service every single week.")
        assert author.question(draft_id, section, key="views", type="long_text", text="Your views?",
                               easy_text=long_sentence).status_code == 303
        editor = author.get(f"{BASE}/{draft_id}")
        advice = editor.text[editor.text.index('id="advice-list"'):]
        assert "Question ‘Your views?’ (views)" in advice and "sentence of 24 words" in advice
        assert "Nothing to fix" in editor.text  # advice, not a block
        assert author.post(f"{BASE}/{draft_id}/publish", {"slug": unique_slug("advice")}).status_code == 303


# --- who sees which draft ----------------------------------------------------------------


def test_a_forum_member_sees_only_their_own_teams_drafts_and_an_officer_sees_them_all(browser):
    team_a, team_b = f"forum-a-{uuid.uuid4().hex[:6]}", f"forum-b-{uuid.uuid4().hex[:6]}"
    with browser() as client:
        owner = Author(client, make_user("pcv", team_a))
        draft_id = build_consultation(owner)
        assert run(authoring.get_draft(draft_id)).team == team_a
    routes_get = ["", "/details", "/sections/about_your_family", "/sections/about_your_family/delete",
                  "/sections/short_breaks/questions/new", "/questions/setting", "/questions/setting/delete",
                  "/preview", "/preview/standard/setting", "/download.toml", "/publish"]
    routes_post = ["/details", "/sections/new", "/sections/short_breaks", "/sections/short_breaks/move",
                   "/sections/short_breaks/delete", "/sections/short_breaks/questions/new", "/questions/setting",
                   "/questions/setting/move", "/questions/setting/delete", "/preview/standard/setting", "/publish"]
    before = definition_of(draft_id)
    with browser() as client:
        other = Author(client, make_user("pcv", team_b))
        assert f"{BASE}/{draft_id}" not in other.get(BASE).text
        for route in routes_get:
            assert other.get(f"{BASE}/{draft_id}{route}").status_code == 404, route
        for route in routes_post:
            assert other.post(f"{BASE}/{draft_id}{route}", {"direction": "up", "title": "Taken over"}).status_code == 404, route
        copied = other.post(f"{BASE}/copy", {"source": f"draft-{draft_id}"})
        assert copied.status_code == 422  # cannot copy what it cannot see
        assert other.get(f"{BASE}/999999").status_code == 404
        assert other.get(f"{BASE}/99999999999999999999").status_code == 404
        assert other.post(f"{BASE}/copy", {"source": "run-99999999999999999999"}).status_code == 422
    assert definition_of(draft_id) == before
    with browser() as client:
        teammate = Author(client, make_user("pcv", team_a))
        assert teammate.get(f"{BASE}/{draft_id}").status_code == 200
    with browser() as client:
        officer = Author(client, make_user("officer"))
        assert f"{BASE}/{draft_id}" in officer.get(BASE).text
        for route in routes_get:
            assert officer.get(f"{BASE}/{draft_id}{route}").status_code == 200, route


def test_the_builder_needs_a_signed_in_user(browser):
    with browser() as client:
        assert client.get(BASE, follow_redirects=False).headers["location"].startswith("/login")
        assert client.get(f"{BASE}/1/download.toml", follow_redirects=False).status_code == 303


# --- bad input --------------------------------------------------------------------------------


def test_bad_input_gets_a_clear_message_and_loses_nothing_already_saved(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft_id = author.create("Bad input")
        section = author.section(draft_id, "Questions")
        assert author.question(draft_id, section, key="first", type="yes_no", text="First?").status_code == 303
        assert author.question(draft_id, section, key="second", type="short_text", text="Second?").status_code == 303
        saved = definition_of(draft_id)

        unknown = author.question(draft_id, section, key="third", type="essay", text="Tell us everything")
        assert unknown.status_code == 422 and "govuk-error-summary" in unknown.text
        assert "‘essay’ is not a question type" in unknown.text
        assert "Tell us everything" in unknown.text  # what they typed is still in the form

        duplicate = author.question(draft_id, section, key="first", type="short_text", text="Again?")
        assert duplicate.status_code == 422
        assert "Another question already uses the key ‘first’" in duplicate.text
        assert 'href="#key"' in duplicate.text

        fields = {**authoring.question_form_values(saved["sections"][0]["questions"][0]),
                  "show_if_question": "second", "show_if_values": "yes"}
        later = author.post(f"{BASE}/{draft_id}/questions/first", fields)
        assert later.status_code == 422
        assert "‘second’ comes after this question: a question can only depend on an earlier answer" in later.text

        not_an_answer = author.question(draft_id, section, key="third", type="short_text", text="Why?",
                                        show_if_question="first", show_if_values="maybe")
        assert not_an_answer.status_code == 422 and "‘maybe’ is not an answer to ‘first’" in not_an_answer.text

        for fields, message in [
            (dict(key="Bad Key", type="short_text", text="Q"), "The key must start with a letter"),
            (dict(key="pick", type="single_choice", text="Pick", options=""), "Enter the answers people can choose from"),
            (dict(key="pick", type="single_choice", text="Pick", options="a | A\na | Again"), "has the same value ‘a’ as answer 1"),
            (dict(key="pick", type="multiple_choice", text="Pick", options="a | A", exclusive="none"), "is not one of the answer values"),
            (dict(key="rate", type="scale", text="Rate", scale="stars"), "Select which answer scale to use"),
            (dict(key="count", type="number", text="Count", min="ten"), "must be a whole number"),
            (dict(key="count", type="number", text="Count", min="10", max="1"), "more than the smallest number"),
            (dict(key="words", type="long_text", text="Words", max_length="999999"), "must be between 1 and 20,000"),
            (dict(key="dk", type="single_choice", text="DK", options="dont_know | Not sure"), "kept for the built-in answer"),
            (dict(key="sym", type="yes_no", text="Sym", easy_symbol="not_a_symbol_at_all"), "is not in the symbol dictionary"),
        ]:
            refused = author.question(draft_id, section, **fields)
            assert refused.status_code == 422 and message in refused.text, (fields, refused.text[:3000])

        assert author.post(f"{BASE}/{draft_id}/details", {"title": "", "minutes": "500", "audience": "aliens"}).status_code == 422
        assert author.post(f"{BASE}/{draft_id}/sections/new", {"title": ""}).status_code == 422
        assert author.post(f"{BASE}/{draft_id}/sections/nope/questions/new", {"key": "x"}).status_code == 404
        assert author.post(f"{BASE}/new", {"title": ""}).status_code == 422
        assert definition_of(draft_id) == saved  # nothing already saved was lost or changed
        # a draft only ever has gaps still to fill in (here, the start-page text), never anything wrong
        assert all(authoring.is_unfinished(p) for p in authoring.problems_of(saved))


def test_a_changed_key_is_followed_by_the_questions_that_depend_on_it(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft_id = author.create("Renames")
        section = author.section(draft_id, "Questions")
        author.question(draft_id, section, key="uses", type="yes_no", text="Do you use it?")
        author.question(draft_id, section, key="why", type="short_text", text="Why?", show_if_question="uses", show_if_values="yes")
        fields = {**authoring.question_form_values(definition_of(draft_id)["sections"][0]["questions"][0]), "key": "uses_it"}
        assert author.post(f"{BASE}/{draft_id}/questions/uses", fields).status_code == 303
        questions = definition_of(draft_id)["sections"][0]["questions"]
        assert [q["key"] for q in questions] == ["uses_it", "why"]
        assert questions[1]["show_if"] == {"question": "uses_it", "equals": "yes"}
        # deleting a question others depend on is refused with the reason
        refused = author.post(f"{BASE}/{draft_id}/questions/uses_it/delete")
        assert refused.status_code == 422 and "‘why’ only show depending on the answer to this question" in refused.text
        assert author.post(f"{BASE}/{draft_id}/questions/why/delete").status_code == 303
        assert author.post(f"{BASE}/{draft_id}/questions/uses_it/delete").status_code == 303
        assert definition_of(draft_id)["sections"][0]["questions"] == []


# --- moving, sections, copies -----------------------------------------------------------------


def test_sections_and_questions_move_up_and_down_but_never_above_what_they_depend_on(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft_id = build_consultation(author)

        def order():
            return [(s["key"], [q["key"] for q in s["questions"]]) for s in definition_of(draft_id)["sections"]]

        assert author.post(f"{BASE}/{draft_id}/questions/activities/move", {"direction": "up"}).status_code == 303
        assert order()[1][1][:4] == ["uses_breaks", "activities", "breaks_happy", "hours"]
        # the first question of a section moves into the end of the section before
        assert author.post(f"{BASE}/{draft_id}/questions/uses_breaks/move", {"direction": "up"}).status_code == 303
        assert order()[0][1] == ["child_age", "setting", "uses_breaks"]
        assert author.post(f"{BASE}/{draft_id}/questions/uses_breaks/move", {"direction": "down"}).status_code == 303
        assert order()[1][1][0] == "uses_breaks"
        # a conditional question cannot go above the question it depends on
        author.post(f"{BASE}/{draft_id}/questions/activities/move", {"direction": "down"})
        refused = author.post(f"{BASE}/{draft_id}/questions/breaks_happy/move", {"direction": "up"})
        assert refused.status_code == 422 and "govuk-error-summary" in refused.text
        assert "show_if refers to &#39;uses_breaks&#39;, which is not an earlier question" in refused.text
        assert order()[1][1][:2] == ["uses_breaks", "breaks_happy"]
        assert author.post(f"{BASE}/{draft_id}/sections/short_breaks/move", {"direction": "up"}).status_code == 303
        assert [key for key, _ in order()] == ["short_breaks", "about_your_family"]
        assert author.post(f"{BASE}/{draft_id}/sections/short_breaks/move", {"direction": "up"}).status_code == 303
        assert [key for key, _ in order()] == ["short_breaks", "about_your_family"]  # already first: no change
        assert author.post(f"{BASE}/{draft_id}/sections/short_breaks/move", {"direction": "down"}).status_code == 303
        # a section cannot move above a section whose answers its questions depend on
        hours = {**authoring.question_form_values(authoring.find_question(definition_of(draft_id), "hours")[2]),
                 "show_if_question": "setting", "show_if_values": "mainstream, special"}
        assert author.post(f"{BASE}/{draft_id}/questions/hours", hours).status_code == 303
        assert authoring.find_question(definition_of(draft_id), "hours")[2]["show_if"] == {
            "question": "setting", "any_of": ["mainstream", "special"]}
        refused = author.post(f"{BASE}/{draft_id}/sections/short_breaks/move", {"direction": "up"})
        assert refused.status_code == 422 and "Question ‘How many hours" in refused.text
        assert [key for key, _ in order()] == ["about_your_family", "short_breaks"]

        edited = author.post(f"{BASE}/{draft_id}/sections/short_breaks", {
            "title": "Short breaks and clubs", "intro": "About breaks.", "easy_text": "Breaks and clubs", "easy_symbol": "play"})
        assert edited.status_code == 303
        section = definition_of(draft_id)["sections"][1]
        assert section["title"] == "Short breaks and clubs" and section["easy_read"] == {"text": "Breaks and clubs", "symbol": "play"}
        assert author.get(f"{BASE}/{draft_id}/sections/about_your_family/delete").status_code == 200
        refused = author.post(f"{BASE}/{draft_id}/sections/about_your_family/delete")
        assert refused.status_code == 422 and "Question ‘How many hours" in refused.text  # hours depends on it
        assert author.post(f"{BASE}/{draft_id}/sections/short_breaks/delete").status_code == 303
        assert order() == [("about_your_family", ["child_age", "setting"])]


def test_a_previous_consultation_is_copied_from_a_draft_or_a_published_survey(browser):
    team = f"forum-{uuid.uuid4().hex[:6]}"
    with browser() as client:
        author = Author(client, make_user("pcv", team))
        draft_id = build_consultation(author)
        slug = unique_slug("copied")
        assert author.post(f"{BASE}/{draft_id}/publish", {"slug": slug}).status_code == 303
        survey = run(get_run(slug))
        page = author.get(f"{BASE}/copy")
        assert f'value="draft-{draft_id}"' in page.text and f'value="run-{survey.id}"' in page.text
        from_run = author.post(f"{BASE}/copy", {"source": f"run-{survey.id}", "title": "Short breaks 2027"})
        assert from_run.status_code == 303
        copy_id = int(from_run.headers["location"].rsplit("/", 1)[1])
        copy = run(authoring.get_draft(copy_id))
        assert copy.title == "Short breaks 2027" and copy.team == team and copy.version == 1 and copy.published == []
        assert copy.key != survey.instrument.key
        assert copy.definition["sections"] == survey.instrument.raw["sections"]
        parse_instrument(copy.definition)
        from_draft = author.post(f"{BASE}/copy", {"source": f"draft-{draft_id}"})
        assert from_draft.status_code == 303
        assert run(InstrumentDraft.select(InstrumentDraft.title).where(
            InstrumentDraft.id == int(from_draft.headers["location"].rsplit("/", 1)[1])).first())["title"] == "Copy of Short breaks and holiday clubs"
        assert author.post(f"{BASE}/copy", {"source": "run-999999"}).status_code == 422
        from_file = author.post(f"{BASE}/copy", {"source": "file-annual-send-parent"})
        assert from_file.status_code == 303
        copy = run(authoring.get_draft(int(from_file.headers["location"].rsplit("/", 1)[1])))
        assert copy.title == "Copy of Joint annual SEND survey for parents and carers"
        assert copy.definition["sections"] == built_in_instruments()["annual-send-parent"].raw["sections"]
        assert author.post(f"{BASE}/copy", {"source": "file-nope"}).status_code == 422


@pytest.mark.parametrize("key", sorted(built_in_instruments()))
def test_every_built_in_questionnaire_survives_the_edit_forms_unchanged(key):
    """Opening any question or section in the editor and saving it changes nothing, so the forms
    cover every field the format has (page groups, option hints, conditions, easy-read words...)."""
    definition = built_in_instruments()[key].raw
    for section in definition["sections"]:
        changed, _ = authoring.apply_section(definition, section["key"], authoring.section_form_values(section))
        assert changed == definition, section["key"]
        for question in section["questions"]:
            changed, _ = authoring.apply_question(definition, section["key"], question["key"],
                                                  authoring.question_form_values(question))
            assert authoring.find_question(changed, question["key"])[2] == question, question["key"]
    details = authoring.apply_details(definition, authoring.details_form_values(definition), [definition["notice"]])
    assert parse_instrument(details).questions == parse_instrument(definition).questions


def test_publishing_checks_the_address_and_the_versions(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft_id = build_consultation(author)
        for data, message in [
            ({"slug": "Not A Slug"}, "Enter a web address name"),
            ({"slug": unique_slug("ok"), "variants": ["symbols"]}, "Offer only the versions this consultation has"),
            ({"slug": unique_slug("ok"), "closes_on": "2020-01-01"}, "The closing date must be in the future"),
            ({"slug": unique_slug("ok"), "closes_on": "next week"}, "Enter the closing date as a real date"),
        ]:
            refused = author.post(f"{BASE}/{draft_id}/publish", data)
            assert refused.status_code == 422 and message in refused.text, data
        slug = unique_slug("twice")
        assert author.post(f"{BASE}/{draft_id}/publish", {"slug": slug}).status_code == 303
        taken = author.post(f"{BASE}/{draft_id}/publish", {"slug": slug})
        assert taken.status_code == 422 and "already used" in taken.text
        assert author.post(f"{BASE}/{draft_id}/publish", {"slug": unique_slug("again")}).status_code == 303
        assert [p["version"] for p in run(authoring.get_draft(draft_id)).published] == [1, 2]
