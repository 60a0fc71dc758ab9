"""Theme pages over HTTP: coding at submission, the review queue (confirm, remove, add), the
uncoded queue with emerging phrases, codebook editing (new version, re-coded, decisions kept),
the dashboard's theme figures, bad input, erasure and permissions."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar.testing import TestClient

from analysis.coding import default_codebook
from feedback.accounts.audit import recent
from feedback.themes.tables import CommentCoding, ThemeCodebook
from feedback.themes.store import comment_themes, latest_codebook, save_codebook
from surveys.data_rights import find_by_reference
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import open_test_run, run
from tests.workspace_client import signed_in, text_of
from tests.walker import Walker, csrf_token, fill, parse_forms, reference_on



@pytest.fixture(autouse=True)
def _default_codebook_after():
    yield
    if run(latest_codebook())[1].fingerprint != default_codebook().fingerprint:
        run(save_codebook(default_codebook(), "tests@example.org", "back to the built-in codebook", recode=False))


def walk_with(client, start_url: str, text: str) -> str:
    """Complete a survey over HTTP, writing `text` in every free-text box; the reference."""
    walker = Walker(client)
    response = walker.get(start_url)
    for _ in range(80):
        assert response.status_code < 500, response.text[:300]
        reference = reference_on(response.text)
        if reference:
            return reference
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, fill(form, text))
    raise AssertionError("no confirmation page")


def codings_of(response_id: int):
    return run(CommentCoding.select().where(CommentCoding.response == response_id).order_by(CommentCoding.id).output(load_json=True))


def test_a_comment_submitted_over_http_is_coded_with_its_matched_terms(app):
    survey = open_test_run("annual-send-parent")
    with TestClient(app=app, base_url="http://testserver.local") as client:
        reference = walk_with(client, f"/s/{survey.slug}", "Nobody picks up the phone and the taxi never came.")
    draft = run(find_by_reference(reference))
    rows = codings_of(draft.id)
    themes = {r["theme"] for r in rows}
    assert {"communication", "transport"} <= themes
    assert all(r["terms"] and r["source"] == "coder" and r["status"] == "suggested" for r in rows)
    assert "Nobody picks up" not in str(rows)


def test_coding_failure_never_loses_the_submission(app, monkeypatch):
    survey = open_test_run("annual-send-parent")

    async def broken(*args, **kwargs):
        raise RuntimeError("the coder fell over")

    monkeypatch.setattr("feedback.themes.store._store_codings", broken)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        reference = walk_with(client, f"/s/{survey.slug}", "Our SENCo listens to us.")
    draft = run(find_by_reference(reference))
    assert draft is not None and draft.status == "submitted" and not codings_of(draft.id)
    monkeypatch.undo()
    assert "school_support" in run(comment_themes(survey.id))[(draft.id, "works_well")]  # coded later


@pytest.fixture
def world():
    survey = open_test_run("annual-send-parent")
    texts = [
        ("Nobody picks up the phone at the SEN team.", "Our SENCo is brilliant."),
        ("The bouncy castle zone was lovely.", "The bouncy castle zone is great."),
        ("The bouncy castle zone closed.", "Nothing."),
    ]
    drafts = [run(submitted(survey, valid_answers(survey.instrument, 40 + i, could_be_better=a, works_well=b, anything_else="")))
              for i, (a, b) in enumerate(texts)]
    return survey, drafts


def post_decision(client, survey, draft, question, action, theme=None, token=None):
    data = {"_csrf_token": token or csrf_token(client.get(f"/workspace/surveys/{survey.id}/themes/review").text),
            "response": str(draft.id), "question": question, "action": action}
    if theme is not None:
        data["theme"] = theme
    return client.post(f"/workspace/surveys/{survey.id}/themes/review", data=data, follow_redirects=False)


def theme_row(html: str, key: str) -> str:
    """The number of comments on a theme in the dashboard's themes table ("0" when not listed)."""
    match = re.search(rf"theme={key}\"[^>]*>(?:<span hx-disable>)?[^<]*(?:</span>)?<span class=\"govuk-visually-hidden\">: review its comments</span></a></th>\s*"
                      r"<td[^>]*>(\d+)</td>", html)
    return match.group(1) if match else "0"


