"""Fixtures for the search tests: ``kx``, the app with named users who write and search
through the services (``tests.support.search.Kx``)."""

import pytest

from tests.support.search import Kx


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
