"""Issue 11, files: the Notify SMS list writes numbers Notify accepts (E.164, never prefixed with
an apostrophe), contact details are validated where they are typed, full-width and other
look-alike formula characters are neutralised in every cell and header, and backups are 0600."""

from __future__ import annotations

import csv
import io
import os
import stat
import uuid

import pytest
from litestar.testing import TestClient

from consent.contacts import clean_email, clean_mobile, clean_phone
from consent.tables import ContactDetail
from feedback.spreadsheets import csv_for_excel, neutralise
from surveys.instrument import built_in_instruments
from surveys.runs import open_run
from surveys.tables import Response
from tests.conftest import run, unique_slug
from tests.feedback.publishing.test_updates import latest_update, officer, write_update
from tests.walker import Walker, fill, parse_forms


def _answer_with_contact(app, slug: str, **contact) -> None:
    with TestClient(app=app, base_url="http://testserver.local") as family:
        walker = Walker(family)
        page = walker.get(f"/s/{slug}")
        while "your-choices" not in str(page.url):
            form = parse_forms(page.text)[0]
            page = walker.submit(page, form, fill(form))
        form = parse_forms(page.text)[0]
        page = family.post(form.action, data={**form.hidden(), "quotes": "no", "contact": "yes", **contact}, follow_redirects=True)
        form = parse_forms(page.text)[0]
        family.post(form.action, data=form.hidden(), follow_redirects=True)


def test_notify_sms_list_has_e164_numbers_never_prefixed(app):
    survey = run(open_run(built_in_instruments()["annual-send-parent"], slug=unique_slug("sms")))
    _answer_with_contact(app, survey.slug, phone="07700 900 982")
    _answer_with_contact(app, survey.slug, phone="+44 (0)7700 900123")
    _answer_with_contact(app, survey.slug, phone="01632 960 001")  # a landline: no text messages
    respondents = [str(r["respondent_id"]) for r in run(Response.select(Response.respondent_id).where(Response.run == survey.id))]
    stored = sorted(c.phone for c in run(ContactDetail.objects().where(ContactDetail.subject.is_in(respondents))))
    assert stored == ["+441632960001", "+447700900123", "+447700900982"]
    with officer(app) as client:
        write_update(client, run=str(survey.id), title="=Taxis on time")
        update = latest_update()
        listing = client.get(f"/workspace/updates/{update.id}/notify.csv?kind=sms")
    rows = list(csv.reader(io.StringIO(listing.text)))
    assert rows[0] == ["phone number", "update_title", "link"]
    assert sorted(r[0] for r in rows[1:]) == ["+447700900123", "+447700900982"]
    assert all(r[1] == "'=Taxis on time" for r in rows[1:])  # the personalisation columns stay guarded


def test_contact_details_are_validated_where_they_are_typed():
    assert clean_phone("07700 900 982") == "+447700900982"
    assert clean_phone("0044 7700 900982") == "+447700900982"
    assert clean_mobile("01632 960 001") is None and clean_phone("01632 960 001") == "+441632960001"
    for bad in ("=1+1", "+44 07700 900982", "12", "07700 900 982 ext 4", "+1 202 555 0100", "０７７００９００９８２"):
        assert clean_mobile(bad) is None, bad
    assert clean_email("name@example.org") == "name@example.org"
    for bad in ('"><img/src=x/onerror=alert(1)>@x.org', "<svg/onload=alert(1)>@pwn.example", "=cmd@x.org|",
                "a@b", "a..b@example.org", "name@exa mple.org", "name@example.org\u202e"):
        assert clean_email(bad) is None, bad


@pytest.mark.parametrize("text", ["＝HYPERLINK(\"http://evil.example\")", "＋1", "－1+2", "＠SUM(A1)", "﹦1", "﹢1", "﹣1",
                                  "﹫x", "\u22121", "\n=1", "=1", "+1", "-1", "@x", "\t=1", "\r=1"])
def test_formula_look_alikes_are_neutralised_in_cells_and_headers(text):
    assert neutralise(text) == "'" + text
    out, _ = csv_for_excel([text, "ok"], [[text, "fine", 5, -3]])
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0][0] == "'" + text and rows[1][0] == "'" + text
    assert rows[1][1:] == ["fine", "5", "-3"]  # numbers stay numbers


def test_backups_are_readable_by_their_owner_only(client, parent_run, tmp_path, capsys):
    from feedback.cli import main

    if not os.environ["DATABASE_URL"].startswith("sqlite"):
        import shutil
        if not shutil.which("pg_dump"):
            pytest.skip("pg_dump is not installed")
    Walker(client).complete(f"/s/{parent_run.slug}")
    previous = os.umask(0o022)  # the usual umask, which would make a new file world-readable
    try:
        target = tmp_path / f"backup-{uuid.uuid4().hex[:6]}.db"
        assert main(["backup", str(target)]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