def test_review_confirm_remove_add_change_rows_dashboard_and_audit(app, world):
    survey, drafts = world
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{survey.id}/themes/review")
    assert page.status_code == 200
    assert '<mark class="app-match">' in page.text and "why: matched" in page.text
    dashboard = client.get(f"/workspace/surveys/{survey.id}/analysis").text
    assert 'id="themes"' in dashboard and "indicative" in dashboard.lower()
    assert theme_row(dashboard, "communication") == "1"
    assert 'data-chart="themes-share"' in dashboard

    first = drafts[0]
    ok = post_decision(client, survey, first, "could_be_better", "confirm")
    assert ok.status_code == 303 and "done=confirm" in ok.headers["location"]
    assert {r["status"] for r in codings_of(first.id) if r["question"] == "could_be_better"} == {"confirmed"}

    assert post_decision(client, survey, first, "could_be_better", "remove", "communication").status_code == 303
    assert post_decision(client, survey, first, "could_be_better", "add", "disputes").status_code == 303
    rows = {r["theme"]: r for r in codings_of(first.id) if r["question"] == "could_be_better"}
    assert rows["communication"]["status"] == "removed"
    assert rows["disputes"]["status"] == "confirmed" and rows["disputes"]["source"] == "officer"
    assert rows["disputes"]["decided_by"] == client.email

    dashboard = client.get(f"/workspace/surveys/{survey.id}/analysis").text
    assert theme_row(dashboard, "communication") == "0" and theme_row(dashboard, "disputes") == "1"
    assert run(comment_themes(survey.id))[(first.id, "could_be_better")] == ["disputes"]

    entries = [e for e in run(recent(50, "theme_decision")) if e.actor == client.email]
    assert len(entries) == 3 and all("Nobody" not in e.detail for e in entries)
    client.__exit__(None, None, None)


def test_bad_decisions_are_explained_or_404_never_500(app, world):
    survey, drafts = world
    client = signed_in(app)
    token = csrf_token(client.get(f"/workspace/surveys/{survey.id}/themes/review").text)
    unknown = post_decision(client, survey, drafts[0], "could_be_better", "add", "no_such_theme", token)
    assert unknown.status_code == 400 and "govuk-error-summary" in unknown.text and "Select a theme from the codebook" in unknown.text
    weird = post_decision(client, survey, drafts[0], "could_be_better", "add", "<script>", token)
    assert weird.status_code == 400 and "<script>" not in weird.text
    assert post_decision(client, survey, drafts[0], "could_be_better", "remove", "transport", token).status_code == 400
    other = open_test_run("annual-send-parent")
    stranger = run(submitted(other, valid_answers(other.instrument, 77, could_be_better="The taxi never came")))
    assert post_decision(client, survey, stranger, "could_be_better", "confirm", token=token).status_code == 404
    for forged in ("0", "-1", "abc", "99999999999999999999", ""):
        response = client.post(f"/workspace/surveys/{survey.id}/themes/review", follow_redirects=False,
                               data={"_csrf_token": token, "response": forged, "question": "could_be_better", "action": "confirm"})
        assert response.status_code == 404, forged
    assert post_decision(client, survey, drafts[0], "no_such_question", "confirm", token=token).status_code == 404
    huge = client.post(f"/workspace/surveys/{survey.id}/themes/review", follow_redirects=False,
                       data={"_csrf_token": token, "response": str(drafts[0].id), "question": "x" * 100_000, "action": "confirm"})
    assert huge.status_code in (404, 413)
    no_csrf = client.post(f"/workspace/surveys/{survey.id}/themes/review", follow_redirects=False,
                          data={"response": str(drafts[0].id), "question": "could_be_better", "action": "confirm"})
    assert no_csrf.status_code == 403
    assert client.get(f"/workspace/surveys/{survey.id}/themes/review?page=abc&show=<x>&theme=<y>").status_code == 200
    assert client.get(f"/workspace/surveys/{survey.id}/themes/uncoded?page=999999999999").status_code == 200
    assert client.get("/workspace/surveys/99999999999/themes/review").status_code == 404
    client.__exit__(None, None, None)


