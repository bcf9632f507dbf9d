"""Writing search documents and "did you mean" words into their tables, on the connection
(and so in the transaction) of the caller."""

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
#: What a search filters, counts and ranks by (``search_documents``), and what a hit shows
#: (``search_texts``), with the vectors each table adds.
_DOCUMENT = (
    "key, type, domains, countries, sectors, visibility, prevention_level, study_design,"
    " year, published, facet_kind, facet_domains, facet_countries"
)
_TEXT = "key, item_id, title, text, tags, stamp"
#: One document into both tables, in one statement that computes its head once.
_INSERT = (
    f"WITH h AS (SELECT {HEAD} AS head), d AS ("
    "INSERT INTO {documents} (" + _DOCUMENT + ", vector) SELECT :key, :type,"
    " CAST(:domains AS text[]), CAST(:countries AS text[]), CAST(:sectors AS text[]),"
    " :visibility, :prevention_level, :study_design, :year, :published, :facet_kind,"
    " :facet_domains, :facet_countries,"
    f" h.head || setweight(to_tsvector('{CONFIG}', :text), 'C') FROM h{{replacing_document}})"
    " INSERT INTO {texts} (" + _TEXT + ", head)"
    " SELECT :key, :item_id, :title, :text, :tags, :stamp, h.head FROM h{replacing_text}"
)


def _replacing(columns: str) -> str:
    """The ``ON CONFLICT`` clause that replaces a row's ``columns`` (its key aside)."""
    names = [c.strip() for c in columns.split(",")[1:]]
    return " ON CONFLICT (key) DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in names)


_UPSERT = text(
    _INSERT.format(
        documents="search_documents",
        texts="search_texts",
        replacing_document=_replacing(_DOCUMENT + ", vector"),
        replacing_text=_replacing(_TEXT + ", head"),
    )
)
#: A rebuild writes tables of its own, indexed once filled (a GIN index built at once
#: takes a fraction of the time of adding each document to it), then put in place.
_TABLES = ("search_documents", "search_texts")
#: What the new tables get once filled: (name, how it is made) of each index and
#: constraint; each is made as ``{name}_next`` and renamed with its table.
_INDEXES = (
    ("pk_search_documents", "ALTER TABLE {documents} ADD CONSTRAINT {name} PRIMARY KEY (key)"),
    (
        "ix_search_documents_vector",
        "CREATE INDEX {name} ON {documents} USING gin (vector) WITH (fastupdate = off)",
    ),
    ("ix_search_documents_published", "CREATE INDEX {name} ON {documents} (published)"),
    ("pk_search_texts", "ALTER TABLE {texts} ADD CONSTRAINT {name} PRIMARY KEY (key)"),
    (
        "ix_search_texts_head",
        "CREATE INDEX {name} ON {texts} USING gin (head) WITH (fastupdate = off)",
    ),
)
_FOREIGN_KEY = "fk_search_texts_key_search_documents"
#: Documents written to the new tables in one statement by ``replace_all``.
BATCH = 500
_WORDS = text(
    "INSERT INTO search_words (word) SELECT unnest(CAST(:words AS text[])) ON CONFLICT DO NOTHING"
)


def facet_columns(row: dict) -> dict[str, str]:
    """The facet columns of ``row`` (the parameters of ``_INSERT``): its type, prevention
    level and study design in one text, its domains in one and its countries in one. A
    search groups its matches by each in turn (``FACET_GROUPS``), into a few hundred
    groups however diverse the items (grouped by all five facets at once, 10,000 matches
    among 20,000 items fall into 5,700 groups, which take Python 20 ms to sum)."""
    return {
        "facet_kind": _BETWEEN.join(row[FACETS[name]] for name in _KIND),
        "facet_domains": _WITHIN.join(row[FACETS["domain"]]),
        "facet_countries": _WITHIN.join(row[FACETS["country"]]),
    }


#: The facets held in ``facet_kind``, in its order.
_KIND = ("type", "prevention_level", "study_design")
#: The matches (``matched``) grouped by each facet column in turn, as rows of (the
#: column's value, matches, which column: ``GROUPING``'s bits, one for each column not
#: grouped by).
FACET_GROUPS = (
    "SELECT coalesce(facet_kind, facet_domains, facet_countries) AS value,"
    " count(*) AS matches, GROUPING(facet_kind, facet_domains, facet_countries) AS grouped"
    " FROM matched"
    " GROUP BY GROUPING SETS ((facet_kind), (facet_domains), (facet_countries))"
)
_GROUPED_BY = {0b011: _KIND, 0b101: ("domain",), 0b110: ("country",)}


def facet_counts(groups) -> tuple[int, dict[str, dict[str, int]]]:
    """The matches' total and each facet value's count, from the rows of ``FACET_GROUPS``
    (every document has one ``facet_kind``: those groups' sum is the total)."""
    total, counted = 0, {name: {} for name in FACETS}
    for value, matches, grouped in groups:
        names = _GROUPED_BY[grouped]
        if names is _KIND:
            total += matches
            values = zip(names, value.split(_BETWEEN), strict=True)
        else:
            values = ((names[0], v) for v in value.split(_WITHIN))
        for name, facet_value in values:
            if facet_value:
                counted[name][facet_value] = counted[name].get(facet_value, 0) + matches
    return total, counted


def row(document: dict) -> dict:
    """A search document (``kx.search.documents``) as the parameters of ``_INSERT``."""
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
    return values | facet_columns(values)


def write(connection, documents: list[dict], deleted_keys: list[str]) -> None:
    """Add or replace ``documents`` and remove ``deleted_keys`` (their texts go with them),
    in the caller's transaction.

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
    """Every row of both tables replaced by ``documents`` (an iterable), and the words by
    theirs, in the caller's transaction, which holds ``search_documents`` in EXCLUSIVE mode:
    searches read the old rows until the new tables take their place, at the commit.

    One batch is written by a thread of its own while the next is read: the server's
    work (the vectors) and this process's (the documents) then take about as long as
    the longer of the two, not their sum."""
    new = {"documents": "search_documents_next", "texts": "search_texts_next"}
    for table, name in zip(_TABLES, new.values(), strict=True):
        connection.execute(text(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS)"))
    connection.execute(text("DELETE FROM search_words"))
    insert = text(_INSERT.format(**new, replacing_document="", replacing_text=""))
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
        connection.execute(text(create.format(name=f"{name}_next", **new)))
    connection.execute(
        text(
            f"ALTER TABLE {new['texts']} ADD CONSTRAINT {_FOREIGN_KEY}_next FOREIGN KEY (key)"
            f" REFERENCES {new['documents']} (key) ON DELETE CASCADE"
        )
    )
    for name in (*new.values(), "search_words"):
        connection.execute(text(f"ANALYZE {name}"))
    # the swap: searches wait only for these few statements
    connection.execute(text("LOCK TABLE search_documents, search_texts IN ACCESS EXCLUSIVE MODE"))
    connection.execute(text("DROP TABLE search_texts, search_documents"))
    for table, name in zip(_TABLES, new.values(), strict=True):
        connection.execute(text(f"ALTER TABLE {name} RENAME TO {table}"))
    for name, _create in _INDEXES:  # an index's constraint takes its new name with it
        connection.execute(text(f"ALTER INDEX {name}_next RENAME TO {name}"))
    connection.execute(
        text(f"ALTER TABLE search_texts RENAME CONSTRAINT {_FOREIGN_KEY}_next TO {_FOREIGN_KEY}")
    )
    return count
