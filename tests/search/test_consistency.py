"""The index follows the database (through the outbox, for Whoosh): a rolled-back change
is never indexed, a failure or a crash between commit and index write is healed, a busy index
delays but loses nothing, two processes writing at once lose nothing, and a deleted index
is rebuilt to the same results."""

import itertools
import multiprocessing
import sys
import threading
import types

import pytest
from whoosh import index
from whoosh.multiproc import MpWriter

from kx import create_app
from kx.accounts.models import User
from kx.database import transaction
from kx.extensions import db
from kx.practice.models import Practice
from kx.practice.services import save_practice
from kx.records import services as records
from kx.search import documents, indexing
from kx.search import services as search_services
from kx.search.backend import Query
from kx.search.whoosh import merging, suggestions, writer
from kx.search.whoosh.backend import WhooshBackend
from kx.search.whoosh.schema import ANALYZER
from tests.support.search import VIEWERS, no_drift

OUTBOX = (
    "the outbox and its healing feed Whoosh; PostgreSQL writes documents in the transaction "
    "of the change (tests/search/test_postgres.py)"
)
FILES = "Whoosh's index directory and files; PostgreSQL keeps its documents in a table"
TEXT = "A confidential helpline offers anonymous advice to adults worried about their thoughts."


@pytest.mark.whoosh_only(reason=OUTBOX)
def test_a_rolled_back_change_is_never_indexed(kx):
    item = kx.practice("Original kestrel title", TEXT)

    with (
        kx.app.app_context(),
        pytest.raises(RuntimeError, match="after the change"),
        transaction(),
    ):
        practice = db.session.get(Practice, item)
        records.apply_changes(practice, {"title": "Changed osprey title"}, kx.user("moderator"))
        db.session.flush()
        assert indexing.pending() == 1  # captured inside the transaction...
        raise RuntimeError("fails after the change")

    assert kx.outbox() == set()  # ...and rolled back with it
    assert kx.keys("osprey", "moderator") == set()
    [hit] = kx.search("kestrel", "moderator").hits
    assert hit.title == "Original kestrel title"
    assert no_drift(kx.drift())


def test_a_rolled_back_publication_is_never_indexed(kx):
    draft = kx.practice("Draft kestrel", TEXT, submit=False)

    with kx.app.app_context(), pytest.raises(RuntimeError), transaction():
        records.set_status(db.session.get(Practice, draft), "published")
        db.session.flush()
        raise RuntimeError("fails after publishing")

    assert kx.pending() == 0
    assert kx.indexed() == {}
    assert kx.keys("kestrel", "moderator") == set()


@pytest.fixture
def index_fails_once(monkeypatch):
    """The next index write raises, as a full disk or a killed writer would."""
    original = WhooshBackend.index
    failures = []

    def flaky(self, documents, deleted_keys, timeout=None):
        if not failures:
            failures.append(documents)
            raise OSError("No space left on device")
        return original(self, documents, deleted_keys, timeout)

    monkeypatch.setattr(WhooshBackend, "index", flaky)
    return failures


@pytest.mark.whoosh_only(reason=OUTBOX)
def test_a_failure_between_commit_and_index_write_is_healed_by_the_next_search(
    kx, index_fails_once
):
    item = kx.practice("Kestrel helpline", TEXT)  # the publication itself succeeds

    assert index_fails_once, "the index write was attempted"
    assert f"practice:{item}" not in kx.indexed()
    assert kx.outbox() == {f"practice:{item}"}

    assert kx.keys("kestrel", None) == {f"practice:{item}"}  # the search applies the row
    assert kx.pending() == 0
    assert no_drift(kx.drift())


@pytest.mark.whoosh_only(reason=OUTBOX)
def test_a_failure_between_commit_and_index_write_is_healed_by_the_next_write(kx, index_fails_once):
    first = kx.practice("Kestrel helpline", TEXT)
    assert kx.outbox() == {f"practice:{first}"}

    second = kx.practice("Osprey helpline", TEXT)

    assert set(kx.indexed()) == {f"practice:{first}", f"practice:{second}"}
    assert kx.pending() == 0


