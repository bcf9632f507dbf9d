"""Fixtures for the practice page tests: a browser signed in as anyone, the cast of people,
and search indexing held back for the modules that are about pages."""

import pytest

from tests.support.practice import browser, people  # noqa: F401  (the page tests' fixtures)


@pytest.fixture
def _index_later(monkeypatch):
    """Search indexing runs after each commit and costs ~0.15 s a write; these tests are
    about pages, so the outbox rows simply wait (tests/search covers applying them)."""
    from kx.search import indexing

    monkeypatch.setattr(indexing, "apply_outbox", lambda timeout=None: 0)
