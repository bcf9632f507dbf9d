"""The embedded search backend on Whoosh (the whoosh-reloaded distribution).

Whoosh is frozen software and its multi-file index is not crash-safe, so the database stays
the truth (``flask search reindex`` rebuilds from it) and everything Whoosh-specific stays
in this module. One writer at a time, across processes: every write takes an exclusive
``flock`` beside the index, resolves the live index directory *after* taking it, writes,
commits and lets go. The configured path is a symlink to the live directory, so a rebuild
writes a fresh directory and swaps the link atomically. Readers keep one searcher per
thread and reuse it while the index is unchanged (opening one costs ~40 ms at 20,000
docs). They never ``refresh()`` it: whoosh-reloaded 2.7.5's refresh reuses the reader of a
segment whose deletions have changed since, so a replaced document came back beside its
new version (an item downgraded to members-only stayed findable by the public).
"""

import fcntl
import functools
import html
import itertools
import logging
import math
import os
import pickle
import re
import shutil
import threading
import time
import unicodedata
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path

from whoosh import collectors, index, matching, qparser, scoring, sorting
from whoosh.analysis import Filter, Token, Tokenizer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.lang import stemmer_for_language
from whoosh.query import And, AndNot, Not, NullQuery, NumericRange, Or, Phrase, Prefix, Term
from whoosh.reading import SegmentReader
from whoosh.support.charset import accent_map
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool

from kx.search.backend import Audience, Hit, Query, Results


def _remember_missing_length_columns() -> None:
    """whoosh-reloaded 2.7.5 asks the file system whether a segment has a length column
    each time it reads a length of a field that has none (keyword and id fields, and
    spelling fields), and a commit reads one per posting: millions of ``stat()`` calls in
    a 20,000-document rebuild (with spelling fields, half its time) and many in each
    merge. A segment's files never change once written, so the answer is remembered per
    reader (the library is frozen: this and ``_pickle_runs_in_chunks`` are the only places
    kx changes its behaviour)."""
    original = W3PerDocReader._cached_reader
    if getattr(original, "remembers_missing", False):
        return

    def _cached_reader(self, fieldname, column):
        if fieldname in self._readers:
            return self._readers[fieldname]
        reader = original(self, fieldname, column)
        if reader is None:
            self._readers[fieldname] = None
        return reader

    _cached_reader.remembers_missing = True
    W3PerDocReader._cached_reader = _cached_reader


_remember_missing_length_columns()

#: Postings per pickle in the external sort's run files.
_RUN_CHUNK = 10_000