@pytest.mark.whoosh_only(reason="Whoosh's write lock after a failed commit")
def test_a_commit_that_fails_inside_whoosh_leaves_the_index_writable(kx, monkeypatch):
    """Whoosh keeps its write lock when a commit fails half-way; every later write in the
    process then waited for it and failed."""
    from whoosh.writing import SegmentWriter

    original, failures = SegmentWriter._commit_toc, []

    def fails_once(self, segments):
        if not failures:
            failures.append(segments)
            raise OSError("No space left on device")
        return original(self, segments)

    monkeypatch.setattr(SegmentWriter, "_commit_toc", fails_once)
    first = kx.practice("Kestrel helpline", TEXT)
    assert failures and kx.outbox() == {f"practice:{first}"}

    second = kx.practice("Osprey helpline", TEXT)

    assert set(kx.indexed()) == {f"practice:{first}", f"practice:{second}"}
    assert kx.pending() == 0


@pytest.mark.whoosh_only(reason="Whoosh's index generations")
def test_a_generation_removed_while_it_is_opened_gives_way_to_the_newer_one(kx, monkeypatch):
    """A commit elsewhere deletes the old table of contents right after writing the new
    one; a search that listed the old one just before found its file gone (a 500)."""
    from kx.search.whoosh import generations

    item = kx.practice("Kestrel helpline", TEXT)
    original, vanished = generations.open_index, []

    def opened_as_a_commit_lands(directory):
        if not vanished:
            vanished.append(directory)
            raise FileNotFoundError(f"{directory}/_MAIN_4.toc")
        return original(directory)

    monkeypatch.setattr(generations, "open_index", opened_as_a_commit_lands)
    kx.practice("Osprey helpline", TEXT)  # a new generation: every searcher opens again

    assert kx.keys("kestrel", None) == {f"practice:{item}"}
    assert vanished


@pytest.mark.whoosh_only(reason=OUTBOX)
def test_a_failed_visibility_downgrade_is_never_served_stale(kx, index_fails_once):
    """The dangerous case: the index still says "public" after the database says
    "members". The next search applies the change before it answers."""
    index_fails_once.append("let the publication through")
    item = kx.practice("Kestrel helpline", TEXT)
    public_stamp = kx.indexed()[f"practice:{item}"]
    index_fails_once.clear()

    kx.edit_practice(item, visibility="members")

    assert kx.indexed()[f"practice:{item}"] == public_stamp  # stale in the index...
    assert kx.keys("kestrel", None) == set()  # ...but never served
    assert kx.keys("kestrel", "le") == {f"practice:{item}"}


@pytest.mark.whoosh_only(reason=OUTBOX)
def test_a_crash_before_the_index_write_is_healed_by_another_worker(kx, monkeypatch, app):
    """The worker dies after its commit, before applying the outbox; another worker (a
    fresh app on the same database and index) picks the row up."""
    monkeypatch.setattr(indexing, "apply_outbox", lambda timeout=None: 0)
    item = kx.practice("Kestrel helpline", TEXT)
    monkeypatch.undo()
    assert kx.outbox() == {f"practice:{item}"}

    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
            "SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
            "SECRET_KEY": "another worker",
        }
    )
    with other.app_context():
        assert indexing.backend() is not kx.app.extensions["kx-search"]
        results = search_services.search(None, Query(text="kestrel"))
        assert [hit.id for hit in results.hits] == [item]
        db.session.remove()
        db.engine.dispose()
    assert kx.pending() == 0
    assert no_drift(kx.drift())


@pytest.mark.whoosh_only(reason="Whoosh's index lock and the outbox")
def test_a_busy_index_leaves_rows_that_are_applied_later(kx, monkeypatch):
    kx.practice("Osprey helpline", TEXT)  # the index exists
    with kx.app.app_context():
        backend = indexing.backend()
    monkeypatch.setattr(backend, "lock_timeout", 0.2)
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():  # another writer (a rebuild, a long batch) holds the index
        with backend.exclusive(timeout=5):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert held.wait(5)
    try:
        item = kx.practice("Kestrel helpline", TEXT)  # the write succeeds; indexing waits

        assert kx.outbox() == {f"practice:{item}"}
        assert f"practice:{item}" not in kx.indexed()
        results = kx.search("kestrel", "moderator")  # answers from the index as it is
        assert results.total == 0
        assert kx.outbox() == {f"practice:{item}"}
    finally:
        release.set()
        holder.join()

    assert kx.keys("kestrel", "moderator") == {f"practice:{item}"}
    assert kx.pending() == 0
    assert no_drift(kx.drift())


@pytest.mark.whoosh_only(reason="Whoosh's first index build under its lock")
def test_a_search_before_the_first_index_exists_while_it_is_being_built(kx, monkeypatch):
    with kx.app.app_context():
        backend = indexing.backend()
    monkeypatch.setattr(backend, "lock_timeout", 0.2)
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with backend.exclusive(timeout=5):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert held.wait(5)
    try:
        results = kx.search("kestrel", None)
        assert (results.total, results.hits) == (0, [])
    finally:
        release.set()
        holder.join()


