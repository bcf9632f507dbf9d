"""A viewer's text as a Whoosh query, and what one search may cost: characters and words
per query, letters and expansions per prefix*, and a time budget."""

import heapq
import itertools
import time

import numpy as np
from whoosh import collectors, matching, qparser
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher, WrappingMatcher
from whoosh.query import And, AndMaybe, AndNot, Not, NullQuery, Or, Prefix, Term
from whoosh.query.wrappers import WrappingQuery

from kx.search import interpretation
from kx.search.whoosh.schema import TEXT_FIELDS, stem
from kx.search.words import OPERATORS, query_text

#: Letters a prefix* needs; a shorter one is searched as the plain word (``a*`` read every
#: word of the index: 26 one-letter prefixes took 4 s at 20,000 items).
MIN_PREFIX = 3
#: Words one prefix* may stand for (in one field), and all of a query's prefixes together;
#: the first ones in alphabetical order are searched and the viewer is told.
MAX_PREFIX_WORDS = 64
MAX_EXPANDED_WORDS = 256
#: What holding one more of a query's words adds to an item's score when the results may
#: hold only some of them (``any_words``): above what one word scores in all three text
#: fields (~170 at 20,000 items), so more words always rank first.
COORDINATION = 1000.0
#: Documents Whoosh preloads an OR's scores for at a time (its ``ArrayUnionMatcher``).
PRELOADED_PART = 2048


class OutOfTime(Exception):
    """The search's time budget ran out; what was collected so far is the answer."""


def past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


class Top(collectors.TopCollector):
    """The best ``limit`` matches by score; equal scores newest first, as the PostgreSQL
    backend orders them. Whoosh breaks ties by document number, which a merge changes:
    the same query would order the same items differently from one write to the next."""

    def __init__(self, limit: int, published, deadline: float | None = None, **kwargs):
        super().__init__(limit=limit, **kwargs)
        self.published = published  # global document number -> publication time
        self.deadline = deadline

    def _collect(self, global_docnum, score):
        items = self.items
        self.total += 1
        if self.total % 64 == 1 and past(self.deadline):
            raise OutOfTime
        if len(items) < self.limit or score >= items[0][0]:
            entry = (score, self.published(global_docnum), -global_docnum)
            if len(items) < self.limit:
                heapq.heappush(items, entry)
            elif entry > items[0]:
                heapq.heapreplace(items, entry)
                self.minscore = items[0][0]

    def remove(self, global_docnum):
        self.items = [entry for entry in self.items if entry[2] != -global_docnum]
        heapq.heapify(self.items)

    def results(self):
        ranked = sorted(self.items, reverse=True)
        return self._results([(score, -negated) for score, _published, negated in ranked])


def matches(searcher, parsed, deadline: float | None, read) -> tuple[np.ndarray, bool]:
    """Every document ``parsed`` matches, as a mask over global document numbers (deleted
    ones may be among them), and whether the time budget ran out first (then those of the
    segments read so far).

    Read as masks of each word's postings, a block at a time: Whoosh's matchers step
    through every match in Python, and totals and facets need every match.
    ``read(reader, field, text)`` gives a word's postings in a segment (as
    ``read_postings`` does)."""
    found = np.zeros(searcher.doc_count_all(), dtype=bool)
    some = False
    for leaf, offset in searcher.leaf_searchers():
        if some and past(deadline):
            return found, True
        docs = _docs(leaf, parsed, read)
        found[offset : offset + len(docs)] = docs
        some = some or bool(docs.any())
    return found, False


def _docs(searcher, query, read) -> np.ndarray:
    """The documents of one segment's ``searcher`` that ``query`` matches, as a mask."""
    reader = searcher.reader()
    size = reader.doc_count_all()
    kind = type(query)
    if kind is Term:
        return _postings(reader, size, query.fieldname, query.text, read)
    if kind is _Prefix:
        docs = np.zeros(size, dtype=bool)
        for word in query._btexts(reader):
            docs |= _postings(reader, size, query.fieldname, word, read)
        return docs
    if kind is _Bonus:
        return _docs(searcher, query.child, read)
    if kind in (Or, SegmentOr) and query.minmatch <= 1:
        docs = np.zeros(size, dtype=bool)
        for sub in query.subqueries:
            docs |= _docs(searcher, sub, read)
        return docs
    if kind is And:
        docs = np.ones(size, dtype=bool)
        for sub in query.subqueries:
            docs &= _docs(searcher, sub, read)
            if not docs.any():
                break
        return docs
    if kind is AndNot:
        return _docs(searcher, query.a, read) & ~_docs(searcher, query.b, read)
    if kind is AndMaybe:
        return _docs(searcher, query.a, read)
    if kind is Not:
        return ~_docs(searcher, query.query, read)
    docs = np.zeros(size, dtype=bool)
    if query is not NullQuery:  # phrases and the rest, as Whoosh matches them
        matcher = query.matcher(searcher, searcher.boolean_context())
        docs[np.fromiter(matcher.all_ids(), dtype=np.int64)] = True
    return docs


def _postings(reader, size: int, field: str, text, read) -> np.ndarray:
    docs = np.zeros(size, dtype=bool)
    docs[read(reader, field, text)[0]] = True
    return docs