def _pickle_runs_in_chunks() -> None:
    """A rebuild sorts its postings externally (runs spilled to temporary files, then
    merged), and Whoosh pickles and unpickles every posting with a call of its own: a third
    of a 20,000-document rebuild's CPU. Runs are written and read in chunks instead; the
    items and their order are the same, and memory grows by one chunk per run."""
    if getattr(PostingPool._write_run, "chunked", False):
        return

    def _write_run(self, f, items):
        items = iter(items)
        while chunk := list(itertools.islice(items, _RUN_CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)  # noqa: S301 (a run file this process wrote)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)

    _write_run.chunked = True
    PostingPool._write_run = _write_run
    PostingPool._read_run = _read_run


_pickle_runs_in_chunks()


class _CaseFold(Filter):
    """Lower case by Unicode case folding ("Straße" -> "strasse"); the analyzer before
    ``_Words``, kept so that indexes whose schema names it still open."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = token.text.casefold()
            yield token


_english = stemmer_for_language("en")


@functools.lru_cache(maxsize=200_000)
def _english_stem(word: str) -> str:
    """Snowball's English stemmer, cached (Whoosh's own cache costs ~12 µs a lookup)."""
    return _english(word)


def _normal(text: str) -> str:
    """Composed Unicode (NFKC), so "e" + combining acute is one letter the tokenizer keeps
    (it would split the word there) and the accent filter folds; applied to documents and
    queries alike."""
    return unicodedata.normalize("NFKC", text)


# Accents are folded *before* stemming, so "évaluation" and "evaluation" share a stem (the
# stemmer treats "é" as a foreign letter and would otherwise stem the two differently).
# Snowball's English stemmer (Porter2) also gives "evaluated" and "evaluation" one stem,
# which the original Porter stemmer (Whoosh's default) does not.
_WORD_PATTERN = re.compile(r"\w+(\.?\w+)*", re.UNICODE)  # RegexTokenizer's default


class _Words(Tokenizer):
    """The analyzer in one pass: words as ``RegexTokenizer`` finds them, case-folded and
    accents folded away ("é" -> "e"), stop words dropped or marked and positions renumbered
    as ``StopFilter`` does, stems from ``_english_stem``. The same tokens as the five-stage
    chain it replaced (the tests hold them equal in every mode) in about a fifth less time;
    analysis is a third of indexing."""

    is_morph = True

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize:
            matches = ((m.group(0), m.start(), m.end()) for m in _WORD_PATTERN.finditer(value))
        else:
            matches = iter([(value, 0, len(value))])
        pos = None
        for number, (word, start, end) in enumerate(matches):
            text = word.casefold().translate(accent_map)
            stopped = len(text) < 2 or text in STOP_WORDS
            if stopped and removestops:
                continue
            token.boost = 1.0
            token.stopped = stopped
            if keeporiginal:
                token.original = word
            if stopped:
                token.text = text
                if positions:
                    token.pos = start_pos + number
            else:
                token.text = _english_stem(text)
                if positions:
                    pos = start_pos + number if pos is None else pos + 1
                    token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


_ANALYZER = _Words()
_TEXT_FIELDS = ("title", "text")
#: Rebuilds of at least this many documents index in parallel processes.
PARALLEL_REBUILD_FROM = 5_000
#: Longer queries are cut here: parsing costs grow with the words (5,000 took 2 s).
MAX_QUERY_CHARS = 400
#: Words (terms, phrase words, prefix*) a query may hold; later ones are left out.
MAX_TERMS = 20
#: Letters a prefix* needs; a shorter one is searched as the plain word (``a*`` read every
#: word of the index: 26 one-letter prefixes took 4 s at 20,000 items).
MIN_PREFIX = 3
#: Words one prefix* may stand for (in one field), and all of a query's prefixes together;
#: the first ones in alphabetical order are searched and the viewer is told.
MAX_PREFIX_WORDS = 64
MAX_EXPANDED_WORDS = 256
#: Documents a candidate spelling is looked for in (its stem's visible documents).
MAX_SPELLING_CHECKS = 50
_LIST_FIELDS = ("domains", "countries", "sectors", "stages")
FACETS = {
    "type": "type",
    "domain": "domains",
    "country": "countries",
    "prevention_level": "prevention_level",
    "study_design": "study_design",
}
FILTERS = {
    "types": "type",
    "domains": "domains",
    "countries": "countries",
    "prevention_levels": "prevention_level",
    "study_designs": "study_design",
}


def schema() -> Schema:
    # No term vectors: facets are counted from postings (see ``search``), which is far
    # faster than Whoosh's grouping even with vectors, and vectors cost indexing time.
    keyword = {"commas": True, "scorable": False, "stored": True}
    return Schema(
        key=ID(unique=True, stored=True),
        type=ID(stored=True, sortable=True),
        id=NUMERIC(stored=True),
        # No ``spelling=True``: Whoosh would index every word a second time, unstemmed, as
        # postings (half of all postings, ~40% of indexing time); "did you mean" reads its
        # candidates from a word list beside the index instead (``_words_of``).
        title=TEXT(analyzer=_ANALYZER, stored=True, field_boost=3.0),
        text=TEXT(analyzer=_ANALYZER, stored=True),
        domains=KEYWORD(**keyword),
        countries=KEYWORD(**keyword),
        stages=KEYWORD(**keyword),
        sectors=KEYWORD(**keyword),
        prevention_level=ID(stored=True, sortable=True),
        study_design=ID(stored=True, sortable=True),
        visibility=ID(stored=True),
        year=NUMERIC(stored=True, sortable=True),
        published=DATETIME(stored=True, sortable=True),
        stamp=ID(stored=True),
    )


class _TopAndAll(collectors.TopCollector):
    """The best ``limit`` matches by score, remembering every match on the way: totals and
    facets need them all, and ``Results.docs()`` would run the query a second time."""

    def __init__(self, limit: int, deadline: float | None = None):
        # No block skipping and no replacing the matcher by one that drops low scores:
        # every match must be seen.
        super().__init__(limit=limit, usequality=False, replace=0)
        self.deadline = deadline

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.matched: set[int] = set()

    def _collect(self, global_docnum, score):
        self.matched.add(global_docnum)
        result = super()._collect(global_docnum, score)
        if len(self.matched) % 64 == 1 and _past(self.deadline):
            raise _OutOfTime
        return result


class _OutOfTime(Exception):
    """The search's time budget ran out; what was collected so far is the answer."""


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


class _Prefix(Prefix):
    """``prefix*`` as one list of documents with a constant score. Whoosh ORs a matcher per
    word the prefix expands to and steps through them together (``comp*``: 40 words,
    ~480 ms here); reading their postings into one sorted list takes a few ms.

    ``words`` holds the expansion that ``_bound`` chose for the whole index (a matcher
    runs once per segment); unplanned, a prefix stands for at most ``MAX_PREFIX_WORDS``."""

    words: list[bytes] | None = None
    deadline: float | None = None

    def _btexts(self, ixreader):
        # Whoosh expands a prefix here for estimates and term lists too, not only to match.
        if self.words is None:
            return itertools.islice(super()._btexts(ixreader), MAX_PREFIX_WORDS)
        return (word for word in self.words if (self.fieldname, word) in ixreader)

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        docs: set[int] = set()
        for number, word in enumerate(self._btexts(reader)):
            if not number % 8 and _past(self.deadline):
                raise _OutOfTime
            docs.update(reader.postings(self.fieldname, word).all_ids())
        if not docs:
            return matching.NullMatcher()
        return matching.ListMatcher(sorted(docs), all_weights=self.boost)


class _PrefixPlugin(qparser.PrefixPlugin):
    class PrefixNode(qparser.PrefixPlugin.PrefixNode):
        qclass = _Prefix

    nodetype = PrefixNode


