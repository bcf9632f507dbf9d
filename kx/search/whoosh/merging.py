"""Merging segments without stopping the writers: the merged segment is written beside the
index with no lock held, then swapped in under the lock in a moment.

Segments merge in tiers of similar size, ``MERGE_FACTOR`` to a tier (log-structured, as
in Lucene), so the index keeps about ``MERGE_FACTOR`` segments per tier whatever its size,
and large segments merge too, only rarely. Whoosh merges at ~2.5 ms of CPU a document, so
a merge of large segments takes a minute; held under the index lock, it would stall every
write for that long. Instead:

1. under the lock, the crowded tier's segments are chosen, as of their deletions then;
2. without the lock, they are copied into one new segment in a directory of its own (a
   throw-away index with the same schema), skipping the documents deleted then;
3. under the lock again, the new segment's file moves into the index, the documents
   deleted in the chosen segments meanwhile are deleted in it too (documents keep their
   order, so their new numbers follow), and a commit replaces the chosen segments with
   it. If any chosen segment is gone by then (a rebuild, another merge), nothing changes.

Writes fold the smallest tier into the segment they commit (``fold_smallest``), so it
never crowds: its merges would start a process for a few documents.

One merge runs at a time per index (a second lock, never waited for). In the embedded
setting the web worker whose write crowded a tier starts a child process
(``python -m kx.search.whoosh.merging``), so the copying never competes with requests for
the worker's interpreter; the job worker (``flask --app kx worker``) merges in place.
"""

import argparse
import fcntl
import math
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path

from whoosh import index
from whoosh.reading import SegmentReader

from kx.search.whoosh.schema import open_index, schema

#: Segments per tier before the tier merges; tier ``t`` holds segments of ``8**t`` to
#: ``8**(t+1) - 1`` documents.
MERGE_FACTOR = 8
#: Segments of the smallest tier that make a write copy them into its own segment (fewer
#: are left beside it). Folding at every write copied 3.5 documents a write on
#: average, a third of a one-document publish's CPU; at two, 2.2 documents, for 0.45
#: more small segments on average in every search (~0.1 ms each).
FOLD_FROM = 2
#: Seconds a merge waits for the index lock before giving up until a later write: sustained
#: bulk writing (a large import) can hold it that long.
LOCK_WAIT = 60.0


def tier(segment) -> int:
    return int(math.log(max(segment.doc_count_all(), 1), MERGE_FACTOR))


def crowded(segments) -> list:
    """The segments to merge next: the ``MERGE_FACTOR`` smallest of the smallest tier
    holding that many (with live documents), or else the segments left with none; []
    when neither. A merge never copies more than ``MERGE_FACTOR`` segments of a tier."""
    live = [segment for segment in segments if segment.doc_count()]
    tiers = Counter(tier(segment) for segment in live)
    full = [t for t, count in tiers.items() if count >= MERGE_FACTOR]
    if full:
        chosen = sorted((s for s in live if tier(s) == min(full)), key=lambda s: s.doc_count_all())
        return chosen[:MERGE_FACTOR]
    return [segment for segment in segments if not segment.doc_count()]


def fold_smallest(writer, segments) -> list:
    """A write's Whoosh ``mergetype``: the smallest tier's segments copied into the segment
    the write commits once there are ``FOLD_FROM`` of them or one has deleted documents,
    so that writes of a document or two leave at most ``FOLD_FROM`` segments below
    ``MERGE_FACTOR`` documents, not ``MERGE_FACTOR - 1`` of them, and their merges start
    no process (its start costs ~0.15 s of CPU; a write copies a few milliseconds of
    documents)."""
    smallest = [segment for segment in segments if tier(segment) == 0]
    if len(smallest) < FOLD_FROM and not any(s.has_deletions() for s in smallest):
        return segments  # (one left with deleted documents would start a merge for them)
    for segment in smallest:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)  # its documents deleted by this write are left out
        finally:
            reader.close()
    return [segment for segment in segments if tier(segment) > 0]


class _Moved(Exception):
    """A chosen segment left the index while the merged one was being written."""


