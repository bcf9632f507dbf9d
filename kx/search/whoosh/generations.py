"""Searchers that re-read only what a commit changed: each generation of the index is read
through one reader per segment, and a segment left as it was keeps its reader and
everything computed from it (its facet postings, dates, field lengths and per-audience
totals) into the next generation.

A segment is only ever reused as of the same deletions. Whoosh keeps a segment's
deletions in the table of contents, not in the segment's files, and its own ``refresh()``
reuses a segment's reader when the segment's name is unchanged: a document replaced or
deleted inside it stayed visible to that reader (an item downgraded to members-only stayed
findable by the public). Here a segment whose deletions changed gets a reader as of its
new deletions (on the files already open: they never change), and what was computed for
it is carried over minus the newly deleted documents.

Segments are read largest first, so the large, long-lived segments keep their document
numbers (offsets) from one generation to the next and their sets are reused as they are;
only small, recent segments move when a merge replaces them.
"""

import bisect
import collections
import copy
import itertools
from array import array

import numpy as np
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from kx.search.backend import FACETS, Audience, Query
from kx.search.whoosh import facets
from kx.search.whoosh.query import read_postings
from kx.search.whoosh.schema import EMPTY, TEXT_FIELDS, index_terms, open_index, schema
from kx.search.whoosh.scoring import holding, segment_lengths

#: The fields whose postings are held per value (facets, visibility, sectors).
HELD_FIELDS = (*dict.fromkeys(FACETS.values()), "visibility", "sectors")
_LIVE = ("", "live")  # key of a segment's live documents among its sets

#: Word counts kept per segment (each ~100 bytes; a count costs up to ~10 ms to read).
MAX_FREQUENCIES = 20_000
#: Documents deleted from a segment since the view before, beyond which its word counts
#: are read again as searches ask for them instead of adjusted: the adjustment analyses
#: each deleted document's text and tests every kept count against it, and after a batch
#: that rewrote 12,000 documents the next search took 28 s.
ADJUSTED_DELETIONS = 8

#: Postings of words kept per segment (the most recently read first, ~16 bytes each):
#: decoding a common word's blocks cost more than the rest of its search at 20,000 items.
HELD_POSTINGS = 500_000

#: Times a generation is read again when files it listed vanished under it.
OPEN_ATTEMPTS = 5