def _bound(reader, parsed, notices: list[str], deadline: float | None = None):
    """``parsed`` with every prefix* expanded once, within ``MIN_PREFIX``,
    ``MAX_PREFIX_WORDS`` and ``MAX_EXPANDED_WORDS``, reading their documents only until
    ``deadline``; what was cut is told in ``notices``."""
    left = [MAX_EXPANDED_WORDS]
    short: list[str] = []
    capped: list[str] = []

    def bounded(query):
        if not isinstance(query, _Prefix):
            return query
        if len(query.text) < MIN_PREFIX:
            if query.text not in short:
                short.append(query.text)
            stem = _stem(query.text)
            return Term(query.fieldname, stem, boost=query.boost) if stem else NullQuery
        limit = min(MAX_PREFIX_WORDS, left[0])
        words = list(itertools.islice(reader.expand_prefix(query.fieldname, query.text), limit + 1))
        if len(words) > limit and query.text not in capped:
            capped.append(query.text)
        planned = _Prefix(query.fieldname, query.text, boost=query.boost)
        planned.words = words[:limit]
        planned.deadline = deadline
        left[0] -= len(planned.words)
        return planned

    parsed = parsed.accept(bounded).normalize()
    if short:
        listed = ", ".join(f"“{text}*”" for text in short)
        notices.append(
            f"A word ending in * needs at least {MIN_PREFIX} letters before the *: "
            f"{listed} was searched as a whole word."
        )
    if capped:
        listed = ", ".join(f"“{text}*”" for text in capped)
        notices.append(
            f"{listed} stands for too many words: only the first of them were searched. "
            "Type more letters before the * to find the others."
        )
    return parsed


#: Field lengths are stored as one byte each; the length each byte stands for.
_LENGTHS = [byte_to_length(byte) for byte in range(256)]


class _AudienceBM25F(scoring.BM25F):
    """BM25F with its collection statistics (document count, document frequencies,
    average field lengths) taken from the documents one audience may see: Whoosh's own
    come from the whole index, so a visible hit's score, and the order of hits, would
    change with the words of documents the viewer may not read."""

    def __init__(self, reader, base: set[int], lengths: dict[str, list[int]]):
        super().__init__()
        self.reader = reader
        self.base = base
        self.count = max(len(base), 1)
        self.avgfl = {
            field: (sum(values[d] for d in base) / self.count) or 1.0
            for field, values in lengths.items()
        }
        self._df: dict[tuple[str, bytes | str], int] = {}

    def doc_frequency(self, fieldname: str, text) -> int:
        """How many of the audience's documents hold ``text``."""
        key = (fieldname, text)
        if key not in self._df:
            if len(self._df) > 4096:
                self._df.clear()
            found = 0
            if (fieldname, text) in self.reader:
                ids = self.reader.postings(fieldname, text).all_ids()
                found = sum(1 for docnum in ids if docnum in self.base)
            self._df[key] = found
        return self._df[key]

    def idf(self, searcher, fieldname, text):
        return math.log(self.count / (self.doc_frequency(fieldname, text) + 1)) + 1

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        idf = self.idf(searcher, fieldname, text)
        avgfl = self.avgfl.get(fieldname, 1.0)
        return _AudienceScorer(searcher, fieldname, text, idf, avgfl, self.B, self.K1)


def _characteristic_terms(
    searcher, docnum: int, weighting: _AudienceBM25F, candidates: int = 40, keep: int = 15
) -> list[str]:
    """The words that characterise a document among what ``weighting``'s audience may see:
    its most frequent words (read from the document alone), weighed by their rarity in that
    audience and kept only when another document of the audience shares them.

    Whoosh's ``key_terms`` weighs by the whole index, so hidden documents would steer which
    items a reader is shown as related; its ``more_like`` prefers words nobody else has.
    """
    text = searcher.stored_fields(docnum).get("text", "")
    counts = Counter(searcher.schema["text"].process_text(text, mode="index"))
    weighted = []
    for term, frequency in counts.most_common(candidates):
        shared_by = weighting.doc_frequency("text", term)
        if shared_by > 1:
            weighted.append((frequency * weighting.idf(searcher, "text", term), term))
    weighted.sort(reverse=True)
    return [term for _weight, term in weighted[:keep]]


class _AudienceScorer(scoring.WeightLengthScorer):
    def __init__(self, searcher, fieldname, text, idf, avgfl, B, K1):
        self.idf, self.avgfl, self.B, self.K1 = idf, avgfl, B, K1
        self.setup(searcher, fieldname, text)

    def _score(self, weight, length):
        return scoring.bm25(self.idf, weight, length, self.avgfl, self.B, self.K1)


#: Segments merge in tiers of similar size, this many to a tier (log-structured, as in
#: Lucene), in a background thread: a user's write never waits for a merge (see
#: ``WhooshBackend.index``). Merging holds the index lock and costs ~20 ms a document, so
#: only tiers up to ``MAX_MERGE_TIER`` (segments under 8**2 = 64 documents) merge on their
#: own, at most ~500 documents (a few seconds) at a time; larger segments accumulate slowly
#: (one per ~500 writes) until ``flask --app kx search reindex`` rebuilds the index whole.
MERGE_FACTOR = 8
MAX_MERGE_TIER = 1


def _tier(segment) -> int:
    return int(math.log(max(segment.doc_count_all(), 1), MERGE_FACTOR))


def _crowded_tier(segments) -> int | None:
    """The smallest tier holding ``MERGE_FACTOR`` segments, or None."""
    tiers = Counter(_tier(segment) for segment in segments if segment.doc_count())
    crowded = [
        tier for tier, count in tiers.items() if count >= MERGE_FACTOR and tier <= MAX_MERGE_TIER
    ]
    empty = any(not segment.doc_count() for segment in segments)
    return min(crowded) if crowded else (0 if empty else None)


