"""The builder helps a forum member write a good easy-read and picture version, over plain HTTP:
the picture preview of what they typed (the htmx fragment and the page without JavaScript), the
picture search, the easy-read warnings (each planted, then fixed), answers edited as rows, the
easy-read title and explained words, and bad input."""

from __future__ import annotations

import re
import uuid
from html import unescape as html_unescape

import pytest
from litestar.testing import TestClient

from surveys import authoring
from surveys.runs import get_run
from tests.conftest import run, unique_slug
from tests.feedback.workspace.test_builder import BASE, Author, answer_rows, definition_of, make_user
from tests.walker import Walker

SCHOOL = "/symbols/1F3EB.svg"  # the dictionary's picture for "school"


@pytest.fixture
def browser(app):
    def new():
        return TestClient(app=app, base_url="http://testserver.local")
    return new


def new_consultation(author: Author, **question) -> tuple[int, str]:
    """A consultation with a picture version and one question (key "feel"); returns (draft, section)."""
    draft = author.create("After-school clubs")
    assert author.details(draft, variants=["symbols"]).status_code == 303
    section = author.section(draft, "Clubs", easy_text="Clubs")
    fields = {"key": "feel", "type": "single_choice", "text": "How do you feel at your club?",
              "easy_text": "How do you feel at the club?",
              "options": "happy | Happy | I feel happy\nsafe | Safe | I feel safe", **question}
    added = author.question(draft, section, **fields)
    assert added.status_code == 303, added.text[:3000]
    return draft, section


def form_of(draft: int, **changes) -> dict:
    """The question form as it is for "feel", with some fields changed (answer rows as lines)."""
    question = authoring.find_question(definition_of(draft), "feel")[2]
    fields = {name: value for name, value in authoring.question_form_values(question).items()
              if not name.startswith("option-") or "options" not in changes}
    fields.update(answer_rows(changes))
    return {name: ("yes" if value is True else value) for name, value in fields.items() if value is not False}


def preview(author: Author, draft: int, **changes):
    response = author.client.post(f"{BASE}/{draft}/easy-preview", data={**form_of(draft, **changes), "_csrf_token": author.token},
                                  headers={"HX-Request": "true"})
    assert response.status_code == 200, response.text[:2000]
    return response.text


def preview_region(html: str) -> str:
    start = html.index('id="easy-preview"')
    end = html.index('id="easy-warnings"', start)
    return html[start:html.index("</div>", end) + 6]


def words_of(html: str) -> str:
    """The words the preview shows (its pictures' names are not words on the page)."""
    return " ".join(html_unescape(re.sub(r"<[^>]+>", "", html)).split())


# --- the preview -------------------------------------------------------------------------------


def test_the_preview_shows_the_pictures_for_the_words_typed_and_crosses_out_a_negated_one(browser):
    with browser() as client:
        author = Author(client, make_user("pcv", f"forum-{uuid.uuid4().hex[:6]}"))
        draft, _ = new_consultation(author)
        fragment = preview(author, draft, easy_text="I do not like school", easy_hint="Tell us about your friends")
        assert "<html" not in fragment and 'id="easy-preview"' in fragment  # a fragment for htmx to swap in
        crossed = re.search(r'<span class="app-sym app-sym--not">(.*?)</span></span></span>', fragment, re.S)
        assert crossed and f'src="{SCHOOL}"' in crossed.group(1) and 'alt="school"' in crossed.group(1)
        assert "app-sym__cross" in crossed.group(1)
        assert 'alt="friends"' in fragment  # the hint's key word has its picture above it
        assert fragment.count('class="app-er-preview__answer"') == 2
        assert "I feel happy" in words_of(fragment) and "I feel safe" in words_of(fragment)

        # Without JavaScript: the page itself shows the preview of what is saved ...
        page = author.get(f"{BASE}/{draft}/questions/feel")
        assert page.status_code == 200
        assert 'hx-post="' + f"{BASE}/{draft}/easy-preview" + '"' in page.text
        assert 'hx-trigger="keyup changed delay:400ms' in page.text
        assert "How do you feel at the club?" in words_of(preview_region(page.text))
        # ... and "Preview pictures" shows what was typed, saving nothing.
        shown = author.post(f"{BASE}/{draft}/questions/feel", {**form_of(draft, easy_text="I do not like school"),
                                                                "row_action": "preview"})
        assert shown.status_code == 200 and "Not saved yet" in shown.text
        assert f'src="{SCHOOL}"' in preview_region(shown.text) and "app-sym--not" in preview_region(shown.text)
        assert authoring.find_question(definition_of(draft), "feel")[2]["easy_read"]["text"] == "How do you feel at the club?"
        # After saving, the page shows the saved words with their pictures.
        assert author.post(f"{BASE}/{draft}/questions/feel", form_of(draft, easy_text="I like school")).status_code == 303
        saved = author.get(f"{BASE}/{draft}/questions/feel")
        assert f'src="{SCHOOL}"' in preview_region(saved.text) and "app-sym--not" not in preview_region(saved.text)


