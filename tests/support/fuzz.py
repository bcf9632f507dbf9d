"""The API fuzz tests' shared parts: Hypothesis settings, and the OpenAPI document as the
``app`` fixture serves it to an anonymous visitor and to a verified member (the fuzz is in
two files so that parallel workers run them side by side)."""

import os
import secrets

import pytest
import schemathesis
import whoosh.codec.base
from hypothesis import HealthCheck, settings

from kx.accounts import services as accounts

if not hasattr(pytest.Function, "_nodeid"):
    # schemathesis (4.32) renames the running test through ``Function._nodeid``, which
    # pytest 9.2 removed (the id is now derived from ``_id``). Accept and ignore the rename:
    # a failure still names its operation in the subtest label.
    pytest.Function._nodeid = property(lambda self: self.nodeid, lambda self, value: None)

# Enough to reach every branch of the small endpoints while keeping each fuzz file to a
# couple of minutes. The same cases run every time, so a CI failure reproduces locally; to
# hunt for bugs, run e.g. ``KX_FUZZ_EXAMPLES=500 KX_FUZZ_EXPLORE=1 pytest tests/api/test_fuzz*.py``.
FUZZ = settings(
    max_examples=int(os.environ.get("KX_FUZZ_EXAMPLES", "15")),
    deadline=None,
    derandomize=not os.environ.get("KX_FUZZ_EXPLORE"),
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def unseeded_segment_names(monkeypatch):
    """Hypothesis seeds ``random`` afresh for every example, and Whoosh names each new index
    segment from it: the second example's segment took the first one's name and its commit
    failed. Outside Hypothesis the generator is never reset."""
    monkeypatch.setattr(
        whoosh.codec.base, "random_name", lambda size=28: secrets.token_hex(size)[:size]
    )


def load_schema(app):
    # The per-address sign-in limit would otherwise answer 429 to nearly every generated
    # token request after the tenth; the per-account limit stays as configured.
    app.config["LOGIN_LIMITS"] = "10000 per minute"
    app.config["SEARCH_LIMITS"] = "10000 per minute"  # likewise for searches per address
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # The API refuses NUL in any text with 422 (PostgreSQL cannot store it; see
    # test_text_no_database_can_store_gets_422), so a NUL is not "valid data" here.
    loaded.config.generation.update(allow_x00=False)
    return loaded


@pytest.fixture
def anonymous_schema(app, unseeded_segment_names):
    """The document as the app from the ``app`` fixture serves it, on the test database."""
    return load_schema(app)


@pytest.fixture
def member_schema(app, make_user, issue_token, unseeded_segment_names):
    """The same, with a working bearer token of a verified member on every generated request:
    a new one whenever a fuzzed request revoked the last (``DELETE /tokens/{id}``). A new
    token on every request cost two writes a request: the run took 59 s on SQLite and 127 s
    on PostgreSQL, against 45 and 72 s now. Schemathesis still leaves the token out, or
    forges one, where it tests that auth is enforced."""
    loaded = load_schema(app)
    member = make_user()
    header = {}

    def works(authorization: str) -> bool:
        with app.app_context():
            return accounts.user_for_token(authorization.removeprefix("Bearer ")) is not None

    @loaded.auth.auth(refresh_interval=None)
    class MemberToken:
        def get(self, case, context):
            if "Authorization" not in header or not works(header["Authorization"]):
                header.update(issue_token(member))
            return header["Authorization"]

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": data}

    return loaded


FINDING_OPERATIONS = {
    "POST /api/v1/practices/{practice_id}/evidence",
    "PATCH /api/v1/evidence/{link_id}",
}
