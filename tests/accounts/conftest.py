"""Fixtures for the accounts and security tests: reading pages like a user, a second
browser, and a second app (e.g. configured for HTTPS) on the same test database."""

import pytest

from kx import create_app
from kx.extensions import db
from tests.support.browser import Page


@pytest.fixture
def read():
    """``read(response)`` -> a ``Page``."""
    return Page


@pytest.fixture
def other_client(app):
    """A second browser for the same app."""
    return app.test_client()


@pytest.fixture
def make_app(app, tmp_path):
    """Another app on the same test database with ``overrides`` (rows are cleared by ``app``)."""
    made = []

    def build(**overrides):
        config = {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SEARCH_INDEX_DIR": str(tmp_path / "search-index-2"),
            **overrides,
        }
        other = create_app(config)
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