# ------------------------------------------------------------------ two processes at once


def _publish_many(database_url, index_dir, backend, moderator_id, tag, count, barrier):
    """One worker process: its own app on the shared database and search backend."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEX_DIR": index_dir,
            "SEARCH_BACKEND": backend,
            "SECRET_KEY": "x",
        }
    )
    with app.app_context():
        moderator = db.session.get(User, moderator_id)
        barrier.wait(timeout=60)
        for n in range(count):
            save_practice(
                moderator,
                {
                    "title": f"{tag} kestrel number {n}",
                    "body": f"Written by the {tag} worker. {TEXT}",
                    "domains": ["prevention"],
                    "submit": True,
                    "anonymised_confirmed": True,
                },
            )


def test_two_processes_publishing_at_once_lose_nothing(kx, app):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [
        context.Process(
            target=_publish_many,
            args=(
                app.config["SQLALCHEMY_DATABASE_URI"],
                app.config["SEARCH_INDEX_DIR"],
                app.config["SEARCH_BACKEND"],
                kx.users["moderator"],
                tag,
                50,
                barrier,
            ),
        )
        for tag in ("alpha", "beta")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [worker.exitcode for worker in workers] == [0, 0]

    assert kx.pending() == 0  # each worker applied its own rows
    assert len(kx.indexed()) == 100
    assert no_drift(kx.drift())
    assert kx.search("kestrel", None, per_page=10).total == 100
    assert kx.search("alpha kestrel", None).total == 50
    assert kx.search("beta", None).total == 50


# ------------------------------------------------------------------ losing the index


@pytest.fixture
def varied(kx):
    """Items of both types, every visibility, several domains, countries and years."""
    for n in range(6):
        kx.practice(
            f"Helpline practice {n}",
            f"{TEXT} Kestrel {n} {'evenings' if n % 2 else 'weekends'}.",
            domains=[["prevention"], ["policing", "treatment"], ["education"]][n % 3],
            countries=[["GB"], ["DE", "NL"], []][n % 3],
            prevention_level=["primary", "secondary", "tertiary"][n % 3],
            visibility=["public", "members", "restricted"][n % 3],
            restricted_sectors=["law-enforcement"] if n % 3 == 2 else [],
        )
        kx.research(
            f"Helpline study {n}",
            f"{TEXT} Osprey {n} {'evenings' if n % 2 else 'weekends'}.",
            study_design=["rct", "cohort", "qualitative"][n % 3],
            year=2010 + n,
            countries=[["SE"], ["GB"], ["FI"]][n % 3],
            visibility=["public", "members", "restricted"][(n + 1) % 3],
            restricted_sectors=["academic"] if (n + 1) % 3 == 2 else [],
        )
    kx.practice("Draft helpline", TEXT, submit=False)


QUERIES = [
    ("", {}),
    ("helpline", {}),
    ("kestrel OR osprey", {}),
    ("evenings", {"sort": "newest"}),
    ("weekends", {"domains": ["prevention", "education"]}),
    ("", {"types": ["research"], "year_from": 2012, "year_to": 2014}),
    ("", {"countries": ["GB"]}),
    ("helpline", {"study_designs": ["rct", "cohort"]}),
    ("helpline", {"page": 2, "per_page": 4, "sort": "newest"}),
    ('"helpline study"', {}),
    ("kestrl", {}),
]


def _snapshot(kx) -> list:
    taken = []
    for viewer in VIEWERS:
        for text, options in QUERIES:
            results = kx.search(text, viewer, **options)
            keys = [f"{hit.type}:{hit.id}" for hit in results.hits]
            if options.get("sort") != "newest":
                keys.sort()  # equal scores tie-break by position in the index, which differs
            taken.append((viewer, text, results.total, keys, results.facets, results.suggestion))
    return taken


def test_deleting_the_index_and_reindexing_restores_identical_results(kx, varied):
    before = _snapshot(kx)
    assert any(total for _viewer, _text, total, *_rest in before)

    kx.lose_index()

    assert kx.search("helpline", "moderator").total == 0  # an empty index, not an error
    assert len(kx.drift()["missing"]) == 12

    with kx.app.app_context():
        assert indexing.reindex() == 12

    assert _snapshot(kx) == before
    assert no_drift(kx.drift())


@pytest.mark.whoosh_only(reason=FILES)
def test_reindex_swaps_in_a_fresh_directory_and_drops_the_old_one(kx, varied):
    with kx.app.app_context():
        link = indexing.backend().path
        old = link.resolve()
        indexing.reindex()
        new = link.resolve()

    assert link.is_symlink() and new != old
    assert not old.exists()
    assert kx.search("", "moderator").total == 12


@pytest.mark.whoosh_only(reason="Whoosh's parallel writer")
def test_a_parallel_rebuild_gives_the_same_results(kx, varied, monkeypatch):
    """Large rebuilds index in two processes (one segment each); the answers are the same."""
    before = _snapshot(kx)
    monkeypatch.setattr(writer, "PARALLEL_REBUILD_FROM", 0)
    commits = []
    parallel_commit = MpWriter.commit
    monkeypatch.setattr(
        MpWriter, "commit", lambda self, **kw: commits.append(self) or parallel_commit(self, **kw)
    )

    with kx.app.app_context():
        assert indexing.reindex() == 12

    assert len(commits) == 1
    assert _snapshot(kx) == before
    assert no_drift(kx.drift())


def test_a_failed_rebuild_leaves_the_old_index_serving(kx, varied, monkeypatch):
    before = _snapshot(kx)

    def broken():
        yield from itertools.islice(real_documents(), 3)
        raise OSError("the database went away")

    real_documents = documents.all_documents
    monkeypatch.setattr(documents, "all_documents", broken)
    with kx.app.app_context(), pytest.raises(OSError, match="went away"):
        indexing.reindex()
    monkeypatch.undo()

    if kx.app.config["SEARCH_BACKEND"] == "whoosh":
        with kx.app.app_context():
            link = indexing.backend().path
        assert sorted(p.name for p in link.parent.glob(f"{link.name}*")) == sorted(
            [link.name, link.resolve().name]
        )  # the link and the live directory; the half-built one is gone
    assert _snapshot(kx) == before


@pytest.mark.whoosh_only(reason="the schema Whoosh pickles into its index")
def test_an_index_whose_stored_schema_names_a_vanished_class_still_opens(kx, monkeypatch):
    """Whoosh pickles the schema into the index, the analyzer's class named by its module;
    an index is read with the schema kx declares, so an index built before that class moved
    keeps answering and taking writes."""
    kestrel = kx.practice("Kestrel project", TEXT)
    vanished = types.ModuleType("kx_vanished_analysis")
    vanished.Words = type("Words", (type(ANALYZER),), {"__module__": vanished.__name__})
    monkeypatch.setitem(sys.modules, vanished.__name__, vanished)
    with kx.app.app_context():
        path = indexing.backend().path
        old = index.open_dir(str(path)).writer()
        old.schema["text"].analyzer = vanished.Words()
        old.commit(merge=False)
    monkeypatch.undo()
    with pytest.raises(ModuleNotFoundError):
        index.open_dir(str(path))

    osprey = kx.practice("Osprey project", TEXT)

    assert kx.keys("kestrel OR osprey", None) == {f"practice:{kestrel}", f"practice:{osprey}"}
    assert no_drift(kx.drift())


def test_writes_after_a_reindex_reach_the_new_index(kx, varied):
    with kx.app.app_context():
        indexing.reindex()
    kx.search("helpline", None)  # a searcher on the new directory

    item = kx.practice("Kestrel after the rebuild", TEXT)

    assert f"practice:{item}" in kx.keys("rebuild", None)
    assert no_drift(kx.drift())


@pytest.mark.whoosh_only(reason="Whoosh's segments")
def test_publishing_one_item_at_a_time_leaves_few_segments_and_no_merge_to_run(kx):
    """Each write copies the segments smaller than a tier (a few documents) into its own,
    so publishes one at a time leave one small segment, start no merge process, and lose
    nothing; an edited item's old copy is not carried along."""
    items = [kx.practice(f"Kestrel {n}", TEXT) for n in range(merging.MERGE_FACTOR + 1)]
    kx.edit_practice(items[0], title="Kestrel renamed")
    with kx.app.app_context():
        backend = indexing.backend()
        assert backend._merging is None
        segments = index.open_dir(str(backend.path))._segments()

    small = [s for s in segments if s.doc_count_all() < merging.MERGE_FACTOR]
    assert len(segments) <= 2 and len(small) <= 1, [s.doc_count_all() for s in segments]
    assert kx.search("kestrel", None).total == merging.MERGE_FACTOR + 1
    assert kx.keys("renamed", None) == {f"practice:{items[0]}"}
    assert no_drift(kx.drift())


