"""Writing search documents and "did you mean" words into their tables, on the connection
(and so in the transaction) of the caller."""

import functools
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from kx.search.backend import FACETS
from kx.search.postgres.query import CONFIG
from kx.search.words import normal, words_of

#: The weighted vectors: ``head`` of the title (A) and tag names (B), and the document's
#: ``vector``, the head followed by the text (C); ``ts_rank_cd`` weighs them by
#: ``backend.WEIGHTS``.
HEAD = (
    f"setweight(to_tsvector('{CONFIG}', :title), 'A')"
    f" || setweight(to_tsvector('{CONFIG}', :tags), 'B')"
)
_BETWEEN, _WITHIN = "\x1f", "\x1e"  # control characters: in no slug and no country code
_COLUMNS = (
    "key, type, item_id, title, text, tags, domains, countries, sectors, visibility,"
    " prevention_level, study_design, year, published, stamp, facet_key"
)
_INSERT = (
    "INSERT INTO {table} (" + _COLUMNS + ", head, vector) SELECT"
    " :key, :type, :item_id, :title, :text, :tags, CAST(:domains AS text[]),"
    " CAST(:countries AS text[]), CAST(:sectors AS text[]), :visibility, :prevention_level,"
    " :study_design, :year, :published, :stamp, :facet_key,"
    f" h.head, h.head || setweight(to_tsvector('{CONFIG}', :text), 'C')"
    f" FROM (SELECT {HEAD} AS head) h"
)
_UPSERT = text(
    _INSERT.format(table="search_documents")
    + " ON CONFLICT (key) DO UPDATE SET "
    + ", ".join(f"{c.strip()} = EXCLUDED.{c.strip()}" for c in _COLUMNS.split(",")[1:])
    + ", head = EXCLUDED.head, vector = EXCLUDED.vector"
)
#: A rebuild writes a table of its own, indexed once filled (a GIN index built at once
#: takes a fraction of the time of adding each document to it), then put in place.
_NEXT = "search_documents_next"
_INDEXES = (
    ("pk_search_documents", f"ALTER TABLE {_NEXT} ADD CONSTRAINT {{name}} PRIMARY KEY (key)"),
    (
        "ix_search_documents_vector",
        f"CREATE INDEX {{name}} ON {_NEXT} USING gin (vector) WITH (fastupdate = off)",
    ),
    ("ix_search_documents_published", f"CREATE INDEX {{name}} ON {_NEXT} (published)"),
)
#: Documents written to the new table in one statement by ``replace_all``.
BATCH = 500
_WORDS = text(
    "INSERT INTO search_words (word) SELECT unnest(CAST(:words AS text[])) ON CONFLICT DO NOTHING"
)


def facet_key(row: dict) -> str:
    """The ``FACETS`` values of ``row`` (the parameters of ``_UPSERT``) as one text: a
    search counts its matches grouped by it, each group once (``facet_values``), instead
    of grouping every match by each facet in turn."""
    columns = (row[column] for column in FACETS.values())
    return _BETWEEN.join(_WITHIN.join(v) if isinstance(v, list) else v for v in columns)


@functools.lru_cache(maxsize=8192)
def facet_values(key: str) -> tuple[tuple[str, str], ...]:
    """The (facet, value) pairs of a ``facet_key``, kept: every search reads the keys of
    its matches' groups, the same few thousand at most (summing 1,300 groups: 2.8 ms with
    each key read afresh, 0.8 ms with the keys kept)."""
    return tuple(
        (name, value)
        for name, values in zip(FACETS, key.split(_BETWEEN), strict=True)
        if values
        for value in values.split(_WITHIN)
    )


def row(document: dict) -> dict:
    """A search document (``kx.search.documents``) as the parameters of ``_UPSERT``."""
    values = {
        "key": document["key"],
        "type": document["type"],
        "item_id": document["id"],
        "title": normal(document["title"] or ""),
        "text": normal(document.get("text") or ""),
        "tags": normal(document.get("tags") or ""),
        "domains": list(document.get("domains") or []),
        "countries": list(document.get("countries") or []),
        "sectors": list(document.get("sectors") or []),
        "visibility": document["visibility"],
        "prevention_level": document.get("prevention_level") or "",
        "study_design": document.get("study_design") or "",
        "year": document.get("year"),
        "published": document["published"],
        "stamp": document["stamp"],
    }
    return values | {"facet_key": facet_key(values)}


def write(connection, documents: list[dict], deleted_keys: list[str]) -> None:
    """Add or replace ``documents`` and remove ``deleted_keys``, in the caller's transaction.

    Rows are written in key order and words in word order, so that two transactions
    writing overlapping documents take their row locks in one order and never deadlock."""
    if deleted_keys:
        connection.execute(
            text("DELETE FROM search_documents WHERE key = ANY(CAST(:keys AS text[]))"),
            {"keys": sorted(deleted_keys)},
        )
    if documents:
        rows = sorted((row(d) for d in documents), key=lambda r: r["key"])
        connection.execute(_UPSERT, rows)
        add_words(connection, words_of(documents))


def add_words(connection, words: set[str]) -> None:
    """Words of deleted documents stay: one is offered only when a visible document holds it."""
    if words:
        connection.execute(_WORDS, {"words": sorted(words)})


def replace_all(connection, documents, progress=None) -> int:
    """Every row replaced by ``documents`` (an iterable), and the words by theirs, in the
    caller's transaction, which holds ``search_documents`` in EXCLUSIVE mode: searches
    read the old rows until the new table takes its place, at the commit.

    One batch is written by a thread of its own while the next is read: the server's
    work (the vectors) and this process's (the documents) then take about as long as
    the longer of the two, not their sum."""
    connection.execute(text(f"CREATE TABLE {_NEXT} (LIKE search_documents INCLUDING DEFAULTS)"))
    connection.execute(text("DELETE FROM search_words"))
    insert = text(_INSERT.format(table=_NEXT))
    count, chunk, words = 0, [], set()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kx-reindex") as writing:
        written = None  # the batch being written; at most one, so memory stays bounded
        for document in documents:
            chunk.append(row(document))
            words |= words_of([document])
            count += 1
            if progress:
                progress(1)
            if len(chunk) >= BATCH:
                if written is not None:
                    written.result()  # its error, if it failed, stops the rebuild here
                written, chunk = writing.submit(connection.execute, insert, chunk), []
        if written is not None:
            written.result()
    if chunk:
        connection.execute(insert, chunk)
    add_words(connection, words)
    for name, create in _INDEXES:
        connection.execute(text(create.format(name=f"{name}_next")))
    connection.execute(text(f"ANALYZE {_NEXT}"))
    connection.execute(text("ANALYZE search_words"))
    # the swap: searches wait only for these few statements
    connection.execute(text("LOCK TABLE search_documents IN ACCESS EXCLUSIVE MODE"))
    connection.execute(text("DROP TABLE search_documents"))
    connection.execute(text(f"ALTER TABLE {_NEXT} RENAME TO search_documents"))
    for name, _create in _INDEXES:
        connection.execute(text(f"ALTER INDEX {name}_next RENAME TO {name}"))
    return count
