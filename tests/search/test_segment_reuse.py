"""After a commit, a searcher keeps the segments that did not change and reads only the
new ones and those whose deletions changed. What it answers must be exactly what a freshly
opened searcher answers: an item downgraded, replaced or deleted inside a kept segment is
never found by someone who may no longer see it, and never found twice."""

import gc
import logging
import random
import weakref

import numpy as np
import pytest
from whoosh.reading import SegmentReader

from kx.search import indexing
from kx.search import services as search_services
from kx.search.backend import FACETS, Audience, Query
from kx.search.whoosh import generations, merging
from kx.search.whoosh.backend import WhooshBackend
from kx.search.whoosh.generations import ADJUSTED_DELETIONS, open_generation
from kx.search.whoosh.schema import TEXT_FIELDS, index_terms, open_index, stem
from kx.search.whoosh.writer import IndexWriter
from tests.search.test_consistency import TEXT
from tests.support.search import VIEWERS, search_document

pytestmark = pytest.mark.whoosh_only(reason="Whoosh's segments and their readers")


@pytest.fixture
def one_segment(kx, monkeypatch):
    """Four public items rebuilt into one segment, read once by this thread's searcher; with
    tiers of two, writes fold only one-document segments, never that one."""
    monkeypatch.setattr(merging, "MERGE_FACTOR", 2)
    ids = {
        name: kx.practice(f"{name} helpline", TEXT, countries=[country])
        for name, country in [
            ("Kestrel", "GB"),
            ("Osprey", "NL"),
            ("Merlin", "SE"),
            ("Hobby", "DE"),
        ]
    }
    with kx.app.app_context():
        indexing.reindex()
    assert kx.search("helpline", None).total == 4
    return ids


def leaves(kx) -> dict[str, object]:
    """``segment id -> leaf`` of the searcher the last search in this thread used."""
    with kx.app.app_context():
        return {leaf.segid: leaf for leaf in indexing.backend()._current().leaves}


def test_a_new_segment_leaves_the_others_read_as_they_were(kx, one_segment):
    (big,) = leaves(kx).items()

    kx.practice("Falcon helpline", TEXT)
    kx.search("helpline", None)

    now = leaves(kx)
    assert len(now) == 2
    assert now[big[0]] is big[1]  # the same reader, not read again


def test_an_item_downgraded_inside_a_kept_segment_is_hidden_at_once(kx, one_segment):
    kx.practice("Falcon helpline", TEXT, countries=["GB"])  # the rebuilt segment is kept
    kx.search("helpline", None, sort="newest")
    kx.search("", None)

    kx.edit_practice(one_segment["Kestrel"], visibility="members")

    kestrel = f"practice:{one_segment['Kestrel']}"
    for text, options in [
        ("kestrel", {}),
        ("helpline", {}),
        ("", {}),
        ("helpline", {"sort": "newest"}),
    ]:
        assert kestrel not in kx.keys(text, None, **options), (text, options)
        assert kestrel not in kx.keys(text, "unverified", **options), (text, options)
    results = kx.search("helpline", None)
    assert results.total == 4
    assert results.facets["country"] == {"NL": 1, "SE": 1, "DE": 1, "GB": 1}  # Falcon's GB
    member = kx.search("kestrel", "le")
    assert [hit.id for hit in member.hits] == [one_segment["Kestrel"]]  # once, not twice


def test_an_item_replaced_inside_a_kept_segment_is_found_once_as_it_is_now(kx, one_segment):
    kx.search("kestrel", None)
    kx.edit_practice(one_segment["Kestrel"], title="Peregrine helpline")

    assert kx.keys("kestrel", None) == set()
    assert kx.keys("peregrine", None) == {f"practice:{one_segment['Kestrel']}"}
    everything = kx.search("helpline", "moderator", per_page=100)
    ids = [hit.id for hit in everything.hits]
    assert sorted(ids) == sorted(one_segment.values())  # no old copy beside the new one
    assert everything.total == 4


def test_an_item_deleted_inside_a_kept_segment_is_gone_for_everyone(kx, one_segment):
    kx.search("", "moderator")
    kx.related("practice", one_segment["Osprey"], None)

    kx.delete("practice", one_segment["Kestrel"])

    kestrel = f"practice:{one_segment['Kestrel']}"
    for viewer in VIEWERS:
        assert kestrel not in kx.keys("helpline", viewer), viewer
        assert kestrel not in kx.keys("", viewer), viewer
        assert kestrel not in kx.related("practice", one_segment["Osprey"], viewer), viewer
    assert kx.search("", "moderator").total == 3
    assert kx.search("helpline", "moderator").facets["country"] == {"NL": 1, "SE": 1, "DE": 1}


