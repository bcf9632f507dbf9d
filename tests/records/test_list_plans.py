"""A list page costs the same at 200 items as at 20,000 on the embedded default: SQLite
walks the list index in the page's order, and counts the total inside that index (the
rows and their long texts are never read for it). Checked on the query plans of every
kind of viewer, on a SQLite file of its own whatever database the suite runs on; on the
PostgreSQL run, PostgreSQL's plans of the published lists too."""

from datetime import UTC, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from kx import create_app
from kx.accounts.models import AnonymousUser, User
from kx.extensions import db
from kx.practice.services import practice_query
from kx.research.services import research_query

VIEWERS = {
    "anonymous": lambda: AnonymousUser(),
    "member": lambda: User(
        id=7, role="member", sector="law-enforcement", verified_at=datetime.now(UTC)
    ),
}


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "kx.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "plans",
            "SEARCH_BACKEND": "whoosh",
        }
    )
    with app.app_context():
        upgrade()
    return app


def plan(statement) -> list[str]:
    sql = statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
    return [row[3] for row in rows]


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("query", [practice_query, research_query])
def test_a_list_total_is_counted_in_the_index_and_a_page_read_in_order(sqlite_app, query, viewer):
    with sqlite_app.app_context():
        statement = query(VIEWERS[viewer](), {"status": "published"})
        table = statement.get_final_froms()[0].name
        total = plan(statement.with_only_columns(db.func.count()).order_by(None))
        page = plan(statement.limit(20).offset(600))

    # counted inside a list index (research has two that cover the rule: either will do)
    assert any(
        step.startswith(f"SEARCH {table} USING COVERING INDEX ix_{table}_status_")
        and step.endswith("(status=?)")
        for step in total
    ), total
    assert f"SEARCH {table} USING INDEX ix_{table}_status_published (status=?)" in page
    assert not any("TEMP B-TREE" in step for step in page), page


@pytest.mark.parametrize("viewer", VIEWERS)
def test_research_sorted_by_year_is_read_in_order(sqlite_app, viewer):
    with sqlite_app.app_context():
        statement = research_query(VIEWERS[viewer](), {"status": "published"}, "year")
        page = plan(statement.limit(20).offset(600))

    assert "SEARCH research USING INDEX ix_research_status_year (status=?)" in page
    assert not any("TEMP B-TREE" in step for step in page), page


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("query", [practice_query, research_query])
def test_a_list_filtered_by_a_term_is_counted_without_reading_its_items(sqlite_app, query, viewer):
    """A domain's total walks the list index once, looking each id up among the domain's:
    neither a subquery per item nor each carrying item's row, texts and all, fetched by id
    (a domain's total at 20,000 items: 4.9 ms before, 1.8 ms after)."""
    with sqlite_app.app_context():
        statement = query(VIEWERS[viewer](), {"domains": ["treatment"]})
        table = statement.get_final_froms()[0].name
        total = plan(statement.with_only_columns(db.func.count()).order_by(None))

    assert any(f"{table} USING COVERING INDEX" in step for step in total), total
    assert "LIST SUBQUERY 1" in total, total
    assert not any("CORRELATED" in step or "PRIMARY KEY" in step for step in total), total


@pytest.mark.parametrize(
    ("viewer", "filters"),
    [
        ("anonymous", {}),
        ("anonymous", {"status": "published"}),
        ("member", {"status": "published"}),
    ],
)
@pytest.mark.parametrize("query", [practice_query, research_query])
def test_a_published_list_is_read_in_its_index_order_on_postgresql(app, query, viewer, filters):
    """PostgreSQL walks the list index backwards and stops after a page: nothing is
    sorted, whatever the table's size (sorts are priced out, so a plan that needed one
    would still show it)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the PostgreSQL run (KX_DATABASE_URL) checks PostgreSQL's plans")
        statement = query(VIEWERS[viewer](), filters).limit(20).offset(600)
        table = statement.get_final_froms()[0].name
        sql = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        db.session.execute(text("SET LOCAL enable_sort = off"))
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        steps = [row[0] for row in db.session.execute(text(f"EXPLAIN {sql}"))]
        db.session.rollback()

    assert any(f"Index Scan Backward using ix_{table}_status_published" in s for s in steps), steps
    assert not any("Sort" in step for step in steps), steps
