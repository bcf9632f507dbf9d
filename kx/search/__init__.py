"""Search: a backend (``KX_SEARCH_BACKEND``) kept in step with the database and queried
with the viewer's visibility applied inside the engine. ``whoosh`` (the default) is an
index directory fed through an outbox; ``postgres`` is a table of the PostgreSQL
database written in the transaction of each change. Domain packages never import this
package; it hooks into the ORM's flushes and commits."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


BACKENDS = ("whoosh", "postgres")


def init_app(app: Flask) -> None:
    from kx.extensions import db
    from kx.search import indexing
    from kx.search.cli import search_cli

    name = app.config["SEARCH_BACKEND"]
    if name not in BACKENDS:
        raise RuntimeError(f"Unknown KX_SEARCH_BACKEND {name!r}: use one of {', '.join(BACKENDS)}")
    if name == "postgres":
        from kx.search.postgres.backend import PostgresBackend

        with app.app_context():
            dialect = db.engine.dialect.name
        if dialect != "postgresql":
            raise RuntimeError(
                "KX_SEARCH_BACKEND=postgres needs a PostgreSQL database: set KX_DATABASE_URL "
                f"to a postgresql:// URL (it names a {dialect} database)."
            )
        app.extensions["kx-search"] = PostgresBackend()
    else:
        from kx.search.whoosh.backend import WhooshBackend

        app.extensions["kx-search"] = WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    indexing.listen()
    app.cli.add_command(search_cli)