def test_another_worker_reusing_its_segments_never_shows_a_downgraded_item(kx, one_segment):
    """A second backend on the same index, as another gunicorn worker holds one, that read
    the index before the downgrade another worker wrote."""
    with kx.app.app_context():
        other = WhooshBackend(str(indexing.backend().path))
    public = Audience()
    found = other.search(Query(text="kestrel"), public)
    assert [hit.id for hit in found.hits] == [one_segment["Kestrel"]]

    kx.edit_practice(one_segment["Kestrel"], visibility="members")

    assert other.search(Query(text="kestrel"), public).total == 0
    assert other.search(Query(), public).total == 3
    members = Audience(members=True, sector="law-enforcement")
    assert [hit.id for hit in other.search(Query(text="kestrel"), members).hits] == [
        one_segment["Kestrel"]
    ]


def test_a_searcher_kept_through_many_changes_answers_as_a_fresh_one(kx, monkeypatch):
    """New items, edits, downgrades, deletions and merges (which move the small segments'
    document numbers), searched all along by one thread; then every viewer's searches,
    sorts and facets compared with a backend that opens the index for the first time."""
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    countries = ["GB", "NL", "SE", "DE"]
    ids = []
    for n in range(14):
        visibility = "members" if n % 5 == 4 else "public"
        ids.append(
            kx.practice(
                f"Kestrel {n} helpline", TEXT, countries=[countries[n % 4]], visibility=visibility
            )
        )
        if n % 3 == 2:
            kx.edit_practice(ids[n - 2], visibility="members", title=f"Osprey {n} helpline")
        if n % 4 == 3:
            kx.delete("practice", ids[n - 3])
        kx.search("helpline", None)
        kx.search("", "le", sort="newest")
        with kx.app.app_context():
            backend = indexing.backend()
            if backend._merging is not None:
                backend._merging.wait(timeout=60)

    with kx.app.app_context():
        fresh = WhooshBackend(str(indexing.backend().path))
    queries = [
        Query(text="helpline", per_page=100),
        Query(text="kestrel OR osprey", per_page=100),
        Query(text="", per_page=100),
        Query(text="helpline", sort="newest", per_page=100),
        Query(text="helpline", countries=["GB", "SE"], per_page=100),
    ]
    for viewer in VIEWERS:
        with kx.app.app_context():
            audience = search_services.audience_of(kx.user(viewer))
        for query in queries:
            with kx.app.app_context():
                kept = indexing.backend().search(query, audience)
            opened = fresh.search(query, audience)
            assert [(h.id, h.score) for h in kept.hits] == [(h.id, h.score) for h in opened.hits]
            assert (kept.total, kept.facets) == (opened.total, opened.facets), (viewer, query)