def _merge_crowded_tier(writer, segments):
    """A Whoosh merge policy: merge the crowded tier into one segment, drop emptied ones."""
    tier = _crowded_tier(segments)
    kept = []
    for segment in segments:
        if not segment.doc_count():
            continue  # every document deleted: drop it
        if _tier(segment) == tier and tier is not None:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return kept


class IndexBusy(Exception):
    """Another process holds the index lock longer than we were willing to wait."""


class WhooshBackend:
    def __init__(self, path: str, lock_timeout: float = 2.0):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._local = threading.local()
        self._holding = threading.local()
        self._merge_guard = threading.Lock()
        self._merging: threading.Thread | None = None

    # Writing

    @contextmanager
    def exclusive(self, timeout: float | None = None):
        """Hold the writer lock across several steps (read the outbox, write, delete rows),
        so index writes happen in the order their database reads did. ``index`` called
        inside, on the same thread, uses the lock already held."""
        with self._locked(self.lock_timeout if timeout is None else timeout):
            yield

    @contextmanager
    def _locked(self, timeout: float):
        if getattr(self._holding, "depth", 0):  # this thread holds it already
            self._holding.depth += 1
            try:
                yield
            finally:
                self._holding.depth -= 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.parent / f".{self.path.name}.lock", "w") as lock:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(str(self.path)) from None
                    time.sleep(0.02)
            self._holding.depth = 1
            try:
                yield
            finally:
                self._holding.depth = 0
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _live_index(self):
        """The live index, created (behind its symlink) when missing; call under the lock."""
        if not (self.path.exists() and index.exists_in(str(self.path))):
            # missing, or a directory an operator created empty beforehand
            self._publish(self._fresh_directory())
        return index.open_dir(str(self.path))

    def _fresh_directory(self) -> Path:
        directory = self.path.parent / f"{self.path.name}.{time.time_ns()}"
        directory.mkdir()
        index.create_in(str(directory), schema())
        (directory / _WORDS_FILE).touch()
        return directory

    def _publish(self, directory: Path) -> None:
        """Point the configured path at ``directory`` atomically; drop the old directory."""
        old = self.path.resolve() if self.path.is_symlink() else None
        link = self.path.parent / f".{self.path.name}.link-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(directory.name)
        if self.path.exists() and not self.path.is_symlink():
            # an empty directory made beforehand, or an index from before symlinks were used;
            # never anything else an operator may keep there
            if any(self.path.iterdir()) and not index.exists_in(str(self.path)):
                raise RuntimeError(f"{self.path} holds files that are not a search index")
            shutil.rmtree(self.path)
        os.replace(link, self.path)
        if old is not None and old != directory.resolve():
            shutil.rmtree(old, ignore_errors=True)

    def index(
        self, documents: list[dict], deleted_keys: list[str], timeout: float | None = None
    ) -> None:
        with self._locked(self.lock_timeout if timeout is None else timeout):
            ix = self._live_index()
            writer = ix.writer()
            try:
                for key in deleted_keys:
                    writer.delete_by_term("key", key)
                for document in documents:
                    writer.update_document(**_fields(document))
            except BaseException:
                writer.cancel()
                raise
            words = _words_of(documents)
            if not (self.path.resolve() / _WORDS_FILE).exists():  # built before word lists
                with ix.searcher() as searcher:
                    words |= _words_of(searcher.all_stored_fields())
            # Words first: a searcher opened right after the commit must find them.
            _add_words(self.path.resolve(), words)
            # Never merge here: Whoosh's default policy merges small segments during the
            # commit, 0.3-1 s every few commits and growing, and a user waits for this one.
            writer.commit(merge=False)
            crowded = _crowded_tier(ix._segments())
        if crowded is not None:
            self._merge_soon()

    def _merge_soon(self) -> None:
        """Merge a crowded tier of segments in a background thread (one per backend)."""
        with self._merge_guard:
            if self._merging is not None and self._merging.is_alive():
                return
            self._merging = threading.Thread(target=self._merge, name="kx-search-merge")
            self._merging.daemon = True
            self._merging.start()

    def _merge(self) -> None:
        try:
            with self._locked(timeout=60):
                ix = self._live_index()
                if _crowded_tier(ix._segments()) is not None:  # another worker may have
                    ix.writer().commit(mergetype=_merge_crowded_tier)
        except Exception:
            logging.getLogger(__name__).exception("merging search index segments failed")

    def rebuild(self, documents, total: int = 0, progress=None) -> int:
        """Index ``documents`` into a fresh directory and swap it in (the old index keeps
        serving until then; a failed rebuild leaves it in place). Large rebuilds index in
        two processes (Whoosh's MpWriter, one segment each), about halving the time on
        two cores."""
        with self._locked(timeout=600):
            directory = self._fresh_directory()
            procs = min(2, os.cpu_count() or 1) if total >= PARALLEL_REBUILD_FROM else 1
            ix = index.open_dir(str(directory))
            if procs > 1:
                writer = ix.writer(procs=procs, multisegment=True, limitmb=64)
            else:
                writer = ix.writer(limitmb=128)
            count, words = 0, set()
            try:
                for document in documents:
                    writer.add_document(**_fields(document))
                    words |= _words_of([document])
                    count += 1
                    if progress:
                        progress(1)
                _add_words(directory, words)
                writer.commit()
            except BaseException:
                with suppress(Exception):  # keep the original error
                    writer.cancel()
                shutil.rmtree(directory, ignore_errors=True)
                raise
            self._publish(directory)
        return count

    # Reading

    def _searcher(self):
        target = self.path.resolve()
        cached = getattr(self._local, "searcher", None)
        if cached is not None and getattr(self._local, "target", None) == target:
            try:
                if cached.up_to_date():
                    return cached
            except OSError:  # the directory went away under us (deleted by hand)
                pass
        if cached is not None:
            cached.close()
            self._local.searcher = None
        self._local.cache = {}
        if not self.path.exists():
            try:
                with self._locked(self.lock_timeout):
                    self._live_index()
            except IndexBusy:  # a first build holds the lock: answer from nothing yet
                return RamStorage().create_index(schema()).searcher()
            target = self.path.resolve()
        self._local.searcher = index.open_dir(str(target)).searcher()
        self._local.target = target
        return self._local.searcher

    def stamps(self) -> dict[str, str]:
        searcher = self._searcher()
        return {fields["key"]: fields.get("stamp", "") for fields in searcher.all_stored_fields()}

    def _cached(self, key, compute):
        """A value computed once per searcher (the index is unchanged while it lives)."""
        cache = self._local.__dict__.setdefault("cache", {})
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            cache[key] = compute()
        return cache[key]

    def _postings(self, searcher) -> dict[str, dict[str, frozenset]]:
        """``field -> value -> documents`` for the facet and visibility fields, once per
        searcher: filters and facet counts become set operations."""

        def compute():
            reader = searcher.reader()
            return {
                field: {
                    value: frozenset(reader.postings(field, value).all_ids())
                    for value in reader.field_terms(field)
                    if value not in ("", _EMPTY)
                }
                for field in {*FACETS.values(), "visibility", "sectors"}
            }

        return self._cached(("postings",), compute)

    def _allowed(self, searcher, query: Query, audience: Audience) -> set | None:
        """The documents ``audience`` may see that pass ``query``'s filters (None: all).

        The same rule as ``_restriction``, computed from cached postings (a query filter
        cost 10-60 ms a search, and nearly every combination of filters is new). Always
        handed to Whoosh as a set and never when empty: Whoosh takes an empty (falsy)
        filter for no filter at all, which would show everything to a viewer with nothing
        to see."""
        postings = self._postings(searcher)
        nothing: frozenset = frozenset()

        def having(field: str, values) -> set:
            docs: set[int] = set()
            for value in values:
                docs |= postings[field].get(value, nothing)
            return docs

        allowed = None
        if not audience.everything:
            visibility = postings["visibility"]
            allowed = set(visibility.get("public", nothing))
            if audience.members:
                allowed |= visibility.get("members", nothing)
                if audience.sector:
                    restricted = visibility.get("restricted", nothing)
                    allowed |= restricted & postings["sectors"].get(audience.sector, nothing)
        for attribute, field in FILTERS.items():
            values = getattr(query, attribute)
            if values:
                docs = having(field, values)
                allowed = docs if allowed is None else allowed & docs
        if query.year_from is not None or query.year_to is not None:
            years = NumericRange("year", query.year_from, query.year_to)
            docs = self._cached(("years", repr(years)), lambda: set(years.docs(searcher)))
            allowed = set(docs) if allowed is None else allowed & docs
        return allowed

    def _by_newest(self, searcher) -> list[int]:
        """Every live document number, newest first, once per searcher."""

        def compute():
            reader = searcher.reader()
            published = list(reader.column_reader("published"))  # reading it whole is faster
            live = range(len(published))
            if reader.has_deletions():
                live = [d for d in live if not reader.is_deleted(d)]
            return sorted(live, key=published.__getitem__, reverse=True)

        return self._cached(("newest",), compute)

    def _live(self, searcher) -> set[int]:
        return self._cached(("live",), lambda: set(self._by_newest(searcher)))

    def _lengths(self, searcher) -> dict[str, list[int]]:
        """Every document's length in each text field, once per searcher."""

        def compute():
            # Each segment's length column read whole: a call per document costs ~15 µs.
            lengths: dict[str, list[int]] = {field: [] for field in _TEXT_FIELDS}
            for leaf, _offset in searcher.reader().leaf_readers():
                perdoc = getattr(leaf, "_perdoc", None)
                count = leaf.doc_count_all()
                for field in _TEXT_FIELDS:
                    column = _lenfield(field)
                    if perdoc is None or not perdoc.has_column(column):
                        lengths[field] += [0] * count
                        continue
                    values = perdoc.column_reader(column, LENGTHS_COLUMN)
                    # one byte per document, read at once; missing trailing ones are 0
                    raw = values._dbfile.get(values._basepos, values._count)
                    lengths[field] += [_LENGTHS[byte] for byte in raw]
                    lengths[field] += [0] * (count - len(raw))
            return lengths

        return self._cached(("lengths",), compute)

    def _weighting(self, searcher, audience: Audience) -> _AudienceBM25F:
        """The scoring model of ``audience``: statistics from what it may see, no more."""

        def compute():
            base = self._allowed(searcher, Query(), audience)
            if base is None:
                base = set(searcher.reader().all_doc_ids())
            return _AudienceBM25F(searcher.reader(), base, self._lengths(searcher))

        return self._cached(("weighting", audience), compute)

    def search(self, query: Query, audience: Audience, deadline: float | None = None) -> Results:
        searcher = self._searcher()
        notices: list[str] = []
        parsed = self._parse(searcher, query.text, notices, deadline)
        allowed = self._allowed(searcher, query, audience)
        if allowed is not None and not allowed:
            facets = {name: {} for name in FACETS}
            return Results(total=0, hits=[], facets=facets, notices=notices)
        page, per_page = max(query.page, 1), query.per_page
        start = (page - 1) * per_page
        partial = False
        if parsed is None or query.sort == "newest":
            # Newest first needs no scores: walk a per-searcher list sorted by date (Whoosh
            # would compute and sort a key for every match on every query).
            if parsed is None:
                matched = allowed if allowed is not None else self._live(searcher)
            else:
                matched = set()
                try:
                    for docnum in searcher.docs_for_query(parsed):
                        if not len(matched) % 1024 and _past(deadline):
                            raise _OutOfTime
                        matched.add(docnum)
                except _OutOfTime:
                    partial = True
                if allowed is not None:
                    matched &= allowed
            newest = (d for d in self._by_newest(searcher) if d in matched)
            page_docs = [(d, 0.0) for d in itertools.islice(newest, start, start + per_page)]
        else:
            top = _TopAndAll(limit=page * per_page, deadline=deadline)
            wrapped = top if allowed is None else collectors.FilterCollector(top, allow=allowed)
            context = searcher.context(weighting=self._weighting(searcher, audience))
            try:
                searcher.search_with_collector(parsed, wrapped, context=context)
            except _OutOfTime:
                partial = True
            results = wrapped.results()
            page_docs = [(hit.docnum, hit.score) for hit in results[start : start + per_page]]
            matched = top.matched
        marks = _Marks(parsed) if parsed is not None else None
        hits = [_hit(searcher.stored_fields(d), score, marks) for d, score in page_docs]
        # Facet counts by intersecting the matches with each value's postings: Whoosh's own
        # grouping reads every matching document's stored vector (0.7 s for 11,000 matches).
        postings = self._postings(searcher)
        facets = {}
        for name, field in FACETS.items():
            counts = {value: len(matched & docs) for value, docs in postings[field].items()}
            facets[name] = {value: n for value, n in counts.items() if n}
        total = len(matched)
        suggestion = None
        if parsed is not None and total < 3 and not partial:
            suggestion = self._suggest(searcher, parsed, query.text, allowed, total, deadline)
        return Results(
            total=total,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            notices=notices,
            partial=partial,
        )

    def related(self, key: str, audience: Audience, limit: int = 5) -> list[Hit]:
        searcher = self._searcher()
        docnum = searcher.document_number(key=key)
        if docnum is None:
            return []
        allowed = self._allowed(searcher, Query(), audience)
        if allowed is not None and not allowed:
            return []
        weighting = self._weighting(searcher, audience)
        shared = _characteristic_terms(searcher, docnum, weighting)
        if not shared:
            return []
        query = Or([Term("text", term) for term in shared])
        top = collectors.TopCollector(limit=limit + 1)
        wrapped = top if allowed is None else collectors.FilterCollector(top, allow=allowed)
        context = searcher.context(weighting=weighting)
        searcher.search_with_collector(query, wrapped, context=context)
        similar = wrapped.results()
        hits = [_hit(hit.fields(), hit.score) for hit in similar if hit["key"] != key]
        return hits[:limit]

    @staticmethod
    def _parser(searcher):
        parser = qparser.MultifieldParser(["title", "text"], searcher.schema)
        # Users may write phrases, AND/OR/NOT, groups and prefix* but never address a field:
        # status, visibility, sectors and ids stay out of reach of query syntax.
        parser.remove_plugin_class(qparser.FieldsPlugin)
        parser.remove_plugin_class(qparser.WildcardPlugin)
        parser.remove_plugin_class(qparser.RangePlugin)
        parser.remove_plugin_class(qparser.BoostPlugin)
        parser.add_plugin(_PrefixPlugin())
        return parser

    def _parse(
        self, searcher, text: str, notices: list[str] | None = None, deadline: float | None = None
    ):
        """``text`` as a bounded query (see ``_bound``); what was cut goes to ``notices``."""
        notices = [] if notices is None else notices
        text = _query_text(text, notices)
        if not text:
            return None
        try:
            parsed = self._parser(searcher).parse(text)
        except Exception:  # malformed syntax: fall back to the plain words
            words = "".join(c if c.isalnum() else " " for c in text)
            parsed = self._parser(searcher).parse(words) if words.strip() else None
        if parsed is None:
            return None
        return _bound(searcher.reader(), parsed, notices, deadline)

    def _suggest(
        self, searcher, parsed, text: str, allowed, found: int, deadline: float | None = None
    ) -> str | None:
        """A respelling of ``text`` that finds more of what *this* viewer may see, or None.

        Whoosh's own ``correct_query`` draws on every document and only respells words
        that occur nowhere in the index, so both its suggestions and its silences would
        reveal words of documents the viewer may not read ("helpilne OR secrte" would
        become "helpline OR secret"). Here a word counts as known, and a spelling as a
        candidate, only when it occurs in a document among ``allowed`` (what the viewer may
        see within the filters; None: everything): a candidate's stem must occur there, and
        the candidate itself as written (``_shown``), so that a word form only hidden or
        deleted documents hold is never offered.
        """
        text = _query_text(text, [])
        reader = searcher.reader()
        analyzer = searcher.schema["text"].analyzer

        def seen(word: str, enough: int = 50) -> int:
            """How many visible documents contain ``word`` (title or text), up to ``enough``
            (a ranking needs no more, and common words have thousands)."""
            stems = [token.text for token in analyzer(word, mode="query")]
            if not stems:
                return 1  # a stop word is never respelt
            count = 0
            for field in _TEXT_FIELDS:
                if (field, stems[0]) in reader:
                    for docnum in Term(field, stems[0]).docs(searcher):
                        if allowed is None or docnum in allowed:
                            count += 1
                            if count >= enough:
                                return count
            return count

        replacements = {}
        for token in parsed.all_tokens():
            span = (token.startchar, token.endchar)
            if token.fieldname not in _TEXT_FIELDS or None in span or span in replacements:
                continue
            word = text[span[0] : span[1]]
            if not word.isalpha() or seen(word):  # prefix* and known words stay
                continue
            if _past(deadline):
                return None
            replacements[span] = self._respell(
                searcher, word.casefold().translate(accent_map), seen, allowed, deadline
            )
        changes = sorted((span, new) for span, new in replacements.items() if new)
        if not changes:
            return None
        corrected = text
        for (start, end), new in reversed(changes):
            corrected = corrected[:start] + new + corrected[end:]
        better = searcher.search(self._parse(searcher, corrected), limit=1, filter=allowed)
        return corrected if len(better) > found else None

    def _shown(self, searcher, word: str, allowed) -> bool:
        """Whether a document among ``allowed`` holds ``word`` as written (folded), looking
        in at most ``MAX_SPELLING_CHECKS`` of the documents that hold its stem."""
        stems = [token.text for token in _ANALYZER(word, mode="query")]
        if not stems:
            return False
        reader = searcher.reader()
        docs: set[int] = set()
        for field in _TEXT_FIELDS:
            if (field, stems[0]) in reader:
                docs.update(reader.postings(field, stems[0]).all_ids())
        if allowed is not None:
            docs &= allowed
        pattern = re.compile(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])")
        for docnum in sorted(docs)[:MAX_SPELLING_CHECKS]:
            fields = searcher.stored_fields(docnum)
            for field in _TEXT_FIELDS:
                folded = _normal(fields.get(field) or "").casefold().translate(accent_map)
                if pattern.search(folded):
                    return True
        return False

    def _vocabulary(self, searcher) -> dict[tuple[str, int], list[str]]:
        """The index's words by first letter and length, once per searcher."""

        def compute():
            buckets: dict[tuple[str, int], list[str]] = {}
            for word in _read_words(getattr(self._local, "target", self.path)):
                buckets.setdefault((word[0], len(word)), []).append(word)
            return buckets

        return self._cached(("vocabulary",), compute)

    def _respell(
        self, searcher, word: str, seen, allowed, deadline: float | None = None
    ) -> str | None:
        """The visible spelling nearest ``word`` (fewest edits, then most documents).

        Candidates share the first letter and are at most two letters longer or shorter,
        as Whoosh's ``prefix=1`` advice has it; Whoosh's own ``terms_within`` compares the
        word with every term of the field here (no word graph), ~300 ms a word."""
        vocabulary = self._vocabulary(searcher)
        by_distance: dict[int, list[str]] = {1: [], 2: []}
        for length in range(len(word) - 2, len(word) + 3):
            for candidate in vocabulary.get((word[0], length), ()):
                distance = _edits(word, candidate, 2)
                if 0 < distance <= 2:
                    by_distance[distance].append(candidate)
        for distance in (1, 2):
            ranked = sorted(((seen(c), c) for c in by_distance[distance]), reverse=True)
            for count, candidate in ranked:
                if not count or _past(deadline):
                    break
                if self._shown(searcher, candidate, allowed):
                    return candidate
        return None


