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