class Leaf:
    """One segment as of one set of deletions: its reader and what is computed from it
    (local document numbers; ``shifted`` gives them at an offset)."""

    def __init__(self, storage, schema, segment, prior: "Leaf | None" = None):
        self.segid = segment.segment_id()
        self.size = segment.doc_count_all()
        self.deleted = frozenset(segment.deleted_docs())
        if prior is None:
            self.reader = SegmentReader(storage, schema, segment)
            self._files = _Files(self.reader)
        else:
            self.reader = _with_deletions(prior.reader, segment)
            self._files = prior._files.share()
        self._sets: dict | None = None
        self._facets: dict | None = None
        self._published: list[int] | None = None
        self._lengths: dict[str, array] | None = None
        self._audiences: dict[Audience, tuple[frozenset, dict[str, int]]] = {}
        self._shifted: tuple[int, dict] | None = None
        self._years: dict[tuple, frozenset] = {}
        self._df: dict[tuple, int] = {}
        # a word's postings in the segment's files, deleted documents among them: shared
        # with every view of the segment, whatever its deletions
        self._words = prior._words if prior is not None else _HeldWords()
        if prior is not None and prior.deleted <= self.deleted:
            self._carry(prior, self.deleted - prior.deleted)

    def word(self, field: str, text) -> tuple[np.ndarray, np.ndarray]:
        """``text``'s postings in ``field`` (``query.read_postings``)."""
        return self._words.get(self.reader, field, text)

    def _carry(self, prior: "Leaf", gone: frozenset) -> None:
        """Take over what ``prior`` (this segment with fewer deletions) computed, less the
        documents deleted since: sets shrink, per-document columns stay as they are."""
        self._published, self._lengths = prior._published, prior._lengths
        if len(gone) <= ADJUSTED_DELETIONS:
            self._df = _frequencies_without(prior, gone)
        if prior._sets is not None:
            self._sets = _without(prior._sets, gone)
        # documents deleted since stay in the columns: only live ones are ever counted
        self._facets = prior._facets
        self._years = {
            (low, high, offset): docs - {d + offset for d in gone} if gone else docs
            for (low, high, offset), docs in prior._years.items()
        }
        for audience, (base, totals) in prior._audiences.items():
            lost = base & gone
            if lost and self._lengths is not None:
                totals = {
                    field: total - sum(map(self._lengths[field].__getitem__, lost))
                    for field, total in totals.items()
                }
                self._audiences[audience] = (base - lost, totals)
            elif not lost:
                self._audiences[audience] = (base, totals)
        if prior._shifted is not None:
            offset, shifted = prior._shifted
            if shifted is prior._sets:  # at offset 0: the sets themselves, carried above
                self._shifted = (offset, self._sets)
            else:
                self._shifted = (offset, _without(shifted, frozenset(d + offset for d in gone)))

    def close(self) -> None:
        self._files.release()

    def sets(self) -> dict[tuple[str, str], frozenset]:
        """``(field, value) -> live documents`` for the held fields, and the live ones."""
        if self._sets is None:
            reader = self.reader
            sets = {
                (field, value): frozenset(reader.postings(field, value).all_ids())
                for field in HELD_FIELDS
                for value in reader.field_terms(field)
                if value not in ("", EMPTY)
            }
            sets[_LIVE] = frozenset(d for d in range(self.size) if d not in self.deleted)
            self._sets = sets
        return self._sets

    def facet_columns(self) -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
        """Per facet field, its values and its postings as two columns: each posting's
        document and the index of its value (``Generation.counts`` counts by them)."""
        if self._facets is None:
            sets = self.sets()
            columns = {}
            for field in dict.fromkeys(FACETS.values()):
                values = sorted(value for name, value in sets if name == field)
                docs = [
                    np.fromiter(sets[(field, v)], np.int32, len(sets[(field, v)])) for v in values
                ]
                codes = np.repeat(
                    np.arange(len(values), dtype=np.int32), [len(part) for part in docs]
                )
                columns[field] = (values, np.concatenate(docs or [np.empty(0, np.int32)]), codes)
            self._facets = columns
        return self._facets

    def published(self) -> list[int]:
        """Every document's publication time as a sortable number (deleted ones too)."""
        if self._published is None:
            column = self.reader.column_reader("published", translate=False)
            self._published = list(column)
        return self._published

    def lengths(self) -> dict[str, array]:
        if self._lengths is None:
            self._lengths = segment_lengths(self.reader)
        return self._lengths

    def audience(self, audience: Audience) -> tuple[frozenset, dict[str, int]]:
        """The documents ``audience`` may see here and their summed field lengths."""
        if audience not in self._audiences:
            postings: dict[str, dict[str, frozenset]] = {field: {} for field in HELD_FIELDS}
            for (field, value), docs in self.sets().items():
                if field:
                    postings[field][value] = docs
            base = facets.allowed(Query(), audience, postings)
            base = self.sets()[_LIVE] if base is None else frozenset(base)
            lengths = self.lengths()
            totals = {f: sum(map(values.__getitem__, base)) for f, values in lengths.items()}
            self._audiences[audience] = (base, totals)
        return self._audiences[audience]

    def frequency(self, fields: tuple[str, ...], text, audience: Audience) -> int:
        """How many documents ``audience`` may see here hold ``text`` in any of
        ``fields`` (a word's statistics for scoring)."""
        key = (fields, text, audience)
        found = self._df.get(key)
        if found is None:
            found = holding(self.word, fields, text, self.audience(audience)[0])
            if len(self._df) > MAX_FREQUENCIES:
                self._df.clear()
            self._df[key] = found
        return found

    def years(self, low: int | None, high: int | None, offset: int) -> frozenset:
        """The live documents here whose year is from ``low`` to ``high``, counted from
        ``offset``."""
        key = (low, high, offset)
        if key not in self._years:
            if len(self._years) > 64:
                self._years.clear()
            searcher = Searcher(self.reader, closereader=False)
            docs = facets.in_years(searcher, low, high)
            self._years[key] = frozenset(d + offset for d in docs) if offset else docs
        return self._years[key]

    def shifted(self, offset: int) -> dict[tuple[str, str], frozenset]:
        """``sets`` with document numbers counted from ``offset``."""
        if self._shifted is None or self._shifted[0] != offset:
            sets = self.sets()
            if offset:
                sets = {key: frozenset(d + offset for d in docs) for key, docs in sets.items()}
            self._shifted = (offset, sets)
        return self._shifted[1]


class _Files:
    """A segment's open files, shared by its readers as of successive deletions; closed
    with the last of them."""

    def __init__(self, reader: SegmentReader):
        self.reader, self.users = reader, 1

    def share(self) -> "_Files":
        self.users += 1
        return self

    def release(self) -> None:
        self.users -= 1
        if not self.users:
            self.reader.close()