def test_uncoded_queue_shows_phrases_and_adding_a_term_recodes(app, world):
    survey, drafts = world
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{survey.id}/themes/uncoded")
    assert page.status_code == 200
    assert "bouncy castle zone" in page.text  # an emerging phrase in 3 uncoded comments
    assert re.search(r"bouncy castle zone</th>\s*<td[^>]*>3</td>", page.text)
    version_before = run(latest_codebook())[0]
    # an officer decision made before the codebook changes
    assert post_decision(client, survey, drafts[0], "could_be_better", "remove", "communication").status_code == 303
    response = client.post("/workspace/themes/terms", follow_redirects=False, data={
        "_csrf_token": csrf_token(page.text), "run": str(survey.id), "phrase": "bouncy castle zone", "theme": "short_breaks"})
    assert response.status_code == 303 and "added=short_breaks" in response.headers["location"]
    assert run(latest_codebook())[0] == version_before + 1
    themes = run(comment_themes(survey.id))
    assert themes[(drafts[1].id, "could_be_better")] == ["short_breaks"]
    assert themes[(drafts[0].id, "could_be_better")] == []  # the removal survived the re-code
    assert "bouncy castle zone" not in client.get(f"/workspace/surveys/{survey.id}/themes/uncoded").text
    bad = client.post("/workspace/themes/terms", follow_redirects=False, data={
        "_csrf_token": csrf_token(page.text), "run": str(survey.id), "phrase": "park", "theme": "nope"})
    assert bad.status_code == 303 and "problem=theme" in bad.headers["location"]
    shown = client.get(bad.headers["location"])
    assert shown.status_code == 400 and "govuk-error-summary" in shown.text
    client.__exit__(None, None, None)


def test_codebook_edit_makes_a_version_recodes_and_keeps_decisions(app, world):
    survey, drafts = world
    client = signed_in(app, "admin")
    listing = client.get("/workspace/themes")
    assert listing.status_code == 200 and "Communication" in listing.text
    # an officer adds a theme by hand, then the codebook gains a new theme that codes the same comment
    assert post_decision(client, survey, drafts[2], "could_be_better", "add", "transport").status_code == 303
    form = client.get("/workspace/themes/new")
    token = csrf_token(form.text)
    errors = client.post("/workspace/themes/new", data={"_csrf_token": token, "key": "Bad Key!", "label": "", "include": "a**b"})
    assert errors.status_code == 422 and "govuk-error-summary" in errors.text
    assert 'href="#key"' in errors.text and 'href="#label"' in errors.text
    duplicate = client.post("/workspace/themes/new", data={"_csrf_token": token, "key": "transport", "label": "X", "include": "x"})
    assert duplicate.status_code == 422 and "already a theme" in duplicate.text
    huge = client.post("/workspace/themes/new", data={"_csrf_token": token, "key": "huge", "label": "Huge", "include": "word\n" * 10_000})
    assert huge.status_code in (413, 422)
    before = run(latest_codebook())[0]
    saved = client.post("/workspace/themes/new", follow_redirects=False, data={
        "_csrf_token": token, "key": "leisure", "label": "Leisure", "description": "Clubs and parks",
        "include": "bouncy*\ncastle zone", "exclude": ""})
    assert saved.status_code == 303
    version, codebook = run(latest_codebook())
    assert version == before + 1 and "leisure" in codebook.themes
    stored = run(ThemeCodebook.select().where(ThemeCodebook.version == version).first())
    assert stored["created_by"] == client.email and "leisure" in stored["definition"]
    themes = run(comment_themes(survey.id))
    assert themes[(drafts[2].id, "could_be_better")] == ["transport", "leisure"]
    assert any(e.action == "codebook_saved" for e in run(recent(20, "codebook_saved")) if e.actor == client.email)
    # the new theme can be chosen for a "you said, we did" update
    assert 'value="leisure"' in client.get("/workspace/updates/new").text
    # edit it: its terms change, stored codings follow
    edit = client.get("/workspace/themes/leisure/edit")
    assert edit.status_code == 200 and "bouncy*" in edit.text
    changed = client.post("/workspace/themes/leisure/edit", follow_redirects=False, data={
        "_csrf_token": csrf_token(edit.text), "label": "Leisure", "description": "", "include": "swimming", "exclude": ""})
    assert changed.status_code == 303
    themes = run(comment_themes(survey.id))
    assert themes[(drafts[2].id, "could_be_better")] == ["transport"]  # the officer's theme stays
    assert client.get("/workspace/themes/no_such/edit").status_code == 404
    assert client.post("/workspace/themes/no_such/edit", data={"_csrf_token": token}).status_code == 404
    client.__exit__(None, None, None)


