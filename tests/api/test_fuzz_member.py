"""The API fuzz of ``test_fuzz.py`` as a verified member with a bearer token (its own file,
so that it runs beside the anonymous one on another worker)."""

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.fuzz import (  # noqa: F401
    FINDING_OPERATIONS,
    FUZZ,
    member_schema,
    unseeded_segment_names,
)

member = schemathesis.pytest.from_fixture("member_schema")


@member.parametrize()
@FUZZ
def test_api_as_verified_member(case):
    # A finding's confidence interval must contain its effect size: a rule across fields
    # that JSON Schema cannot state, so generated "valid" findings may rightly get a 422.
    # Every other check still runs on these operations.
    across_fields = case.operation.label in FINDING_OPERATIONS
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if across_fields else [])