def _with_deletions(reader: SegmentReader, segment) -> SegmentReader:
    """``reader`` as of ``segment``'s deletions, on the same open files: a segment's files
    never change, only the deletions the table of contents lists for it (a fresh reader
    would open and read its term index again, ~1 ms a file)."""
    view = copy.copy(reader)
    view.__dict__.pop("deleted_docs_set", None)  # cached from the old deletions
    view._segment = segment
    view._perdoc = copy.copy(reader._perdoc)
    view._perdoc._segment = segment
    return view


def _frequencies_without(prior: Leaf, gone: frozenset) -> dict[tuple, int]:
    """``prior``'s word counts less the documents ``gone`` (deleted since), from the words
    of their text fields, analysed as when they were indexed (counts of other fields are
    left to be read again)."""
    words = {}
    for docnum in gone:
        stored = prior.reader.stored_fields(docnum)
        words[docnum] = {
            field: {term.encode() for term in index_terms(stored.get(field) or "")}
            for field in TEXT_FIELDS
        }
    counts = {}
    for key, count in prior._df.items():
        fields, text, audience = key
        if not set(fields) <= set(TEXT_FIELDS):
            continue
        base = prior.audience(audience)[0]
        term = text.encode() if isinstance(text, str) else text
        lost = sum(
            1
            for docnum, held in words.items()
            if docnum in base and any(term in held[field] for field in fields)
        )
        counts[key] = count - lost
    return counts


class _HeldWords:
    """The postings of the words last read in one segment, up to ``HELD_POSTINGS``."""

    def __init__(self):
        self._held: collections.OrderedDict = collections.OrderedDict()
        self._total = 0

    def get(self, reader, field: str, text) -> tuple[np.ndarray, np.ndarray]:
        key = (field, text)
        if key in self._held:
            self._held.move_to_end(key)
            return self._held[key]
        postings = read_postings(reader, field, text)
        self._held[key] = postings
        self._total += len(postings[0])
        while self._total > HELD_POSTINGS and len(self._held) > 1:
            _key, (ids, _weights) = self._held.popitem(last=False)
            self._total -= len(ids)
        return postings


def _without(sets: dict, gone: frozenset) -> dict:
    """``sets`` less the documents ``gone``; a set without any of them is kept as is."""
    if not gone:
        return sets
    return {key: docs if docs.isdisjoint(gone) else docs - gone for key, docs in sets.items()}


