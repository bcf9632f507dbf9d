"""``PostgresBackend``: the search backend interface (``kx.search.backend``) on PostgreSQL
full-text search, over the ``search_documents`` and ``search_texts`` tables that
``write_in_transaction`` keeps in the same transaction as the changes they reflect.

A search runs on the request's own connection, in a savepoint whose ``statement_timeout``
is what is left of the time budget; rolling the savepoint back afterwards takes its
settings with it. A second pooled connection per search would cost a request three more
round trips (the pool's liveness test, ``BEGIN``, ``COMMIT``), and with threaded workers
could leave every request holding one connection while waiting for another.

The viewer's visibility and the query's filters are one ``WHERE`` clause (``_where``)
shared by the hits, the total, the facets, "did you mean" and related items, so nothing
outside it can be counted, ranked, suggested or shown. ``ts_rank_cd`` reads only the
document and the query (no collection statistics), so no hidden document can move a
visible one's score.
"""

import html
import math
import re
import time

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from kx.extensions import db
from kx.search import documents, interpretation, widening
from kx.search.backend import FACETS, Audience, Hit, Query, Results
from kx.search.postgres import query as tsq
from kx.search.postgres import store, suggestions

#: ``ts_rank_cd``'s weights of D, C (text), B (tags) and A (title): title and tags three
#: times the text, as the Whoosh backend weighs its fields.
WEIGHTS = "{0.1, 0.2, 0.6, 0.6}"
#: What holding one more of a query's words adds to an item's score in the any-words
#: fallback: above any ``ts_rank_cd``, so items holding more of the words come first.
COORDINATION = 1000.0
SNIPPET_WORDS = "MaxWords=35, MinWords=20, MaxFragments=1"
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use marks, removed from the text beforehand
#: Milliseconds a statement may take when no time budget applies (related items, the
#: unranked page of a search out of time).
PARTIAL_TIMEOUT = 2000
#: Matches that ``ts_rank_cd`` scores for a page sorted by relevance (see ``_page``).
RANK_CANDIDATES = 400
#: Words of a document weighed for related items, and kept.
RELATED_CANDIDATES, RELATED_TERMS = 40, 15


#: Memory a search's statement may use for each of its sorts and kept matches: the matches
#: of a broad word (about 130 bytes each) are kept for both the page and the facets, and
#: past the server's default of 4 MB (some 30,000 matches) they are written to a temporary
#: file and read back, a sixth of such a statement's time at 100,000 items.
WORK_MEM = "16MB"
#: A search's settings, in one round trip, undone with its savepoint: its time budget and
#: ``WORK_MEM``; no sequential scan where the GIN index can serve (the planner counts
#: nothing for reading each row's vector out of its TOAST table, which a scan testing every
#: row does); no JIT compiling and no parallel workers, whose start costs more than these
#: short statements take.
_SETTINGS = text(
    "SELECT set_config('statement_timeout', :timeout, true), set_config('jit', 'off', true),"
    " set_config('enable_seqscan', 'off', true),"
    f" set_config('work_mem', '{WORK_MEM}', true),"
    " set_config('max_parallel_workers_per_gather', '0', true)"
)
#: A search without words tests no vector, and reads every row its filters keep.
_SCANNING = text("SELECT set_config('enable_seqscan', 'on', true)")


