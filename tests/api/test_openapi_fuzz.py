"""Schemathesis drives every operation with generated (mostly invalid) input: never a 5xx,
and every response matches the OpenAPI document (status codes, content types, schemas).

Schemathesis' pytest plugin does not run under pytest 9, so each operation's Hypothesis
strategy is drawn from directly; a second test proves the list covers every operation.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import OrgFactory

OPERATIONS = [
    ("POST", "/api/v1/learners"),
    ("GET", "/api/v1/learners/{uln}"),
    ("PATCH", "/api/v1/learners/{uln}"),
    ("GET", "/api/v1/learners/{uln}/history"),
    ("POST", "/api/v1/learners/search"),
    ("POST", "/api/v1/learners/verify"),
    ("POST", "/api/v1/learners/retrieve"),
    ("POST", "/api/v1/learners/merge"),
    ("POST", "/api/v1/learners/unmerge"),
    ("GET", "/api/v1/reports/merges"),
    ("GET", "/api/v1/audit-events"),
    ("POST", "/api/v1/batches"),
    ("GET", "/api/v1/batches"),
    ("POST", "/api/v1/batches/registration-jobs"),
    ("POST", "/api/v1/batches/verification-jobs"),
    ("GET", "/api/v1/batches/{batch_id}"),
    ("GET", "/api/v1/batches/{batch_id}/output"),
    ("GET", "/api/v1/batches/{batch_id}/rows"),
    ("GET", "/api/v1/batches/{batch_id}/exceptions"),
    ("GET", "/api/v1/batches/{batch_id}/exceptions/{position}"),
    ("POST", "/api/v1/batches/{batch_id}/exceptions/{position}/resolution"),
    ("GET", "/api/v1/learners/{uln}/learning-events"),
    ("GET", "/api/v1/learners/{uln}/enrolment-summary"),
    ("POST", "/api/v1/learners/{uln}/learning-events/{event_id}/challenges"),
    ("GET", "/api/v1/data-challenges"),
    ("POST", "/api/v1/data-challenges/{challenge_id}/confirm"),
    ("POST", "/api/v1/feeds/ilr"),
    ("POST", "/api/v1/feeds/awards"),
    ("POST", "/api/v1/achievements"),
    ("POST", "/api/v1/feeds/school-results"),
    ("GET", "/api/v1/feeds/exceptions"),
    ("POST", "/api/v1/feeds/exceptions/{exception_id}/resolve"),
    ("POST", "/api/v1/feeds/exceptions/{exception_id}/dismiss"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
]


@pytest.fixture
def api_schema(client: TestClient) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)


def test_the_fuzzed_operations_are_all_the_operations(api_schema: Any) -> None:
    documented = {
        (method.upper(), path)
        for path, item in api_schema.raw_schema["paths"].items()
        for method in item
    }
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(data=st.data())
def test_no_server_errors_and_responses_match_the_schema(
    data: st.DataObject, api_schema: Any, make_org: OrgFactory, method: str, path: str
) -> None:
    case = data.draw(api_schema[path][method].as_strategy())
    admin_key = make_org("admin")[1]
    # Schema-valid is not always valid: names must hold letters, dates of birth give ages
    # 13 to 110, and so on; those refusals are 422 problems, which the other checks cover.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_key}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


def test_openapi_document_is_3_1_with_stable_operation_ids(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    ids = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {
        "registerLearner",
        "getLearner",
        "updateLearner",
        "verifyLearner",
        "retrieveUlns",
        "mergeLearners",
        "unmergeLearners",
        "getMergeReport",
        "listAuditEvents",
        "getLearnerHistory",
        "healthz",
        "readyz",
    } <= ids
    assert "Problem" in doc["components"]["schemas"]