class Generation:
    """One generation of the index as a searcher over its segments' readers, with what
    is computed across segments: combined, when possible, from the same parts as the
    generation before it (``before``)."""

    def __init__(self, target, ix, number: int | None, schema, leaves: list[Leaf], before=None):
        self.target, self.ix, self.number = target, ix, number
        self.leaves = leaves
        self.offsets = list(itertools.accumulate((leaf.size for leaf in leaves), initial=0))
        self.cache: dict = {}
        readers = [leaf.reader for leaf in leaves]
        if not readers:
            reader = EmptyReader(schema)
        elif len(readers) == 1:
            reader = readers[0]
        else:
            reader = MultiReader(readers, generation=number)
        self.searcher = Searcher(reader, closereader=False)
        # what earlier generations computed, to combine from (whatever this one needs)
        self._basis: dict = before.handed_on() if before is not None else {}
        self._parts: dict | None = None
        self._newest: tuple[list[int], list[tuple[int, int]]] | None = None
        self._lengths: tuple[tuple, dict] | None = None
        self._by_reader: dict | None = None

    def up_to_date(self) -> bool:
        return self.number is not None and self.ix.latest_generation() == self.number

    def _combined(self) -> dict:
        """``(field, value) -> (parts, documents)`` across the segments: the parts always
        (one set per segment holding the value), their union only once asked for (most
        values are only counted, part by part)."""
        if self._parts is None:
            by_key: dict[tuple[str, str], list[frozenset]] = {}
            for leaf, offset in zip(self.leaves, self.offsets, strict=False):
                for key, docs in leaf.shifted(offset).items():
                    by_key.setdefault(key, []).append(docs)
            earlier = self._basis.get("parts") or {}
            combined = {}
            for key, parts in by_key.items():
                parts = tuple(parts)
                old = earlier.get(key)
                if old is not None and _same(old[0], parts):
                    combined[key] = old  # with its union, if one was made
                else:
                    combined[key] = [parts, parts[0] if len(parts) == 1 else None]
            self._parts = combined
        return self._parts

    def docs(self, key: tuple[str, str]) -> frozenset:
        """The documents holding ``key`` (a ``(field, value)``) in any segment."""
        entry = self._combined().get(key)
        if entry is None:
            return frozenset()
        if entry[1] is None:
            entry[1] = frozenset().union(*entry[0])
        return entry[1]

    def word(self, reader, field: str, text) -> tuple[np.ndarray, np.ndarray]:
        """``text``'s postings in ``field`` of the segment ``reader`` reads (``Leaf.word``)."""
        if self._by_reader is None:
            self._by_reader = {id(leaf.reader): leaf for leaf in self.leaves}
        leaf = self._by_reader.get(id(reader))
        return leaf.word(field, text) if leaf is not None else read_postings(reader, field, text)

    def postings(self) -> dict[str, "_Values"]:
        """``field -> value -> documents`` for the facet and visibility fields (made on
        each call: kept here, they would hold this generation in a reference cycle)."""
        return {field: _Values(self, field) for field in HELD_FIELDS}

    def counts(self, matched: np.ndarray) -> dict[str, dict[str, int]]:
        """How many of ``matched`` (a mask of live documents) hold each value of each facet
        (values none holds left out), counted segment by segment as arrays: one set
        intersection per value and segment grew with the matches (3.5 ms at 20,000
        items)."""
        by_field: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for leaf, offset in zip(self.leaves, self.offsets, strict=False):
            local = matched[offset : offset + leaf.size]
            if not local.any():
                continue
            for field, (values, docs, codes) in leaf.facet_columns().items():
                found = np.bincount(codes[local[docs]], minlength=len(values))
                for index in np.flatnonzero(found).tolist():
                    by_field[field][values[index]] += int(found[index])
        return {name: dict(sorted(by_field[field].items())) for name, field in FACETS.items()}

    def years(self, low: int | None, high: int | None) -> frozenset:
        """The live documents whose year is from ``low`` to ``high``."""
        key = ("years", low, high)
        if key not in self.cache:
            parts = tuple(
                leaf.years(low, high, offset)
                for leaf, offset in zip(self.leaves, self.offsets, strict=False)
            )
            old = self._basis.get("years", {}).get(key)
            if old is None or not _same(old[0], parts):
                old = (parts, frozenset().union(*parts))
            self.cache[key] = old
        return self.cache[key][1]

    def live(self) -> frozenset:
        return self.docs(_LIVE)

    def lengths(self) -> dict[str, array]:
        """Every document's length in each text field."""
        if self._lengths is None:
            parts = tuple(leaf.lengths() for leaf in self.leaves)
            before = self._basis.get("lengths")
            if before is not None and _same(before[0], parts):
                self._lengths = before
            else:
                lengths = {field: array("I") for field in TEXT_FIELDS}
                for part in parts:
                    for field in TEXT_FIELDS:
                        lengths[field] += part[field]
                self._lengths = (parts, lengths)
        return self._lengths[1]

    def frequencies(self, audience: Audience):
        """``(fields, text) ->`` how many documents ``audience`` may see hold ``text`` in
        any of ``fields``; it keeps the leaves, not this generation, so that a scoring
        model cached here holds no reference cycle."""
        leaves = self.leaves
        return lambda fields, text: sum(leaf.frequency(fields, text, audience) for leaf in leaves)

    def totals(self, audience: Audience) -> dict[str, int]:
        """Summed field lengths of the documents ``audience`` may see."""
        totals = dict.fromkeys(TEXT_FIELDS, 0)
        for leaf in self.leaves:
            for field, total in leaf.audience(audience)[1].items():
                totals[field] += total
        return totals

    def published_at(self, docnum: int) -> int:
        """Document ``docnum``'s publication time as a sortable number."""
        at = bisect.bisect_right(self.offsets, docnum) - 1
        return self.leaves[at].published()[docnum - self.offsets[at]]

    def by_newest(self) -> list[int]:
        """Every live document number, newest first."""
        if self._newest is None:
            self._combined()  # every segment's live documents known
            before = self._basis.get("newest")
            self._newest = self._moved(*before) if before is not None else self._sorted()
        return self._newest[0]

    def _sorted(self) -> tuple[list[int], list[tuple[int, int]]]:
        keys = []
        for leaf in self.leaves:
            keys += leaf.published()
        entries = sorted((-keys[d], d) for d in self.live())
        return [d for _, d in entries], entries

    def _moved(self, leaves, offsets, before: tuple[list[int], list]) -> tuple[list[int], list]:
        """The order of an earlier generation (of ``leaves`` at ``offsets``), less the
        documents that left or moved, plus those that came or moved (few: the segments
        that kept their place keep their document numbers)."""
        kept = {}
        for leaf, offset in zip(leaves, offsets, strict=False):
            kept[(leaf.segid, offset)] = leaf
        removed: list[tuple[int, int]] = []  # (sort key, document) as they were
        added: list[tuple[int, int]] = []
        placed = set()
        for leaf, offset in zip(self.leaves, self.offsets, strict=False):
            old = kept.get((leaf.segid, offset))
            if old is not None:
                if not old.deleted <= leaf.deleted:
                    return self._sorted()
                placed.add((leaf.segid, offset))
                published = leaf.published()
                removed += [(-published[d], d + offset) for d in leaf.deleted - old.deleted]
                continue
            published = leaf.published()
            added += [(-published[d], d + offset) for d in leaf.sets()[_LIVE]]
        for (segid, offset), leaf in kept.items():
            if (segid, offset) not in placed:
                published = leaf.published()
                removed += [(-published[d], d + offset) for d in leaf.sets()[_LIVE]]
        if len(added) + len(removed) > 2_000:
            return self._sorted()
        order, entries = list(before[0]), list(before[1])
        for entry in removed:
            at = bisect.bisect_left(entries, entry)
            del order[at], entries[at]
        for entry in added:
            at = bisect.bisect_left(entries, entry)
            entries.insert(at, entry)
            order.insert(at, entry[1])
        return order, entries

    def handed_on(self) -> dict:
        """What this generation, or one before it, computed: the next one combines its
        own from it."""
        basis = dict(self._basis)
        if self._parts is not None:
            basis["parts"] = self._parts
        if self._lengths is not None:
            basis["lengths"] = self._lengths
        if self._newest is not None:
            basis["newest"] = (self.leaves, self.offsets, self._newest)
        years = {key: value for key, value in self.cache.items() if key[0] == "years"}
        if years:
            basis["years"] = dict(list({**basis.get("years", {}), **years}.items())[-32:])
        return basis


