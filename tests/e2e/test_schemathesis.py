"""Schemathesis drives every operation of the OpenAPI document with generated input: no
answer may be a 5xx, and every answer must match the document (status, type, schema).

Its "schema-valid request rejected" heuristic is left out: the document cannot say that a
string must be a dialable phone number or a body that is not blank, and those are refused
with 422 on purpose (SPEC §6).
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis import Case
from schemathesis.checks import FailureGroup

from tests.helpers import Api

EXAMPLES_PER_OPERATION = 40


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_operation_answers_5xx_or_breaks_its_schema(api: Api) -> None:
    tenant = api.tenant()
    api.inbound(tenant, "+15550011001", "Hello")
    headers = {"Authorization": f"Bearer {tenant.key}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        def exercise(case: Case) -> None:
            case.call_and_validate(
                headers=headers, excluded_checks=[schemathesis.checks.positive_data_acceptance]
            )

        try:
            exercise()
        except FailureGroup as failure:  # collected, so one run reports every operation
            failures[operation.label] = str(failure)[:2000]
    assert operations >= 10
    assert failures == {}