def test_every_generation_read_from_kept_segments_equals_one_read_afresh(tmp_path, monkeypatch):
    """Batches of new, replaced, downgraded and deleted documents, with merges between
    them (segments of every size come and go, and kept segments move to other document
    numbers): after each, a searcher built from the one before holds the same documents,
    order, lengths and audience totals as one opened afresh, and answers the same."""

    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    monkeypatch.setattr(WhooshBackend, "_merge_soon", lambda self: None)  # merges when called
    rng = random.Random(7)  # noqa: S311 (a repeatable sequence)
    backend = WhooshBackend(str(tmp_path / "index"))
    visibilities = ["public", "public", "members", "restricted"]
    audiences = [
        Audience(),
        Audience(members=True, sector="academic"),
        Audience(members=True, sector="policy"),
        Audience(everything=True),
    ]
    queries = [
        Query(text="kestrel helpline"),
        Query(),
        Query(text="osprey", sort="newest"),
        Query(text="helpline", year_from=2012, countries=["GB"]),
    ]
    known: list[int] = []
    kept = None
    for step in range(40):
        added = [len(known) + i for i in range(rng.choice([1, 1, 2, 5, 12]))]
        known += added
        changed = rng.sample(known, min(len(known), rng.randint(0, 3)))
        deleted = [n for n in rng.sample(known, min(len(known), rng.randint(0, 2)))]
        documents = [
            search_document(n, rng, rng.choice(visibilities))
            for n in dict.fromkeys(added + changed)
            if n not in deleted
        ]
        backend.index(documents, [f"practice:{n}" for n in deleted])
        if step % 4 == 3:
            backend.merge()
        target = backend.path.resolve()
        kept = open_generation(target, kept)
        if step % 5 == 1:
            continue  # a generation nobody searched: the next one combines from earlier
        fresh = open_generation(target, None)
        for field, values in kept.postings().items():
            assert dict(values.items()) == dict(fresh.postings()[field].items()), step
        everything = fresh.live()
        half = random.Random(step).sample(sorted(everything), len(everything) // 2)  # noqa: S311
        some = frozenset(half)
        for matched in (everything, some):
            postings = fresh.postings()
            counted = {
                name: {
                    value: len(docs & matched)
                    for value, docs in sorted(postings[field].items())
                    if docs & matched
                }
                for name, field in FACETS.items()
            }
            mask = np.zeros(fresh.offsets[-1], dtype=bool)
            mask[sorted(matched)] = True
            assert kept.counts(mask) == counted == fresh.counts(mask), step
        assert kept.live() == fresh.live(), step
        assert kept.by_newest() == fresh.by_newest(), step
        assert kept.lengths() == fresh.lengths(), step
        for audience in audiences:
            assert kept.totals(audience) == fresh.totals(audience), (step, audience)
        for word in ("kestrel", "helpline", "police"):
            for fields in (TEXT_FIELDS, ("title",)):
                for audience in audiences:
                    found = kept.frequencies(audience)(fields, stem(word))
                    assert found == fresh.frequencies(audience)(fields, stem(word)), (step, word)
        for low, high in [(2012, None), (None, 2015), (2010, 2010)]:
            kept.years(low, high)  # computed in every generation, like a search
            assert kept.years(low, high) == fresh.years(low, high), (step, low, high)
        for leaf in fresh.leaves:
            leaf.close()
    for audience in audiences:
        for query in queries:
            backend._local.generation = kept
            got = backend.search(query, audience)
            again = WhooshBackend(str(backend.path)).search(query, audience)
            assert [(h.id, h.score) for h in got.hits] == [(h.id, h.score) for h in again.hits]
            assert (got.total, got.facets) == (again.total, again.facets)


def test_writes_go_on_while_large_segments_merge_and_lose_nothing(tmp_path, monkeypatch):
    """Segments of every size merge in tiers, the copying done without the index lock:
    a document written, and one deleted from a segment being merged, while the merged
    segment is written are both there (or gone) after the swap."""

    monkeypatch.setattr(merging, "MERGE_FACTOR", 2)
    monkeypatch.setattr(WhooshBackend, "_merge_soon", lambda self: None)
    rng = random.Random(5)  # noqa: S311 (a repeatable sequence)
    backend = WhooshBackend(str(tmp_path / "index"), lock_timeout=0.5)
    sizes = [2, 2, 4, 4, 16, 16]  # two segments in each of three tiers (none folded)
    for batch, size in enumerate(sizes):
        backend.index(
            [search_document(n, rng, "public") for n in range(batch * 20, batch * 20 + size)], []
        )
    original, during = merging._write_merged, []

    def written_while_others_write(live, side, chosen):
        merged = original(live, side, chosen)
        victim = next(d for d in range(chosen[0].doc_count_all()) if not chosen[0].is_deleted(d))
        key = open_index_stored(live, chosen[0], victim)
        backend.index([search_document(999, rng, "public")], [key])  # the lock is free meanwhile
        during.append(key)
        return merged

    monkeypatch.setattr(merging, "_write_merged", written_while_others_write)
    backend.merge()

    segments = open_index(backend.path)._segments()
    now = sorted((s.doc_count_all() for s in segments), reverse=True)
    assert len(during) == 3 and now[0] == 32, now  # each crowded tier merged, the top one too
    keys = set(backend.stamps())
    expected = {
        f"practice:{n}" for b, size in enumerate(sizes) for n in range(b * 20, b * 20 + size)
    }
    assert keys == (expected - set(during)) | {"practice:999"}
    assert backend.search(Query(), Audience(everything=True)).total == len(keys)


def test_a_merge_kept_waiting_by_other_writes_warns_in_one_line_and_merges_later(
    tmp_path, monkeypatch, caplog
):
    """A bulk import can hold the index lock past a merge's wait: the merge gives up with
    one warning (no traceback), the segments stay as they were and the next merge takes them."""

    monkeypatch.setattr(merging, "MERGE_FACTOR", 2)
    monkeypatch.setattr(merging, "LOCK_WAIT", 0.2)
    monkeypatch.setattr(WhooshBackend, "_merge_soon", lambda self: None)
    rng = random.Random(17)  # noqa: S311 (a repeatable sequence)
    backend = WhooshBackend(str(tmp_path / "index"))
    for batch in range(2):  # two segments of two documents: a crowded tier
        backend.index([search_document(batch * 2 + n, rng, "public") for n in range(2)], [])

    importer = IndexWriter(str(backend.path))  # another process's writer of the same index
    with importer.exclusive(timeout=1), caplog.at_level(logging.WARNING):
        backend.merge()

    assert [(r.levelno, r.exc_info) for r in caplog.records] == [(logging.WARNING, None)]
    assert "merging left to a later write" in caplog.records[0].getMessage()
    assert sorted(s.doc_count_all() for s in open_index(backend.path)._segments()) == [2, 2]
    backend.merge()
    assert [s.doc_count_all() for s in open_index(backend.path)._segments()] == [4]
    assert set(backend.stamps()) == {f"practice:{n}" for n in range(4)}


def open_index_stored(live, segment, docnum) -> str:
    """The key of document ``docnum`` of ``segment`` in the index at ``live``."""

    ix = open_index(live)
    reader = SegmentReader(ix.storage, ix.schema, segment)
    try:
        return reader.stored_fields(docnum)["key"]
    finally:
        reader.close()


def test_a_web_worker_merges_in_a_child_process_one_at_a_time(tmp_path, monkeypatch):
    """The embedded setting: a write that crowds a tier starts a child process that
    merges; none starts while a merge of the index runs (in any process)."""

    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    rng = random.Random(11)  # noqa: S311 (a repeatable sequence)
    backend = WhooshBackend(str(tmp_path / "index"))

    def write_three(batch: int) -> None:  # a segment of the second tier (3 to 8 documents)
        backend.index([search_document(batch * 3 + n, rng, "public") for n in range(3)], [])

    with merging._only_merge(backend.path):  # another process is merging
        for batch in range(3):
            write_three(batch)
        assert backend._merging is None
    write_three(3)
    assert backend._merging.wait(timeout=60) == 0

    sizes = sorted(s.doc_count_all() for s in open_index(backend.path)._segments())
    assert sizes == [3, 9]  # three of the four segments merged
    assert set(backend.stamps()) == {f"practice:{n}" for n in range(12)}


def test_writes_fold_the_smallest_segments_into_theirs_and_lose_nothing(tmp_path):
    """Writes of one document at a time leave at most ``FOLD_FROM`` segments below
    ``MERGE_FACTOR`` documents (a write copies them into its own once there are that many)
    and start no merge process for them; what a write replaces or deletes in a folded
    segment is gone from the new one."""

    rng = random.Random(13)  # noqa: S311 (a repeatable sequence)
    backend = WhooshBackend(str(tmp_path / "index"))
    last: dict[str, dict] = {}  # key -> the document last written
    small, folded = [], False
    for step in range(3 * merging.MERGE_FACTOR):
        previous = small
        if step % 5 == 4:
            deleted = f"practice:{step - 2}"
            backend.index([], [deleted])
            last.pop(deleted, None)
        else:
            written = [search_document(step, rng, "public")]
            if step % 3 == 2:
                written.append(search_document(step - 1, rng, "members"))  # replaces it
            backend.index(written, [])
            last |= {document["key"]: document for document in written}
        sizes = [s.doc_count_all() for s in open_index(backend.path)._segments()]
        small = [size for size in sizes if size < merging.MERGE_FACTOR]
        assert len(small) <= merging.FOLD_FROM, (step, sizes)
        folded |= len(small) < len(previous)
        assert backend._merging is None
        assert backend.stamps() == {key: d["stamp"] for key, d in last.items()}, step
    assert folded
    assert backend.search(Query(), Audience(everything=True)).total == len(last)
    public = [d for d in last.values() if d["visibility"] == "public"]
    assert backend.search(Query(), Audience()).total == len(public)


def test_two_writers_editing_the_same_items_leave_each_once_as_last_written(tmp_path, monkeypatch):
    """Two processes' writers (each keeping its readers of the segments from one write to
    the next) edit and delete the same few items in turn, with merges between: every item
    is in the index once, as last written, and a deleted one not at all."""

    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    monkeypatch.setattr(WhooshBackend, "_merge_soon", lambda self: None)
    rng = random.Random(11)  # noqa: S311 (a repeatable sequence)
    path = str(tmp_path / "index")
    writers = [WhooshBackend(path), WhooshBackend(path)]
    expected: dict[str, str] = {}
    for step in range(60):
        writer = rng.choice(writers)
        n = rng.randrange(8)
        if rng.random() < 0.2:
            writer.index([], [f"practice:{n}"])
            expected.pop(f"practice:{n}", None)
        else:
            document = search_document(n, rng, "public")
            writer.index([document], [])
            expected[document["key"]] = document["stamp"]
        if step % 7 == 6:
            rng.choice(writers).merge()
        ix = open_index(path)
        stored = []
        for segment in ix._segments():
            reader = SegmentReader(ix.storage, ix.schema, segment)
            stored += [(f["key"], f["stamp"]) for f in reader.all_stored_fields()]
            reader.close()
        assert sorted(stored) == sorted(expected.items()), step


def test_a_generation_left_behind_by_a_publish_is_freed_at_once(tmp_path):
    """The generation a worker searched before another process's publish goes as soon as
    the next search reads the new one: held in a reference cycle, it would wait for the
    garbage collector, which frees several at once in a pause of ~10 ms in some later
    request."""

    writer, reader = WhooshBackend(str(tmp_path / "index")), WhooshBackend(str(tmp_path / "index"))
    rng = random.Random(3)  # noqa: S311 (a repeatable sequence)
    writer.index([search_document(n, rng, "public") for n in range(20)], [])
    audiences = [Audience(), Audience(members=True, sector="academic"), Audience(everything=True)]
    for audience in audiences:  # every cache a search fills: scoring, visibility, facets
        reader.search(Query(text="kestrel helpline", countries=["GB"]), audience)
        reader.search(Query(text="osprey", sort="newest"), audience)
    old = weakref.ref(reader._local.generation)
    gc.disable()
    try:
        writer.index([search_document(3, rng, "members")], [])
        reader.search(Query(text="kestrel"), Audience())
        assert old() is None
    finally:
        gc.enable()


def test_a_batch_deleting_many_documents_costs_the_next_search_no_work_per_document(
    kx, monkeypatch
):
    """A kept segment's word counts are adjusted for a few deleted documents, each analysed
    again; after a batch deleting many, they are read again as searches need them (a batch
    rewriting 12,000 documents once made the next search take 28 s). Either way the
    search ranks as on an index read afresh."""
    monkeypatch.setattr(merging, "MERGE_FACTOR", 2)  # the rebuilt segment is never merged
    ids = [kx.practice(f"Helpline {n}", TEXT) for n in range(3 * ADJUSTED_DELETIONS)]
    with kx.app.app_context():
        indexing.reindex()
    query = Query(text="helpline confidential", per_page=100)
    with kx.app.app_context():
        kept = indexing.backend()
        kept.search(query, Audience())  # counts kept for this view
    analysed = []
    monkeypatch.setattr(
        generations, "index_terms", lambda text: analysed.append(text) or index_terms(text)
    )

    def ranked(backend) -> list[tuple[int, float]]:
        return [(hit.id, hit.score) for hit in backend.search(query, Audience()).hits]

    kx.delete("practice", ids[0])
    with kx.app.app_context():
        one = ranked(kept)
        assert one == ranked(WhooshBackend(str(kept.path)))
    assert len(analysed) == len(TEXT_FIELDS)  # the deleted document's text, analysed

    analysed.clear()
    for item in ids[1 : 2 + ADJUSTED_DELETIONS]:
        kx.delete("practice", item)
    with kx.app.app_context():
        many = ranked(kept)
        assert many == ranked(WhooshBackend(str(kept.path)))
    assert analysed == []
    assert len(many) == len(ids) - 2 - ADJUSTED_DELETIONS
