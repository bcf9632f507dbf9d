"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL;
on PostgreSQL they also install the job queue's own tables (procrastinate's, described by
no model here, so the comparison leaves them out by name)."""

import importlib
import os
import pkgutil

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, make_url

import kx
from kx import create_app
from kx.extensions import db
from tests.support.database import driver_url, fresh_worker_database

#: tables of the job library (kx.worker), installed by a migration, kept out of the models
JOB_QUEUE_TABLES = "procrastinate_"


def import_every_module() -> None:
    """Put every model of every package into ``db.metadata``, whatever the app imports."""
    for module in pkgutil.walk_packages(kx.__path__, "kx."):
        importlib.import_module(module.name)


def kx_objects(name, type_, _parent_names) -> bool:
    """Everything but the job library's tables (and what hangs on them)."""
    return not (type_ == "table" and name and name.startswith(JOB_QUEUE_TABLES))


def empty_database(dialect: str, tmp_path) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url = os.environ.get("KX_DATABASE_URL", "")
    if make_url(driver_url(url or "sqlite://")).get_backend_name() != "postgresql":
        pytest.skip("the PostgreSQL run (KX_DATABASE_URL) checks the PostgreSQL migrations")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return driver_url(fresh_worker_database(url, f"{worker}_migrations"))


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_upgrade_on_an_empty_database_matches_the_models(dialect, tmp_path):
    import_every_module()
    url = empty_database(dialect, tmp_path)
    # the search backend that runs on both databases: the schema is the same with either
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t", "SEARCH_BACKEND": "whoosh"}
    )
    with app.app_context():
        try:
            assert inspect(db.engine).get_table_names() == []
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"include_name": kx_objects})
                differences = compare_metadata(context, db.metadata)
            assert differences == []
            tables = set(inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables
            if dialect == "postgresql":
                assert "procrastinate_jobs" in tables

            downgrade(revision="base")
            assert inspect(db.engine).get_table_names() == ["alembic_version"]
        finally:
            db.session.remove()
            db.engine.dispose()


def test_upgrading_postgresql_fills_each_search_documents_facets_as_kx_writes_them(tmp_path):
    """Migration 5ec01a1d0019 computes the facet columns in SQL for the documents already
    there; a search reads them with the code's rule, so the two must agree."""
    from sqlalchemy import text

    from kx.search.postgres import store

    url = empty_database("postgresql", tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t"})
    documents = [
        {"key": "practice:1", "type": "practice", "domains": ["prevention", "treatment"],
         "countries": ["DE", "GB"], "prevention_level": "secondary", "study_design": ""},
        {"key": "research:2", "type": "research", "domains": [], "countries": [],
         "prevention_level": "", "study_design": "cohort"},
    ]  # fmt: skip
    with app.app_context():
        try:
            upgrade(revision="5ec01a1d0017")
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO search_documents (key, type, item_id, title, text, tags,"
                        " domains, countries, sectors, visibility, prevention_level,"
                        " study_design, year, published, stamp, vector, head) VALUES (:key,"
                        " :type, 1, 't', 'x', '', :domains, :countries, '{}', 'public',"
                        " :prevention_level, :study_design, NULL, now(), 's', '', '')"
                    ),
                    documents,
                )
            upgrade()
            with db.engine.connect() as connection:
                written = {
                    key: {"facet_kind": kind, "facet_domains": domains, "facet_countries": c}
                    for key, kind, domains, c in connection.execute(
                        text(
                            "SELECT key, facet_kind, facet_domains, facet_countries"
                            " FROM search_documents"
                        )
                    )
                }
            assert written == {d["key"]: store.facet_columns(d) for d in documents}
            assert written["practice:1"]["facet_domains"] == "prevention\x1etreatment"
            downgrade(revision="base")
        finally:
            db.session.remove()
            db.engine.dispose()


def test_upgrading_postgresql_moves_each_documents_texts_and_back(tmp_path):
    """Migration 5ec01a1d0019 moves what a hit shows into ``search_texts``, row by row, and
    its downgrade puts it back: a search after either finds and shows what it did."""
    from sqlalchemy import text

    url = empty_database("postgresql", tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t"})
    shown = ("item_id", "title", "text", "tags", "stamp", "head")
    found = (
        "SELECT key, {columns} FROM {tables} WHERE vector @@ to_tsquery('kx_english', 'kestrel')"
    )
    with app.app_context():
        try:
            upgrade(revision="5ec01a1d0018")
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO search_documents (key, type, item_id, title, text, tags,"
                        " domains, countries, sectors, visibility, prevention_level,"
                        " study_design, year, published, stamp, vector, head, facet_key)"
                        " SELECT :key, 'practice', :item_id, :title, 'A kestrel hovers.',"
                        " 'birds', '{}', '{}', '{}', 'public', '', '', NULL, now(), :stamp,"
                        " to_tsvector('kx_english', :title || ' A kestrel hovers.'),"
                        " to_tsvector('kx_english', :title), ''"
                    ),
                    [
                        {"key": "practice:1", "item_id": 1, "title": "Kestrel one", "stamp": "a"},
                        {"key": "practice:2", "item_id": 2, "title": "Kestrel two", "stamp": "b"},
                    ],
                )
                before = connection.execute(
                    text(found.format(columns=", ".join(shown), tables="search_documents"))
                ).all()
            upgrade()
            with db.engine.connect() as connection:
                columns = {c["name"] for c in inspect(connection).get_columns("search_documents")}
                after = connection.execute(
                    text(
                        found.format(
                            columns=", ".join(f"t.{c}" for c in shown),
                            tables="search_documents JOIN search_texts t USING (key)",
                        )
                    )
                ).all()
            downgrade(revision="5ec01a1d0018")
            with db.engine.connect() as connection:
                back = connection.execute(
                    text(found.format(columns=", ".join(shown), tables="search_documents"))
                ).all()
                facet_keys = set(connection.scalars(text("SELECT facet_key FROM search_documents")))

            assert len(before) == 2
            assert not columns & set(shown)
            assert sorted(after) == sorted(before)
            assert sorted(back) == sorted(before)
            assert facet_keys == {"practice" + "\x1f" * 4}  # as migration 5ec01a1d0018 wrote it
            downgrade(revision="base")
        finally:
            db.session.remove()
            db.engine.dispose()