def test_erased_response_loses_its_codings_and_leaves_the_pages(app):
    survey = open_test_run("annual-send-parent")
    with TestClient(app=app, base_url="http://testserver.local") as respondent:
        reference = walk_with(respondent, f"/s/{survey.slug}", "ERASEME the taxi never came.")
        draft = run(find_by_reference(reference))
        assert codings_of(draft.id)
        page = respondent.get("/withdraw")
        respondent.post("/withdraw/confirm", data={"_csrf_token": csrf_token(page.text), "reference": reference, "withdraw": "answers"})
    assert not codings_of(draft.id)
    client = signed_in(app)
    for url in ("themes/review?show=all", "themes/uncoded", "analysis"):
        assert "ERASEME" not in client.get(f"/workspace/surveys/{survey.id}/{url}").text
    assert run(comment_themes(survey.id)) == {}
    assert not codings_of(draft.id)  # not coded again
    client.__exit__(None, None, None)


def test_forum_members_see_only_their_teams_queues_and_never_the_codebook(app):
    team = f"forum-{uuid.uuid4().hex[:6]}"
    own = open_test_run("annual-send-parent", team=team)
    others = open_test_run("annual-send-parent", team="another-forum")
    draft = run(submitted(own, valid_answers(own.instrument, 90, could_be_better="Nobody picks up the phone")))
    client = signed_in(app, "pcv", team)
    assert client.get(f"/workspace/surveys/{own.id}/themes/review").status_code == 200
    uncoded = client.get(f"/workspace/surveys/{own.id}/themes/uncoded")
    assert uncoded.status_code == 200 and "/workspace/themes/terms" not in uncoded.text
    assert client.get(f"/workspace/surveys/{others.id}/themes/review").status_code == 404
    assert client.get("/workspace/themes").status_code == 404
    token = csrf_token(uncoded.text)
    assert client.post("/workspace/themes/terms", data={"_csrf_token": token, "run": str(own.id), "phrase": "x", "theme": "transport"}).status_code == 404
    assert post_decision(client, own, draft, "could_be_better", "confirm", token=token).status_code == 303
    client.__exit__(None, None, None)


def test_queues_are_paged(app):
    survey = open_test_run("annual-send-parent")
    for i in range(23):
        run(submitted(survey, valid_answers(survey.instrument, 500 + i, could_be_better=f"Nobody picks up the phone {i}",
                                            works_well="", anything_else="")))
    client = signed_in(app)
    first = client.get(f"/workspace/surveys/{survey.id}/themes/review")
    assert "Page 1 of 2" in first.text and f"/workspace/surveys/{survey.id}/themes/review?show=pending&amp;page=2" in first.text
    second = client.get(f"/workspace/surveys/{survey.id}/themes/review?show=pending&page=2")
    assert second.status_code == 200 and "Page 2 of 2" in second.text and second.text.count("app-themed-comment") == 3
    client.__exit__(None, None, None)


def test_adding_a_theme_from_the_uncoded_queue_returns_there(app, world):
    survey, drafts = world
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{survey.id}/themes/uncoded")
    forms = [f for f in parse_forms(page.text) if f.action.endswith("/themes/review")]
    assert forms and forms[0].hidden()["queue"] == "uncoded"
    data = {**forms[0].hidden(), "theme": "short_breaks", "action": "add"}
    response = client.post(f"/workspace/surveys/{survey.id}/themes/review", data=data, follow_redirects=False)
    assert response.status_code == 303 and "/themes/uncoded?" in response.headers["location"]
    assert "Theme added" in client.get(response.headers["location"]).text
    client.__exit__(None, None, None)


