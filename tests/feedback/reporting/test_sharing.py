"""Admins share a survey's results with forum teams on a screen of its own; the team then sees the
results (the joint survey's too), other teams still get a 404; changes are audited."""

from __future__ import annotations

import uuid

from feedback.accounts.tables import AuditEntry
from surveys.runs import get_run, get_run_by_id
from tests.conftest import open_test_run, run
from tests.walker import csrf_token
from tests.workspace_client import signed_in, text_of


def test_an_admin_shares_the_joint_surveys_results_with_a_forum_team(app):
    joint = open_test_run("annual-send-parent", lineage=f"share-{uuid.uuid4().hex[:6]}")
    team, other = f"forum-{uuid.uuid4().hex[:6]}", f"forum-{uuid.uuid4().hex[:6]}"
    forum, stranger = signed_in(app, role="pcv", team=team), signed_in(app, role="pcv", team=other)
    assert forum.get(f"/workspace/surveys/{joint.id}/analysis").status_code == 404
    admin = signed_in(app, role="admin")
    page = admin.get(f"/workspace/surveys/{joint.id}/sharing")
    assert page.status_code == 200 and team in page.text and other in page.text
    saved = admin.post(f"/workspace/surveys/{joint.id}/sharing",
                       data={"_csrf_token": csrf_token(page.text), "teams": [team, "no-such-team"]}, follow_redirects=False)
    assert saved.status_code == 303
    assert run(get_run_by_id(joint.id)).shared_with == (team,)  # unknown teams are ignored
    assert forum.get(f"/workspace/surveys/{joint.id}/analysis").status_code == 200
    assert forum.get(f"/workspace/surveys/{joint.id}/analysis/board-report.pdf").status_code == 200
    assert stranger.get(f"/workspace/surveys/{joint.id}/analysis").status_code == 404
    # sharing results does not let the forum run the survey
    assert forum.get(f"/workspace/surveys/{joint.id}/analysis/population").status_code == 404
    entry = run(AuditEntry.select().where((AuditEntry.action == "results_shared") & (AuditEntry.object == joint.slug)).first())
    assert entry and team in entry["detail"]
    # unsharing takes it away again
    page = admin.get(f"/workspace/surveys/{joint.id}/sharing")
    admin.post(f"/workspace/surveys/{joint.id}/sharing", data={"_csrf_token": csrf_token(page.text)})
    assert forum.get(f"/workspace/surveys/{joint.id}/analysis").status_code == 404


def test_only_admins_open_the_sharing_screen(app):
    joint = open_test_run("annual-send-parent")
    officer = signed_in(app)
    assert officer.get(f"/workspace/surveys/{joint.id}/sharing").status_code == 404
    page = officer.get(f"/workspace/surveys/{joint.id}/analysis")
    assert officer.post(f"/workspace/surveys/{joint.id}/sharing", data={"_csrf_token": csrf_token(page.text), "teams": ["x"]}).status_code == 404
    assert signed_in(app, role="admin").get("/workspace/surveys/999999/sharing").status_code == 404
    assert "Share these results" not in text_of(page.text)