class _Values:
    """One field's ``value -> documents``, each united across segments when asked for."""

    def __init__(self, generation: Generation, field: str):
        self.generation, self.field = generation, field

    def get(self, value: str, default=None):
        if (self.field, value) not in self.generation._combined():
            return default
        return self.generation.docs((self.field, value))

    def __getitem__(self, value: str) -> frozenset:
        if (self.field, value) not in self.generation._combined():
            raise KeyError(value)
        return self.generation.docs((self.field, value))

    def items(self):
        keys = [key for key in self.generation._combined() if key[0] == self.field]
        return [(value, self.generation.docs((field, value))) for field, value in keys]


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def empty() -> Generation:
    """A generation with nothing in it, never up to date (read again next time)."""
    return Generation(None, None, None, schema(), [])


def open_generation(target, previous: Generation | None) -> Generation:
    """The newest generation of the index in ``target``, reusing ``previous``'s segment
    readers where a segment and its deletions are unchanged (the readers ``previous``
    alone used are closed).

    A commit in another thread or process writes a new table of contents and then deletes
    the old one with the segments it merged away; a reader that listed the old generation
    just before finds its files gone. The newer generation is complete by then: read it.
    """
    for attempt in range(OPEN_ATTEMPTS):
        try:
            generation = _open(target, previous)
            break
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
    if previous is not None:
        used = {id(leaf) for leaf in generation.leaves}
        for leaf in previous.leaves:
            if id(leaf) not in used:
                leaf.close()
    return generation


def _open(target, previous: Generation | None) -> Generation:
    ix = open_index(target)
    toc = ix._read_toc()
    held = {leaf.segid: leaf for leaf in previous.leaves} if previous is not None else {}
    leaves, opened = [], []
    try:
        for segment in toc.segments:
            leaf = held.get(segment.segment_id())
            if leaf is None or leaf.deleted != frozenset(segment.deleted_docs()):
                leaf = Leaf(ix.storage, toc.schema, segment, prior=leaf)
                opened.append(leaf)
            leaves.append(leaf)
    except BaseException:
        for leaf in opened:
            leaf.close()
        raise
    leaves.sort(key=lambda leaf: (-leaf.size, leaf.segid))
    return Generation(target, ix, toc.generation, toc.schema, leaves, before=previous)
