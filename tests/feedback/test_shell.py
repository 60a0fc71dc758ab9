"""The application shell: home page, health check, security headers, error pages, logging."""

import logging

from tests.walker import csrf_token


def test_home_lists_every_open_survey_and_links_to_you_said_we_did(client, parent_run, young_person_run):
    page = client.get("/")
    assert page.status_code == 200
    assert f'href="/s/{parent_run.slug}"' in page.text and f'href="/s/{young_person_run.slug}"' in page.text
    assert 'href="/you-said-we-did"' in page.text
    assert client.get("/you-said-we-did").status_code == 200


def test_healthz_reports_the_database(client):
    page = client.get("/healthz")
    assert page.status_code == 200 and page.json() == {"status": "ok", "database": "ok"}


def test_security_headers_on_pages_static_files_and_errors(client):
    for url in ("/", "/static/dist/app.css", "/no-such-page"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style_and_nothing_from_other_sites(client, parent_run):
    import re

    for url in ("/", f"/s/{parent_run.slug}", f"/s/{parent_run.slug}/privacy", "/privacy", "/accessibility"):
        html = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert "<style" not in html and " style=" not in html, url
        assert not re.search(r'(src|href)="(https?:)?//', html), url


def test_csrf_cookie_is_http_only_and_same_site(client, parent_run):
    page = client.get(f"/s/{parent_run.slug}")
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert csrf_token(page.text)


def test_openapi_json_is_served_without_script_viewers(client):
    assert client.get("/schema/openapi.json").status_code == 200
    assert client.get("/schema/swagger").status_code == 404


def test_request_log_holds_method_path_and_status_only(client, parent_run, caplog):
    caplog.set_level(logging.INFO, logger="feedback.access")
    start = client.get(f"/s/{parent_run.slug}?secret=thing")
    client.post(f"/s/{parent_run.slug}/start", data={"_csrf_token": csrf_token(start.text), "variant": "standard"})
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "feedback.access")
    # The route's template, never the raw path (a path can hold a token: /invitation/{token}).
    assert "POST /s/{slug}/start 303" in text and parent_run.slug not in text
    assert "secret=thing" not in text and "csrf" not in text.lower()


def test_an_unexpected_error_shows_the_house_error_page_without_a_trace(app):
    from litestar import get
    from litestar.testing import TestClient

    from feedback.app import create_app

    @get("/boom")
    async def boom() -> str:
        raise RuntimeError("a respondent's answer must never reach a log or page")

    broken = create_app(app.state.settings, manage_pool=False)
    broken.register(boom)
    with TestClient(app=broken) as client:
        page = client.get("/boom")
    assert page.status_code == 500
    assert "Sorry, there is a problem with the service" in page.text
    assert "Traceback" not in page.text and "respondent's answer" not in page.text


def test_public_posts_are_rate_limited_per_client_behind_a_proxy(client, parent_run, monkeypatch):
    from feedback import rate_limit

    monkeypatch.setattr(rate_limit, "_PUBLIC_POSTS_PER_MINUTE", 3)
    monkeypatch.setattr(rate_limit, "public_posts", rate_limit.RateLimiter(limit=3, window_seconds=60))
    start = client.get(f"/s/{parent_run.slug}")
    statuses = [
        client.post(f"/s/{parent_run.slug}/start", data={"_csrf_token": csrf_token(start.text)}, follow_redirects=False).status_code
        for _ in range(4)
    ]
    assert statuses == [303, 303, 303, 429]
    assert "Too many attempts" in client.post(f"/s/{parent_run.slug}/start", data={"_csrf_token": csrf_token(start.text)}).text
    assert client.get(f"/s/{parent_run.slug}").status_code == 200  # reading is never limited


def test_every_public_form_post_is_limited_and_no_page_read_is(app):
    """The posting limit guards each post of the respondent's pages (the journey, codes, withdrawal),
    not the GETs (a guard costs a copy of the handler a request)."""
    from feedback.rate_limit import public_post_limit

    checked = 0
    for route in app.routes:
        if not (route.path.startswith("/s/{slug") or route.path.startswith("/withdraw")):
            continue
        for handler in getattr(route, "route_handlers", []):
            guarded = public_post_limit in handler.resolve_guards()
            assert guarded == ("POST" in handler.http_methods), (route.path, handler.http_methods)
            checked += 1
    assert checked > 15  # the journey's posts and gets, the code and reference posts, the withdrawal pages


def test_rate_limiter_counts_each_client_apart():
    from feedback.rate_limit import RateLimiter

    limiter = RateLimiter(limit=2, window_seconds=10)
    assert [limiter.allow("a", now=0), limiter.allow("a", now=1), limiter.allow("a", now=2)] == [True, True, False]
    assert limiter.allow("b", now=2)
    assert limiter.allow("a", now=11)  # the window has moved on