def test_a_merge_process_starts_without_the_web_stack():
    """A merge child runs every few writes: importing Flask and SQLAlchemy made a merge
    of a few one-document segments cost 1.4 s of CPU instead of 0.5 s."""
    import subprocess

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, kx.search.whoosh.merging, kx.search.whoosh.writer;"
            "print(sorted({'flask', 'sqlalchemy'} & set(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"


@pytest.mark.whoosh_only(reason="the word list beside the Whoosh index")
def test_an_index_without_a_word_list_gets_one_on_its_next_write(kx):
    """An index built before "did you mean" read its candidates from a word list (the file
    beside the index) offers suggestions again after the next write, for old documents too.
    """
    kx.practice("Quillwort project", TEXT)
    with kx.app.app_context():
        words = indexing.backend().path.resolve() / suggestions.WORDS_FILE
    words.unlink()
    assert kx.search("quilwort", None).suggestion is None

    kx.practice("Kestrel project", TEXT)

    assert kx.search("quilwort", None).suggestion == "quillwort"
    assert kx.search("kestrl", None).suggestion == "kestrel"


@pytest.mark.whoosh_only(reason="the word list beside the Whoosh index")
def test_each_writer_lists_a_new_word_once_and_reads_the_list_only_when_it_changed(
    tmp_path, monkeypatch
):
    """Two processes' writers add to one word list: each keeps the list as it last read
    or wrote it, and reads it again only after the other added words, so a word is listed
    once and an unchanged list is not read for every write."""
    (tmp_path / suggestions.WORDS_FILE).touch()
    reads = []
    read_words = suggestions.read_words
    monkeypatch.setattr(
        suggestions, "read_words", lambda directory: reads.append(1) or read_words(directory)
    )
    mine, theirs = {}, {}

    suggestions.add_words(tmp_path, {"kestrel", "osprey"}, mine)
    suggestions.add_words(tmp_path, {"osprey"}, mine)
    suggestions.add_words(tmp_path, {"kestrel", "osprey"}, mine)
    assert len(reads) == 1
    suggestions.add_words(tmp_path, {"osprey", "heron"}, theirs)
    suggestions.add_words(tmp_path, {"heron", "quillwort"}, mine)

    assert len(reads) == 3
    assert sorted(read_words(tmp_path)) == ["heron", "kestrel", "osprey", "quillwort"]


