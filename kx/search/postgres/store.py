"""Writing search documents and "did you mean" words into their tables, on the connection
(and so in the transaction) of the caller."""

import unicodedata

from sqlalchemy import text

from kx.search.postgres.query import CONFIG
from kx.search.whoosh.suggestions import words_of

#: The weighted vectors: ``head`` of the title (A) and tag names (B), and the document's
#: ``vector``, the head followed by the text (C); ``ts_rank_cd`` weighs them by
#: ``backend.WEIGHTS``.
HEAD = (
    f"setweight(to_tsvector('{CONFIG}', :title), 'A')"
    f" || setweight(to_tsvector('{CONFIG}', :tags), 'B')"
)
_COLUMNS = (
    "key, type, item_id, title, text, tags, domains, countries, sectors, visibility,"
    " prevention_level, study_design, year, published, stamp"
)
_UPSERT = text(
    f"INSERT INTO search_documents ({_COLUMNS}, head, vector) SELECT"
    " :key, :type, :item_id, :title, :text, :tags, CAST(:domains AS text[]),"
    " CAST(:countries AS text[]), CAST(:sectors AS text[]), :visibility, :prevention_level,"
    " :study_design, :year, :published, :stamp,"
    f" h.head, h.head || setweight(to_tsvector('{CONFIG}', :text), 'C')"
    f" FROM (SELECT {HEAD} AS head) h"
    " ON CONFLICT (key) DO UPDATE SET "
    + ", ".join(f"{c.strip()} = EXCLUDED.{c.strip()}" for c in _COLUMNS.split(",")[1:])
    + ", head = EXCLUDED.head, vector = EXCLUDED.vector"
)
_WORDS = text(
    "INSERT INTO search_words (word) SELECT unnest(CAST(:words AS text[])) ON CONFLICT DO NOTHING"
)


def _normal(value: str | None) -> str:
    """Composed Unicode (NFKC), as the Whoosh analyzer reads text."""
    return unicodedata.normalize("NFKC", value or "")


def row(document: dict) -> dict:
    """A search document (``kx.search.documents``) as the parameters of ``_UPSERT``."""
    return {
        "key": document["key"],
        "type": document["type"],
        "item_id": document["id"],
        "title": _normal(document["title"]),
        "text": _normal(document.get("text")),
        "tags": _normal(document.get("tags")),
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


def replace_all(connection, documents, progress=None, batch: int = 500) -> int:
    """Every row replaced by ``documents`` (an iterable), and the words by theirs, in the
    caller's transaction."""
    connection.execute(text("DELETE FROM search_documents"))
    connection.execute(text("DELETE FROM search_words"))
    count, chunk, words = 0, [], set()
    for document in documents:
        chunk.append(row(document))
        words |= words_of([document])
        count += 1
        if progress:
            progress(1)
        if len(chunk) >= batch:
            connection.execute(_UPSERT, chunk)
            chunk = []
    if chunk:
        connection.execute(_UPSERT, chunk)
    add_words(connection, words)
    return count
