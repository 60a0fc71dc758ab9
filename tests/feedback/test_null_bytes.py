"""Null characters (which PostgreSQL refuses in text) in any form field or query parameter: a clear
400 page, never a 500, and nothing already saved is lost. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from urllib.parse import urljoin

from feedback.accounts.tables import User
from tests.conftest import open_test_run, run
from tests.walker import Walker, fill, parse_forms, reference_on
from tests.workspace_client import make_user, sign_in

MESSAGE = "a hidden character we cannot store"


def _poisoned(data: list[tuple[str, str]], index: int) -> list[tuple[str, str]]:
    name, value = data[index]
    return [*data[:index], (name, f"{value}\x00"), *data[index + 1:]]


def _as_form(data):
    form: dict[str, list[str]] = {}
    for name, value in data:
        form.setdefault(name, []).append(value)
    return form


def test_a_null_character_in_any_answer_is_refused_kindly_and_earlier_answers_are_kept(browser):
    survey = open_test_run()
    refused = 0
    with browser() as client:
        walker = Walker(client)
        response = walker.get(f"/s/{survey.slug}")
        for _ in range(80):
            assert response.status_code < 500
            if reference_on(response.text):
                break
            form = [f for f in parse_forms(response.text) if f.method == "post"][0]
            data = fill(form)
            # Every field this page sends, in turn, with a null character in it (hidden ones too,
            # but not the CSRF token, whose refusal is a 403 of its own).
            for index, (name, _) in enumerate(data):
                if name == "_csrf_token":
                    continue
                bad = client.post(urljoin(str(response.url), form.action or str(response.url)), data=_as_form(_poisoned(data, index)), follow_redirects=True)
                assert bad.status_code == 400, (name, bad.status_code, bad.text[:300])
                assert MESSAGE in bad.text
                refused += 1
            response = walker.submit(response, form, data)
        reference = reference_on(response.text)
    assert reference, walker.pages_seen[-3:]
    assert refused >= 5


def test_a_null_character_in_any_workspace_or_public_form_is_refused_and_nothing_is_stored(browser):
    admin = make_user("admin")
    users_before = run(User.count())
    with browser() as client:
        for url in ("/login", "/withdraw"):
            page = client.get(url)
            form = [f for f in parse_forms(page.text) if f.method == "post" and f.action != "/logout"][0]
            data = fill(form)
            for index, (name, _) in enumerate(data):
                if name == "_csrf_token":
                    continue
                bad = client.post(form.action or url, data=_as_form(_poisoned(data, index)))
                assert bad.status_code == 400, (url, name, bad.status_code)
                assert MESSAGE in bad.text
        assert sign_in(client, admin).status_code == 303
        checked = 0
        for url in ("/workspace/surveys/new", "/workspace/themes/new", "/workspace/updates/new", "/workspace/users",
                    "/workspace/consultations/new", "/workspace/account/password"):
            page = client.get(url)
            if page.status_code != 200:
                continue
            forms = [f for f in parse_forms(page.text) if f.method == "post" and f.action != "/logout"]
            for form in forms[:2]:
                data = fill(form)
                for index, (name, _) in enumerate(data):
                    if name == "_csrf_token":
                        continue
                    bad = client.post(form.action or url, data=_as_form(_poisoned(data, index)))
                    assert bad.status_code == 400, (url, name, bad.status_code, bad.text[:200])
                    assert MESSAGE in bad.text
                    checked += 1
        assert checked >= 10
        # The account is still usable, and no invitation was stored.
        assert client.get("/workspace").status_code == 200
    assert run(User.count()) == users_before


def test_a_null_character_in_a_query_parameter_is_a_clear_400(browser):
    survey = open_test_run()
    admin = make_user("admin")
    urls = [f"/s/{survey.slug}?version=%00", "/you-said-we-did?year=20%0026", "/you-said-we-did?theme=a%00b",
            "/withdraw?version=easy%00read", "/login?next=/workspace%00", "/workspace/audit?kind=%00",
            "/workspace?q=%00", "/api/surveys?x=%00"]
    with browser() as client:
        sign_in(client, admin)
        for url in urls:
            page = client.get(url)
            assert page.status_code == 400, (url, page.status_code)
            assert page.status_code < 500
