"""A production worker is readied before its first request (``gunicorn.conf.py`` calls
``kx.serving.warm``; ``tests/test_config.py`` starts gunicorn with it)."""

import gc

import pytest
from sqlalchemy import event

from kx import serving
from kx.evidence import snapshots
from kx.extensions import db
from tests.support.evidence import add_link, add_practice, add_research


@pytest.fixture
def frozen_afterwards():
    """Give the collector back what ``warm`` froze, so this test's app can be freed."""
    yield
    gc.unfreeze()


def statements_of(app, client, url: str) -> int:
    seen = []
    with app.app_context():
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_the_first_visitor_of_a_warmed_worker_finds_the_map_ready(
    app, make_user, frozen_afterwards
):
    author = make_user()
    practice = add_practice(app, author, "Circles of support", domains=["treatment"])
    study = add_research(app, author, "A trial of circles", "rct")
    add_link(app, study, practice, "evaluates", ("sexual-reoffending", "positive"))
    client = app.test_client()

    snapshots._slots.clear()  # a new worker: nothing read yet
    cold = statements_of(app, client, "/gap-map")
    snapshots._slots.clear()
    serving.warm(app)
    warmed = statements_of(app, client, "/gap-map")

    assert warmed < cold
    assert gc.get_freeze_count() > 0
