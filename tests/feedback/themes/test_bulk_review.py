"""Review that scales (issue 15): a page of suggestions or every suggestion of one theme confirmed
by one real form (audited, officers' own decisions untouched), the reason shown as the comment's
own matched words, and the "Add a theme" box empty until an officer chooses."""

from __future__ import annotations

import re

from feedback.accounts.audit import recent
from feedback.themes.tables import CommentCoding
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import open_test_run, run
from tests.walker import csrf_token
from tests.workspace_client import signed_in


def statuses(survey, theme=None):
    query = CommentCoding.select(CommentCoding.response, CommentCoding.question, CommentCoding.theme, CommentCoding.status).where(
        CommentCoding.run == survey.id)
    return {(r["response"], r["question"], r["theme"]): r["status"] for r in run(query) if theme is None or r["theme"] == theme}


def make_survey(n: int = 25):
    survey = open_test_run("annual-send-parent")
    drafts = [run(submitted(survey, valid_answers(
        survey.instrument, 900 + i, could_be_better=f"The taxi was late again on day {i}",
        works_well="Our SENCo is brilliant" if i % 2 else "", anything_else=""))) for i in range(n)]
    return survey, drafts


def test_confirm_a_page_of_suggestions_at_once(app):
    survey, drafts = make_survey(25)
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{survey.id}/themes/review")
    assert "Confirm suggested themes on this page (20 comments)" in page.text
    listed = re.findall(r'name="comment" value="(\d+):([a-z_]+)"', page.text)
    assert len(listed) == 20
    response = client.post(f"/workspace/surveys/{survey.id}/themes/review/confirm", follow_redirects=False, data={
        "_csrf_token": csrf_token(page.text), "scope": "page", "show": "pending", "page": "1",
        "comment": [f"{r}:{q}" for r, q in listed]})
    assert response.status_code == 303 and "done=confirm_many" in response.headers["location"]
    rows = statuses(survey)
    confirmed = {(r, q) for (r, q, _t), s in rows.items() if s == "confirmed"}
    assert confirmed == {(int(r), q) for r, q in listed}
    assert sum(1 for s in rows.values() if s == "suggested") > 0  # the next page still waits
    after = client.get(response.headers["location"])
    assert "20 comments: suggested themes confirmed" in after.text
    entries = [e for e in run(recent(20, "theme_decision")) if e.actor == client.email]
    assert entries and "20 comments" in entries[0].detail and "taxi" not in entries[0].detail
    client.__exit__(None, None, None)


def test_confirm_every_suggestion_of_one_theme_keeps_officers_removals(app):
    survey, drafts = make_survey(24)
    client = signed_in(app)
    token = csrf_token(client.get(f"/workspace/surveys/{survey.id}/themes/review").text)
    # An officer removed transport from one comment: confirming the theme must not bring it back.
    client.post(f"/workspace/surveys/{survey.id}/themes/review", data={
        "_csrf_token": token, "response": str(drafts[0].id), "question": "could_be_better", "action": "remove", "theme": "transport"})
    filtered = client.get(f"/workspace/surveys/{survey.id}/themes/review?show=pending&theme=transport")
    assert "Confirm “Transport” on all 23 comments waiting" in filtered.text
    response = client.post(f"/workspace/surveys/{survey.id}/themes/review/confirm", follow_redirects=False, data={
        "_csrf_token": token, "scope": "theme", "filter": "transport", "show": "pending"})
    assert response.status_code == 303
    transport = statuses(survey, "transport")
    assert list(transport.values()).count("confirmed") == 23
    assert transport[(drafts[0].id, "could_be_better", "transport")] == "removed"
    assert all(s == "suggested" for s in statuses(survey, "school_support").values())  # other themes wait
    assert "23 comments: suggested themes confirmed" in client.get(response.headers["location"]).text
    client.__exit__(None, None, None)


def test_bulk_confirm_refuses_bad_input_without_a_500(app):
    survey, drafts = make_survey(3)
    other, other_drafts = make_survey(1)
    client = signed_in(app)
    token = csrf_token(client.get(f"/workspace/surveys/{survey.id}/themes/review").text)
    url = f"/workspace/surveys/{survey.id}/themes/review/confirm"
    empty = client.post(url, data={"_csrf_token": token, "scope": "page"}, follow_redirects=False)
    assert empty.status_code == 400 and "govuk-error-summary" in empty.text
    junk = client.post(url, data={"_csrf_token": token, "scope": "page", "comment": ["abc", ":", "99999999999:x", "-1:q"]})
    assert junk.status_code == 400
    # Another survey's comment listed here confirms nothing there.
    client.post(url, data={"_csrf_token": token, "scope": "page", "comment": f"{other_drafts[0].id}:could_be_better"})
    assert all(s == "suggested" for s in statuses(other).values())
    assert client.post(url, data={"_csrf_token": token, "scope": "theme", "filter": "<script>"}, follow_redirects=False).status_code == 303
    assert client.post(url, data={"scope": "theme", "filter": "transport"}, follow_redirects=False).status_code == 403
    assert all(s == "suggested" for s in statuses(survey).values())
    client.__exit__(None, None, None)


