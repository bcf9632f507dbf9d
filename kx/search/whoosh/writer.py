"""Writing the index: one writer at a time across processes, commits that never wait for
a merge, merges in tiers written beside the index (``merging``), whole rebuilds swapped in
atomically; and the two changes kx makes to Whoosh's writing (the library is frozen, so
they are made here).

Every write takes an exclusive ``flock`` beside the index, resolves the live index
directory *after* taking it, writes, commits and lets go. The configured path is a symlink
to the live directory, so a rebuild writes a fresh directory and swaps the link atomically.
"""

import fcntl
import itertools
import logging
import os
import pickle
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from whoosh import index
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader
from whoosh.reading import SegmentReader
from whoosh.writing import PostingPool

from kx.search.whoosh import merging
from kx.search.whoosh.schema import fields, index_exists, open_index, schema
from kx.search.whoosh.suggestions import WORDS_FILE, add_words
from kx.search.words import words_of


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

#: The codec of a write's segment: its postings come a few to a block, and compressing
#: each block with zlib took a twentieth of a one-document publish's CPU for a few bytes
#: (merges compress theirs as Whoosh does by default).
_WRITE_CODEC = W3Codec(compression=0)

#: Rebuilds of at least this many documents index in parallel processes.
PARALLEL_REBUILD_FROM = 5_000

#: the background job that merges segments (``kx.background``)
MERGE = "search.merge"


class IndexBusy(Exception):
    """Another process holds the index lock longer than we were willing to wait."""


def _abandon(writer) -> None:
    """Let go of a writer whose commit failed: Whoosh keeps its lock file locked then,
    and every later write in this process would wait for it and fail."""
    with suppress(Exception):
        writer.cancel()
    if writer.writelock is not None:
        with suppress(Exception):
            writer.writelock.release()


class IndexWriter:
    """The index at ``path`` (a symlink to the live directory), written under its lock."""

    def __init__(self, path: str, lock_timeout: float = 2.0):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._holding = threading.local()
        self._merge_guard = threading.Lock()
        self._merging: subprocess.Popen | None = None
        # segment id -> a reader of its files, kept from one write to the next (under the lock)
        self._readers: dict[str, SegmentReader] = {}
        self._words: dict = {}  # the word list as this writer last read or wrote it

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
        if not index_exists(self.path):
            # missing, or a directory an operator created empty beforehand
            self._publish(self._fresh_directory())
        return open_index(self.path)

    def _fresh_directory(self) -> Path:
        directory = self.path.parent / f"{self.path.name}.{time.time_ns()}"
        directory.mkdir()
        index.create_in(str(directory), schema())
        (directory / WORDS_FILE).touch()
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
            if any(self.path.iterdir()) and not index_exists(self.path):
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
            writer = ix.writer(codec=_WRITE_CODEC)
            try:
                keys = [*deleted_keys, *(document["key"] for document in documents)]
                for docnum in self._holding_keys(ix, writer.segments, keys):
                    writer.delete_document(docnum)
                for document in documents:
                    writer.add_document(**fields(document))
            except BaseException:
                writer.cancel()
                raise
            words = words_of(documents)
            if not (self.path.resolve() / WORDS_FILE).exists():  # built before word lists
                with ix.searcher() as searcher:
                    words |= words_of(searcher.all_stored_fields())
            # Words first: a searcher opened right after the commit must find them.
            add_words(self.path.resolve(), words, self._words)
            # Only the smallest tier is merged here, a few documents: Whoosh's default
            # policy merges larger segments too, 0.3-1 s every few commits and growing,
            # and a user waits for this commit.
            try:
                writer.commit(mergetype=merging.fold_smallest)
            except BaseException:
                _abandon(writer)
                raise
            crowded = merging.crowded(ix._segments())
        if crowded:
            # imported here, not at the top: the merge child imports this module, and
            # kx.background brings Flask and SQLAlchemy (1.2 s of a 1.6 s small merge)
            from kx.background import start

            start(MERGE, self._merge_soon)

    def _holding_keys(self, ix, segments, keys: list[str]) -> list[int]:
        """The live documents holding any of ``keys``, numbered across ``segments`` as the
        writer numbers them. Whoosh's ``update_document`` opens a reader of every segment
        for this on each write, and opening a large one copies its term file (~1 ms a
        file, most of a one-document write); a segment's files never change, so its
        reader is kept, and its deletions are read from ``segments``, the current ones."""
        holding, offset = [], 0
        for segment in segments:
            reader = self._readers.get(segment.segment_id())
            if reader is None:
                reader = SegmentReader(ix.storage, ix.schema, segment)
                self._readers[segment.segment_id()] = reader
            for key in keys:
                if ("key", key) in reader:
                    docs = reader.postings("key", key).all_ids()
                    holding += (offset + d for d in docs if not segment.is_deleted(d))
            offset += segment.doc_count_all()
        for gone in self._readers.keys() - {segment.segment_id() for segment in segments}:
            self._readers.pop(gone).close()  # merged away, or the index was rebuilt
        return holding

    def _merge_soon(self) -> None:
        """Merge crowded tiers of segments in a child process (one at a time per backend;
        none while another process merges this index), never holding the index lock while
        copying (``merging``).

        Not a thread: a merge is seconds of pure Python, and a thread would hold this
        process's interpreter lock against the requests it serves (the first page after a
        change took twice its CPU time in wall-clock time while one ran)."""
        with self._merge_guard:
            if self._merging is not None and self._merging.poll() is None:
                return
            if merging.running(self.path):
                return
            self._merging = merging.start_process(self.path)

    def merge(self) -> None:
        """Merge crowded tiers of segments while there are any (here, in this process)."""
        try:
            while merging.merge(self):
                pass
        except IndexBusy:  # expected while others write in bulk; the segments wait
            logging.getLogger(__name__).warning(
                "search index %s busy for %.0f s: merging left to a later write",
                self.path,
                merging.LOCK_WAIT,
            )
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
            ix = open_index(directory)
            if procs > 1:
                writer = ix.writer(procs=procs, multisegment=True, limitmb=64)
            else:
                writer = ix.writer(limitmb=128)
            count, words = 0, set()
            try:
                for document in documents:
                    writer.add_document(**fields(document))
                    words |= words_of([document])
                    count += 1
                    if progress:
                        progress(1)
                add_words(directory, words)
                writer.commit()
            except BaseException:
                with suppress(Exception):  # keep the original error
                    writer.cancel()
                shutil.rmtree(directory, ignore_errors=True)
                raise
            self._publish(directory)
        return count
