"""The PostgreSQL parts of the search benchmark (bench/search.py ``--backend postgres``):
its temporary database, items cloned in SQL beyond those created through the services, the
database server's CPU clock, and the API's own search statements recorded and replayed as
the raw figure."""

import time
from pathlib import Path


def postgres_database(url: str, create: bool) -> None:
    """Create (or drop) the temporary PostgreSQL database ``url`` names."""
    from sqlalchemy import create_engine, make_url, text

    from kx.config import database_url as with_driver

    target = make_url(url)
    engine = create_engine(
        make_url(with_driver(url)).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            if create:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        engine.dispose()


#: Text columns that a cloned item takes from other items than its title's (``clone_items``).
MIXED = {
    "practices": ["summary", "body", "outcomes", "implementation", "challenges"],
    "research": ["summary", "key_findings", "implications", "limitations"],
}


def clone_items(app, count: int) -> tuple[int, float]:
    """Items up to ``count`` made in SQL from those created through the services: each new
    item keeps one item's title (with one word of another's), terms, visibility and
    metadata, and takes each text (Markdown and its HTML) from a different item, so that
    no two items hold the same texts together. Items cloned and seconds taken; the search
    documents come from the reindex that follows, as they would after any import."""
    from sqlalchemy import func, select, text

    from kx.database import transaction
    from kx.extensions import db
    from kx.practice.models import Practice
    from kx.research.models import Research

    started = time.perf_counter()
    models = (Practice, Research)
    with app.app_context():
        made = {m: db.session.scalar(select(func.count()).select_from(m)) for m in models}
        top = {m: db.session.scalar(select(func.max(m.id))) or 0 for m in models}
        base, done = sum(made.values()), sum(made.values())
        if done >= count:
            return 0, 0.0
        round_ = 0
        while done < count:
            round_ += 1
            wanted = min(base, count - done)
            with transaction():
                for model in models:
                    share = round(wanted * made[model] / base)
                    _clone(db.session, model, share, round_, top[model])
                    done += share
            print(f"\r  cloned {done - base}/{count - base} items", end="", flush=True)
        with transaction():
            for model in models:
                table = model.__tablename__
                setval = f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"  # noqa: S608
                db.session.execute(text(setval))
    print()
    return done - base, time.perf_counter() - started


def _clone(session, model, count: int, round_: int, top: int) -> None:
    """``count`` new items from the first ``top`` ids of ``model``'s table, ids shifted by
    ``round_ * top``, their texts taken from items further on."""
    from sqlalchemy import text

    table = model.__tablename__
    mixed = MIXED[table]
    columns = [c.name for c in model.__table__.columns if c.name != "id"]
    values = []
    for column in columns:
        if column == "title":
            values.append("left(a.title || ' ' || split_part(t.title, ' ', 3), 200)")
        elif column.removesuffix("_html") in mixed:
            values.append(f"x{mixed.index(column.removesuffix('_html'))}.{column}")
        elif column in ("doi", "match_key"):
            values.append(f"a.{column} || '.{round_}'")
        elif column in ("published_at", "created_at", "updated_at"):
            values.append(f"a.{column} - interval '{round_} hours'")
        else:
            values.append(f"a.{column}")
    # each text from an item a different number of places on, for each text and round (the
    # SQL below is made of our own tables' and columns' names and of numbers)
    joins = " ".join(
        f"JOIN src x{i} ON x{i}.n = (a.n + {round_ * 7919 + (i + 1) * 104729}) % m.total"
        for i in range(len(mixed))
    )
    shift = round_ * top
    session.execute(
        text(
            f"WITH src AS (SELECT *, row_number() OVER (ORDER BY id) - 1 AS n FROM {table}"  # noqa: S608
            f" WHERE id <= {top}), m AS (SELECT count(*) AS total FROM src)"
            f" INSERT INTO {table} (id, {', '.join(columns)})"
            f" SELECT a.id + {shift}, {', '.join(values)} FROM src a CROSS JOIN m"
            f" JOIN src t ON t.n = (a.n + {round_ * 31}) % m.total {joins}"
            f" WHERE a.n < {count}"
        )
    )
    session.execute(
        text(
            "INSERT INTO item_terms (item_type, item_id, vocabulary, slug)"  # noqa: S608
            f" SELECT item_type, item_id + {shift}, vocabulary, slug FROM item_terms"
            f" WHERE item_type = '{model.item_type}' AND item_id <= {top}"
            f" AND item_id + {shift} IN (SELECT id FROM {table} WHERE id > {shift})"
        )
    )


def server_clock(app):
    """A function giving the CPU seconds spent so far by the PostgreSQL processes serving
    the benchmark's database (from /proc/PID/schedstat, so for a server on this machine
    only; None elsewhere): time on a CPU, which waiting for a busy CPU does not inflate."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from kx.extensions import db

    with app.app_context():
        url = db.engine.url
    # a connection of its own, so that the pooled one a request uses is among those timed
    asking = create_engine(url, poolclass=NullPool)
    try:
        with asking.connect() as connection:
            pids = connection.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
    finally:
        asking.dispose()

    def clock() -> float:
        total = 0
        for pid in pids:
            try:
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue  # a connection closed meanwhile
        return total / 1e9

    try:
        clock_works = bool(pids) and all(Path(f"/proc/{pid}/schedstat").exists() for pid in pids)
    except OSError:
        clock_works = False
    return clock if clock_works else None


def measure_raw_postgres(app, users: dict, queries: list[dict]) -> tuple[tuple[list, list], list]:
    """The PostgreSQL backend's main statements alone, on one reused connection: the query
    read as kx reads it and made a tsquery, then one statement for matches, ranking, total
    and facets within the visibility filter, and ``ts_headline`` for the page's rows; the
    fallbacks (any words, a respelling) and "did you mean" are not repeated. Its totals
    check that the API answers the same question; ``replay_postgres`` is the fair time."""
    from bench import search
    from kx.extensions import db
    from kx.search import interpretation
    from kx.search.backend import Audience
    from kx.search.postgres import backend as pg
    from kx.search.postgres import query as tsq

    audiences = {
        "anonymous": Audience(),
        "member": Audience(members=True, sector="law-enforcement"),
        "moderator": Audience(everything=True),
    }
    times, cpu, totals = [], [], []
    with app.app_context(), db.engine.connect() as connection:
        for params in queries:
            query = search.to_query(params)
            started, cpu_started = time.perf_counter(), time.thread_time()
            connection.execute(pg._SETTINGS, {"timeout": "0"})
            searched, _reading = interpretation.read(tsq.query_text(query.text, []))
            node = tsq.parse(searched)
            bound: dict = {}
            allowed = pg.where(query, audiences[params["viewer"]], bound)
            q = tsq.compile_all(connection, [node])[0] if node is not None else None
            page, total, _facets = pg._run(connection, query, allowed, bound, q)
            pg._hits(connection, page, q, True)
            times.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - cpu_started)
            totals.append(total)
            connection.rollback()
    return (times, cpu), totals


def _is_search_sql(statement: str) -> bool:
    """Whether ``statement`` is one of the PostgreSQL search backend's own."""
    return any(
        mark in statement for mark in ("search_documents", "search_words", "tsquery", "set_config")
    )


def capture_postgres(app, users: dict, queries: list[dict]) -> list[list[tuple[str, dict]]]:
    """The statements (SQL and parameters, as sent) that the search backend runs for each
    API query, recorded while the API answers it once."""
    from sqlalchemy import event

    from bench import search
    from kx.extensions import db

    recorded: list[tuple[str, dict]] = []

    def record(_connection, _cursor, statement, parameters, _context, _executemany):
        if _is_search_sql(statement):
            recorded.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        captured = []
        for params in queries:
            recorded.clear()
            search.measure_api(app, users, [params])
            captured.append(list(recorded))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return captured


def replay_postgres(app, captured: list[list[tuple[str, dict]]], with_server: bool = False):
    """Each API query's own search statements (``capture_postgres``) run again, in one
    transaction per query on one reused connection: the database's share of the API's
    time, without the web layer, the Python between the statements, or taking a pooled
    connection."""
    from kx.extensions import db

    times, cpu = [], []
    with app.app_context(), db.engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1").all()
        connection.rollback()
        server = server_clock(app) if with_server else None
        for statements in captured:
            server_started = server() if server else 0.0
            started, cpu_started = time.perf_counter(), time.thread_time()
            for statement, parameters in statements:
                connection.exec_driver_sql(statement, parameters).all()
            connection.rollback()
            times.append(time.perf_counter() - started)
            cpu.append(
                time.thread_time() - cpu_started + (server() - server_started if server else 0)
            )
    return times, cpu


def analyze_postgres(app) -> None:
    """Planner statistics of every table, as autovacuum keeps them on a live server (the
    benchmark's freshly written tables have none, and its server may run without)."""
    from sqlalchemy import text

    from kx.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("ANALYZE"))