def where(query: Query, audience: Audience, params: dict) -> str:
    """The documents ``audience`` may see that pass ``query``'s filters, as SQL."""
    conditions = []
    if not audience.everything:
        visible = ["visibility = 'public'"]
        if audience.members:
            visible.append("visibility = 'members'")
            if audience.sector:
                params["sector"] = audience.sector
                visible.append("(visibility = 'restricted' AND :sector = ANY(sectors))")
        conditions.append("(" + " OR ".join(visible) + ")")
    for attribute, column, test in (
        ("types", "type", "{c} = ANY(CAST(:{a} AS text[]))"),
        ("domains", "domains", "{c} && CAST(:{a} AS text[])"),
        ("countries", "countries", "{c} && CAST(:{a} AS text[])"),
        ("prevention_levels", "prevention_level", "{c} = ANY(CAST(:{a} AS text[]))"),
        ("study_designs", "study_design", "{c} = ANY(CAST(:{a} AS text[]))"),
    ):
        values = getattr(query, attribute)
        if values:
            params[attribute] = list(values)
            conditions.append(test.format(c=column, a=attribute))
    if query.year_from is not None:
        params["year_from"] = query.year_from
        conditions.append("year >= :year_from")
    if query.year_to is not None:
        params["year_to"] = query.year_to
        conditions.append("year <= :year_to")
    return " AND ".join(conditions) or "TRUE"


