"""Schemathesis on the OpenAPI spec: every operation, called with values generated from what the
spec says it accepts, never answers a server error and answers only what it declares, in the
shapes it declares.

Calls go through the WSGI handler the server runs (the short chain for token calls) as the
network's superuser, against the test network, so that ids sometimes exist. Token revocation is
left out: it would revoke the token the calls are made with. Business refusals of valid-looking
input (a 409 for an illegal transition, a 422 for a date range the wrong way round) are answers
the spec declares, not failures; checks that call them failures are not run.

A run is bounded by `IPPS_FUZZ_EXAMPLES` examples an operation (default 12; the hand runs before
releases use 200 or more). `IPPS_FUZZ_AS` names the test network's user whose token calls
(default `admin`). A second, shorter run (a quarter of the examples) calls as a workstation's
liaison and as an enterprise's portal user, whose answers are scoped and masked.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ipps.accounts.services import token_create
from ipps.core.api import register_routers
from ipps.core.handlers import IppsWSGIHandler

EXAMPLES = int(os.environ.get("IPPS_FUZZ_EXAMPLES", "12"))
SCOPED_EXAMPLES = max(1, EXAMPLES // 4)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(register_routers().get_openapi_schema(), default=str))
).exclude(method="DELETE", path_regex="/tokens/")
schema.app = IppsWSGIHandler()


def _bearer(user) -> dict[str, str]:
    _token, raw = token_create(user=user, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def bearer(network):
    return _bearer(getattr(network, os.environ.get("IPPS_FUZZ_AS", "admin")))


@pytest.fixture(params=["liaison_zgc", "portal_zgc"])
def scoped_bearer(request, network):
    return _bearer(getattr(network, request.param))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The server's handler closes the database connection after each request when it is in a
    transaction; the test's data lives in one. Django's test client stops that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzzed(examples: int):
    """Hypothesis's settings for a run: repeatable, no example database, no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


@schema.parametrize()
@fuzzed(EXAMPLES)
def test_operation_keeps_its_contract(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)


@schema.parametrize()
@fuzzed(SCOPED_EXAMPLES)
def test_operation_keeps_its_contract_for_scoped_users(case, scoped_bearer):
    case.call_and_validate(headers=scoped_bearer, checks=CHECKS)