def test_the_reason_is_the_comments_own_words_and_the_add_box_starts_empty(app):
    survey = open_test_run("annual-send-parent")
    run(submitted(survey, valid_answers(survey.instrument, 950, could_be_better="The school staff were brilliant with him",
                                        works_well="", anything_else="")))
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{survey.id}/themes/review").text
    assert "@" not in re.sub(r"<[^>]+>", "", page.split('id="comments"')[1]).replace("@example", "")  # no group names
    assert "why: matched the words “school staff”, “brilliant”" in page
    select = re.search(r'<select class="govuk-select" id="comment-[^"]+-add" name="theme">\s*<option value="" selected>Choose a theme</option>', page)
    assert select
    token = csrf_token(page)
    response_id = re.search(r'name="response" value="(\d+)"', page).group(1)
    refused = client.post(f"/workspace/surveys/{survey.id}/themes/review", data={
        "_csrf_token": token, "response": response_id, "question": "could_be_better", "action": "add", "theme": ""})
    assert refused.status_code == 400 and "Select a theme" in refused.text
    client.__exit__(None, None, None)


def test_emerging_phrases_are_grouped_with_counts_and_examples_and_no_junk(app):
    survey = open_test_run("annual-send-parent")
    texts = ["The sleep clinic was shut <b hx-get=/x>again</b>", "The sleep clinic appointment was cancelled",
             "Sleep clinics should open later", "We want a place the school has no room for",
             "A place the school picked was far"]
    for i, text in enumerate(texts):
        run(submitted(survey, valid_answers(survey.instrument, 980 + i, could_be_better=text, works_well="", anything_else="")))
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{survey.id}/themes/uncoded").text
    table = page.split('id="phrases"')[1].split("</table>")[0]
    assert "place the school" not in table
    row = re.search(r'<th scope="row" class="govuk-table__header"[^>]*>(sleep clinic[^<]*)</th>\s*<td[^>]*>(\d+)</td>\s*<td class="govuk-table__cell" hx-disable>(.*?)</td>', table, re.S)
    assert row and row.group(2) == "3"
    assert "examples" in row.group(3) and "<b hx-get" not in row.group(3) and "&lt;b hx-get=/x&gt;" in row.group(3)
    client.__exit__(None, None, None)


def test_officers_decisions_suggest_a_term_they_can_accept_which_codes_the_rest(app):
    from feedback.themes.store import comment_themes

    survey = open_test_run("annual-send-parent")
    texts = ["We love the Bridge on Saturdays", "The Bridge was closed all summer", "No place at the Bridge for him",
             "The Bridge has a waiting list"]
    drafts = [run(submitted(survey, valid_answers(survey.instrument, 990 + i, could_be_better=text, works_well="", anything_else="")))
              for i, text in enumerate(texts)]
    client = signed_in(app)
    token = csrf_token(client.get(f"/workspace/surveys/{survey.id}/themes/uncoded").text)
    for draft in drafts[:2]:  # an officer codes two of them by hand
        client.post(f"/workspace/surveys/{survey.id}/themes/review", data={
            "_csrf_token": token, "response": str(draft.id), "question": "could_be_better", "action": "add",
            "theme": "short_breaks", "queue": "uncoded"})
    page = client.get(f"/workspace/surveys/{survey.id}/themes/uncoded").text
    learned = page.split('id="learned"')[1].split("</table>")[0]
    assert "“bridge”" in learned and "Code as Short breaks and activities" in learned
    accept = client.post("/workspace/themes/terms", follow_redirects=False, data={
        "_csrf_token": token, "run": str(survey.id), "phrase": "bridge", "theme": "short_breaks", "kind": "include"})
    assert accept.status_code == 303
    themes = run(comment_themes(survey.id))
    assert "short_breaks" in themes[(drafts[3].id, "could_be_better")]  # the comment nobody reviewed
    assert 'id="learned"' not in client.get(f"/workspace/surveys/{survey.id}/themes/uncoded").text  # nothing left to learn
    client.__exit__(None, None, None)
