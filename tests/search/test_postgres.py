"""What the PostgreSQL backend adds to the promises of the whole search suite (which runs on
it too): documents written in the transaction of the change, so that a change and its
document commit or fail together and every app on the database sees it at once; a clear
refusal to start without PostgreSQL; a health check of its table."""

import itertools
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DataError

from kx import create_app
from kx.database import transaction
from kx.extensions import db
from kx.practice.models import Practice
from kx.records import services as records
from kx.search import indexing
from kx.search import services as search_services
from kx.search.backend import Query
from kx.search.models import SearchText
from kx.search.postgres import backend, store
from tests.search.conftest import backends
from tests.support.search import no_drift

TEXT = "A confidential helpline offers anonymous advice to adults worried about their thoughts."


def on_postgres(test):
    """Run ``test`` on the PostgreSQL backend only, which needs a PostgreSQL database."""
    test = pytest.mark.postgres_only(test)
    return pytest.mark.skipif(
        "postgres" not in backends(), reason="needs KX_DATABASE_URL naming a PostgreSQL database"
    )(test)


def test_the_backend_refuses_to_start_without_postgresql(tmp_path):
    with pytest.raises(RuntimeError, match="KX_DATABASE_URL") as refused:
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'kx.db'}",
                "SEARCH_BACKEND": "postgres",
                "SECRET_KEY": "x",
            }
        )
    assert "KX_SEARCH_BACKEND=postgres" in str(refused.value)


def test_an_unknown_backend_is_refused_by_name(tmp_path):
    with pytest.raises(RuntimeError, match="Unknown KX_SEARCH_BACKEND 'elastic'"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'kx.db'}",
                "SEARCH_BACKEND": "elastic",
                "SECRET_KEY": "x",
            }
        )


def _committed_keys() -> set[str]:
    """The documents another connection sees (committed ones only)."""
    with db.engine.connect() as connection:
        return set(connection.scalars(text("SELECT key FROM search_documents")))


@on_postgres
def test_a_document_is_written_in_the_transaction_of_the_change(kx, monkeypatch):
    draft = kx.practice("Kestrel helpline", TEXT, submit=False)
    key = f"practice:{draft}"

    def never(*args, **kwargs):
        raise AssertionError("nothing may wait for after the commit")

    monkeypatch.setattr(indexing, "apply_outbox", never)
    with kx.app.app_context():
        with transaction():
            records.set_status(db.session.get(Practice, draft), "published")
            db.session.flush()
            assert key not in _committed_keys()  # not before the change commits...
        assert key in _committed_keys()  # ...and with it
    monkeypatch.undo()

    assert kx.keys("kestrel", None) == {key}
    assert kx.outbox() == set()
    assert no_drift(kx.drift())


@on_postgres
def test_a_rolled_back_change_writes_no_document(kx):
    item = kx.practice("Original kestrel title", TEXT)

    with (
        kx.app.app_context(),
        pytest.raises(RuntimeError, match="after the change"),
        transaction(),
    ):
        practice = db.session.get(Practice, item)
        records.apply_changes(practice, {"title": "Changed osprey title"}, kx.user("moderator"))
        db.session.flush()
        raise RuntimeError("fails after the change")

    assert kx.keys("osprey", "moderator") == set()
    [hit] = kx.search("kestrel", "moderator").hits
    assert hit.title == "Original kestrel title"
    assert no_drift(kx.drift())


@on_postgres
def test_a_document_that_cannot_be_written_fails_the_change_with_it(kx, monkeypatch):
    item = kx.practice("Original kestrel title", TEXT)

    def broken(connection, documents, deleted_keys):
        raise OSError("the disk is full")

    monkeypatch.setattr(store, "write", broken)
    with kx.app.app_context(), pytest.raises(OSError, match="disk is full"):
        kx.edit_practice(item, title="Changed osprey title")
    monkeypatch.undo()

    with kx.app.app_context():
        assert db.session.get(Practice, item).title == "Original kestrel title"
    assert kx.keys("osprey", "moderator") == set()
    assert kx.keys("kestrel", "moderator") == {f"practice:{item}"}
    assert no_drift(kx.drift())


@on_postgres
def test_another_app_on_the_database_finds_a_publication_at_once(kx, app, tmp_path):
    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SEARCH_BACKEND": "postgres",
            "SEARCH_INDEX_DIR": str(tmp_path / "other-index"),
            "SECRET_KEY": "x",
        }
    )
    item = kx.practice("Kestrel helpline", TEXT)

    body = other.test_client().get("/api/v1/search", query_string={"q": "kestrel"}).get_json()
    assert [(hit["type"], hit["id"]) for hit in body["items"]] == [("practice", item)]
    with other.app_context():
        db.engine.dispose()


