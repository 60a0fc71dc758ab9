"""Quotes: only from people who agree to be quoted, stored redacted, approved before they can be
shown, gone everywhere once consent is withdrawn; every decision audited without the words; bad
input is a clear message or a 404, never an error page."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
from litestar.testing import TestClient

from consent.records import record_withdrawal
from feedback.accounts.audit import recent
from feedback.publishing.quotes import APPROVED, PENDING, Quote, get_quote, published_quotes, quotes_for_run, refresh_candidates
from feedback.publishing.tables import Update
from feedback.publishing.updates import save_update, set_published
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import open_test_run, run
from tests.workspace_client import signed_in, text_of
from tests.walker import csrf_token

COMMENTS = [
    "Nobody picks up the phone at the SEN team, we waited months. Call Sarah Jones on 07700 900982.",
    "Our SENCo is brilliant and really listens to us.",
    "The EHCP took nearly a year to arrive.",
]


def make_survey(team=None):
    """12 respondents: the first six agree to be quoted; one more without quote consent wrote a
    comment that must never be put forward."""
    survey = open_test_run("annual-send-parent", team=team)
    drafts = []
    for i in range(12):
        answers = valid_answers(survey.instrument, 500 + i, overall_satisfaction="satisfied",
                                could_be_better=COMMENTS[i % 3], works_well="", anything_else="")
        drafts.append(run(submitted(survey, answers, quotes=i < 6)))
    run(submitted(survey, valid_answers(survey.instrument, 600, works_well="", anything_else="", overall_satisfaction="satisfied",
                                        could_be_better="NOCONSENTWORD our SENCo never replies to emails")))
    return survey, drafts


@pytest.fixture(scope="module")
def world():
    return make_survey()


def quotes_page(client, survey):
    return client.get(f"/workspace/surveys/{survey.id}/quotes")


def refresh(client, survey):
    page = quotes_page(client, survey)
    return client.post(f"/workspace/surveys/{survey.id}/quotes/refresh", data={"_csrf_token": csrf_token(page.text)},
                       follow_redirects=False)


def test_only_people_who_agree_to_be_quoted_are_put_forward_redacted(app, world):
    survey, drafts = world
    client = signed_in(app)
    done = refresh(client, survey)
    assert done.status_code == 303 and "/quotes?added=" in done.headers["location"]
    quotes = run(quotes_for_run(survey.id))
    assert quotes and {q.respondent_id for q in quotes} <= {d.respondent_id for d in drafts[:6]}
    assert all(q.status == PENDING and q.themes for q in quotes)
    texts = " ".join(q.text for q in quotes)
    assert "NOCONSENTWORD" not in texts
    assert "Sarah" not in texts and "07700" not in texts
    assert "[name removed]" in texts and "[phone number removed]" in texts
    page = quotes_page(client, survey)
    assert page.status_code == 200 and "NOCONSENTWORD" not in page.text and "Sarah Jones" not in page.text
    assert "Our SENCo is brilliant" in text_of(page.text)
    # refreshing again adds nothing twice
    refresh(client, survey)
    assert len(run(quotes_for_run(survey.id))) == len(quotes)
    entries = [e for e in run(recent(50, "quotes_refreshed")) if e.object == survey.slug]
    assert entries and entries[-1].count == len(quotes)


def test_approve_edit_and_reject_with_audit_entries_without_the_words(app):
    survey, _ = make_survey()
    client = signed_in(app)
    refresh(client, survey)
    first, second, third = run(quotes_for_run(survey.id))[:3]
    token = csrf_token(quotes_page(client, survey).text)
    url = f"/workspace/surveys/{survey.id}/quotes"
    ok = client.post(f"{url}/{first.id}", data={"_csrf_token": token, "action": "approve", "wording": first.text}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].endswith(f"#quote-{first.id}")
    edited = client.post(f"{url}/{second.id}", data={"_csrf_token": token, "action": "edit",
                                                      "wording": "Staff listen. Email me on jo@example.org"})
    assert edited.status_code == 200 and "Quote edited and approved" in edited.text
    client.post(f"{url}/{third.id}", data={"_csrf_token": token, "action": "reject", "wording": third.text})
    by_id = {q.id: q for q in run(quotes_for_run(survey.id))}
    assert by_id[first.id].status == APPROVED and by_id[first.id].decided_by == client.email
    assert by_id[second.id].text == "Staff listen. Email me on [email removed]" and by_id[second.id].edited
    assert by_id[third.id].status == "rejected" and by_id[third.id].decided_at is not None
    decisions = [e for e in run(recent(100, "quote_decision")) if survey.slug in e.object]
    assert {e.detail for e in decisions} == {"approved", "edited and approved", "rejected"}
    assert all(e.actor == client.email for e in decisions)
    for entry in decisions:
        assert "listen" not in entry.detail.lower() and "SENCo" not in entry.object and "Staff" not in entry.object


def test_bad_input_is_a_clear_message_or_a_404(app):
    survey, _ = make_survey()
    other, _ = make_survey()
    client = signed_in(app)
    refresh(client, survey)
    refresh(client, other)
    mine = run(quotes_for_run(survey.id))[0]
    theirs = run(quotes_for_run(other.id))[0]
    token = csrf_token(quotes_page(client, survey).text)
    url = f"/workspace/surveys/{survey.id}/quotes"
    # a quote of another survey, a made-up id, one too big for the database, not a number
    for quote_id in (theirs.id, 999999, 2**63, "abc"):
        response = client.post(f"{url}/{quote_id}", data={"_csrf_token": token, "action": "approve"})
        assert response.status_code in (404, 405) and response.status_code != 500, quote_id
    assert client.post(f"{url}/{mine.id}", data={"action": "approve"}).status_code == 403  # no CSRF token
    huge = client.post(f"{url}/{mine.id}", data={"_csrf_token": token, "action": "edit", "wording": "x" * 5000})
    assert huge.status_code == 422 and "govuk-error-summary" in huge.text and "1,000 characters or fewer" in huge.text
    empty = client.post(f"{url}/{mine.id}", data={"_csrf_token": token, "action": "edit", "wording": "   "})
    assert empty.status_code == 422 and "Enter the wording" in empty.text
    odd = client.post(f"{url}/{mine.id}", data={"_csrf_token": token, "action": "publish-everything"})
    assert odd.status_code == 422 and "Choose approve" in odd.text
    too_big = client.post(f"{url}/{mine.id}", data={"_csrf_token": token, "action": "edit", "wording": "y" * 400_000})
    assert too_big.status_code in (413, 422)
    assert run(quotes_for_run(survey.id))[0].status == PENDING  # nothing was approved
    assert client.get(f"/workspace/surveys/{2**40}/quotes").status_code == 404
    # a forum member: another team's survey, and one only shared with their team, are 404s
    team = f"forum-{uuid.uuid4().hex[:6]}"
    forum = signed_in(app, role="pcv", team=team)
    assert forum.get(url).status_code == 404
    forum_token = csrf_token(forum.get("/workspace").text)
    assert forum.post(f"{url}/{mine.id}", data={"_csrf_token": forum_token, "action": "approve"}).status_code == 404
    own, _ = make_survey(team=team)
    assert forum.get(f"/workspace/surveys/{own.id}/quotes").status_code == 200


def _publish_with_quote(survey, quote_ids):
    from feedback.publishing.quotes import attach_quotes

    async def create():
        update = await save_update({"run": survey.id, "themes": [], "title": "Replies within five days", "you_said": "Phones.",
                                    "we_did": "A helpline.", "easy_read_you_said": "", "easy_read_we_did": "", "owner": "",
                                    "status": "planned", "reason": "", "progress": 0, "due_on": ""}, actor="tests")
        await attach_quotes(update.id, survey.id, quote_ids, "tests")
        await set_published(update, True)
        return update

    return run(create())


def test_approval_is_needed_before_a_quote_is_shown(app):
    survey, _ = make_survey()
    client = signed_in(app)
    refresh(client, survey)
    quote = run(quotes_for_run(survey.id))[0]
    from feedback.publishing.quotes import QuoteProblem

    with pytest.raises(QuoteProblem):
        _publish_with_quote(survey, [quote.id])  # still pending
    token = csrf_token(quotes_page(client, survey).text)
    client.post(f"/workspace/surveys/{survey.id}/quotes/{quote.id}", data={"_csrf_token": token, "action": "approve", "wording": quote.text})
    update = _publish_with_quote(survey, [quote.id])
    public = TestClient(app=app, base_url="http://testserver.local")
    assert quote.text in unescape(public.get("/you-said-we-did").text)
    assert [q.id for q in run(published_quotes([update.id]))[update.id]] == [quote.id]


def test_withdrawing_quote_consent_after_approval_removes_the_quote_everywhere(app):
    survey, drafts = make_survey()
    client = signed_in(app)
    refresh(client, survey)
    quotes = run(quotes_for_run(survey.id))
    token = csrf_token(quotes_page(client, survey).text)
    for quote in quotes:
        client.post(f"/workspace/surveys/{survey.id}/quotes/{quote.id}",
                    data={"_csrf_token": token, "action": "edit", "wording": f"QUOTEWORD{quote.id} {quote.text}"})
    update = _publish_with_quote(survey, [q.id for q in quotes])
    public = TestClient(app=app, base_url="http://testserver.local")
    page = public.get("/you-said-we-did").text
    assert all(f"QUOTEWORD{q.id}" in page for q in quotes)

    # one person withdraws quote consent over /withdraw; another erases everything
    by_respondent = {d.respondent_id: d for d in drafts}
    withdrawing, erasing = by_respondent[quotes[0].respondent_id], None
    for q in quotes:
        if q.respondent_id != withdrawing.respondent_id:
            erasing = by_respondent[q.respondent_id]
            break
    start = public.get("/withdraw")
    done = public.post("/withdraw/confirm", data={"_csrf_token": csrf_token(start.text), "reference": withdrawing.reference,
                                                  "withdraw": "quotes"}, follow_redirects=False)
    assert done.status_code == 303
    assert not run(Quote.exists().where(Quote.respondent_id == withdrawing.respondent_id))
    if erasing is not None:
        public.post("/withdraw/confirm", data={"_csrf_token": csrf_token(start.text), "reference": erasing.reference,
                                               "withdraw": "answers"})
        assert not run(Quote.exists().where(Quote.respondent_id == erasing.respondent_id))
    gone = [q for q in quotes if q.respondent_id in {withdrawing.respondent_id, getattr(erasing, "respondent_id", "")}]
    page = public.get("/you-said-we-did").text
    workspace = quotes_page(client, survey).text
    for q in gone:
        assert f"QUOTEWORD{q.id}" not in page and f"QUOTEWORD{q.id}" not in workspace
    assert all(q.respondent_id not in {g.respondent_id for g in gone} for q in run(published_quotes([update.id]))[update.id])


def test_a_quote_is_dropped_at_read_time_even_when_the_withdrawal_skipped_the_page(app):
    """Withdrawn some other way (a consent record written directly): the gate still hides it."""
    survey, drafts = make_survey()
    client = signed_in(app)
    refresh(client, survey)
    quote = run(quotes_for_run(survey.id))[0]
    run(Quote.update({Quote.status: APPROVED}).where(Quote.id == quote.id))
    update = _publish_with_quote(survey, [quote.id])
    run(record_withdrawal(quote.respondent_id, ["quotes"]))
    assert run(published_quotes([update.id]))[update.id] == []
    assert f'id="quote-{quote.id}"' not in quotes_page(client, survey).text
    assert not run(Quote.exists().where(Quote.id == quote.id))
    run(Update.delete().where(Update.id == update.id))


def test_retention_deleting_free_text_deletes_the_quotes_drawn_from_it(app):
    """A survey whose policy deletes free text: once the text is gone, so are its quotes (approved too)."""
    from feedback.operations.retention import RetentionPlan, SurveyPlan, apply_retention

    survey, drafts = make_survey()
    client = signed_in(app)
    refresh(client, survey)
    quotes = run(quotes_for_run(survey.id))
    assert quotes
    first = quotes[0]
    run(Quote.update({Quote.status: APPROVED}).where(Quote.id == first.id))
    plan = RetentionPlan([SurveyPlan(slug=survey.slug, free_text_action="delete", free_text={first.response: {first.question: None}})])
    run(apply_retention(plan))
    assert not run(Quote.exists().where(Quote.id == first.id))
    assert f'id="quote-{first.id}"' not in quotes_page(client, survey).text
    # other people's quotes are untouched
    assert run(Quote.count().where(Quote.run == survey.id)) == len(quotes) - 1


def test_refresh_needs_a_person_who_agreed():
    """Straight through the domain function: a survey where nobody agreed has no candidates."""
    survey = open_test_run("annual-send-parent")
    for i in range(3):
        run(submitted(survey, valid_answers(survey.instrument, 700 + i, could_be_better=COMMENTS[i], works_well="", anything_else="")))
    result = run(refresh_candidates(survey, "tests"))
    assert result.added == 0 and run(quotes_for_run(survey.id)) == []


def test_the_update_editor_drafts_you_said_and_attaches_only_approved_quotes(app):
    survey, _ = make_survey()
    other, _ = make_survey()
    client = signed_in(app)
    refresh(client, survey)
    refresh(client, other)
    quotes = run(quotes_for_run(survey.id))
    approved, pending = quotes[0], quotes[1]
    theirs = run(quotes_for_run(other.id))[0]
    token = csrf_token(quotes_page(client, survey).text)
    wording = f"Nobody replies to emails {uuid.uuid4().hex[:8]}"
    client.post(f"/workspace/surveys/{survey.id}/quotes/{approved.id}", data={"_csrf_token": token, "action": "edit", "wording": wording})
    approved = run(get_quote(survey.id, approved.id))
    assert approved.text == wording
    run(Quote.update({Quote.status: APPROVED}).where(Quote.id == theirs.id))
    page = client.get(f"/workspace/updates/new?run={survey.id}")
    offered = set(re.findall(r'name="quotes" type="checkbox" value="(\d+)"', page.text))
    assert page.status_code == 200 and str(approved.id) in offered and str(pending.id) not in offered
    token = csrf_token(page.text)
    title = f"Update {uuid.uuid4().hex[:6]}"
    form = {"_csrf_token": token, "title": title, "run": str(survey.id), "status": "planned", "progress": "0",
            "themes": approved.themes[0], "you_said": "", "we_did": "We did this."}
    # drafting: figures with disclosure control and the approved quote; nothing saved
    drafted = client.post("/workspace/updates/new", data={**form, "action": "draft"})
    assert drafted.status_code == 200 and "We drafted" in drafted.text
    you_said = unescape(re.search(r'<textarea[^>]*name="you_said"[^>]*>(.*?)</textarea>', drafted.text, re.S).group(1))
    assert "100% of parents and carers who answered (13 of 13) were satisfied or very satisfied overall" in you_said
    assert "Our target is 90%" in you_said and "You told us about" in you_said
    assert approved.text not in you_said  # attached, never copied: a withdrawal must be able to remove it
    assert re.search(rf'name="quotes" type="checkbox" value="{approved.id}"\s+checked', drafted.text)  # ticked to show
    assert not run(Update.exists().where(Update.title == title))
    assert client.post("/workspace/updates/new", data={**form, "action": "draft", "run": ""}).status_code == 422
    # forged, pending and other surveys' quotes are refused with a message, nothing saved
    for bad in [str(pending.id), str(theirs.id), "abc", "99999999", str(2**63)]:
        refused = client.post("/workspace/updates/new", data={**form, "you_said": you_said, "quotes": bad})
        assert refused.status_code == 422 and "Select quotes from the list" in refused.text, bad
    assert not run(Update.exists().where(Update.title == title))
    saved = client.post("/workspace/updates/new", data={**form, "you_said": you_said, "quotes": str(approved.id)}, follow_redirects=False)
    assert saved.status_code == 303
    update_id = int(saved.headers["location"].rsplit("/", 1)[1])
    edit = client.get(f"/workspace/updates/{update_id}")
    assert re.search(rf'name="quotes" type="checkbox" value="{approved.id}"\s+checked', edit.text)
    client.post(f"/workspace/updates/{update_id}/publish", data={"_csrf_token": csrf_token(edit.text), "action": "publish"})
    public = TestClient(app=app, base_url="http://testserver.local").get("/you-said-we-did").text
    assert f"“{approved.text}”" in unescape(public)
    # rejecting it later takes it off the public page
    token = csrf_token(quotes_page(client, survey).text)
    client.post(f"/workspace/surveys/{survey.id}/quotes/{approved.id}", data={"_csrf_token": token, "action": "reject"})
    public = TestClient(app=app, base_url="http://testserver.local").get("/you-said-we-did").text
    assert f"“{approved.text}”" not in unescape(public)


def test_the_partnerships_lists_file_is_used_and_a_broken_one_is_explained(app, tmp_path, monkeypatch):
    from feedback.publishing.quotes import partnership_lists

    lists = tmp_path / "local.toml"
    lists.write_text('staff = ["SEN team"]\nschools = ["Greenfield Academy"]\n', encoding="utf-8")
    monkeypatch.setenv("FEEDBACK_LOCAL_NAMES_FILE", str(lists))
    loaded, problem = partnership_lists()
    assert problem is None and loaded.staff == ("SEN team",)
    survey, _ = make_survey()
    client = signed_in(app)
    refresh(client, survey)
    texts = " ".join(q.text for q in run(quotes_for_run(survey.id)))
    assert "SEN team" not in texts and "at the [name removed]" in texts
    lists.write_text("staff = [\n", encoding="utf-8")
    page = quotes_page(client, survey)
    assert page.status_code == 200 and "could not be read" in page.text
    assert refresh(client, survey).status_code == 303  # still works, with the built-in rules
    monkeypatch.setenv("FEEDBACK_LOCAL_NAMES_FILE", str(tmp_path / "missing.toml"))
    assert partnership_lists()[1] is not None