_QUERY_WORD = re.compile(r"\w+(?:\.?\w+)*\**")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def _query_text(text: str, notices: list[str]) -> str:
    """``text`` normalised and cut after ``MAX_QUERY_CHARS`` characters and ``MAX_TERMS`` words
    (operators do not count); a cut is told in ``notices``."""
    text = _normal((text or "")[:MAX_QUERY_CHARS]).strip()
    words = [m for m in _QUERY_WORD.finditer(text) if m.group() not in _OPERATORS]
    if len(words) > MAX_TERMS:
        text = text[: words[MAX_TERMS - 1].end()].rstrip()
        notices.append(
            f"A search may hold {MAX_TERMS} words: only the first {MAX_TERMS} were searched."
        )
    return text


def _edits(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), or ``limit + 1`` as soon
    as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


# Empty lists are indexed as this placeholder (Whoosh fails reading a vectored field that
# no document of a segment has a value for; indexes built before vectors were dropped).
_EMPTY = "_"


_SPELLING_WORD = re.compile(r"[^\W\d_]{3,30}")
_WORDS_FILE = "kx-words.txt"


def _words_of(documents) -> set[str]:
    """The words "did you mean" may offer from ``documents``: folded like the analyzer
    folds them, letters only, 3 to 30 of them."""
    words: set[str] = set()
    for document in documents:
        for field in _TEXT_FIELDS:
            text = _normal(document.get(field) or "").casefold().translate(accent_map)
            words.update(_SPELLING_WORD.findall(text))
    return words


