"""The best matches of a query of plain words, scored as arrays.

Whoosh scores a match by stepping its matchers through it in Python, about 5 µs a match:
a broad query's ranking cost grew with its matches (35 ms of a 50 ms search at 20,000
items). Here each word's postings are read a block at a time and scored with numpy, with
the same BM25F figures (``scoring.AudienceBM25F``) and the same sum Whoosh's matchers
make: a match's score is the sum of the scores of the words it holds, each times its
boost. That holds for words ORed, and for ANDed groups of ORed words (a match holds
every group), but not for an AND inside an OR (a match may hold some of its words and
not score them), a phrase, a prefix* or a NOT: those are left to Whoosh (``words``
answers None).
"""

import heapq

import numpy as np
from whoosh.query import And, AndNot, Or, Term

from kx.search.whoosh.query import SegmentOr
from kx.search.whoosh.schema import TEXT_FIELDS

#: Digits a score keeps when matches are ordered (a score shows four).
TIE_DIGITS = 9


def words(query, top: bool = True) -> list[tuple[str, object, float]] | None:
    """``query``'s scored words as ``(field, text, boost)``; None when a match's score is
    not their sum (see the module's docstring)."""
    kind = type(query)
    if kind is Term:
        if query.fieldname not in TEXT_FIELDS:
            return None
        return [(query.fieldname, query.text, query.boost)]
    if getattr(query, "boost", 1.0) != 1.0:
        return None
    if kind in (Or, SegmentOr) and query.minmatch <= 1:
        parts = [words(sub, top=False) for sub in query.subqueries]
    elif kind is And and top:
        parts = [words(sub, top=True) for sub in query.subqueries]
    elif kind is AndNot and top:
        parts = [words(query.a, top=True)]  # Whoosh scores a match by ``a`` alone
    else:
        return None
    if any(part is None for part in parts):
        return None
    return [word for part in parts for word in part]


def best(searcher, scored, matched: np.ndarray, limit: int, weighting, published, read):
    """The ``limit`` best of ``matched`` (a mask over global document numbers) by the
    summed scores of ``scored`` (``words``), as ``(docnum, score)``; equal scores newest
    first, then by document number (``query.Top``'s order). ``read``: as for
    ``query.matches``."""
    scores = np.zeros(searcher.doc_count_all(), dtype=np.float64)
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        for field, text, boost in scored:
            ids, weights = read(reader, field, text)
            if not len(ids):
                continue
            docnums = ids + offset
            part = weighting.scores(searcher, field, text, docnums, weights)
            # a word's postings name a document once: indexed addition adds each once
            scores[docnums] += part * boost if boost != 1.0 else part
    candidates = np.flatnonzero(matched)
    # Sums of the same figures in another order differ in the last bit: rounded, equal
    # scores are equal and the newest comes first.
    values = scores[candidates].round(TIE_DIGITS)
    if len(candidates) > limit:
        # every match scoring at least the limit-th best, ties at the edge included
        edge = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= edge
        candidates, values = candidates[keep], values[keep]
    ranked = heapq.nlargest(
        limit,
        zip(values.tolist(), candidates.tolist(), strict=True),
        key=lambda pair: (pair[0], published(pair[1]), -pair[1]),
    )
    return [(docnum, score) for score, docnum in ranked]
