"""``WhooshBackend``: the search backend interface (``kx.search.backend``) on Whoosh, tying
the writer, query, scoring, facet, snippet and suggestion modules of this package together.

Readers keep one searcher per thread and reuse it while the index is unchanged, with what
is computed from it cached beside it. After a commit only the segments it wrote or whose
deletions it changed are read again (``generations``): a publish costs every other worker
a few milliseconds, not a reopening of the whole index.
"""

import itertools
import threading

import numpy as np
from whoosh import collectors
from whoosh.query import Term

from kx.search import interpretation, widening
from kx.search.backend import FACETS, Audience, Hit, Query, Results
from kx.search.whoosh import facets, ranking, scoring, suggestions
from kx.search.whoosh.generations import Generation, empty, open_generation
from kx.search.whoosh.query import (
    OutOfTime,
    SegmentOr,
    Top,
    any_words,
    matches,
    parse,
    past,
    read,
)
from kx.search.whoosh.schema import EMPTY
from kx.search.whoosh.snippets import SNIPPET_CHARS, Marks, excerpt
from kx.search.whoosh.writer import IndexBusy, IndexWriter


class WhooshBackend(IndexWriter):
    in_transaction = False  # fed from the outbox after each commit

    def __init__(self, path: str, lock_timeout: float = 2.0):
        super().__init__(path, lock_timeout)
        self._local = threading.local()

    def _generation(self) -> Generation:
        """This thread's view of the newest generation of the index."""
        target = self.path.resolve()
        current = getattr(self._local, "generation", None)
        if current is not None and current.target == target:
            try:
                if current.up_to_date():
                    return current
            except OSError:  # the directory went away under us (deleted by hand)
                pass
        if not self.path.exists():
            try:
                with self._locked(self.lock_timeout):
                    self._live_index()
            except IndexBusy:  # a first build holds the lock: answer from nothing yet
                self._local.generation = empty()
                return self._local.generation
            target = self.path.resolve()
        self._local.generation = open_generation(target, current)
        return self._local.generation

    def _searcher(self):
        return self._generation().searcher

    def _current(self) -> Generation:
        """The generation this thread's last ``_searcher()`` returned a searcher of (the
        helpers below must describe that searcher, even if a commit landed since)."""
        current = getattr(self._local, "generation", None)
        return current if current is not None else self._generation()

    def ping(self) -> None:
        """Raise when the index cannot be read (its searcher is opened, or reused)."""
        self._searcher().doc_count()

    def stamps(self) -> dict[str, str]:
        searcher = self._searcher()
        return {fields["key"]: fields.get("stamp", "") for fields in searcher.all_stored_fields()}

    def _cached(self, key, compute):
        """A value computed once per generation (the index is unchanged while it lives)."""
        cache = self._current().cache
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            cache[key] = compute()
        return cache[key]

    def _allowed(self, searcher, query: Query, audience: Audience) -> set | None:
        """The documents ``audience`` may see that pass ``query``'s filters (None: all)."""
        generation = self._current()
        return facets.allowed(query, audience, generation.postings(), generation.years)

    def _visible(self, query: Query, audience: Audience, allowed: set | None) -> np.ndarray:
        """``allowed`` (None: every live document) as a mask over document numbers; an
        audience's unfiltered view is made once per generation."""

        def mask():
            generation = self._current()
            docs = generation.live() if allowed is None else allowed
            visible = np.zeros(generation.offsets[-1], dtype=bool)
            visible[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
            return visible

        if facets.filtered(query):
            return mask()
        return self._cached(("visible", audience), mask)

    def _by_newest(self, searcher) -> list[int]:
        """Every live document number, newest first."""
        return self._current().by_newest()

    def _weighting(self, searcher, audience: Audience) -> scoring.AudienceBM25F:
        """The scoring model of ``audience``: statistics from what it may see, no more."""

        def compute():
            generation = self._current()
            base = self._allowed(searcher, Query(), audience)
            if base is None:
                base = generation.live()
            return scoring.AudienceBM25F(
                searcher.reader(),
                base,
                generation.lengths(),
                generation.totals(audience),
                generation.frequencies(audience),
            )

        return self._cached(("weighting", audience), compute)

    def _vocabulary(self) -> dict[tuple[str, int], list[str]]:
        """The word list's words by first letter and length, read again only when the
        list itself changed (most commits add no new word)."""
        target = self._current().target or self.path
        stamp = suggestions.stamp_of(target / suggestions.WORDS_FILE)
        held = getattr(self._local, "vocabulary", None)
        if stamp is None or held is None or held[0] != stamp:
            held = (stamp, suggestions.vocabulary(target))
            self._local.vocabulary = held
        return held[1]

    def search(self, query: Query, audience: Audience, deadline: float | None = None) -> Results:
        results = self._search(query, audience, deadline)
        return widening.respelled(query, results, lambda q: self._search(q, audience, deadline))

    def _search(self, query: Query, audience: Audience, deadline: float | None) -> Results:
        searcher = self._searcher()
        notices: list[str] = []
        parsed, reading = read(searcher, query.text, notices, deadline)
        allowed = self._allowed(searcher, query, audience)
        if allowed is not None and not allowed:
            empty = {name: {} for name in FACETS}
            return Results(0, [], empty, notices=notices, interpretation=reading)
        visible = self._visible(query, audience, allowed)
        page_docs, matched, partial = self._run(
            searcher, parsed, query, audience, visible, deadline
        )
        strict = total = int(np.count_nonzero(matched))
        wide = query.widen and (not strict or reading.question or widening.few(strict, reading))
        wide = wide and not partial
        wider = any_words(parsed) if wide else None
        if wider is not None:
            run = self._run(searcher, wider, query, audience, visible, deadline)
            widened = int(np.count_nonzero(run[1]))
            if widened > strict:
                page_docs, matched, partial = run
                total = widened
                parsed, reading.fallback, reading.all_words = wider, "any-words", strict
        marks = Marks(parsed) if parsed is not None else None
        hits = [
            _hit(searcher.stored_fields(d), score, marks, query.snippets) for d, score in page_docs
        ]
        suggestion = None
        if parsed is not None and strict < 3 and not partial:
            suggestion = suggestions.suggest(
                searcher,
                parse(searcher, query.text),
                query.text,
                allowed,
                strict,
                self._vocabulary(),
                deadline,
            )
        counted = self._current().counts(matched)
        reading.suggested_filters = interpretation.suggested_filters(reading, query, counted)
        return Results(
            total=total,
            hits=hits,
            facets=counted,
            suggestion=suggestion,
            notices=notices,
            partial=partial,
            interpretation=reading,
        )

    def _run(self, searcher, parsed, query: Query, audience: Audience, visible, deadline):
        """``parsed`` (None: everything) among ``visible`` (a mask): the page's
        ``(docnum, score)``, every match (a mask), and whether the time budget ran out
        first."""
        page, per_page = max(query.page, 1), query.per_page
        start = (page - 1) * per_page
        partial, read = False, self._current().word
        if parsed is None:
            matched = visible
        else:
            found, partial = matches(searcher, parsed, deadline, read)
            matched = found & visible
            partial = partial or past(deadline)
        if parsed is None or query.sort == "newest" or partial or not matched.any():
            # Newest first needs no scores: walk a per-searcher list sorted by date (Whoosh
            # would compute and sort a key for every match on every query). Out of time,
            # the matches found are shown unranked.
            newest = (d for d in self._by_newest(searcher) if matched[d])
            page_docs = [(d, 0.0) for d in itertools.islice(newest, start, start + per_page)]
            return page_docs, matched, partial
        weighting = self._weighting(searcher, audience)
        published = self._current().published_at
        scored = ranking.words(parsed)
        if scored is not None:
            limit = page * per_page
            ranked = ranking.best(searcher, scored, matched, limit, weighting, published, read)
            return ranked[start : start + per_page], matched, partial
        # Whoosh scores the rest, every match: its block skipping takes the best score of
        # an OR it reads into an array for that of its best part. Never with an empty
        # filter, which Whoosh would read as none (``matched`` is not empty here).
        top = Top(page * per_page, published, deadline=deadline, usequality=False, replace=0)
        allow = set(np.flatnonzero(matched).tolist())
        wrapped = collectors.FilterCollector(top, allow=allow)
        try:
            searcher.search_with_collector(
                parsed, wrapped, context=searcher.context(weighting=weighting)
            )
        except OutOfTime:
            partial = True
        results = wrapped.results()
        page_docs = [(hit.docnum, hit.score) for hit in results[start : start + per_page]]
        return page_docs, matched, partial

    def related(self, key: str, audience: Audience, limit: int = 5) -> list[Hit]:
        searcher = self._searcher()
        docnum = searcher.document_number(key=key)
        if docnum is None:
            return []
        allowed = self._allowed(searcher, Query(), audience)
        if allowed is not None and not allowed:
            return []
        weighting = self._weighting(searcher, audience)
        shared = scoring.characteristic_terms(searcher, docnum, weighting)
        if not shared:
            return []
        query = SegmentOr([Term("text", term) for term in shared])
        # every match seen (no skipping by block quality), so that ties rank as in search
        top = Top(limit + 1, self._current().published_at, usequality=False)
        wrapped = top if allowed is None else collectors.FilterCollector(top, allow=allowed)
        context = searcher.context(weighting=weighting)
        searcher.search_with_collector(query, wrapped, context=context)
        similar = wrapped.results()
        hits = [_hit(hit.fields(), hit.score) for hit in similar if hit["key"] != key]
        return hits[:limit]


def _list(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v and v != EMPTY]


def _hit(
    fields: dict, score: float | None, marks: Marks | None = None, snippet: bool = True
) -> Hit:
    text = fields.get("text", "") if snippet else ""
    return Hit(
        type=fields["type"],
        id=fields["id"],
        title=fields["title"],
        snippet=marks.snippet(text) if marks and text else excerpt(text, 0, SNIPPET_CHARS, []),
        score=round(float(score or 0.0), 4),
        domains=_list(fields.get("domains")),
        countries=_list(fields.get("countries")),
        year=fields.get("year"),
    )
