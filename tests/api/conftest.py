"""Fixtures for the API tests: bearer tokens straight from the service, a cast of callers
holding them, and a user's row read in an application context."""

from types import SimpleNamespace

import pytest

from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.database import transaction
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
    """Run ``fn(user_row)`` on ``user``'s database row in one write transaction: begun as a
    read, it could not write once another connection (a mail thread) had committed since
    its snapshot, which SQLite refuses at once, whatever the busy timeout."""

    def run(user, fn):
        with app.app_context(), transaction():
            return fn(db.session.get(User, user.id))

    return run


@pytest.fixture
def people(make_user, issue_token):
    """A cast with bearer headers: the author (law enforcement), another member of the same
    sector, a member of another sector, an unverified member, a moderator; ``anonymous``
    sends no token."""

    def person(**kwargs):
        user = make_user(**kwargs)
        return SimpleNamespace(id=user.id, headers=issue_token(user))

    return SimpleNamespace(
        author=person(sector="law-enforcement"),
        colleague=person(sector="law-enforcement"),
        academic=person(sector="academic"),
        unverified=person(verified=False, sector="law-enforcement"),
        moderator=person(role="moderator", sector="policy"),
        anonymous=SimpleNamespace(id=None, headers={}),
    )