def test_paper_entry_and_event_mode_answers_are_coded_too(app):
    from surveys.tables import Response

    survey = open_test_run("annual-send-parent")
    client = signed_in(app)
    page = client.get(f"/workspace/surveys/{survey.id}")
    entry = client.post(f"/workspace/surveys/{survey.id}/enter", data={"_csrf_token": csrf_token(page.text)}, follow_redirects=True)
    paper = walk_with(client, str(entry.url), "The taxi never came.")
    client.post(f"/workspace/surveys/{survey.id}/kiosk", data={"_csrf_token": csrf_token(page.text)})
    kiosk = walk_with(client, f"/s/{survey.slug}", "The taxi never came.")
    for reference, channel in ((paper, "paper"), (kiosk, "event")):
        row = run(Response.select(Response.id, Response.channel).where(Response.reference == reference).first())
        assert row["channel"] == channel
        assert "transport" in {r["theme"] for r in codings_of(row["id"])}
    client.__exit__(None, None, None)


# --- removing a theme ------------------------------------------------------------------------


def removal_form(html: str) -> dict[str, str]:
    form = [f for f in parse_forms(html) if f.method == "post" and f.action.endswith("/remove")][0]
    return dict(fill(form, ""))


def test_removing_a_theme_drops_its_codings_and_decisions_everywhere(app, world):
    from datetime import datetime, timezone

    from feedback.publishing.tables import Update
    from feedback.themes.store import theme_usage

    survey, drafts = world
    client = signed_in(app)
    # officers' decisions about the theme: one confirmed, one added by hand
    assert post_decision(client, survey, drafts[0], "could_be_better", "confirm", "communication").status_code == 303
    assert post_decision(client, survey, drafts[1], "could_be_better", "add", "communication").status_code == 303
    title = f"Faster replies {uuid.uuid4().hex[:6]}"
    run(Update(title=title, themes=["communication", "transport"], you_said="Replies were slow.", we_did="A duty line.",
               status="done", progress=100, published=True, published_at=datetime.now(timezone.utc)).save())
    run(Update(title="A draft", themes=["communication"]).save())
    assert run(comment_themes(survey.id))[(drafts[1].id, "could_be_better")] == ["communication"]

    edit = client.get("/workspace/themes/communication/edit")
    assert 'href="/workspace/themes/communication/remove"' in edit.text
    page = client.get("/workspace/themes/communication/remove")
    assert page.status_code == 200
    usage = run(theme_usage("communication"))
    assert usage.comments >= 2 and usage.decisions >= 2 and usage.updates >= 2
    words = text_of(page.text)
    assert "govuk-warning-text" in page.text and f"{usage.comments} comments carry this theme now" in words
    assert f"officers' decisions about it ({usage.decisions} confirmed, added or removed by hand) are dropped too" in words
    assert f"{usage.updates} “you said, we did” updates mention this theme" in words
    assert 'method="post"' in page.text and 'name="_csrf_token"' in page.text and "govuk-button--warning" in page.text
    form = removal_form(page.text)
    before = run(latest_codebook())[0]

    # a stale confirmation (the codebook changed since, or no version at all) asks again
    stale = client.post("/workspace/themes/communication/remove", data=dict(form, version=str(before - 1)), follow_redirects=False)
    assert stale.status_code == 303 and stale.headers["location"] == "/workspace/themes/communication/remove"
    assert run(latest_codebook())[0] == before

    removed = client.post("/workspace/themes/communication/remove", data=form, follow_redirects=False)
    assert removed.status_code == 303 and removed.headers["location"] == "/workspace/themes?removed=communication"
    listing = client.get(removed.headers["location"])
    assert "govuk-notification-banner--success" in listing.text and "Theme “communication” removed" in text_of(listing.text)
    version, codebook = run(latest_codebook())
    assert version == before + 1 and "communication" not in codebook.themes and "transport" in codebook.themes
    stored = run(ThemeCodebook.select().where(ThemeCodebook.version == version).first())
    assert stored["created_by"] == client.email and stored["note"] == "removed theme communication"
    entries = [e for e in run(recent(20, "codebook_saved")) if e.actor == client.email]
    assert entries and entries[0].detail == "removed theme communication" and entries[0].object == f"codebook v{version}"
    assert all("Nobody" not in (e.detail or "") for e in entries)

    # its stored rows are gone (the officers' too) and it counts nowhere
    for draft in drafts:
        assert all(r["theme"] != "communication" for r in codings_of(draft.id))
    assert not run(CommentCoding.count().where(CommentCoding.theme == "communication"))
    themes = run(comment_themes(survey.id))
    assert themes[(drafts[0].id, "could_be_better")] == [] and themes[(drafts[1].id, "could_be_better")] == []
    assert themes[(drafts[0].id, "works_well")] == ["school_support"]
    dashboard = client.get(f"/workspace/surveys/{survey.id}/analysis").text
    assert theme_row(dashboard, "communication") == "0" and theme_row(dashboard, "school_support") == "1"
    review = client.get(f"/workspace/surveys/{survey.id}/themes/review?show=all")
    assert review.status_code == 200 and "communication" not in review.text
    assert client.get(f"/workspace/surveys/{survey.id}/themes/review?theme=communication").status_code == 200
    uncoded = client.get(f"/workspace/surveys/{survey.id}/themes/uncoded")
    assert "Nobody picks up the phone" in uncoded.text  # no theme now

    # the theme is gone: its pages are 404s, deciding on it is refused with a message
    assert client.get("/workspace/themes/communication/remove").status_code == 404
    assert client.post("/workspace/themes/communication/remove", data=form).status_code == 404
    assert client.get("/workspace/themes/communication/edit").status_code == 404
    refused = post_decision(client, survey, drafts[0], "could_be_better", "add", "communication")
    assert refused.status_code == 400 and "govuk-error-summary" in refused.text

    # published updates that mention it still show, with the short name in the theme filter
    public = client.get("/you-said-we-did")
    assert public.status_code == 200 and title in public.text and 'value="communication"' in public.text
    filtered = client.get("/you-said-we-did?theme=communication")
    assert filtered.status_code == 200 and title in filtered.text
    assert client.get("/you-said-we-did?theme=communication&version=easy_read").status_code == 200
    client.__exit__(None, None, None)