class PostgresBackend:
    """Search documents in PostgreSQL, written in the transaction of the change."""

    #: documents are written by ``write_in_transaction``, not through the outbox
    in_transaction = True

    # Writing ---------------------------------------------------------------------------

    def write_in_transaction(self, session, touched: set[tuple[str, int]]) -> None:
        """Write the current state of the ``touched`` documents on ``session``'s
        connection, before it commits (``kx.search.indexing`` calls this)."""
        docs, deleted = [], []
        wanted: dict[str, set[int]] = {}
        for kind, item_id in touched:
            wanted.setdefault(kind, set()).add(item_id)
        with session.no_autoflush:
            for kind, ids in wanted.items():
                mapping = documents.MAPPINGS[kind]
                for obj in list(session.identity_map.values()):
                    if isinstance(obj, mapping.model) and obj.id in ids:
                        session.expire(obj)  # its collections too (a thread's posts)
                found = session.scalars(select(mapping.model).where(mapping.model.id.in_(ids)))
                items = {item.id: item for item in found}
                for item_id in sorted(ids):
                    item = items.get(item_id)
                    if documents.indexable(item, kind):
                        docs.append(mapping.to_document(item))
                    else:
                        deleted.append(f"{kind}:{item_id}")
        store.write(session.connection(), docs, deleted)

    def index(self, documents: list[dict], deleted_keys: list[str]) -> None:
        with db.engine.begin() as connection:
            store.write(connection, documents, deleted_keys)

    def rebuild(self, documents, total: int = 0, progress=None) -> int:
        """Replace every document in one transaction: searches see the old ones until the
        commit, and a failed rebuild leaves them in place."""
        with db.engine.begin() as connection:
            # one rebuild at a time; writes of single documents wait for the commit
            connection.execute(text("LOCK TABLE search_documents IN EXCLUSIVE MODE"))
            return store.replace_all(connection, documents, progress)

    # Reading ---------------------------------------------------------------------------

    def ping(self) -> None:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1 FROM search_documents LIMIT 1"))

    def stamps(self) -> dict[str, str]:
        with db.engine.connect() as connection:
            return dict(connection.execute(text("SELECT key, stamp FROM search_texts")).all())

    def search(self, query: Query, audience: Audience, deadline: float | None = None) -> Results:
        """``query``'s results (or those of its "did you mean" spelling, searched in the
        same savepoint), or a page of its matches unranked and uncounted
        (``Results.partial``) when ``deadline`` passes first."""
        typed: list[Results] = []  # kept should the respelling run out of time

        def work(connection) -> Results:
            typed.append(self._search(connection, query, audience))
            if deadline is not None and time.monotonic() >= deadline:
                return typed[0]  # no time left to respell
            return widening.respelled(
                query, typed[0], lambda other: self._search(connection, other, audience)
            )

        results = self._timed(work, deadline)
        if results is None and typed:  # the respelling ran out of time: the words as typed
            results = typed[0]
        if results is None:
            results = self._timed(lambda c: self._partial(c, query, audience), None)
        if results is None:  # not even a page of matches in time
            results = Results(0, [], {name: {} for name in FACETS}, partial=True)
        return results

    def related(self, key: str, audience: Audience, limit: int = 5) -> list[Hit]:
        return self._timed(lambda c: self._related(c, key, audience, limit), None) or []

    def _timed(self, work, deadline: float | None):
        """``work(connection)`` in a savepoint of the session's transaction, ended at
        ``deadline`` (None: the deadline passed first) and then rolled back. Without one,
        ``PARTIAL_TIMEOUT`` still bounds it."""
        left = PARTIAL_TIMEOUT
        if deadline is not None:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0:
                return None
        savepoint = db.session.begin_nested()
        try:
            connection = db.session.connection()
            connection.execute(_SETTINGS, {"timeout": str(left)})
            return work(connection)
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) == "57014":  # query_canceled
                return None
            raise
        finally:
            savepoint.rollback()

    def _partial(self, connection, query: Query, audience: Audience) -> Results:
        """The first page of matches, neither ranked nor counted: what a search out of
        time shows (``Results.partial``)."""
        notices: list[str] = []
        searched, reading = interpretation.read(tsq.query_text(query.text, notices))
        node = tsq.bound_prefixes(tsq.parse(searched), notices)
        params: dict = {"limit": query.per_page}
        condition = "TRUE"
        if node is not None:
            params["q"] = tsq.compile_all(connection, [node])[0]
            condition = "vector @@ CAST(:q AS tsquery)"
        keys = connection.scalars(
            text(
                f"SELECT key FROM search_documents WHERE {where(query, audience, params)}"
                f" AND {condition} LIMIT :limit"
            ),
            params,
        ).all()
        hits = _hits(connection, [(key, 0.0) for key in keys], None, False)
        empty = {name: {} for name in FACETS}
        return Results(
            len(hits), hits, empty, notices=notices, partial=True, interpretation=reading
        )

    def _search(self, connection, query: Query, audience: Audience) -> Results:
        notices: list[str] = []
        searched, reading = interpretation.read(tsq.query_text(query.text, notices))
        node = tsq.bound_prefixes(tsq.parse(searched), notices)
        params: dict = {}
        allowed = where(query, audience, params)
        strict_text = tsq.compile_all(connection, [node])[0] if node is not None else None
        if node is not None and not strict_text:
            empty = {name: {} for name in FACETS}  # only small words: nothing to look for
            return Results(0, [], empty, notices=notices, interpretation=reading)
        page, total, counted = _run(connection, query, allowed, params, strict_text)
        strict, headline_query = total, strict_text
        parts = tsq.any_words(node)
        wide = query.widen and (not strict or reading.question or widening.few(strict, reading))
        if wide and parts:
            texts = [t for t in tsq.compile_all(connection, parts) if t]
            if len(texts) > 1:
                run = _run(connection, query, allowed, params, strict_text, texts)
                if run[1] > strict:
                    page, total, counted = run
                    reading.fallback, reading.all_words = "any-words", strict
                    headline_query = " | ".join(f"({t})" for t in texts)
        hits = _hits(connection, page, headline_query, query.snippets)
        suggestion = None
        if node is not None and strict < 3:
            suggestion = suggestions.suggest(connection, query.text, allowed, params, strict)
        reading.suggested_filters = interpretation.suggested_filters(reading, query, counted)
        return Results(
            total=total,
            hits=hits,
            facets=counted,
            suggestion=suggestion,
            notices=notices,
            interpretation=reading,
        )

    def _related(self, connection, key: str, audience: Audience, limit: int) -> list[Hit]:
        params: dict = {"key": key}
        allowed = where(Query(), audience, params)
        visible = connection.execute(
            text(f"SELECT count(*) FROM search_documents WHERE {allowed}"), params
        ).scalar()
        rows = connection.execute(
            text(
                "WITH words AS ("
                " SELECT lexeme, coalesce(array_length(positions, 1), 1) AS frequency"
                " FROM search_documents d, unnest(d.vector)"
                " WHERE d.key = :key AND 'C' = ANY(weights)"
                f" ORDER BY frequency DESC, lexeme LIMIT {RELATED_CANDIDATES})"
                " SELECT lexeme, frequency, (SELECT count(*) FROM (SELECT 1 FROM search_documents"
                f"  WHERE {allowed} AND vector @@ CAST(quote_literal(lexeme) AS tsquery)"
                "  LIMIT 1000) shared) AS shared_by FROM words"
            ),
            params,
        ).all()
        weighted = sorted(
            (
                (frequency * (math.log(max(visible, 1) / (shared_by + 1)) + 1), lexeme)
                for lexeme, frequency, shared_by in rows
                if shared_by > 1
            ),
            reverse=True,
        )[:RELATED_TERMS]
        if not weighted:
            return []
        params["words"] = [lexeme for _weight, lexeme in weighted]
        found = connection.execute(
            text(
                "WITH q AS (SELECT string_agg(quote_literal(w), ' | ')::tsquery AS q"
                " FROM unnest(CAST(:words AS text[])) w)"
                f" SELECT key, ts_rank_cd('{WEIGHTS}', vector, q.q) AS score"
                f" FROM search_documents, q WHERE {allowed} AND vector @@ q.q AND key <> :key"
                " ORDER BY score DESC, published DESC, key LIMIT :limit"
            ),
            {**params, "limit": limit},
        ).all()
        return _hits(connection, [(k, s) for k, s in found], None, False)


