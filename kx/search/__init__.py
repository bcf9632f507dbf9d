"""Search: the Whoosh index kept in step with the database through an outbox, queried
with the viewer's visibility applied inside the engine. Domain packages never import this
package; it hooks into the ORM's flushes and the unit of work's after-commit operations."""

from flask import Flask


def init_app(app: Flask) -> None:
    from kx.search import indexing
    from kx.search.cli import search_cli
    from kx.search.whoosh.backend import WhooshBackend

    if app.config["SEARCH_BACKEND"] != "whoosh":
        raise RuntimeError(f"Unknown KX_SEARCH_BACKEND {app.config['SEARCH_BACKEND']!r}")
    app.extensions["kx-search"] = WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    indexing.listen()
    app.cli.add_command(search_cli)
