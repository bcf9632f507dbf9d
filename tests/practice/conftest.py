"""Fixtures for the practice page tests: a browser signed in as anyone, the cast of people,
and search indexing held back for the modules that are about pages."""

import pytest

from tests.support.practice import Cast


@pytest.fixture
def _index_later(monkeypatch):
    """Search indexing runs after each commit and costs ~0.15 s a write; these tests are
    about pages, so the outbox rows simply wait (tests/search covers applying them)."""
    from kx.search import indexing

    monkeypatch.setattr(indexing, "apply_outbox", lambda timeout=None: 0)


@pytest.fixture
def browser(app, login):
    """``browser(user)`` -> a test client signed in as ``user`` (None: anonymous)."""

    def open_as(user=None):
        client = app.test_client()
        if user is not None:
            login(client, user)
        return client

    return open_as


@pytest.fixture
def people(make_user, browser) -> Cast:
    return Cast(make_user, browser)