def _matched(allowed: str, strict_text: str | None, parts: list[str] | None, params: dict):
    """The matching documents' ranking inputs and facet values, as SQL, and whether it
    has words to rank by. No vector is read here: every match is counted (total and
    facets) from the GIN index and the row alone."""
    columns = "key, facet_kind, facet_domains, facet_countries, published"
    # the titles holding the query are found from their own index
    titled = "key IN (SELECT key FROM search_texts WHERE head @@ CAST(:q AS tsquery)) AS titled"
    if parts:
        # how many of the parts each document holds, from one index scan per part
        params["q"] = " | ".join(f"({p})" for p in parts)
        branches = []
        for i, part in enumerate(parts):
            params[f"part{i}"] = part
            branches.append(
                f"SELECT {columns} FROM search_documents WHERE {allowed}"
                f" AND vector @@ CAST(:part{i} AS tsquery)"
            )
        found = " UNION ALL ".join(branches)
        return (
            f"SELECT {columns}, count(*) AS held, {titled} FROM ({found}) p GROUP BY {columns}",
            True,
        )
    if strict_text is None:
        return f"SELECT {columns}, 0 AS held FROM search_documents WHERE {allowed}", False
    params["q"] = strict_text
    return (
        f"SELECT {columns}, 0 AS held, {titled} FROM search_documents"
        f" WHERE {allowed} AND vector @@ CAST(:q AS tsquery)",
        True,
    )


#: The candidates' order (held parts, then in the title, then newest) as one timestamp: the
#: publication date moved ahead by a thousand years per part held and for the title (held
#: parts are at most ``MAX_TERMS``, so the year stays far below PostgreSQL's limit). The
#: server then chooses the candidates among a broad word's 40,000 matches comparing one
#: value, not three, in half the time (4 ms of ~50 at 100,000 items).
_CANDIDATE_ORDER = "published + (held * 2 + titled::int) * interval '8766000 hours'"


