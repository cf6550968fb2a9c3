"""Schemathesis drives every operation with generated (mostly invalid) input: never a 5xx,
and every response matches the OpenAPI document (status codes, content types, schemas)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from tests.conftest import OrgFactory


@pytest.fixture
def api_schema(client: TestClient) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)


@pytest.fixture
def admin_key(make_org: OrgFactory) -> str:
    return make_org("admin")[1]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_server_errors_and_responses_match_the_schema(case: Any, admin_key: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_key}"})


def test_openapi_document_is_3_1_with_stable_operation_ids(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    ids = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {"registerLearner", "getLearner", "updateLearner", "verifyLearner", "retrieveUlns",
            "mergeLearners", "unmergeLearners", "getMergeReport", "listAuditEvents",
            "getLearnerHistory", "healthz", "readyz"} <= ids
    assert "Problem" in doc["components"]["schemas"]