def _read_words(directory: Path) -> list[str]:
    try:
        return (Path(directory) / _WORDS_FILE).read_text(encoding="utf-8").split()
    except FileNotFoundError:
        return []


def _add_words(directory: Path, words: set[str]) -> None:
    """Add ``words`` to the index's word list (call under the lock). Words of deleted
    documents stay: a candidate is only offered when a document the viewer may see has it.
    """
    known = set(_read_words(directory))
    if words <= known:
        return
    path = Path(directory) / _WORDS_FILE
    spare = path.with_suffix(".tmp")
    spare.write_text("\n".join(sorted(known | words)), encoding="utf-8")
    os.replace(spare, path)


def _fields(document: dict) -> dict:
    fields = {}
    for name, value in document.items():
        if value is None:
            continue
        if name in _LIST_FIELDS:
            value = ",".join(value) or _EMPTY
        elif name in _TEXT_FIELDS:
            value = _normal(value)
        fields[name] = value
    return fields


def _facet(field: str):
    return sorting.FieldFacet(field, allow_overlap=field in _LIST_FIELDS, maptype=sorting.Count)


def _audience_filter(audience: Audience):
    if audience.everything:
        return None
    allowed = [Term("visibility", "public")]
    if audience.members:
        allowed.append(Term("visibility", "members"))
        if audience.sector:
            allowed.append(
                And([Term("visibility", "restricted"), Term("sectors", audience.sector)])
            )
    return Or(allowed)


