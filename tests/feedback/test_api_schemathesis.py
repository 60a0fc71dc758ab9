"""Schemathesis against the app's own OpenAPI (/schema/openapi.json) with an officer's session: no
5xx, and every response (problem details included) matches the schema. Kept small: CI runs it twice.
(The requests go through Litestar's test client, in the same event loop as the rest of the suite.)"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings as hypothesis_settings

from tests.conftest import open_test_run
from tests.workspace_client import make_user, sign_in


def test_the_api_never_fails_and_keeps_to_its_schema(browser):
    open_test_run()  # a survey for the officer to read
    with browser() as client:
        assert sign_in(client, make_user("officer")).status_code == 303
        schema = schemathesis.openapi.from_dict(client.get("/schema/openapi.json").json())
        checked = []
        for result in schema.get_all_operations():
            operation = result.ok()
            if not operation.path.startswith("/api/"):
                continue

            @hypothesis_settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def check(case):
                response = client.request(case.method, case.formatted_path, params=case.query or None,
                                          headers={k: str(v) for k, v in (case.headers or {}).items()})
                assert response.status_code < 500, (case.method, case.formatted_path, response.status_code)
                case.validate_response(response)
                checked.append(response.status_code)

            check()
    assert len(checked) >= 20
