""""You said, we did": writing, publishing, filtering, easy read, print, bulk CSV, and the
list of people to tell, which honours consent and withdrawal."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from litestar.testing import TestClient

from consent.records import record_withdrawal
from feedback.accounts.audit import recent
from feedback.accounts.auth import create_user
from feedback.publishing.tables import Update
from surveys.instrument import built_in_instruments
from surveys.runs import open_run
from surveys.tables import Response
from tests.conftest import run, unique_slug
from tests.walker import csrf_token, fill, parse_forms

PASSWORD = "a long enough test password"


from contextlib import contextmanager


@contextmanager
def officer(app, role="officer", team="partnership"):
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    run(create_user(email, role, password=PASSWORD, team=team))
    with TestClient(app=app, base_url="http://testserver.local") as client:
        page = client.get("/login")
        client.post("/login", data={"_csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD}, follow_redirects=False)
        yield client


def write_update(client, **fields):
    page = client.get("/workspace/updates/new")
    data = {"_csrf_token": csrf_token(page.text), "title": "Replies from the SEN team",
            "you_said": "Families said nobody picks up the phone.", "we_did": "We opened a new helpline with call-backs within 2 days.",
            "owner": "SEN casework team", "status": "in_progress", "progress": "40", **fields}
    return client.post("/workspace/updates/new", data=data, follow_redirects=False)


def latest_update() -> Update:
    return run(Update.objects().order_by(Update.id, ascending=False).output(load_json=True).first())


def test_an_update_is_written_checked_published_and_shown(app):
    survey = run(open_run(built_in_instruments()["annual-send-parent"], slug=unique_slug("yswd")))
    with officer(app) as client:
        _publish_flow(client, survey)


def _publish_flow(client, survey):
    title = f"Replies from the SEN team {uuid.uuid4().hex[:6]}"
    bad = write_update(client, title="", status="not_taken_forward", progress="150")
    assert bad.status_code == 422
    for message in ("Enter a short title", "Say why it is not being taken forward", "whole number from 0 to 100"):
        assert message in bad.text
    created = write_update(client, run=str(survey.id), title=title, easy_read_you_said="You said nobody answers the phone.")
    assert created.status_code == 303
    update = latest_update()
    assert update.run == survey.id and not update.published
    assert title not in client.get("/you-said-we-did").text  # not yet published
    page = client.get(f"/workspace/updates/{update.id}")
    client.post(f"/workspace/updates/{update.id}/publish", data={"_csrf_token": csrf_token(page.text), "action": "publish"})
    public = client.get("/you-said-we-did")
    assert title in public.text and "new helpline" in public.text and "In progress" in public.text
    assert survey.title in public.text
    filtered = client.get(f"/you-said-we-did?survey={survey.slug}")
    assert title in filtered.text
    other_year = client.get("/you-said-we-did?year=1999")
    assert "No published updates match" in other_year.text
    easy = client.get("/you-said-we-did?version=easy_read")
    assert "You said nobody answers the phone." in easy.text and "app-easy-read" in easy.text
    printable = client.get("/you-said-we-did/print")
    assert title in printable.text and "What has happened so far" in printable.text
    assert any(e.action == "published" and e.object == f"update {update.id}" for e in run(recent(20)))
    # a note on the timeline
    client.post(f"/workspace/updates/{update.id}", data={
        "_csrf_token": csrf_token(page.text), "title": update.title, "you_said": update.you_said, "we_did": update.we_did,
        "owner": update.owner, "status": "done", "progress": "100", "note": "Helpline staffed every weekday"})
    assert "Helpline staffed every weekday" in client.get("/you-said-we-did").text


def test_bulk_status_updates_by_csv_apply_all_or_nothing(app):
    with officer(app) as client:
        _bulk_flow(client)


def _bulk_flow(client):
    write_update(client, title="First")
    first = latest_update()
    write_update(client, title="Second")
    second = latest_update()
    page = client.get("/workspace/updates/bulk")
    token = csrf_token(page.text)
    bad = f"id,status,progress,note\n{first.id},done,100,Finished\n{second.id},sort of,20,\n"
    result = client.post("/workspace/updates/bulk", data={"_csrf_token": token}, files={"file": ("s.csv", bad.encode(), "text/csv")})
    assert result.status_code == 422 and "Row 3: status must be one of" in result.text
    assert latest_update().status == "in_progress" and run(Update.objects().where(Update.id == first.id).first()).status == "in_progress"
    good = f"\ufeffid,status,progress,note\n{first.id},done,100,Finished\n{second.id},not taken forward,0,No budget this year\n"
    result = client.post("/workspace/updates/bulk", data={"_csrf_token": token}, files={"file": ("s.csv", good.encode(), "text/csv")})
    assert result.status_code == 200 and "2 updates changed" in result.text
    assert run(Update.objects().where(Update.id == first.id).first()).status == "done"
    assert run(Update.objects().where(Update.id == second.id).first()).status == "not_taken_forward"
    missing = client.post("/workspace/updates/bulk", data={"_csrf_token": token})
    assert missing.status_code == 422 and "Choose a CSV file" in missing.text


def test_notify_list_has_only_people_who_agreed_and_did_not_withdraw(app):
    survey = run(open_run(built_in_instruments()["annual-send-parent"], slug=unique_slug("notify")))
    emails = []
    for index, choice in enumerate(("yes", "yes", "no")):
        with TestClient(app=app, base_url="http://testserver.local") as family:
            from tests.walker import Walker

            walker = Walker(family)
            page = walker.get(f"/s/{survey.slug}")
            while "your-choices" not in str(page.url):
                form = parse_forms(page.text)[0]
                page = walker.submit(page, form, fill(form))
            email = f"family{index}-{uuid.uuid4().hex[:4]}@example.org"
            emails.append(email)
            form = parse_forms(page.text)[0]
            page = family.post(form.action, data={**form.hidden(), "quotes": "no", "contact": choice, "email": email}, follow_redirects=True)
            form = parse_forms(page.text)[0]
            family.post(form.action, data=form.hidden(), follow_redirects=True)
    # the second family withdraws their answers
    second = run(Response.select(Response.respondent_id).where(Response.run == survey.id).order_by(Response.id).offset(1).first())
    run(record_withdrawal(str(second["respondent_id"]), ["participation", "contact"]))
    with officer(app) as client:
        write_update(client, run=str(survey.id))
        update = latest_update()
        listing = client.get(f"/workspace/updates/{update.id}/notify.csv?kind=email")
    rows = list(csv.reader(io.StringIO(listing.text)))
    assert rows[0] == ["email address", "update_title", "link"]
    assert [r[0] for r in rows[1:]] == [emails[0]]
    assert rows[1][2].endswith(f"/you-said-we-did#update-{update.id}")


def test_forum_members_only_see_their_teams_updates(app):
    with officer(app, "pcv", "forum-a-upd") as team_a, officer(app, "pcv", "forum-b-upd") as team_b:
        write_update(team_a, title="Team A's update")
        update = latest_update()
        assert update.team == "forum-a-upd"
        assert team_b.get(f"/workspace/updates/{update.id}").status_code == 404
        assert "Team A&#39;s update" not in team_b.get("/workspace/updates").text
        assert team_a.get(f"/workspace/updates/{update.id}").status_code == 200
