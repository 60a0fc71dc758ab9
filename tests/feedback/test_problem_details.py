"""API errors are RFC 9457 problem details (`application/problem+json`: type, title, status, detail),
and the OpenAPI schema lists them for every /api/* route."""

from __future__ import annotations

from tests.workspace_client import make_user, sign_in

FIELDS = {"type", "title", "status", "detail"}


def _is_problem(response, status: int) -> None:
    assert response.status_code == status, (str(response.url), response.status_code)
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers["content-type"]
    body = response.json()
    assert FIELDS <= set(body) and body["status"] == status and body["title"] and body["detail"]


def test_api_errors_are_problem_details(browser):
    with browser() as anonymous:
        _is_problem(anonymous.get("/api/surveys"), 401)
        _is_problem(anonymous.get("/api/reporting/surveys"), 401)
        refused = anonymous.get("/api/reporting/surveys", headers={"Authorization": "Bearer not-a-token"})
        _is_problem(refused, 401)
        assert refused.headers["www-authenticate"].startswith("Bearer")
    with browser() as officer:
        sign_in(officer, make_user("officer"))
        _is_problem(officer.get("/api/surveys/9223372036854775807/responses"), 404)
        _is_problem(officer.get("/api/surveys/9223372036854775808/responses"), 404)
        _is_problem(officer.get("/api/surveys?x=%00"), 400)
        _is_problem(officer.get("/api/surveys/abc/responses"), 404)
        _is_problem(officer.get("/api/nothing-here"), 404)
    with browser() as forum:
        sign_in(forum, make_user("pcv", "some-forum"))
        # Another team's survey, or none at all: the same 404, as problem details.
        _is_problem(forum.get("/api/surveys/1/responses"), 404)


def test_the_openapi_schema_documents_the_problem_responses_of_every_api_route(browser):
    with browser() as client:
        schema = client.get("/schema/openapi.json").json()
    routes = {path: ops for path, ops in schema["paths"].items() if path.startswith("/api/")}
    assert len(routes) >= 5
    for path, operations in routes.items():
        for method, operation in operations.items():
            for status in ("401", "404", "422"):
                assert status in operation["responses"], (method, path, status)
                assert "application/problem+json" in operation["responses"][status]["content"], (path, status)
