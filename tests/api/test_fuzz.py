"""Property test: every endpoint in ``/api/v1/openapi.json`` behaves as the document says.

Schemathesis generates valid and invalid requests from the document and checks each answer:
no 5xx, only documented status codes, the documented content type and response schema,
invalid input rejected, valid input not rejected, and a 401 when the token is left out or
forged. Every endpoint declared with ``@operation`` joins automatically, once as an
anonymous visitor and once with the bearer token of a verified member.
"""

import schemathesis

from tests.support.fuzz import FUZZ, anonymous_schema, unseeded_segment_names  # noqa: F401

anonymous = schemathesis.pytest.from_fixture("anonymous_schema")


@anonymous.parametrize()
@FUZZ
def test_api_as_anonymous_visitor(case):
    case.call_and_validate()
