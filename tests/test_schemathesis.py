"""Schemathesis over the whole published spec: a bounded number of generated requests per
operation, authenticated as an admin of a test province (on their own throw-away data: the test's
transaction is rolled back), with no server error and every response conforming to the documented
status codes, content types and schemas."""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = 2  # per operation: ~200 operations stay within a couple of minutes on a busy machine
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def _keep_test_connection() -> Any:
    """Calls through the WSGI app must not close the test's database connection at the end of each
    request (Django's test client does the same; PostgreSQL keeps connections)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_conforms_to_its_spec(world: Any, _keep_test_connection: Any) -> None:
    from gongjiang.core.services import api_token_create
    from gongjiang.wsgi import application

    _token, secret = api_token_create(actor=world.alice_admin, name="schemathesis")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures: list[str] = []
    statuses: list[int] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses.append(response.status_code)

        try:
            run()
        except BaseException as exc:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    assert operations > 100
    assert not failures, f"{len(failures)} operation(s) fail:\n\n" + "\n\n".join(failures)
    # the admin is authenticated: many generated requests succeed, none is refused as anonymous
    assert sum(200 <= s < 300 for s in statuses) > 50, sorted(set(statuses))
    assert 401 not in statuses