@contextmanager
def _only_merge(path: Path):
    """Whether this process may merge the index at ``path`` now (no other merge runs)."""
    with open(path.parent / f".{path.name}.merge-lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def merge(writer) -> bool:
    """Merge the crowded tier of ``writer``'s index (a ``kx.search.whoosh.writer``
    ``IndexWriter``), if there is one and no other merge runs; whether one was merged."""
    with _only_merge(writer.path) as mine:
        if not mine:
            return False
        for stale in writer.path.parent.glob(f".{writer.path.name}.*.merging-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a merge that died
        with writer._locked(timeout=LOCK_WAIT):
            live = writer.path.resolve()
            chosen = crowded(open_index(live)._segments())
        if not chosen:
            return False
        if not any(segment.doc_count() for segment in chosen):
            return _swap(writer, live, chosen, None, None)
        side = live.parent / f".{live.name}.merging-{os.getpid()}-{time.time_ns()}"
        try:
            merged = _write_merged(live, side, chosen)
            return _swap(writer, live, chosen, side, merged)
        except FileNotFoundError:  # a rebuild replaced the index meanwhile
            return False
        finally:
            shutil.rmtree(side, ignore_errors=True)


def _write_merged(live: Path, side: Path, chosen):
    """The chosen segments' live documents copied into one segment of a new index in
    ``side`` (no lock held: their files never change)."""
    side.mkdir()
    target = index.create_in(str(side), schema())
    source = open_index(live)
    writer = target.writer(limitmb=64)
    try:
        for segment in chosen:
            reader = SegmentReader(source.storage, source.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
        writer.commit(merge=False)
    except BaseException:
        with suppress(Exception):
            writer.cancel()
        raise
    (merged,) = open_index(side)._segments()
    return merged


def _swap(writer, live: Path, chosen, side: Path | None, merged) -> bool:
    """Under the lock: replace ``chosen`` by ``merged`` (None: by nothing)."""
    from kx.search.whoosh.writer import _abandon

    names = {segment.segment_id() for segment in chosen}

    def replace(_whoosh_writer, segments):
        current = {segment.segment_id(): segment for segment in segments}
        if not names <= current.keys():
            raise _Moved
        kept = [segment for segment in segments if segment.segment_id() not in names]
        if merged is None:
            return kept
        newdoc = 0
        for segment in chosen:  # in the order they were copied
            now = current[segment.segment_id()]
            for docnum in range(segment.doc_count_all()):
                if segment.is_deleted(docnum):
                    continue
                if now.is_deleted(docnum):
                    merged.delete_document(newdoc)
                newdoc += 1
        if newdoc != merged.doc_count_all():
            raise RuntimeError(f"merged {merged.doc_count_all()} documents of {newdoc}")
        prefix = f"{merged.segment_id()}."
        for name in os.listdir(side):
            if name.startswith(prefix):
                os.replace(side / name, live / name)
        return [*kept, merged]

    with writer._locked(timeout=LOCK_WAIT):
        if writer.path.resolve() != live:
            return False  # rebuilt meanwhile
        whoosh_writer = open_index(live).writer()
        try:
            whoosh_writer.commit(mergetype=replace)
        except _Moved:
            _abandon(whoosh_writer)
            return False
        except BaseException:
            _abandon(whoosh_writer)
            raise
    return True


def running(path: Path) -> bool:
    """Whether a merge of the index at ``path`` runs now (in any process)."""
    with _only_merge(path) as mine:
        return not mine


def start_process(path: Path) -> subprocess.Popen:
    """``merge`` in a child process of its own (``python -m kx.search.whoosh.merging``),
    merging crowded tiers until none is left."""
    command = [sys.executable, "-m", "kx.search.whoosh.merging", str(path)]
    command += ["--factor", str(MERGE_FACTOR)]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL)  # noqa: S603 (our module)


def main() -> None:
    # run as ``-m``, this file is ``__main__``: set the factor where the writer reads it
    from kx.search.whoosh import merging
    from kx.search.whoosh.writer import IndexWriter

    parser = argparse.ArgumentParser(description="Merge the crowded tiers of a Whoosh index.")
    parser.add_argument("path", type=Path)
    parser.add_argument("--factor", type=int, default=MERGE_FACTOR)
    args = parser.parse_args()
    merging.MERGE_FACTOR = args.factor
    IndexWriter(str(args.path)).merge()  # until no tier is crowded (a merge may crowd the next)


if __name__ == "__main__":
    main()