def test_removing_a_theme_refuses_bad_input_and_the_last_theme(app):
    from analysis.codebook import Codebook

    client = signed_in(app, "admin")
    for url in ("/workspace/themes/no_such/remove", "/workspace/themes/Bad%20Key!/remove", "/workspace/themes/%00/remove",
                f"/workspace/themes/{'a' * 300}/remove"):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client.get("/workspace/themes").text)
    assert client.post("/workspace/themes/no_such/remove", data={"_csrf_token": token, "version": "1"}).status_code == 404
    refused = client.post("/workspace/themes/transport/remove", data={"version": "x"})
    assert refused.status_code == 403  # no CSRF token
    junk = client.post("/workspace/themes/transport/remove", data={"_csrf_token": token, "version": "9" * 500}, follow_redirects=False)
    assert junk.status_code == 303 and "transport" in run(latest_codebook())[1].themes

    # the last theme cannot go
    only = Codebook.from_dict({"themes": {"transport": default_codebook().themes["transport"].to_dict()}})
    version = run(save_codebook(only, "tests@example.org", "one theme", recode=False))
    page = client.get("/workspace/themes/transport/remove")
    assert page.status_code == 200 and "only theme in the codebook" in page.text and "govuk-button--warning" not in page.text
    last = client.post("/workspace/themes/transport/remove", data={"_csrf_token": token, "version": str(version)})
    assert last.status_code == 400 and "govuk-error-summary" in last.text and 'href="#remove-problem"' in last.text
    assert 'id="remove-problem"' in last.text and "only theme in the codebook" in last.text
    assert run(latest_codebook())[0] == version
    client.__exit__(None, None, None)

    forum = signed_in(app, "pcv", f"forum-{uuid.uuid4().hex[:6]}")
    page = forum.get("/workspace/surveys/new")
    assert forum.get("/workspace/themes/transport/remove").status_code == 404
    assert forum.post("/workspace/themes/transport/remove", data={"_csrf_token": csrf_token(page.text), "version": str(version)}).status_code == 404
    forum.__exit__(None, None, None)