def _restriction(query: Query, audience: Audience):
    parts = [part for part in [_audience_filter(audience)] if part is not None]
    for attribute, field in FILTERS.items():
        values = getattr(query, attribute)
        if values:
            parts.append(Or([Term(field, value) for value in values]))
    if query.year_from is not None or query.year_to is not None:
        parts.append(NumericRange("year", query.year_from, query.year_to))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def _list(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v and v != _EMPTY]


def _hit(fields: dict, score: float | None, marks: "_Marks | None" = None) -> Hit:
    text = fields.get("text", "")
    return Hit(
        type=fields["type"],
        id=fields["id"],
        title=fields["title"],
        snippet=marks.snippet(text) if marks else _excerpt(text, 0, SNIPPET_CHARS, []),
        score=round(float(score or 0.0), 4),
        domains=_list(fields.get("domains")),
        countries=_list(fields.get("countries")),
        year=fields.get("year"),
    )


SNIPPET_CHARS = 240
_WORD = re.compile(r"\w+(?:\.?\w+)*")  # the words the analyzer's tokenizer finds


@functools.lru_cache(maxsize=100_000)
def _stem(word: str) -> str | None:
    """The term the analyzer indexes for ``word`` (None for a stop word)."""
    terms = [token.text for token in _ANALYZER(word)]
    return terms[0] if len(terms) == 1 else None