def _page(query: Query, ranked: bool, params: dict) -> tuple[str, str]:
    """The page of ``matched`` as SQL (key, score, published), and its order.

    ``ts_rank_cd`` reads a document's whole vector, so it scores only the page when sorted
    by date, and else the ``RANK_CANDIDATES`` matches holding most of the query's parts,
    then those holding them in their title and tags (``head``), then the newest."""
    page, per_page = max(query.page, 1), query.per_page
    params["limit"], params["offset"] = per_page, (page - 1) * per_page
    newest, window = "published DESC, key", "LIMIT :limit OFFSET :offset"
    if not ranked:
        return (
            f"SELECT key, 0.0 AS score, published FROM matched ORDER BY {newest} {window}",
            newest,
        )
    if query.sort == "newest":
        chosen, order, window = f"ORDER BY {newest} {window}", newest, ""
    else:
        params["candidates"] = max(RANK_CANDIDATES, page * per_page)
        chosen = f"ORDER BY {_CANDIDATE_ORDER} DESC, key LIMIT :candidates"
        order = f"score DESC, {newest}"
    score = f"held * {COORDINATION} + ts_rank_cd('{WEIGHTS}', d.vector, CAST(:q AS tsquery))"
    return (
        f"SELECT key, score, published FROM (SELECT key, {score} AS score, m.published"
        f" FROM (SELECT key, held, published FROM matched {chosen}) m"
        f" JOIN search_documents d USING (key)) r ORDER BY {order} {window}"
    ), order


def _run(connection, query: Query, allowed: str, params: dict, strict_text, parts=None):
    """One query's page (``(key, score)``), total and facet counts, in one statement: the
    matches are grouped by each facet column in turn (``store.FACET_GROUPS``), and the
    groups' counts summed per value.

    Matches of words are found once and kept for both readings (a prefix or a phrase
    costs most in finding them); the rows of a search without words are read twice, as
    its page is the newest rows, found from the date index in a fraction of a
    millisecond."""
    params = dict(params)
    matched, ranked = _matched(allowed, strict_text, parts, params)
    page, order = _page(query, ranked, params)
    kept = "MATERIALIZED"
    if not ranked:
        connection.execute(_SCANNING)
        kept = "NOT MATERIALIZED"
    rows = connection.execute(
        text(
            f"WITH matched AS {kept} ({matched}), page AS ({page})"
            f" SELECT key, row_number() OVER (ORDER BY {order}), score, NULL FROM page"
            f" UNION ALL SELECT value, matches, 0.0, grouped FROM ({store.FACET_GROUPS}) g"
        ),
        params,
    ).all()
    hits = sorted((n, key, score) for key, n, score, grouped in rows if grouped is None)
    total, counted = store.facet_counts(
        (value, matches, grouped) for value, matches, _, grouped in rows if grouped is not None
    )
    return [(key, score) for _n, key, score in hits], total, counted


def _hits(connection, page: list[tuple[str, float]], headline_query, snippets: bool) -> list[Hit]:
    """The page's documents, with ``ts_headline`` snippets for these rows only."""
    if not page:
        return []
    rows = connection.execute(
        text(
            "SELECT key, d.type, t.item_id, t.title, d.domains, d.countries, d.year, t.text"
            " FROM search_documents d JOIN search_texts t USING (key)"
            " WHERE key = ANY(CAST(:keys AS text[]))"
        ),
        {"keys": [key for key, _score in page]},
    ).all()
    if snippets and headline_query:
        reads = _headlines(connection, [row[7] for row in rows], headline_query)
    else:
        reads = [()] * len(rows)  # the start of the text
    found = {row[0]: (*row, *read) for row, read in zip(rows, reads, strict=True)}
    hits = []
    for key, score in page:
        row = found.get(key)
        if row is None:
            continue
        _key, kind, item_id, title, domains, countries, year, body, *read = row
        hits.append(
            Hit(
                type=kind,
                id=item_id,
                title=title,
                snippet=_snippet(body, *read) if snippets else "",
                score=round(float(score or 0.0), 4),
                domains=list(domains or []),
                countries=list(countries or []),
                year=year,
            )
        )
    return hits


#: Characters of a text that ``ts_headline`` reads, whose cost grows with what it reads:
#: ``WINDOW`` of them from ``BEFORE`` ahead of where the query's first word seems to be.
WINDOW, BEFORE = 600, 200
_LEXEME = re.compile(r"'((?:[^']|'')+)'")
_SPACE = re.compile(r"\s")
_LAST_SPACE = re.compile(r"\s\S*\Z")