def test_user_text_in_the_preview_and_the_rows_is_escaped_inside_hx_disable(browser):
    hostile = '<img src=x onerror=alert(1)><b hx-get="/workspace/users" hx-trigger="load">school</b>'
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft, _ = new_consultation(author)
        for html in (preview(author, draft, easy_text=hostile, options=f"a | {hostile} | {hostile}"),
                     author.post(f"{BASE}/{draft}/questions/feel", {**form_of(draft, easy_text=hostile, options=f"a | {hostile} | {hostile}"),
                                                                     "row_action": "preview"}).text):
            assert "<b hx-get" not in html and "<img src=x" not in html
            assert "&lt;b hx-get=" in html
            region = preview_region(html)
            assert re.search(r'id="easy-preview"[^>]*>\s*<h3[^>]*>[^<]*</h3>\s*<div hx-disable>', region)
        page = author.post(f"{BASE}/{draft}/questions/feel", {**form_of(draft, options=f"a | {hostile}"), "row_action": "add"}).text
        assert '<ol class="app-answer-rows" hx-disable>' in page
        assert "<b hx-get" not in page and 'value="&lt;img src=x onerror=alert(1)&gt;&lt;b hx-get=' in page


# --- the picture search --------------------------------------------------------------------------


def test_searching_the_pictures_shows_thumbnails_and_picking_one_fills_the_symbol_field(browser):
    with browser() as client:
        author = Author(client, make_user("pcv", f"forum-{uuid.uuid4().hex[:6]}"))
        draft, _ = new_consultation(author)
        found = author.get(f"{BASE}/{draft}/symbols?find_symbol=school")
        assert found.status_code == 200 and "<html" not in found.text
        assert f'<img class="app-symbol-pick__img" src="{SCHOOL}" alt="school"' in found.text
        assert 'name="pick_symbol" value="school"' in found.text and 'value="special_school"' in found.text
        nothing = author.get(f"{BASE}/{draft}/symbols?find_symbol=zzqxv")
        assert "No pictures match ‘zzqxv’" in nothing.text and "<img" not in nothing.text
        assert author.get(f"{BASE}/{draft}/symbols?find_symbol=" + "x" * 5000).status_code == 200

        # Without JavaScript: the form's Search button, then a picture's button; nothing is saved.
        searched = author.post(f"{BASE}/{draft}/questions/feel", {**form_of(draft), "find_symbol": "school", "row_action": "search"})
        assert searched.status_code == 200 and f'src="{SCHOOL}" alt="school"' in searched.text
        assert 'value="school"' in searched.text and 'form="question-form"' in searched.text
        picked = author.post(f"{BASE}/{draft}/questions/feel", {**form_of(draft), "pick_symbol": "school"})
        assert picked.status_code == 200
        assert re.search(r'id="easy_symbol" name="easy_symbol"[^>]* value="school"', picked.text)
        assert "easy_read" not in authoring.find_question(definition_of(draft), "feel")[2] or \
            "symbol" not in authoring.find_question(definition_of(draft), "feel")[2]["easy_read"]
        nonsense = author.post(f"{BASE}/{draft}/questions/feel", {**form_of(draft), "find_symbol": "zzqxv", "row_action": "search"})
        assert "No pictures match ‘zzqxv’" in nonsense.text


# --- the warnings ------------------------------------------------------------------------------


