"""The test database: its URL with the driver kx selects, a fresh database per parallel
worker, and clearing every table between tests."""

import re
import threading

from sqlalchemy import cast, create_engine, func, make_url, select, text
from sqlalchemy.dialects.postgresql import REGCLASS


def driver_url(url: str) -> str:
    """``url`` with the database driver kx selects for it."""
    from kx.config import database_url

    return database_url(url)


def fresh_worker_database(url: str, worker: str) -> str:
    """``url`` with ``_<worker>`` appended to its database name, created empty: parallel
    workers must not clear each other's rows."""
    server = make_url(driver_url(url))
    name = f"{server.database}_{worker}"
    engine = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def clear_tables(db) -> None:
    """Delete every row, restart PostgreSQL's id sequences (SQLite's restart by themselves
    once a table is empty) and commit.

    Not ``TRUNCATE``: it gives each table new files, 65 ms a test against 5 ms for deleting
    the few rows a test leaves: about two minutes of the PostgreSQL run's worker time."""
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        dialect = db.engine.dialect
        deletes = [str(table.delete().compile(dialect=dialect)) for table in reversed(tables)]
        db.session.execute(text(";\n".join(deletes)))  # one round trip
        owned = [
            func.pg_get_serial_sequence(table.name, table.autoincrement_column.name)
            for table in tables
            if table.autoincrement_column is not None
        ]
        db.session.execute(select(*(func.setval(cast(s, REGCLASS), 1, False) for s in owned)))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


#: What a web process does now and then on any request besides the page: the mail poll's
#: look at its queue (``kx.mail.delivery.poll``), every ``MAIL_POLL_SECONDS``.
HOUSEKEEPING = re.compile(r"mail_outbox|password_reset_requests")


def page_statements(app, client, url: str, headers: dict | None = None) -> list[str]:
    """The SQL statements serving ``url`` to ``client`` runs for the page itself (asserts
    a 200): housekeeping and other threads' statements left out."""
    from sqlalchemy import event

    from kx.extensions import db

    with app.app_context():
        engine = db.engine
    serving, seen = threading.get_ident(), []

    def count(_conn, _cursor, statement, *_args):
        if threading.get_ident() == serving and not HOUSEKEEPING.search(statement):
            seen.append(" ".join(statement.split())[:150])

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, url
    return seen
