"""Small fixes found while preparing results for the board: the print page's partnership name keeps
its capitals, the 'you said' draft keeps an acronym's capitals, a young people's poster speaks to
young people, two open runs of the same title are told apart on the home page, and one save with a
note writes one timeline entry."""

from __future__ import annotations

import uuid

from feedback.publishing.quotes import draft_you_said
from feedback.publishing.tables import UpdateEvent
from tests.conftest import open_test_run, run
from tests.feedback.publishing.test_updates import latest_update, officer, write_update
from tests.walker import csrf_token
from tests.workspace_client import signed_in, text_of


def test_print_page_keeps_the_partnerships_capitals(app):
    with officer(app) as client:
        text = text_of(client.get("/you-said-we-did/print").text)
    assert "The local area SEND partnership and Parent Carer Voice." in text
    assert "send partnership and parent carer voice" not in text


def test_the_you_said_draft_keeps_acronyms(app):
    survey = open_test_run("annual-send-parent")
    text, _ = run(draft_you_said(survey, ["ehc_quality", "communication"],
                                 {"ehc_quality": "EHC plans: quality", "communication": "Communication"}, 0.9))
    assert "You told us about EHC plans: quality and communication." in text
    assert "eHC" not in text


def test_a_young_peoples_poster_speaks_to_young_people(app):
    young = open_test_run("annual-send-young-person")
    parents = open_test_run("annual-send-parent")
    client = signed_in(app)
    poster = text_of(client.get(f"/workspace/surveys/{young.id}/poster").text)
    assert "your child" not in poster and "the help you get" in poster
    assert "your child" in text_of(client.get(f"/workspace/surveys/{parents.id}/poster").text)


def test_two_open_runs_with_the_same_title_are_told_apart(app):
    title = f"Short breaks {uuid.uuid4().hex[:6]}"
    first = open_test_run("annual-send-parent", title=title)
    second = open_test_run("annual-send-parent", title=title)
    home = text_of(signed_in(app).get("/").text)
    assert f"{title} (/s/{first.slug})" in home and f"{title} (/s/{second.slug})" in home


def test_one_save_with_a_note_writes_one_timeline_entry(app):
    with officer(app) as client:
        write_update(client, title=f"Phones {uuid.uuid4().hex[:6]}")
        update = latest_update()
        before = run(UpdateEvent.count().where(UpdateEvent.update == update.id))
        page = client.get(f"/workspace/updates/{update.id}")
        client.post(f"/workspace/updates/{update.id}", data={
            "_csrf_token": csrf_token(page.text), "title": update.title, "you_said": update.you_said, "we_did": update.we_did,
            "owner": update.owner, "status": "done", "progress": "100", "note": "Helpline staffed every weekday"})
        events = run(UpdateEvent.select().where(UpdateEvent.update == update.id).order_by(UpdateEvent.id))
    assert len(events) == before + 1
    assert events[-1]["note"] == "Helpline staffed every weekday" and events[-1]["status"] == "done"