@pytest.mark.parametrize("planted, fixed, warning, field", [
    pytest.param(dict(easy_text="I do not feel safe at school", easy_symbol="school"),
                 dict(easy_text="I feel safe at school", easy_symbol="school"),
                 "says the opposite", "easy_symbol", id="negated word with a plain picture"),
    pytest.param(dict(options="happy | Happy | I feel happy\nsafe | Safe | Happy and safe"),
                 dict(options="happy | Happy | I feel happy\nsafe | Safe | Safe"),
                 "starts with the same picture (happy face) as answer 1", "option-2-easy_read", id="two answers, one picture"),
    pytest.param(dict(easy_text="How do you feel at the gubbins?"), dict(easy_text="How do you feel at the club?"),
                 "no picture in the dictionary for ‘gubbins’", "easy_text", id="key word with no picture"),
    pytest.param(dict(easy_text="When you go to the club after school on a Monday or a Tuesday how do you feel there?"),
                 dict(easy_text="How do you feel at the club?"),
                 "sentence of 19 words", "easy_text", id="long sentence"),
    pytest.param(dict(options="\n".join(f"a{n} | Answer {n} | Club {n}" for n in range(1, 7))),
                 dict(options="\n".join(f"a{n} | Answer {n} | Club {n}" for n in range(1, 5))),
                 "This question has 6 answers", "option-1-easy_read", id="more than 5 answers"),
    pytest.param(dict(easy_hint="Think about accessibility"), dict(easy_hint="Think about your club"),
                 "long words (over 3 syllables): accessibility", "easy_hint", id="long word"),
])
def test_each_easy_read_warning_shows_for_a_planted_case_and_goes_when_fixed(browser, planted, fixed, warning, field):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft, _ = new_consultation(author)
        shown = preview(author, draft, **planted)
        assert warning in shown and f'href="#{field}"' in shown
        assert warning not in preview(author, draft, **fixed)

        # Saved, it is in the editor's advice list too, naming the question and linking to the field.
        assert author.post(f"{BASE}/{draft}/questions/feel", form_of(draft, **planted)).status_code == 303
        editor = author.get(f"{BASE}/{draft}").text
        advice = editor[editor.index('id="advice-list"'):]
        advice = advice[:advice.index("</ul>")]
        assert warning in advice and "Question ‘How do you feel at your club?’ (feel)" in advice
        # the picture warnings link to the field; the sentence and word advice (the list had it before) to the page
        anchor = f"#{field}" if "sentence" not in warning and "long words" not in warning else ""
        assert f'href="{BASE}/{draft}/questions/feel{anchor}"' in advice
        page = author.get(f"{BASE}/{draft}/questions/feel").text
        assert warning in preview_region(page)  # and beside the preview on its page
        assert f'id="{field}"' in page  # the link goes to a field that is there
        assert author.post(f"{BASE}/{draft}/questions/feel", form_of(draft, **fixed)).status_code == 303
        assert warning not in author.get(f"{BASE}/{draft}").text
        # Advice, not a block: it never stops the question being saved or the survey being published.


# --- answers as rows ---------------------------------------------------------------------------


def rows_on(html: str) -> list[str]:
    return re.findall(r'id="option-(\d+)-label" name="option-\d+-label" type="text" value="([^"]*)"', html)


def test_answer_rows_are_added_removed_and_moved_then_saved_and_published_in_that_order(browser):
    with browser() as client:
        author = Author(client, make_user("pcv", f"forum-{uuid.uuid4().hex[:6]}"))
        draft, _ = new_consultation(author)
        url = f"{BASE}/{draft}/questions/feel"
        form = form_of(draft)
        added = author.post(url, {**form, "row_action": "add"})
        assert added.status_code == 200 and "Not saved yet" in added.text
        assert rows_on(added.text) == [("1", "Happy"), ("2", "Safe"), ("3", "")]
        form.update({"option-3-label": "Bored", "option-3-easy_read": "I feel bored", "option-3-value": ""})
        moved = author.post(url, {**form, "row_action": "up-3"})
        assert rows_on(moved.text) == [("1", "Happy"), ("2", "Bored"), ("3", "Safe")]
        # the page's own fields, as the browser would post them back
        form = {name: value for name, value in form.items() if not name.startswith("option-")}
        form.update({f"option-{n}-{field}": value for n, field, value in re.findall(
            r'id="option-(\d+)-(label|easy_read|hint|value)" name="[^"]+" type="text"(?: spellcheck="false")? value="([^"]*)"', moved.text)})
        removed = author.post(url, {**form, "row_action": "remove-1"})
        assert rows_on(removed.text) == [("1", "Bored"), ("2", "Safe")]
        assert [o["value"] for o in authoring.find_question(definition_of(draft), "feel")[2]["options"]] == ["happy", "safe"]

        form = {name: value for name, value in form.items() if not name.startswith("option-")}
        form.update({"option-1-label": "Bored", "option-1-easy_read": "I feel bored", "option-1-value": "",
                     "option-2-label": "Safe", "option-2-easy_read": "I feel safe", "option-2-value": "safe",
                     "option-3-label": "", "option-3-easy_read": "", "option-3-value": ""})  # a blank row is ignored
        assert author.post(url, form).status_code == 303
        options = authoring.find_question(definition_of(draft), "feel")[2]["options"]
        assert options == [{"value": "bored", "label": "Bored", "easy_read": "I feel bored"},
                           {"value": "safe", "label": "Safe", "easy_read": "I feel safe"}]
        page = author.get(url).text
        assert rows_on(page) == [("1", "Bored"), ("2", "Safe")]
        assert "value | label" not in page and 'name="options"' not in page  # no pipe-separated lines any more

        slug = unique_slug("rows")
        assert author.post(f"{BASE}/{draft}/publish", {"slug": slug, "variants": ["symbols"]}).status_code == 303
        published = run(get_run(slug)).instrument.questions_by_key["feel"]
        assert [(o.value, o.easy_read) for o in published.options] == [("bored", "I feel bored"), ("safe", "I feel safe")]
        download = author.get(f"{BASE}/{draft}/download.toml").text
        assert 'value = "bored"' in download


