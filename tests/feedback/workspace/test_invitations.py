"""Invitations and reminders: a contact list imported with its lawful basis, survey links sent
through the outbox to a real SMTP server on loopback, up to two reminders that skip those who
responded, opt-outs honoured (now and in later imports), and no link between invitee and answers."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar.testing import TestClient

from feedback.messages.tables import Invitee
from surveys.tables import Response
from tests.conftest import run
from tests.feedback.messages.mail import app_sending_to, count_of, send_everything
from tests.feedback.messages.servers import SmtpSink
from tests.walker import Walker, csrf_token
from tests.workspace_client import make_user, open_survey, sign_in


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
def mail_app(settings, sink):
    return app_sending_to(settings, sink, "http://testserver.local")


def upload(client, survey_id, text: str, basis="public_task", note="Families on the SEND caseload (privacy notice v3).", checked=True):
    page = client.get(f"/workspace/surveys/{survey_id}/invitations")
    data = {"_csrf_token": csrf_token(page.text), "lawful_basis": basis, "basis_note": note}
    if checked:
        data["checked"] = "yes"
    return client.post(f"/workspace/surveys/{survey_id}/invitations/import", data=data,
                       files={"file": ("list.csv", text.encode(), "text/csv")}, follow_redirects=True)


def send_round(client, survey_id, round_number):
    page = client.get(f"/workspace/surveys/{survey_id}/invitations")
    return client.post(f"/workspace/surveys/{survey_id}/invitations/send",
                       data={"_csrf_token": csrf_token(page.text), "round": str(round_number)}, follow_redirects=True)


def link_in(message, kind):
    pattern = r"https?://[^\s]+/s/[^\s]+/invited\?t=[0-9a-f]+" if kind == "invite" else r"https?://[^\s]+/messages/unsubscribe\?t=[0-9a-f]+"
    return re.search(pattern, message.get_content()).group(0).replace("http://testserver.local", "")


def test_invite_remind_skip_responders_and_honour_opt_outs(mail_app, sink, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="feedback.access")
    survey = open_survey(None)
    tag = uuid.uuid4().hex[:6]
    people = [f"p{i}.{tag}@example.org" for i in range(3)]
    with TestClient(app=mail_app, base_url="http://testserver.local") as officer:
        assert sign_in(officer, make_user("officer")).status_code == 303
        # The lawful basis is required and checked; a bad row stops the whole import.
        missing = upload(officer, survey.id, "email\n" + people[0], basis="", note="", checked=False)
        assert missing.status_code == 422 and "Choose the lawful basis" in missing.text and "Confirm that the list" in missing.text
        bad = upload(officer, survey.id, "name,email\nAnn," + people[0] + "\nBob,not-an-email\n")
        assert bad.status_code == 422 and "Row 3: the email address is not in the right format" in bad.text
        assert run(Invitee.count().where(Invitee.run == survey.id)) == 0
        good = upload(officer, survey.id, "name,email\n" + "\n".join(f"Person {i},{p}" for i, p in enumerate(people)) + f"\nDup,{people[0]}\n")
        assert good.status_code == 200 and "3 people added to the list" in good.text
        assert "Person 0" not in str(run(Invitee.select().where(Invitee.run == survey.id)))  # names never stored

        assert "3 messages queued" in send_round(officer, survey.id, 0).text
        assert "0 messages queued" in send_round(officer, survey.id, 0).text  # nobody is invited twice
        send_everything(sink)
        invites = {m["To"]: m for m in sink.received if tag in m["To"]}
        assert sorted(invites) == sorted(people)

        # The first answers through their link; the second opts out.
        with TestClient(app=mail_app, base_url="http://testserver.local") as family:
            landed = family.get(link_in(invites[people[0]], "invite"), follow_redirects=False)
            assert landed.status_code == 303 and landed.headers["location"] == f"/s/{survey.slug}"
            Walker(family).complete(f"/s/{survey.slug}")
        with TestClient(app=mail_app, base_url="http://testserver.local") as other:
            unsubscribe = link_in(invites[people[1]], "unsubscribe")
            page = other.get(unsubscribe)
            assert page.status_code == 200 and "Stop the messages" in page.text
            assert run(Invitee.count().where((Invitee.run == survey.id) & (Invitee.opted_out == True))) == 0  # noqa: E712 a GET changes nothing
            done = other.post("/messages/unsubscribe", data={"_csrf_token": csrf_token(page.text), "t": unsubscribe.split("t=")[1]})
            assert done.status_code == 200 and "You will not get any more messages" in done.text

        assert "1 messages queued" in send_round(officer, survey.id, 1).text  # only the third
        assert "1 messages queued" in send_round(officer, survey.id, 2).text
        bad_round = send_round(officer, survey.id, 3)
        assert bad_round.status_code == 422
        send_everything(sink)
        reminded = sorted(m["To"] for m in sink.received if tag in m["To"] and m["Subject"].startswith("Reminder"))
        assert reminded == [people[2], people[2]]

        # A later list with the opted-out person on it leaves them off.
        again = upload(officer, survey.id, f"email\n{people[1]}\n")
        assert "0 people added" in again.text and "1 had opted out" in again.text
        page = officer.get(f"/workspace/surveys/{survey.id}/invitations")
        assert count_of(page.text, "count-responded") == 1 and count_of(page.text, "count-opted-out") == 1

    # Anonymity: the invitee knows only "responded"; the response holds nothing of the invitation.
    responded = run(Invitee.select().where((Invitee.run == survey.id) & (Invitee.responded == True)))  # noqa: E712
    assert len(responded) == 1 and set(responded[0]) == {"id", "invitation_list", "run", "channel", "address",
                                                          "token_hash", "invited", "reminders_sent", "responded", "opted_out"}
    answers = run(Response.select().where(Response.run == survey.id).first())
    assert not any(responded[0]["token_hash"] in str(v) for v in answers.values())
    # Tokens travel in query strings and forms only: the access log (paths) never holds one.
    tokens = [link_in(invites[p], "invite").split("t=")[1] for p in people]
    access = [r.getMessage() for r in caplog.records if r.name == "feedback.access"]
    assert access and not any(t in line for t in tokens for line in access)
    # The opted-out person's address is gone.
    assert run(Invitee.count().where(Invitee.address == people[1])) == 0


def test_another_teams_forum_member_cannot_see_or_send_invitations(mail_app):
    team = f"forum-inv-{uuid.uuid4().hex[:6]}"
    survey = open_survey(team)
    with TestClient(app=mail_app, base_url="http://testserver.local") as outsider:
        sign_in(outsider, make_user("pcv", f"forum-other-{uuid.uuid4().hex[:6]}"))
        assert outsider.get(f"/workspace/surveys/{survey.id}/invitations").status_code == 404
        token = csrf_token(outsider.get("/workspace").text)
        assert outsider.post(f"/workspace/surveys/{survey.id}/invitations/send", data={"_csrf_token": token, "round": "0"}).status_code == 404
    with TestClient(app=mail_app, base_url="http://testserver.local") as member:
        sign_in(member, make_user("pcv", team))
        assert member.get(f"/workspace/surveys/{survey.id}/invitations").status_code == 200


def test_a_wrong_unsubscribe_link_is_a_clear_404(mail_app):
    with TestClient(app=mail_app, base_url="http://testserver.local") as anyone:
        page = anyone.get("/messages/unsubscribe?t=" + "ab" * 16)
        assert page.status_code == 404 and "This link does not work" in page.text
