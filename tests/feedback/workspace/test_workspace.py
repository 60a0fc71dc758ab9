"""The workspace: the permission matrix (every route × every role × own and others' objects),
exports, assisted entry and event mode."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

import pytest

from feedback.accounts.audit import recent
from surveys.instrument import built_in_instruments, parse_instrument
from surveys.runs import open_run
from surveys.tables import Response, SurveyRun
from tests.conftest import run, unique_slug
from tests.walker import Walker, csrf_token

from tests.workspace_client import make_user, open_survey, sign_in


GET_ROUTES = [
    "/workspace/surveys/{id}", "/workspace/surveys/{id}/counts", "/workspace/surveys/{id}/qr.svg",
    "/workspace/surveys/{id}/poster", "/workspace/surveys/{id}/codebook.csv", "/workspace/surveys/{id}/analysis",
    "/workspace/surveys/{id}/themes/review", "/workspace/surveys/{id}/themes/uncoded",
]
# raw answers follow manage permission: sharing gives a team the aggregated results, not the rows
RAW_ROUTES = ["/workspace/surveys/{id}/export.csv", "/workspace/surveys/{id}/export.xlsx", "/api/surveys/{id}/responses"]
MANAGE_ROUTES = ["/workspace/surveys/{id}/status", "/workspace/surveys/{id}/enter", "/workspace/surveys/{id}/kiosk",
                 "/workspace/surveys/{id}/kiosk/end", "/workspace/surveys/{id}/themes/review"]
ADMIN_ROUTES = ["/workspace/users", "/workspace/audit", "/workspace/privacy/partnership"]
OFFICER_ROUTES = ["/workspace/themes", "/workspace/themes/new", "/workspace/themes/transport/edit",
                  "/workspace/themes/transport/remove"]  # the codebook
GENERAL_ROUTES = ["/workspace", "/workspace/surveys/new", "/api/surveys"]


@pytest.fixture(scope="module")
def matrix_world():
    teams = {"team_a": f"forum-a-{uuid.uuid4().hex[:6]}", "team_b": f"forum-b-{uuid.uuid4().hex[:6]}"}
    surveys = {"partnership": open_survey(None), "team_a": open_survey(teams["team_a"]), "team_b": open_survey(teams["team_b"])}
    shared = open_survey(teams["team_b"])
    run(SurveyRun.update({SurveyRun.shared_with: [teams["team_a"]]}).where(SurveyRun.id == shared.id))
    surveys["shared_with_a"] = shared
    users = {
        "admin": make_user("admin"), "officer": make_user("officer"),
        "pcv_a": make_user("pcv", teams["team_a"]), "pcv_b": make_user("pcv", teams["team_b"]),
    }
    return teams, surveys, users


# who sees which survey (GET) and who manages it (POST)
SEES = {
    "admin": {"partnership", "team_a", "team_b", "shared_with_a"},
    "officer": {"partnership", "team_a", "team_b", "shared_with_a"},
    "pcv_a": {"team_a", "shared_with_a"},
    "pcv_b": {"team_b", "shared_with_a"},
}
MANAGES = {
    "admin": SEES["admin"], "officer": SEES["officer"], "pcv_a": {"team_a"}, "pcv_b": {"team_b", "shared_with_a"},
}
# quote review: officers and admins, and a forum member only for their own team's surveys (GET and POST)
QUOTE_ROUTES = [("get", "/workspace/surveys/{id}/quotes"), ("post", "/workspace/surveys/{id}/quotes/refresh")]


@pytest.mark.parametrize("who", ["anonymous", "admin", "officer", "pcv_a", "pcv_b"])
def test_permission_matrix(browser, matrix_world, who):
    _, surveys, users = matrix_world
    with browser() as client:
        if who != "anonymous":
            assert sign_in(client, users[who]).status_code == 303
        token = csrf_token(client.get("/login").text)
        for route in GENERAL_ROUTES + ADMIN_ROUTES + OFFICER_ROUTES:
            status = client.get(route, follow_redirects=False).status_code
            if who == "anonymous":
                expected = 401 if route.startswith("/api") else 303
            elif route in ADMIN_ROUTES:
                expected = 200 if who == "admin" else 404
            elif route in OFFICER_ROUTES:
                expected = 200 if who in ("admin", "officer") else 404
            else:
                expected = 200
            assert status == expected, (who, route, status)
        for name, survey in surveys.items():
            for route in GET_ROUTES:
                url = route.format(id=survey.id)
                status = client.get(url, follow_redirects=False).status_code
                if who == "anonymous":
                    expected = 401 if url.startswith("/api") else 303
                else:
                    expected = 200 if name in SEES[who] else 404
                assert status == expected, (who, name, url, status)
            for route in RAW_ROUTES:
                url = route.format(id=survey.id)
                status = client.get(url, follow_redirects=False).status_code
                if who == "anonymous":
                    expected = 401 if url.startswith("/api") else 303
                else:
                    expected = 200 if name in MANAGES[who] else 404
                assert status == expected, (who, name, url, status)
            for route in MANAGE_ROUTES:
                url = route.format(id=survey.id)
                data = {"_csrf_token": token, "action": "open"}
                status = client.post(url, data=data, follow_redirects=False).status_code
                if who == "anonymous":
                    expected = 303
                else:
                    expected = 303 if name in MANAGES[who] else 404
                assert status == expected, (who, name, url, status)
                if url.endswith("/kiosk") and status == 303 and who != "anonymous":
                    # turning event mode on signs the officer out on that tablet: sign in again
                    assert client.get("/workspace", follow_redirects=False).status_code == 303
                    assert sign_in(client, users[who]).status_code == 303
                    token = csrf_token(client.get("/login").text)
            for method, route in QUOTE_ROUTES:
                url = route.format(id=survey.id)
                if method == "get":
                    status = client.get(url, follow_redirects=False).status_code
                else:
                    status = client.post(url, data={"_csrf_token": token}, follow_redirects=False).status_code
                if who == "anonymous":
                    expected = 303
                else:
                    expected = (200 if method == "get" else 303) if name in MANAGES[who] else 404
                assert status == expected, (who, name, method, url, status)
        # an id that does not exist looks the same as someone else's
        if who != "anonymous":
            assert client.get("/workspace/surveys/999999").status_code == 404
            assert client.get("/workspace/surveys/999999/themes/review").status_code == 404
        # codebook changes: officers and admins only (with nothing valid to save, the form comes back; a removal
        # without the confirmation page's codebook version goes back to that page and removes nothing)
        for route in ["/workspace/themes/new", "/workspace/themes/transport/edit", "/workspace/themes/terms",
                      "/workspace/themes/transport/remove"]:
            status = client.post(route, data={"_csrf_token": token}, follow_redirects=False).status_code
            expected = 303 if who == "anonymous" else (404 if who.startswith("pcv") else (303 if route.endswith(("terms", "remove")) else 422))
            assert status == expected, (who, route, status)
        api = client.get("/api/surveys")
        if who != "anonymous":
            assert {s["id"] for s in api.json()} >= {surveys[n].id for n in SEES[who]}
            assert not {s["id"] for s in api.json()} & {surveys[n].id for n in set(surveys) - SEES[who]}


def test_a_forum_member_opens_a_survey_that_belongs_to_their_team(browser):
    email = make_user("pcv", "forum-open-test")
    with browser() as client:
        sign_in(client, email)
        page = client.get("/workspace/surveys/new")
        slug = unique_slug("pcv")
        created = client.post("/workspace/surveys/new", data={"_csrf_token": csrf_token(page.text), "instrument": "annual-send-young-person", "slug": slug}, follow_redirects=False)
        assert created.status_code == 303
        row = run(SurveyRun.select(SurveyRun.team).where(SurveyRun.slug == slug).first())
        assert row["team"] == "forum-open-test"
        bad = client.post("/workspace/surveys/new", data={"_csrf_token": csrf_token(page.text), "instrument": "nope", "slug": "Bad Slug!", "closes_on": "2020-01-01"})
        assert bad.status_code == 422
        for message in ("Select what to run", "Enter a web address name", ):
            assert message in bad.text


# --- exports ---------------------------------------------------------------------------------

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR"]


def test_exports_neutralise_formulas_in_answers_and_question_titles(browser):
    raw = dict(built_in_instruments()["annual-send-young-person"].raw)
    raw = __import__("copy").deepcopy(raw)
    raw["sections"][0]["questions"][0]["text"] = "=HYPERLINK(\"http://evil\")"
    raw["sections"][0]["questions"][0]["options"][0]["label"] = "+danger"
    survey = run(open_run(parse_instrument(raw), slug=unique_slug("formula")))
    admin = make_user("admin")
    with browser() as respondent:
        for text in DANGEROUS:
            walker = Walker(respondent)
            respondent.cookies.clear()
            walker.max_steps = 80
            from tests.walker import fill, parse_forms
            page = walker.get(f"/s/{survey.slug}")
            while "govuk-panel--confirmation" not in page.text:
                form = parse_forms(page.text)[0]
                data = [(k, text if k == "could_be_better" else v) for k, v in fill(form)]
                page = walker.submit(page, form, data)
    with browser() as client:
        sign_in(client, admin)
        exported = client.get(f"/workspace/surveys/{survey.id}/export.csv")
        assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
        assert "attachment" in exported.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert len(rows) == 1 + len(DANGEROUS)
        for row in rows:
            for value in row:
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
        assert "'+danger" in {r[4] for r in rows[1:]}  # labelled values, neutralised
        book = client.get(f"/workspace/surveys/{survey.id}/codebook.csv")
        book_rows = list(csv.reader(io.StringIO(book.content.decode("utf-8-sig"))))
        assert any(r[1] == "'=HYPERLINK(\"http://evil\")" for r in book_rows)
        assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in book_rows for v in r)
        xlsx = client.get(f"/workspace/surveys/{survey.id}/export.xlsx")
        with zipfile.ZipFile(io.BytesIO(xlsx.content)) as workbook:
            names = workbook.namelist()
            sheets = "".join(workbook.read(n).decode() for n in names if n.startswith("xl/worksheets/"))
            strings = workbook.read("xl/sharedStrings.xml").decode()
        assert "<f>" not in sheets and "xl/worksheets/sheet2.xml" in names  # responses + codebook
        assert "&apos;=HYPERLINK" in strings or "'=HYPERLINK" in strings
        api = client.get(f"/api/surveys/{survey.id}/responses").json()
        assert api["count"] == len(DANGEROUS)
    exports = [e for e in run(recent(100)) if e.action in ("export", "api_export") and e.object == survey.slug]
    assert {e.detail for e in exports} >= {"csv", "xlsx"} and all(e.count == len(DANGEROUS) for e in exports)


# --- running a survey ------------------------------------------------------------------------


def test_close_and_reopen_from_the_workspace(browser):
    survey = open_survey(None)
    with browser() as client:
        sign_in(client, make_user("officer"))
        page = client.get(f"/workspace/surveys/{survey.id}")
        assert f"/s/{survey.slug}" in page.text and "<img" in page.text
        client.post(f"/workspace/surveys/{survey.id}/status", data={"_csrf_token": csrf_token(page.text), "action": "close"})
        assert client.get(f"/s/{survey.slug}").status_code == 410
        client.post(f"/workspace/surveys/{survey.id}/status", data={"_csrf_token": csrf_token(page.text), "action": "open"})
        assert client.get(f"/s/{survey.slug}").status_code == 200
        qr = client.get(f"/workspace/surveys/{survey.id}/qr.svg")
        assert qr.headers["content-type"].startswith("image/svg+xml") and "<svg" in qr.text
        poster = client.get(f"/workspace/surveys/{survey.id}/poster")
        assert "<svg" in poster.text and f"/s/{survey.slug}" in poster.text


def test_paper_entry_is_recorded_as_paper_by_a_volunteer(browser):
    from consent.records import records_for

    survey = open_survey(None, key="annual-send-parent")
    with browser() as client:
        sign_in(client, make_user("officer"))
        page = client.get(f"/workspace/surveys/{survey.id}")
        entry = client.post(f"/workspace/surveys/{survey.id}/enter", data={"_csrf_token": csrf_token(page.text)}, follow_redirects=True)
        assert "Before you start" in entry.text
        reference = Walker(client).complete(str(entry.url))
    row = run(Response.select().where(Response.reference == reference).first())
    assert row["channel"] == "paper"
    records = run(records_for(str(row["respondent_id"])))
    assert {r.channel for r in records} == {"paper"} and {r.actor for r in records} == {"volunteer"}


def test_event_mode_starts_fresh_for_each_person_and_remembers_nothing(browser):
    survey = open_survey(None)
    with browser() as tablet:
        sign_in(tablet, make_user("officer"))
        page = tablet.get(f"/workspace/surveys/{survey.id}")
        tablet.post(f"/workspace/surveys/{survey.id}/kiosk", data={"_csrf_token": csrf_token(page.text)})
        walker = Walker(tablet)
        first = walker.complete(f"/s/{survey.slug}")
        done = tablet.get(f"/s/{survey.slug}/done", follow_redirects=False)
        assert done.status_code == 303  # the answers are no longer reachable on this device
        # the next person: a half-finished attempt is never offered to someone else
        start = tablet.get(f"/s/{survey.slug}")
        form_page = tablet.post(f"/s/{survey.slug}/start", data={"_csrf_token": csrf_token(start.text)}, follow_redirects=True)
        assert "Before you start" in form_page.text
        again = tablet.get(f"/s/{survey.slug}")
        assert "Continue where you left off" not in again.text and "already sent" not in again.text
    row = run(Response.select(Response.channel).where(Response.reference == first).first())
    assert row["channel"] == "event"


def test_confirmation_in_event_mode_returns_to_the_start(browser):
    survey = open_survey(None)
    with browser() as tablet:
        sign_in(tablet, make_user("officer"))
        page = tablet.get(f"/workspace/surveys/{survey.id}")
        tablet.post(f"/workspace/surveys/{survey.id}/kiosk", data={"_csrf_token": csrf_token(page.text)})
        walker = Walker(tablet)
        response = walker.get(f"/s/{survey.slug}")
        from tests.walker import fill, parse_forms
        seen_save_later = False
        while "govuk-panel--confirmation" not in response.text:
            seen_save_later |= "Save and come back later" in response.text
            form = parse_forms(response.text)[0]
            response = walker.submit(response, form, fill(form))
        assert not seen_save_later
        assert f'http-equiv="refresh" content="60;url=/s/{survey.slug}"' in response.text
        assert "Start again for the next person" in response.text


def test_the_link_for_families_is_the_public_address_whatever_host_the_request_named(settings):
    """A forged Host header must not put another site's address on the page, QR code or poster."""
    from dataclasses import replace

    from litestar.testing import TestClient

    from feedback.app import create_app

    app = create_app(replace(settings, public_url="https://feedback.example.gov.uk"), manage_pool=False)
    survey = open_survey(None)
    with TestClient(app=app, base_url="http://evil.example") as client:
        sign_in(client, make_user("officer"))
        page = client.get(f"/workspace/surveys/{survey.id}")
        assert f"https://feedback.example.gov.uk/s/{survey.slug}" in page.text and "evil.example" not in page.text
        poster = client.get(f"/workspace/surveys/{survey.id}/poster")
        assert f"https://feedback.example.gov.uk/s/{survey.slug}" in poster.text and "evil.example" not in poster.text
