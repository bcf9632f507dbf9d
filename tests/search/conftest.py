"""Fixtures for the search tests: ``kx``, the app with named users who write and search
through the services (``tests.support.search.Kx``).

Every test here runs on each search backend: Whoosh always, PostgreSQL too when
``KX_DATABASE_URL`` names a PostgreSQL database. A test of Whoosh's own machinery (index
files, its writer lock, segments) is marked ``whoosh_only`` with the reason; one of what
only the PostgreSQL backend does, ``postgres_only`` (``test_postgres.py``).
"""

import os

import pytest

from tests.support.search import Kx


def backends() -> list[str]:
    url = os.environ.get("KX_DATABASE_URL", "")
    return ["whoosh", "postgres"] if url.startswith(("postgresql", "postgres:")) else ["whoosh"]


def pytest_generate_tests(metafunc):
    if "search_backend" not in metafunc.fixturenames:
        return
    names = backends()
    if metafunc.definition.get_closest_marker("whoosh_only"):
        names = ["whoosh"]
    if metafunc.definition.get_closest_marker("postgres_only"):
        names = ["postgres"]
    metafunc.parametrize("search_backend", names, scope="function")


@pytest.fixture
def kx(app, make_user):
    users = {
        "unverified": make_user(verified=False, sector="law-enforcement").id,
        "le": make_user(sector="law-enforcement").id,
        "academic": make_user(sector="academic").id,
        "moderator": make_user(role="moderator", sector="policy").id,
        "author": make_user(sector="law-enforcement").id,
    }
    return Kx(app, users)
