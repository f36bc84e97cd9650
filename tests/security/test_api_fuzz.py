"""Schemathesis over the OpenAPI schema: no input makes any operation answer 5xx.

Runs the Django app in-process (WSGI) on the test database, as a superuser by staff token and as
the phone system by the `cti` service token, with a bounded, derandomized number of examples per
operation, valid and invalid (`FUZZ_EXAMPLES` raises it for a longer hunt). Every example runs in a
savepoint rolled back afterwards, so one example's writes or a failed statement on PostgreSQL
cannot change what the next one sees. Failures are gathered and reported together.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode

from callpulse.catalog.tests.factories import make_catalog
from callpulse.core.models import User
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory, client_type
from callpulse.telephony.tests.factories import cti_token

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# Brute-force throttled (django-axes lockout): answers 403/429 by design, and fuzzing it would
# lock the test user out; its behaviour has its own tests.
EXCLUDED_PATHS = ("/api/v1/auth/token",)
MACHINE_PATHS = ("/api/v1/cti/",)  # the phone system's token, not a person's
# The public form answers 503 by design when its abuse counters are unreachable (fails closed).
EXPECTED_5XX = {("POST", "/api/v1/public/callback-requests"): {503}}


@contextmanager
def in_process_app() -> Iterator[WSGIHandler]:
    """Django as a WSGI app that keeps the test's connection (and its transaction) open.

    Django closes "old" connections at the start and end of each request; inside a test that
    would end the test's transaction, so (as Django's own test client does) not here.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _seed() -> tuple[str, str]:
    """A little of everything so that lookups find something; the staff and machine tokens."""
    make_catalog(skus=3)
    manager = User.objects.create_user(username="mgr", password="x", full_name="Менеджер")
    client = ClientFactory(client_type=client_type("key"), manager=manager)
    PhoneFactory(client=client, number="+77011234567")
    root = User.objects.create_superuser(username="fuzz", password="x", full_name="Fuzz Root")
    return Token.objects.create(user=root).key, cti_token().key


def _operations(schema: Any) -> Iterable[Any]:
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(EXCLUDED_PATHS):
            yield operation


def _fuzz(operation: Any, headers: dict[str, str], mode: GenerationMode) -> list[str]:
    """Run the examples of one operation; the failures in words."""
    failures: list[str] = []
    expected = EXPECTED_5XX.get((operation.method.upper(), operation.path.rstrip("/")), set())

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def examples(case: Any) -> None:
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        if response.status_code in expected:
            return
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (Failure, FailureGroup) as exc:
            curl = case.as_curl_command(headers=headers)
            failures.append(
                f"{operation.method.upper()} {operation.path} ({mode.value}) →"
                f" {response.status_code}: {type(exc).__name__}\n{curl}"
            )

    with suppress(Unsatisfiable):  # nothing in this operation can be made invalid
        examples()
    return failures


def _fuzz_all(schema: Any, headers_for: Callable[[str], dict[str, str]]) -> list[str]:
    failures: list[str] = []
    for operation in _operations(schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _fuzz(operation, headers_for(operation.path), mode)
    return failures


def test_no_input_makes_the_api_answer_5xx() -> None:
    staff_key, machine_key = _seed()

    def headers_for(path: str) -> dict[str, str]:
        if path.startswith(MACHINE_PATHS):
            return {"Authorization": f"Bearer {machine_key}"}
        return {"Authorization": f"Token {staff_key}"}

    with in_process_app() as app:
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/", app, headers=headers_for("/api/schema/")
        )
        operations = list(_operations(schema))
        assert len(operations) > 60  # the whole API, not a schema that failed to load
        failures = _fuzz_all(schema, headers_for)
    assert not failures, f"{len(failures)} server errors:\n\n" + "\n\n".join(failures[:20])
