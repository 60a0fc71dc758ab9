"""Privacy notices an admin edits in the workspace (issue 12): each save is a new version of every
wording (standard, easy read, young people) together, the old versions are kept with their date and
editor, the public pages show the current version and its date, each respondent's consent record
keeps the version they saw, the change is audited, and periods the surveys keep are checked."""

from __future__ import annotations

import copy
import re
import uuid
from datetime import date

import pytest

from consent.notices import NOTICE_DIR, publish_new_version, read_notice_file
from consent.records import records_for
from consent.tables import Notice
from feedback.accounts.tables import AuditEntry
from surveys.instrument import built_in_instruments, parse_instrument
from surveys.runs import open_run
from surveys.tables import Response
from tests.conftest import run, unique_slug
from tests.consent.test_data_rights import completed
from tests.workspace_client import make_user, sign_in, text_of

NEW_SENTENCE = "We now also share anonymous figures with the school improvement team."


@pytest.fixture
def notice_key():
    """A notice of this test's own (the annual survey's three wordings under a new key), and a
    survey that shows it, so editing it changes nothing for other tests."""
    key = f"test-notice-{uuid.uuid4().hex[:8]}"
    for audience in ("standard", "easy_read", "young_person"):
        text = read_notice_file(NOTICE_DIR / f"annual-send-survey.v1.{audience}.toml")
        run(publish_new_version(key, audience, text.title, text.summary, text.sections, "2026-01-05"))
    raw = copy.deepcopy(built_in_instruments()["annual-send-parent"].raw)
    raw["notice"] = key
    survey = run(open_run(parse_instrument(raw, source="test"), slug=unique_slug("notice-edit")))
    return key, survey


def form_data(page_html: str) -> dict[str, str]:
    """The edit form as the admin sees it: every input and textarea with its current value."""
    import html
    data = {name: html.unescape(value) for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page_html)}
    data |= {name: html.unescape(value) for name, value in
             re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page_html, re.S)}
    return data


@pytest.fixture
def admin(browser):
    with browser() as client:
        email = make_user("admin")
        sign_in(client, email)
        client.admin_email = email
        yield client


def test_an_admin_edit_is_a_new_version_of_every_wording_that_new_respondents_see(client, admin, notice_key):
    key, survey = notice_key
    before = completed(client, survey.slug)  # answered under version 1
    page = admin.get(f"/workspace/privacy/notices/{key}")
    assert page.status_code == 200
    data = form_data(page.text)
    for audience in ("standard", "easy_read", "young_person"):
        data[f"{audience}-body"] += "\n" + NEW_SENTENCE
    saved = admin.post(f"/workspace/privacy/notices/{key}", data=data, follow_redirects=False)
    assert saved.status_code == 303
    versions = run(Notice.select(Notice.version, Notice.audience, Notice.edited_by, Notice.published_on).where(Notice.key == key))
    assert sorted((v["version"], v["audience"]) for v in versions) == sorted(
        (n, a) for n in (1, 2) for a in ("standard", "easy_read", "young_person"))
    assert {v["edited_by"] for v in versions if v["version"] == 2} == {admin.admin_email}
    assert {v["published_on"] for v in versions if v["version"] == 2} == {date.today().isoformat()}
    # the public pages show the new words, the version and its date
    for url in (f"/s/{survey.slug}/privacy", f"/s/{survey.slug}/privacy?version=easy_read", "/privacy"):
        shown = text_of(client.get(url).text)
        assert NEW_SENTENCE in shown and "version 2, published " + date.today().isoformat() in shown.lower(), url
    # the workspace keeps every version with its editor
    history = text_of(admin.get(f"/workspace/privacy/notices/{key}").text)
    assert "the service's own text" in history and admin.admin_email in history
    # who answered before keeps the version they saw; who answers now records the new one
    after = completed(client, survey.slug)
    assert _versions_seen(before) == [1] and _versions_seen(after) == [2]
    assert any(e["action"] == "notice_edited" and e["detail"] == "version 2"
               for e in run(AuditEntry.select().where(AuditEntry.object == key)))


def _versions_seen(reference: str) -> list[int]:
    subject = run(Response.select(Response.respondent_id).where(Response.reference == reference).first())["respondent_id"]
    ids = [r.notice for r in run(records_for(str(subject)))]
    return sorted({n["version"] for n in run(Notice.select(Notice.version).where(Notice.id.is_in(ids)))})


def test_an_edit_that_breaks_a_period_the_survey_keeps_is_refused(admin, notice_key):
    key, _ = notice_key
    page = admin.get(f"/workspace/privacy/notices/{key}")
    data = form_data(page.text)
    assert "kept for 3 years" in data["standard-body"]
    data["standard-body"] = data["standard-body"].replace("kept for 3 years", "kept for 5 years")
    refused = admin.post(f"/workspace/privacy/notices/{key}", data=data)
    assert refused.status_code == 422 and "answers_days" in text_of(refused.text)
    assert run(Notice.count().where((Notice.key == key) & (Notice.version == 2))) == 0


def test_an_unchanged_or_empty_notice_is_not_published(admin, notice_key):
    key, _ = notice_key
    page = admin.get(f"/workspace/privacy/notices/{key}")
    same = admin.post(f"/workspace/privacy/notices/{key}", data=form_data(page.text))
    assert same.status_code == 422 and "Nothing has changed" in text_of(same.text)
    data = form_data(page.text)
    data["easy_read-body"] = "no sections here"
    data["young_person-title"] = ""
    empty = admin.post(f"/workspace/privacy/notices/{key}", data=data)
    assert empty.status_code == 422
    assert "Write the easy read notice in sections" in text_of(empty.text)
    assert "Enter the title of the young people notice" in text_of(empty.text)
    assert run(Notice.count().where((Notice.key == key) & (Notice.version == 2))) == 0


def test_only_admins_edit_notices(browser, notice_key):
    key, _ = notice_key
    for role in ("officer", "pcv"):
        with browser() as client:
            sign_in(client, make_user(role))
            assert client.get(f"/workspace/privacy/notices/{key}").status_code == 404
            assert client.get("/workspace/privacy/notices").status_code == 404