def test_an_error_in_one_row_links_to_that_rows_field_and_nothing_is_lost(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft, _ = new_consultation(author)
        before = definition_of(draft)
        form = {**form_of(draft), "option-3-label": "", "option-3-easy_read": "I feel sad", "option-3-value": "sad"}
        refused = author.post(f"{BASE}/{draft}/questions/feel", form)
        assert refused.status_code == 422
        summary = refused.text[refused.text.index("govuk-error-summary"):]
        assert '<a href="#option-3-label">Enter the label of answer 3, or remove the answer</a>' in summary
        assert 'id="option-3-label"' in refused.text and 'value="I feel sad"' in refused.text  # what they typed stays
        assert 'id="option-3-label-error"' in refused.text

        for rows, field, message in [
            ("a | A\na | Again", "option-2-value", "has the same value ‘a’ as answer 1"),
            ("Yes\nYes!", "option-2-label", "has the same value ‘yes’ as answer 1"),
            ("Bad Value | Label", "option-1-value", "The value of answer 1 must start with a letter"),
            ("dont_know | Not sure", "option-1-value", "kept for the built-in answer"),
        ]:
            refused = author.post(f"{BASE}/{draft}/questions/feel", form_of(draft, options=rows))
            assert refused.status_code == 422 and message in refused.text, rows
            assert f'<a href="#{field}">' in refused.text, (rows, field)
        assert definition_of(draft) == before


def test_very_long_input_gives_a_clear_message_not_a_server_error(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft, _ = new_consultation(author)
        before = definition_of(draft)
        long_label = "school " * 800
        refused = author.post(f"{BASE}/{draft}/questions/feel", form_of(draft, options=f"a | {long_label} | {long_label}"))
        assert refused.status_code == 422
        assert "The label of answer 1 must be 300 characters or fewer" in refused.text
        assert '<a href="#option-1-label">' in refused.text and '<a href="#option-1-easy_read">' in refused.text
        refused = author.post(f"{BASE}/{draft}/questions/feel", form_of(draft, easy_text="happy " * 6000))
        assert refused.status_code == 422 and "Easy-read words must be 2,000 characters or fewer" in refused.text
        assert "sentence of" in refused.text  # the preview and its warnings still show
        assert preview(author, draft, easy_text="happy " * 6000, options=f"a | {long_label}")
        many = "\n".join(f"a{n} | Answer {n}" for n in range(1, 60))
        refused = author.post(f"{BASE}/{draft}/questions/feel", form_of(draft, options=many))
        assert refused.status_code == 422 and "A question can have 40 answers at most" in refused.text
        assert definition_of(draft) == before


def test_the_preview_and_the_search_are_only_for_people_who_may_see_the_draft(browser):
    with browser() as one, browser() as other:
        owner = Author(one, make_user("pcv", f"forum-{uuid.uuid4().hex[:6]}"))
        draft, _ = new_consultation(owner)
        stranger = Author(other, make_user("pcv", f"forum-{uuid.uuid4().hex[:6]}"))
        assert stranger.post(f"{BASE}/{draft}/easy-preview", {"easy_text": "school"}).status_code == 404
        assert stranger.get(f"{BASE}/{draft}/symbols?find_symbol=school").status_code == 404


# --- the easy-read title and explained words ---------------------------------------------------------


class RecordingClient:
    """A test client that keeps every page it was given, to read what a walk showed."""

    def __init__(self, client):
        self.client, self.pages = client, []

    def get(self, *args, **kwargs):
        response = self.client.get(*args, **kwargs)
        self.pages.append(response.text)
        return response

    def post(self, *args, **kwargs):
        response = self.client.post(*args, **kwargs)
        self.pages.append(response.text)
        return response


def test_the_easy_title_and_explained_words_are_saved_frozen_on_publish_and_shown_to_people(browser):
    with browser() as client:
        author = Author(client, make_user("pcv", f"forum-{uuid.uuid4().hex[:6]}"))
        draft, section = new_consultation(author)
        assert author.question(draft, section, key="plan", type="yes_no", text="Does your child have an EHC plan?",
                               easy_text="Do you have an EHC plan?").status_code == 303
        details = author.get(f"{BASE}/{draft}/details").text
        assert 'id="easy_title"' in details and 'id="term-1-term"' in details and 'id="term-1-means"' in details

        too_long = author.details(draft, variants=["symbols"], easy_title="Tell us all about the clubs you go to after school every week")
        assert too_long.status_code == 422
        assert "The title in easy words has 13 words: use 10 words or fewer (8 or fewer is best)" in too_long.text
        assert '<a href="#easy_title">' in too_long.text
        half = author.details(draft, variants=["symbols"], **{"term-1-term": "EHC plan", "term-1-means": ""})
        assert half.status_code == 422 and "Enter what ‘EHC plan’ means, in easy words" in half.text
        assert '<a href="#term-1-means">' in half.text
        another = author.details(draft, variants=["symbols"], row_action="add_term",
                                 **{"term-1-term": "EHC plan", "term-1-means": "a plan for your help"})
        assert another.status_code == 200 and 'id="term-2-term"' in another.text and 'id="term-3-term"' not in another.text
        assert "easy_terms" not in definition_of(draft)  # adding a row saves nothing

        saved = author.details(draft, variants=["symbols"], easy_title="Tell us about clubs",
                               **{"term-1-term": "EHC plan", "term-1-means": "a plan that says what help you get.",
                                  "term-2-term": "", "term-2-means": ""})
        assert saved.status_code == 303, saved.text[:2000]
        definition = definition_of(draft)
        assert definition["easy_title"] == "Tell us about clubs"
        assert definition["easy_terms"] == {"EHC plan": "a plan that says what help you get."}
        details = author.get(f"{BASE}/{draft}/details").text
        assert 'value="Tell us about clubs"' in details and 'value="EHC plan"' in details

        slug = unique_slug("easy-title")
        assert author.post(f"{BASE}/{draft}/publish", {"slug": slug, "variants": ["symbols"]}).status_code == 303
        # Later edits do not change the published survey.
        assert author.details(draft, variants=["symbols"], easy_title="Clubs after school").status_code == 303
        instrument = run(get_run(slug)).instrument
        assert instrument.easy_title == "Tell us about clubs"
        assert instrument.easy_terms == (("EHC plan", "a plan that says what help you get."),)

    with browser() as respondent:
        start = respondent.get(f"/s/{slug}?version=symbols")
        assert re.search(r'<h1 class="govuk-heading-xl" hx-disable>Tell us about clubs</h1>', start.text)
        recording = RecordingClient(respondent)
        assert Walker(recording).complete(f"/s/{slug}?version=symbols")
        assert any("a plan that says what help you get." in page for page in recording.pages)


def test_the_editor_lists_the_easy_title_and_the_explained_words(browser):
    with browser() as client:
        author = Author(client, make_user("officer"))
        draft, _ = new_consultation(author)
        editor = author.get(f"{BASE}/{draft}").text
        assert "Title in easy words" in editor and "Not written yet" in editor
        assert author.details(draft, variants=["symbols"], easy_title="Tell us about <b>clubs</b>",
                              **{"term-1-term": "EHC plan", "term-1-means": "a plan for your help"}).status_code == 303
        editor = author.get(f"{BASE}/{draft}").text
        assert "Tell us about &lt;b&gt;clubs&lt;/b&gt;" in editor and "EHC plan: a plan for your help" in editor
