"""The migrations build exactly the schema the models describe."""

import importlib
import pkgutil

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

import kx
from kx import create_app
from kx.extensions import db


def import_every_module() -> None:
    """Put every model of every package into ``db.metadata``, whatever the app imports."""
    for module in pkgutil.walk_packages(kx.__path__, "kx."):
        importlib.import_module(module.name)


def test_upgrade_on_an_empty_database_matches_the_models(tmp_path):
    import_every_module()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}", "SECRET_KEY": "t"}
    )
    with app.app_context():
        try:
            assert inspect(db.engine).get_table_names() == []
            upgrade()
            with db.engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
            assert differences == []
            assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())

            downgrade(revision="base")
            assert inspect(db.engine).get_table_names() == ["alembic_version"]
        finally:
            db.session.remove()
            db.engine.dispose()