def _headlines(connection, bodies: list[str], headline_query: str) -> list[tuple[str, int]]:
    """``ts_headline`` of each of ``bodies`` for ``headline_query`` (escaped text with
    ``_OPEN`` and ``_CLOSE`` around the matches), read from near its first match, and
    where in the body that reading started.

    A stem is mostly the start of the words it stands for (with "y" for its last "i":
    "polici" for "policy"), so a text is searched for words starting so; a text where none
    is found, or whose window then holds no match, is read whole."""
    stems = {m.replace("''", "'") for m in _LEXEME.findall(headline_query)}
    stems |= {stem[:-1] for stem in stems if stem.endswith("i") and len(stem) > 3}
    near = re.compile(r"\b(?:" + "|".join(map(re.escape, stems)) + ")", re.IGNORECASE)
    starts, texts = [], []
    for body in bodies:
        start, end = _window(body, near)
        starts.append(start)
        texts.append(body[start:end])
    headlines = _headline_texts(connection, texts, headline_query)
    again = [i for i, h in enumerate(headlines) if _OPEN not in h and texts[i] != bodies[i]]
    if again:
        whole = _headline_texts(connection, [bodies[i] for i in again], headline_query)
        for i, headline in zip(again, whole, strict=True):
            headlines[i], starts[i] = headline, 0
    return list(zip(headlines, starts, strict=True))


def _window(body: str, near: re.Pattern) -> tuple[int, int]:
    """Where the part of ``body`` that ``_headlines`` reads starts and ends, at spaces (all
    of it when the query's words seem absent)."""
    found = near.search(body)
    if found is None or len(body) <= WINDOW:
        return 0, len(body)
    start, end = found.start() - BEFORE, found.start() - BEFORE + WINDOW
    if start > 0:
        space = _SPACE.search(body, start, found.start())
        start = space.end() if space else found.start()
    if end < len(body):
        last = _LAST_SPACE.search(body, found.end(), end)
        end = last.start() if last else end
    return max(start, 0), end


def _headline_texts(connection, texts: list[str], headline_query: str) -> list[str]:
    """``ts_headline`` of each of ``texts``, in one statement. Its parser drops what looks
    like a tag, so it gets the text escaped (typed "<script>" shows as text), and adds
    nothing but the two marks."""
    rows = connection.execute(
        text(
            f"SELECT ts_headline('{tsq.CONFIG}', replace(replace(replace(translate(t,"
            " :open || :close, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),"
            f" CAST(:q AS tsquery), 'StartSel={_OPEN}, StopSel={_CLOSE}, {SNIPPET_WORDS}')"
            " FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS w(t, n) ORDER BY n"
        ),
        {"texts": texts, "q": headline_query, "open": _OPEN, "close": _CLOSE},
    ).scalars()
    return list(rows)


SNIPPET_CHARS = 240


def _snippet(body: str, headline: str | None = None, read_from: int = 0) -> str:
    """The hit's snippet as HTML: ``headline`` (escaped text, read from ``body`` at
    ``read_from``) with its marks as ``<mark>``, or the start of ``body``; "…" where the
    text goes on."""
    if headline is None:
        cut = body[:SNIPPET_CHARS]
        if len(body) > SNIPPET_CHARS and " " in cut:
            cut = cut[: cut.rfind(" ")]
        return html.escape(cut.strip(), quote=False) + (" …" if len(cut) < len(body) else "")
    # escaped already; any angle bracket left would be PostgreSQL's, never the text's
    headline = headline.strip().replace("<", "&lt;").replace(">", "&gt;")
    shown = html.unescape(headline.replace(_OPEN, "").replace(_CLOSE, ""))
    start = body.find(shown[:30], read_from)
    end = body.rfind(shown[-30:], max(start, 0), max(start, 0) + len(shown) + 30)
    before = "… " if start > 20 else ""
    after = " …" if end < 0 or end + min(len(shown), 30) < len(body) - 20 else ""
    return before + headline.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>") + after