@on_postgres
def test_the_health_check_reads_the_search_table(kx, client):
    assert client.get("/healthz").get_json()["checks"]["search"] == "ok"

    with kx.app.app_context():
        db.session.execute(text("ALTER TABLE search_documents RENAME TO search_documents_away"))
        db.session.commit()
    try:
        response = client.get("/healthz")
    finally:
        with kx.app.app_context():
            db.session.execute(text("ALTER TABLE search_documents_away RENAME TO search_documents"))
            db.session.commit()

    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "ok",
        "search": "unavailable",
        "rate_limits": "not used",
    }
    assert "search_documents" not in response.get_data(as_text=True)


@on_postgres
def test_reindex_rewrites_every_document_in_one_transaction(kx):
    for n in range(3):
        kx.practice(f"Kestrel {n}", TEXT)
    with kx.app.app_context():
        db.session.execute(text("UPDATE search_texts SET title = 'wrong', stamp = 'old'"))
        db.session.commit()
    assert len(kx.drift()["stale"]) == 3

    with kx.app.app_context():
        assert indexing.reindex() == 3
        titles = set(db.session.scalars(select(SearchText.title)))

    assert titles == {"Kestrel 0", "Kestrel 1", "Kestrel 2"}
    assert no_drift(kx.drift())


def _tables() -> set[str]:
    with db.engine.connect() as connection:
        found = connection.scalars(text("SELECT tablename FROM pg_tables"))
        return {name for name in found if name.startswith("search")}


@on_postgres
@pytest.mark.parametrize("fault", ["reading", "writing"])
def test_a_reindex_failing_while_a_batch_is_written_leaves_every_document(kx, monkeypatch, fault):
    """A rebuild writes one batch while it reads the next: a fault on either side stops it
    with that fault, and every search keeps the documents it had."""
    kept = {kx.practice(f"Kestrel {n}", TEXT) for n in range(7)}
    monkeypatch.setattr(store, "BATCH", 2)
    real_documents, real_row = indexing.documents.all_documents, store.row
    if fault == "reading":

        def documents():
            yield from itertools.islice(real_documents(), 5)
            raise OSError("the database went away")

        monkeypatch.setattr(indexing.documents, "all_documents", documents)
        expected = pytest.raises(OSError, match="went away")
    else:
        rows = itertools.count()
        monkeypatch.setattr(  # the fifth row cannot be stored: its year is not a number
            store, "row", lambda d: real_row(d) | ({"year": "x"} if next(rows) == 4 else {})
        )
        expected = pytest.raises(DataError)

    with kx.app.app_context(), expected:
        indexing.reindex()

    monkeypatch.undo()
    assert {hit.id for hit in kx.search("kestrel", per_page=20).hits} == kept
    with kx.app.app_context():
        assert not {"search_documents_next", "search_texts_next"} & _tables()
        assert no_drift(kx.drift())


@on_postgres
def test_a_snippet_reads_no_more_of_a_text_than_its_window(kx, monkeypatch):
    """``ts_headline`` costs in proportion to the text it reads: it reads the part around
    the query's first word, however long the text."""
    filler = "Staff met weekly to review referrals and agree next steps. " * 400
    kx.practice("Night line", f"{filler}The kestrel group met. {filler}")
    read = []
    headline_texts = backend._headline_texts
    monkeypatch.setattr(
        backend,
        "_headline_texts",
        lambda connection, texts, q: (
            read.extend(map(len, texts)) or headline_texts(connection, texts, q)
        ),
    )

    snippet = kx.search("kestrel").hits[0].snippet

    assert "The <mark>kestrel</mark> group met." in snippet
    assert read and max(read) <= backend.WINDOW < len(filler)


@on_postgres
def test_ranking_reads_only_the_likeliest_matches_but_counts_all(kx, monkeypatch):
    """Beyond ``RANK_CANDIDATES`` matches, those with the words in their title still lead,
    and the total and facets still count every match the viewer may see."""
    monkeypatch.setattr(backend, "RANK_CANDIDATES", 2)
    titled = kx.practice("Kestrel helpline for adults", TEXT, countries=["DE"])
    older = [kx.practice(f"Night line {n}", f"{TEXT} Kestrel.", countries=["GB"]) for n in range(4)]
    kx.practice("Members' kestrel notes", TEXT, visibility="members")

    results = kx.search("kestrel", per_page=2)

    assert (results.hits[0].type, results.hits[0].id) == ("practice", titled)
    assert results.total == 5
    assert results.facets["country"] == {"DE": 1, "GB": 4}
    later = kx.search("kestrel", per_page=2, page=3)
    assert [hit.id for hit in later.hits] == [older[0]]  # the last page: paged past the few