class _Marks:
    """Which words of a text match a parsed query, and the snippet that shows them.

    Whoosh's highlighter runs the whole analyzer chain over the stored text of each hit
    (~4 ms a hit here, 80 ms a page); this scans the words once with a cached stemmer.
    Negated words are not marked."""

    def __init__(self, parsed):
        self.terms: set[str] = set()
        self.prefixes: list[str] = []
        self._collect(parsed)

    def _collect(self, query) -> None:
        if isinstance(query, Not):
            return
        if isinstance(query, AndNot):
            self._collect(query.a)
            return
        if isinstance(query, Prefix):
            if query.fieldname in _TEXT_FIELDS:
                self.prefixes.append(query.text)
            return
        if isinstance(query, Term):
            if query.fieldname in _TEXT_FIELDS:
                self.terms.add(query.text)
            return
        if isinstance(query, Phrase):
            if query.fieldname in _TEXT_FIELDS:
                self.terms.update(query.words)
            return
        for child in query.children():
            self._collect(child)

    def _matches(self, word: str) -> bool:
        stem = _stem(word)
        if stem is None:
            return False
        return stem in self.terms or any(stem.startswith(p) for p in self.prefixes)

    def snippet(self, text: str) -> str:
        spans = [m.span() for m in _WORD.finditer(text) if self._matches(m.group())]
        if not spans:
            return _excerpt(text, 0, SNIPPET_CHARS, [])
        # the window of SNIPPET_CHARS holding the most matches, starting a little before
        best, most, j = 0, 0, 0
        for i, (first, _end) in enumerate(spans):
            while j < len(spans) and spans[j][1] <= first + SNIPPET_CHARS - 60:
                j += 1
            if j - i > most:
                best, most = i, j - i
        begin = max(0, spans[best][0] - 60)
        space = text.rfind(" ", 0, begin + 1)
        begin = space + 1 if space > begin - 20 else begin
        return _excerpt(text, begin, begin + SNIPPET_CHARS, spans)


def _escape(text: str) -> str:
    """Text content escaped for HTML (quotes stay: a snippet is never an attribute)."""
    return html.escape(text, quote=False)


def _excerpt(text: str, begin: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``text[begin:end]`` escaped, the ``spans`` inside wrapped in ``<mark>``."""
    end = min(end, len(text))
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    parts, at = [], begin
    for first, last in spans:
        if first < begin or last > end:
            continue
        parts += [_escape(text[at:first]), "<mark>", _escape(text[first:last]), "</mark>"]
        at = last
    parts.append(_escape(text[at:end]))
    snippet = "".join(parts).strip()
    return ("… " if begin > 0 else "") + snippet + (" …" if end < len(text) else "")
