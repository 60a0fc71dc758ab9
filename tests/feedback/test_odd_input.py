"""Issue 11: no 500s on odd input. Every route of the app, walked with ids past 64 bits, negative
and garbage values, huge numbers in query strings and null bytes, signed in as an admin (who can
reach every handler) and as nobody: never a 5xx."""

from __future__ import annotations

import re

import pytest

from tests.walker import csrf_token
from tests.workspace_client import make_user, sign_in

HUGE = [str(2**31), str(2**63), str(2**64 + 1), "9" * 40, "-1", "0", "00000000000000000000000000001", "1e9", "abc", "%00"]
LONG_TEXT = ["x" * 5000, "%00", "..%2F..%2Fetc%2Fpasswd", "a%C0%AFb", "%E2%80%AE", "<svg>"]
QUERY = {
    "year": "9" * 5000, "run": str(2**64), "survey": "x" * 3000, "page": str(2**70), "theme": "%00",
    "version": "../../etc", "next": "//evil.example", "status": "9" * 100, "q": "%00" * 50,
}
PARAM = re.compile(r"\{(\w+):(\w+)\}")


def _paths(app):
    """Every (method, path template) the app routes, OPTIONS and HEAD aside."""
    for route in app.routes:
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method in ("OPTIONS", "HEAD"):
                    continue
                yield method, route.path


def _fill(template: str, value_for) -> str:
    return PARAM.sub(lambda m: value_for(m.group(1), m.group(2)), template)


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_every_route_survives_odd_ids_and_numbers(browser, who):
    with browser() as client:
        if who == "admin":
            assert sign_in(client, make_user("admin")).status_code == 303
        token = csrf_token(client.get("/login").text)
        app = client.app
        checked = 0
        failures = []
        for method, template in sorted(set(_paths(app))):
            if template.startswith("/static") or template == "/logout":
                continue
            for odd in HUGE + LONG_TEXT:
                url = _fill(template, lambda name, kind: odd if kind == "int" else (odd if odd in LONG_TEXT else "transport"))
                if url == template and odd not in (HUGE[0], LONG_TEXT[0]):
                    continue  # no path parameter: the query string below is what varies
                query = "&".join(f"{k}={v}" for k, v in QUERY.items())
                target = f"{url}?{query}"
                if method == "GET":
                    response = client.get(target, follow_redirects=False)
                else:
                    response = client.post(target, data={"_csrf_token": token, "run": str(2**64), "response": str(2**64),
                                                         "quotes": [str(2**64), "9" * 5000], "themes": "%00",
                                                         "action": "role", "role": "admin",
                                                         "progress": "²", "source": "draft-²", "response_id": "9" * 5000},
                                           follow_redirects=False)
                checked += 1
                if response.status_code >= 500:
                    failures.append(f"{method} {target[:120]} -> {response.status_code}")
        print(f"\n{checked} odd requests to {len(set(_paths(app)))} routes as {who}")
        assert failures == [], "\n".join(failures[:40])


@pytest.mark.parametrize("url", [
    "/workspace/surveys/9223372036854775808", f"/api/surveys/{2**63}/responses", f"/workspace/updates/{2**63}",
    f"/workspace/consultations/{2**63}", f"/workspace/surveys/{2**63}/quotes/1", f"/workspace/surveys/1/quotes/{2**63}",
])
def test_ids_past_64_bits_are_not_found(browser, url):
    with browser() as client:
        sign_in(client, make_user("admin"))
        assert client.get(url, follow_redirects=False).status_code in (404, 405)
        page = client.get("/login")
        users = client.post(f"/workspace/users/{2**64}", data={"_csrf_token": csrf_token(page.text), "action": "disable"})
        assert users.status_code == 404


def test_a_year_of_5000_digits_is_ignored_or_refused(client):
    response = client.get("/you-said-we-did", params={"year": "9" * 5000})
    assert response.status_code in (200, 400)
    assert "Sorry, there is a problem" not in response.text


def test_superscript_and_endless_digits_in_forms_are_refused_kindly(browser):
    with browser() as client:
        sign_in(client, make_user("officer"))
        page = client.get("/workspace/updates/new")
        for progress in ("²", "9" * 5000):
            response = client.post("/workspace/updates/new", data={
                "_csrf_token": csrf_token(page.text), "title": "Transport", "you_said": "Taxis late", "we_did": "New contract",
                "status": "in_progress", "progress": progress, "run": "²"})
            assert response.status_code == 422 and "whole number from 0 to 100" in response.text
        copy = client.get("/workspace/consultations/copy")
        for source in ("draft-²", "run-²", f"draft-{2**64}", "run-" + "9" * 5000):
            assert client.post("/workspace/consultations/copy", data={
                "_csrf_token": csrf_token(copy.text), "source": source, "title": "Copy"}).status_code < 500


def test_a_null_byte_in_a_static_path_is_not_found(client):
    assert client.get("/static/dist/app.js%00.png").status_code == 404
    assert client.get("/static/%00").status_code == 404
    assert client.get("/symbols/1F604.svg%00").status_code == 404


@pytest.mark.parametrize("path", ["/withdraw", "/s/any-survey/start", "/login"])
def test_a_form_cut_off_before_its_length_is_the_clients_fault_not_a_500(app, path, caplog):
    """A body that ends before its Content-Length (the phone lost its signal mid-send): a 400 that
    says nothing was saved, logged as a 400, so the 5xx count stays the service's own faults."""
    from tests.conftest import run

    sent = []
    incoming = [{"type": "http.request", "body": b"reference=ABCD", "more_body": True}, {"type": "http.disconnect"}]

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "state": {},
        "headers": [(b"host", b"testserver.local"), (b"content-type", b"application/x-www-form-urlencoded"),
                    (b"content-length", b"99999"), (b"cookie", b"csrftoken=x")],
        "client": ("198.51.100.7", 50000), "server": ("testserver.local", 80),
    }

    async def call():
        async with app.lifespan():
            await app(scope, receive, send)

    with caplog.at_level("INFO", logger="feedback.access"):
        run(call())
    status = next(message["status"] for message in sent if message["type"] == "http.response.start")
    assert status == 400
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    assert b"nothing from it was saved" in body
    assert not any(" 500" in record.getMessage() for record in caplog.records)