@pytest.mark.whoosh_only(reason=OUTBOX)
def test_only_changes_that_concern_the_index_reach_the_outbox(kx, monkeypatch):
    """Drafts and pending items are never indexed, so saving them writes no outbox row
    (they were most of all writes); publishing, unpublishing and deleting a published item
    do."""
    monkeypatch.setattr(indexing, "apply_outbox", lambda timeout=None: 0)
    draft = kx.practice("Heron draft", TEXT, by="author", submit=False)
    kx.edit_practice(draft, by="author", title="Heron draft renamed")
    pending = kx.practice("Heron pending", TEXT, by="author")
    research_draft = kx.research("Heron study", TEXT, by="author", submit=False)
    assert kx.outbox() == set()

    kx.review("practice", pending, "approve")
    kx.archive("practice", pending)  # published, then not: both concern the index
    published = kx.research("Heron review", TEXT)
    kx.delete("research", published)
    kx.delete("research", research_draft)

    assert kx.outbox() == {f"practice:{pending}", f"research:{published}"}
    monkeypatch.undo()
    assert kx.keys("heron", "moderator") == set()
    assert no_drift(kx.drift())


def test_a_rebuilds_external_sort_returns_every_posting_in_order(tmp_path, monkeypatch):
    """Rebuilds spill postings to run files, which kx pickles in chunks: whatever the runs
    and chunks, every posting comes back once, in order, and the run files are removed."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.writing import PostingPool

    monkeypatch.setattr(writer, "_RUN_CHUNK", 7)
    pool = PostingPool(FileStorage(str(tmp_path)), segment=None, limitmb=0)  # spill always
    postings = [("text", f"w{n % 37:02d}".encode(), n, 1.0, None) for n in range(300)]
    for posting in reversed(postings):
        pool.add(posting)

    assert len(pool.runs) > 4
    assert list(pool.items(maxfiles=4)) == sorted(postings)  # merges runs of runs too
    assert list(tmp_path.iterdir()) == []
