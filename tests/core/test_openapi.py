"""The committed OpenAPI schema (docs/openapi.json) matches the code, and the spec is honest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipps.core.api import register_routers

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def current_schema() -> dict:
    return json.loads(
        json.dumps(register_routers().get_openapi_schema(), sort_keys=True, default=str)
    )


def test_committed_schema_matches_the_code():
    committed = json.loads(SCHEMA_FILE.read_text("utf-8"))
    current = current_schema()
    if committed != current:
        added = sorted(set(current["paths"]) - set(committed["paths"]))
        removed = sorted(set(committed["paths"]) - set(current["paths"]))
        pytest.fail(
            "docs/openapi.json is out of date; run `make openapi` and commit it. "
            f"Paths added: {added[:10]}; removed: {removed[:10]}"
        )


def test_every_operation_declares_its_unauthenticated_answer():
    missing = [
        f"{method.upper()} {path}"
        for path, operations in current_schema()["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") != [] and "401" not in operation.get("responses", {})
    ]
    assert not missing, f"operations without a declared 401: {missing}"


def test_every_operation_declares_its_answers_to_malformed_input():
    """A body that is not JSON is a 400 and malformed values a 422 on every operation that takes
    them (schemathesis found them undeclared on a dozen operations)."""
    missing = []
    for path, operations in current_schema()["paths"].items():
        for method, operation in operations.items():
            answers = operation.get("responses", {})
            if operation.get("requestBody") and "400" not in answers:
                missing.append(f"400 {method.upper()} {path}")
            if (operation.get("parameters") or operation.get("requestBody")) and (
                "422" not in answers
            ):
                missing.append(f"422 {method.upper()} {path}")
    assert not missing, f"undeclared answers: {missing}"


def test_every_schema_of_ours_has_a_name_of_its_own():
    """ninja names a component after its class: two classes of one name in two apps became one
    component, so the spec described requests' events and units with the reports' and the
    ledger's fields (and a request comment's body as a report's)."""
    from ninja import Schema

    register_routers()  # imports every app's API
    names: dict[str, set[str]] = {}

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("ipps."):
                names.setdefault(sub.__name__, set()).add(f"{sub.__module__}.{sub.__qualname__}")
            walk(sub)

    walk(Schema)
    shared = {name: sorted(where) for name, where in names.items() if len(where) > 1}
    assert not shared, f"schema classes sharing a name: {shared}"


def test_a_request_is_described_with_its_own_fields():
    schemas = current_schema()["components"]["schemas"]
    assert set(schemas["RequestUnitRef"]["properties"]) == {"id", "code", "name"}
    assert {"kind", "visibility", "body", "data"} <= set(schemas["RequestEventOut"]["properties"])
    assert set(schemas["RequestCommentIn"]["properties"]) == {"body", "internal"}


@pytest.mark.django_db
def test_served_schema_is_utf8_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "ipps API"


@pytest.mark.django_db
def test_swagger_ui_is_served_offline(client, network):
    client.force_login(network.city_officer)
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui" in page
    assert "https://" not in page and "http://" not in page, "Swagger UI must not load from a CDN"
    for asset in ("/static/ninja/swagger-ui.css", "/static/ninja/swagger-ui-bundle.js"):
        assert asset in page
        assert client.get(asset).status_code == 200
