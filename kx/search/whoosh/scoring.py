"""Ranking by BM25F with the statistics of what one audience may see, and the words that
characterise a document among them (for related items).

Whoosh's own statistics come from the whole index, so a visible hit's score, the order of
hits and the related items would change with the words of documents the viewer may not
read.

A word's rarity (idf) is that of the documents holding it in any text field, as BM25F
has it, not Whoosh's per field: a word many items are tagged with but few texts mention
would otherwise count as common in the tags and rare in the text, and one mention deep in
a body would outrank the tag.
"""

import math
from array import array
from collections import Counter
from functools import partial

import numpy as np
from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from kx.search.whoosh.query import read_postings
from kx.search.whoosh.schema import TEXT_FIELDS

#: Field lengths are stored as one byte each; the length each byte stands for.
_LENGTHS = [byte_to_length(byte) for byte in range(256)]


def segment_lengths(leaf) -> dict[str, array]:
    """Every document's length in each text field, in one segment's reader."""
    # Each segment's length column read whole: a call per document costs ~15 µs. Arrays,
    # not lists: joined for every generation, and nothing for the cyclic collector to walk.
    result: dict[str, array] = {}
    perdoc = getattr(leaf, "_perdoc", None)
    count = leaf.doc_count_all()
    for field in TEXT_FIELDS:
        column = _lenfield(field)
        if perdoc is None or not perdoc.has_column(column):
            result[field] = array("I", bytes(4 * count))
            continue
        values = perdoc.column_reader(column, LENGTHS_COLUMN)
        # one byte per document, read at once; missing trailing ones are 0
        raw = values._dbfile.get(values._basepos, values._count)
        result[field] = array("I", map(_LENGTHS.__getitem__, raw))
        result[field].frombytes(bytes(4 * (count - len(raw))))
    return result


def holding(read, fields: tuple[str, ...], text, docs) -> int:
    """How many of ``docs`` (live documents of one segment) hold ``text`` in any of
    ``fields``; ``read(field, text)`` gives a word's postings (``query.read_postings``)."""
    ids: set[int] = set()
    for field in fields:
        ids.update(read(field, text)[0].tolist())
    return len(ids & docs)


class AudienceBM25F(scoring.BM25F):
    """BM25F with its collection statistics (document count, document frequencies,
    average field lengths) taken from the documents one audience may see."""

    def __init__(
        self,
        reader,
        base: set[int],
        lengths: dict[str, array],
        totals: dict[str, int] | None = None,
        frequency=None,
    ):
        """``totals``: the summed field lengths of ``base`` when already known;
        ``frequency(fields, text)``: how many of ``base`` hold ``text`` in any of
        ``fields``, when known faster than from ``reader`` (per segment, say)."""
        # A tag is a fact about the item however many others it has: no length penalty.
        super().__init__(tags_B=0.0)
        self.reader = reader
        self.base = base
        self.lengths = lengths
        self.count = max(len(base), 1)
        if totals is None:
            totals = {f: sum(map(values.__getitem__, base)) for f, values in lengths.items()}
        self.avgfl = {field: (totals[field] / self.count) or 1.0 for field in lengths}
        self._frequency = frequency or (
            lambda fields, text: holding(partial(read_postings, reader), fields, text, base)
        )
        self._df: dict[tuple[tuple[str, ...], bytes | str], int] = {}
        self._held: dict[str, np.ndarray] = {}  # lengths as arrays for ``scores``

    def _cached_frequency(self, fields: tuple[str, ...], text) -> int:
        key = (fields, text)
        if key not in self._df:
            if len(self._df) > 4096:
                self._df.clear()
            self._df[key] = self._frequency(fields, text)
        return self._df[key]

    def doc_frequency(self, fieldname: str, text) -> int:
        """How many of the audience's documents hold ``text``."""
        return self._cached_frequency((fieldname,), text)

    def document_frequency(self, text) -> int:
        """How many of the audience's documents hold ``text`` in any text field."""
        return self._cached_frequency(TEXT_FIELDS, text)

    def idf(self, searcher, fieldname, text):
        if fieldname in TEXT_FIELDS:
            frequency = self.document_frequency(text)
        else:
            frequency = self.doc_frequency(fieldname, text)
        return math.log(self.count / (frequency + 1)) + 1

    def scores(self, searcher, fieldname: str, text, docnums, weights):
        """What ``scorer`` gives each of the postings ``docnums`` (global numbers, a numpy
        array) of ``weights``, computed at once."""
        if fieldname not in self._held:
            self._held[fieldname] = np.asarray(self.lengths[fieldname], dtype=np.float64)
        lengths = self._held[fieldname][docnums]
        tf = np.asarray(weights, dtype=np.float64)
        idf = self.idf(searcher, fieldname, text)
        avgfl = self.avgfl.get(fieldname, 1.0)
        B, K1 = self._field_B.get(fieldname, self.B), self.K1
        # scoring.bm25, operation for operation (the same floats as the scorer's)
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / avgfl)))

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        idf = self.idf(searcher, fieldname, text)
        avgfl = self.avgfl.get(fieldname, 1.0)
        B = self._field_B.get(fieldname, self.B)
        scorer = _AudienceScorer(searcher, fieldname, text, idf, avgfl, B, self.K1)
        if fieldname in self.lengths:
            # Whoosh reads each match's length from the segment's column, a call of ~5 µs
            # that was half of scoring: read it from the lengths already held.
            values = self.lengths[fieldname]
            parent = searcher.get_parent()
            offset = 0 if parent is searcher else parent._offset_for_subsearcher(searcher)
            scorer.dfl = lambda docnum: values[offset + docnum]
        return scorer


class _AudienceScorer(scoring.WeightLengthScorer):
    def __init__(self, searcher, fieldname, text, idf, avgfl, B, K1):
        self.idf, self.avgfl, self.B, self.K1 = idf, avgfl, B, K1
        self.setup(searcher, fieldname, text)

    def _score(self, weight, length):
        return scoring.bm25(self.idf, weight, length, self.avgfl, self.B, self.K1)


def characteristic_terms(
    searcher, docnum: int, weighting: AudienceBM25F, candidates: int = 40, keep: int = 15
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
