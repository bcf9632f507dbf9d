"""Helpers for the API tests: bearer tokens straight from the service, error-shape checks."""

import pytest

from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.extensions import db


@pytest.fixture
def issue_token(app):
    """A bearer header for ``user`` made by the token service (cheap: no password check).

    Use the ``api_token`` fixture instead where the test is about ``POST /api/v1/tokens``.
    """

    def issue(user, name: str = "") -> dict:
        with app.app_context():
            _token, raw = accounts.create_token(db.session.get(User, user.id), name)
        return {"Authorization": f"Bearer {raw}"}

    return issue


@pytest.fixture
def user_row(app):
    """Run ``fn(user_row)`` on ``user``'s database row inside an application context."""

    def run(user, fn):
        with app.app_context():
            return fn(db.session.get(User, user.id))

    return run


def assert_json_error(response, status: int, *, fields: bool = False) -> dict:
    """``response`` is the API's JSON error for ``status``; returns the ``error`` object."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json", response.mimetype
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"status", "message", "fields"}
    if fields:
        assert isinstance(error.get("fields"), dict) and error["fields"], error
    return error