@on_postgres
def test_items_holding_more_of_the_words_lead_beyond_the_ranked_few(kx, monkeypatch):
    monkeypatch.setattr(backend, "RANK_CANDIDATES", 1)
    both = kx.practice("Night line", f"{TEXT} Kestrel osprey.")
    one = [kx.practice(f"Kestrel line {n}", TEXT) for n in range(3)]

    results = kx.search("kestrel osprey falcon", per_page=1)

    assert results.interpretation.fallback == "any-words"
    assert [hit.id for hit in results.hits] == [both]
    assert results.total == 1 + len(one)


@on_postgres
def test_a_search_stopped_by_its_time_budget_leaves_the_request_reading_on(kx, client, monkeypatch):
    """The cancelled statement, and the search's settings, end with the search: the page
    shows what was found in time, and reads the ratings of its hits after it."""
    item = kx.practice("Kestrel helpline", TEXT)
    ranked = backend._run

    def slow(connection, *args):
        connection.execute(text("SELECT pg_sleep(2)"))  # cancelled by the budget's timeout
        return ranked(connection, *args)

    monkeypatch.setattr(backend, "_run", slow)
    kx.app.config["SEARCH_TIME_BUDGET"] = 0.3

    response = client.get("/search", query_string={"q": "kestrel"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "took too long and was stopped" in page
    assert f"/practices/{item}" in page
    assert "no studies yet" in page  # its rating, read after the cancelled statement
    with kx.app.app_context():
        stopped = search_services.search(None, Query(text="kestrel"), time.monotonic() + 0.3)
        settings = db.session.execute(
            text("SELECT current_setting('statement_timeout'), current_setting('enable_seqscan')")
        ).one()
    assert stopped.partial
    assert tuple(settings) == ("0", "on")


@on_postgres
@pytest.mark.parametrize("late", ["cancelled", "no time left"])
def test_a_respelling_out_of_time_leaves_the_words_as_typed(kx, monkeypatch, late):
    """The "did you mean" spelling is searched in the savepoint of the words as typed; when
    its statement is cancelled, or no time is left to start it, the answer is what the
    words as typed found, with the spelling offered, and the request reads on."""
    kx.practice("Kestrel helpline", TEXT)
    ranked, runs = backend._run, []

    def run(connection, *args):
        runs.append(args)
        if len(runs) == 1 and late == "no time left":
            time.sleep(0.4)  # the words as typed take the whole budget
        if len(runs) == 2:
            connection.execute(text("SELECT pg_sleep(2)"))  # cancelled by the budget's timeout
        return ranked(connection, *args)

    monkeypatch.setattr(backend, "_run", run)
    with kx.app.app_context():
        results = search_services.search(None, Query(text="helpilne"), time.monotonic() + 0.3)
        settings = db.session.execute(text("SELECT current_setting('statement_timeout')")).one()

    assert len(runs) == (2 if late == "cancelled" else 1)
    assert (results.total, results.suggestion, results.partial) == (0, "helpline", False)
    assert results.interpretation.respelled is None
    assert tuple(settings) == ("0",)
    monkeypatch.undo()
    assert kx.search("helpilne").interpretation.respelled == "helpilne"  # with time to spare


@on_postgres
def test_a_signed_in_search_takes_one_connection(kx, app, tmp_path, make_user, api_token):
    """A request reads its user and searches on the same connection: a worker thread never
    holds one connection while it waits for a second (with threads beyond half the pool,
    every thread could)."""
    alone = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 1},
            "SEARCH_BACKEND": "postgres",
            "SEARCH_INDEX_DIR": str(tmp_path / "other-index"),
            "SECRET_KEY": "x",
        }
    )
    item = kx.practice("Kestrel helpline", TEXT)
    headers = api_token(make_user())
    try:
        response = alone.test_client().get(
            "/api/v1/search",
            query_string={"q": "kestrel"},
            headers=headers,
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert [hit["id"] for hit in response.get_json()["items"]] == [item]
    finally:
        with alone.app_context():
            db.engine.dispose()