def read_postings(reader, field: str, text) -> tuple[np.ndarray, np.ndarray]:
    """``text``'s postings in ``field`` of one segment's ``reader``: document numbers (deleted
    ones among them) and weights, a block at a time (Whoosh's matchers yield one a call)."""
    ids: list[int] = []
    weights: list[float] = []
    if (field, text) in reader:
        postings = reader.postings(field, text)
        if isinstance(postings, FilterMatcher):
            postings = postings.child  # deleted documents: callers keep only live ones
        if isinstance(postings, W3LeafMatcher):
            while postings.is_active():
                postings._read_ids()
                postings._read_weights()
                ids.extend(postings._ids)
                weights.extend(postings._weights)
                postings._next_block()
        else:
            while postings.is_active():
                ids.append(postings.id())
                weights.append(postings.weight())
                postings.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


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
            if not number % 8 and past(self.deadline):
                raise OutOfTime
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
            term = stem(query.text)
            return Term(query.fieldname, term, boost=query.boost) if term else NullQuery
        limit = min(MAX_PREFIX_WORDS, left[0])
        words = list(itertools.islice(reader.expand_prefix(query.fieldname, query.text), limit + 1))
        if len(words) > limit and query.text not in capped:
            capped.append(query.text)
        planned = _Prefix(query.fieldname, query.text, boost=query.boost)
        planned.words = words[:limit]
        planned.deadline = deadline
        left[0] -= len(planned.words)
        return planned

    parsed = parsed.accept(bounded).accept(_sized).normalize()
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


class SegmentOr(Or):
    """``Or`` as Whoosh matches it, except that an OR it preloads (in a segment of under
    5,000 documents) reads into an array no larger than the segment. Whoosh's holds 2,048
    scores cleared one by one, for each OR in each segment: with the one-document segments
    that publishes leave, a search spent a fifth of its time there."""

    def _matcher(self, subs, searcher, context):
        doccount = searcher.doc_count_all()
        needs_current = context.needs_current if context else True
        preloaded = (
            self.matcher_type == self.AUTO_MATCHER
            and doccount < PRELOADED_PART
            and (
                len(subs) >= self.TOO_MANY_CLAUSES
                or not (needs_current or self.scale or len(subs) == 2)
            )
        )
        if not preloaded:
            return super()._matcher(subs, searcher, context)
        scored = context.weighting is not None if context else True
        matchers = [sub.matcher(searcher, context) for sub in subs]
        return matching.ArrayUnionMatcher(
            matchers, doccount, boost=self.boost, scored=scored, partsize=max(doccount, 1)
        )


def _sized(query):
    if type(query) is Or:
        return SegmentOr(
            query.subqueries, boost=query.boost, minmatch=query.minmatch, scale=query.scale
        )
    return query


def _parser(searcher):
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), searcher.schema)
    # Users may write phrases, AND/OR/NOT, groups and prefix* but never address a field:
    # status, visibility, sectors and ids stay out of reach of query syntax.
    parser.remove_plugin_class(qparser.FieldsPlugin)
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.remove_plugin_class(qparser.RangePlugin)
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.add_plugin(_PrefixPlugin())
    return parser


def parse(searcher, text: str, notices: list[str] | None = None, deadline: float | None = None):
    """``text`` as a bounded query (see ``_bound``); what was cut goes to ``notices``."""
    notices = [] if notices is None else notices
    return _parse(searcher, query_text(text, notices), notices, deadline)


def read(searcher, text: str, notices: list[str], deadline: float | None = None):
    """``text`` as ``parse`` bounds it, read by ``kx.search.interpretation`` (synonyms added,
    question words left out): the query (None: nothing to search for) and the reading."""
    searched, reading = interpretation.read(query_text(text, notices))
    return _parse(searcher, searched, notices, deadline), reading


def any_words(parsed):
    """``parsed``'s words ORed, ranked by how many of them an item holds (None when
    ``parsed`` is not a plain AND of several parts, e.g. holds a NOT)."""
    if not isinstance(parsed, And) or any(isinstance(q, Not) for q in parsed.subqueries):
        return None
    # Each part matched adds a constant far above any one word's score, so items holding
    # more of the words come first, and among equals the usual ranking decides.
    return SegmentOr([_Bonus(part, COORDINATION) for part in parsed.subqueries])


class _Bonus(WrappingQuery):
    """``child``, every match scoring ``bonus`` more. Or-ing ``child`` with a constant-score
    copy of itself did the same by matching it twice (a third of a fallback's time)."""

    def __init__(self, child, bonus: float):
        super().__init__(child)
        self.bonus = bonus

    def __eq__(self, other):
        return type(other) is type(self) and (self.child, self.bonus) == (other.child, other.bonus)

    def __hash__(self):
        return hash(self.child) ^ hash(self.bonus)

    def _rewrap(self, child):
        return self.__class__(child, self.bonus)

    def matcher(self, searcher, context=None):
        child = self.child.matcher(searcher, context)
        if isinstance(child, matching.NullMatcherClass):
            return child
        return _BonusMatcher(child, self.bonus)


class _BonusMatcher(WrappingMatcher):
    def __init__(self, child, bonus: float, boost: float = 1.0):
        super().__init__(child, boost)
        self.bonus = bonus

    def _replacement(self, newchild):
        return self.__class__(newchild, self.bonus, self.boost)

    def copy(self):
        return self.__class__(self.child.copy(), self.bonus, self.boost)

    def supports_block_quality(self):
        return False  # the bonus is outside the child's quality figures

    def score(self):
        return self.child.score() + self.bonus


def _parse(searcher, text: str, notices: list[str], deadline: float | None = None):
    if not text:
        return None
    try:
        parsed = _parser(searcher).parse(text)
    except Exception:  # malformed syntax: fall back to the plain words
        # without AND/OR/NOT: "NOT NOT NOT x" fails Whoosh's parser as words too
        words = "".join(c if c.isalnum() else " " for c in text).split()
        words = " ".join(w for w in words if w not in OPERATORS)
        parsed = _parser(searcher).parse(words) if words else None
    if parsed is None:
        return None
    return _bound(searcher.reader(), parsed, notices, deadline)
