"""Search: the Whoosh index kept in step with the database through an outbox, queried
with the viewer's visibility applied inside the engine. Domain packages never import this
package; it listens to their signals and to the ORM's flushes."""

from flask import Flask


def init_app(app: Flask) -> None:
    from kx.search import indexing
    from kx.search.cli import search_cli
    from kx.search.whoosh.backend import WhooshBackend

    if app.config["SEARCH_BACKEND"] != "whoosh":
        raise RuntimeError(f"Unknown KX_SEARCH_BACKEND {app.config['SEARCH_BACKEND']!r}")
    app.extensions["kx-search"] = WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    indexing.listen()
    indexing.connect_signals()
    app.cli.add_command(search_cli)
