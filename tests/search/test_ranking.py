"""A query of plain words is matched from its words' postings and ranked by scores computed
as arrays (``kx.search.whoosh.ranking``); the other queries are scored by Whoosh's own
matchers. Either way a viewer gets the same items in the same order with the same scores
and totals that Whoosh's matchers give, over segments with deletions; and the postings
a segment keeps for its words never exceed their bound nor outlive a change."""

import random

import pytest
from whoosh import collectors

from kx.search.backend import Audience, Query
from kx.search.whoosh import generations, ranking
from kx.search.whoosh.backend import WhooshBackend
from kx.search.whoosh.query import Top, read
from tests.support.search import search_document

pytestmark = pytest.mark.whoosh_only(reason="Whoosh's matchers are the reference")

AUDIENCES = [Audience(), Audience(members=True, sector="academic"), Audience(everything=True)]
PLAIN = ["helpline", "kestrel osprey", "police OR therapy", "merlin helpline therapy"]
OTHERS = ["kestrel NOT hobby", '"kestrel osprey"', "osp*", "(kestrel AND merlin) OR police"]


@pytest.fixture
def backend(tmp_path):
    """Random items written in batches (several segments), some deleted or replaced."""
    backend = WhooshBackend(str(tmp_path / "index"))
    rng = random.Random(5)  # noqa: S311 (a repeatable sequence)
    visibilities = ["public", "members", "restricted"]
    for batch in range(6):
        written = [
            search_document(batch * 40 + n, rng, rng.choice(visibilities)) for n in range(40)
        ]
        gone = [f"practice:{rng.randrange(batch * 40 + 1)}" for _ in range(5)]
        backend.index(written, gone)
    return backend


def whoosh_ranking(backend, text: str, audience: Audience, limit: int):
    """``text``'s best ``limit`` for ``audience`` as Whoosh's matchers score every match:
    ``(key, score)`` in ``Top``'s order, and the number of matches."""
    searcher = backend._searcher()
    generation = backend._current()
    parsed, _reading = read(searcher, text, [])
    allowed = backend._allowed(searcher, Query(), audience)
    visible = allowed if allowed is not None else generation.live()
    matched = set(searcher.docs_for_query(parsed)) & visible
    top = Top(len(matched), generation.published_at, usequality=False, replace=0)
    wrapped = collectors.FilterCollector(top, allow=matched)
    weighting = backend._weighting(searcher, audience)
    searcher.search_with_collector(parsed, wrapped, context=searcher.context(weighting=weighting))
    hits = [(hit.docnum, round(hit.score, ranking.TIE_DIGITS)) for hit in wrapped.results()]
    # equal scores newest first: Whoosh's sums may differ in the last bit
    hits.sort(key=lambda hit: (hit[1], generation.published_at(hit[0]), -hit[0]), reverse=True)
    keys = [(searcher.stored_fields(docnum)["key"], score) for docnum, score in hits[:limit]]
    return keys, len(matched), ranking.words(parsed) is not None


@pytest.mark.parametrize("text", PLAIN + OTHERS)
def test_every_query_ranks_and_counts_as_whoosh_scores_every_match(backend, text):
    for audience in AUDIENCES:
        results = backend.search(Query(text=text, per_page=30, widen=False), audience)
        expected, total, plain = whoosh_ranking(backend, text, audience, 30)

        assert plain == (text in PLAIN)  # each path is the one under test
        assert results.total == total > 0, audience
        got = [(f"practice:{hit.id}", hit.score) for hit in results.hits]
        assert [key for key, _ in got] == [key for key, _ in expected], audience
        assert [score for _, score in got] == pytest.approx(
            [round(score, 4) for _, score in expected], abs=1e-4
        )


def test_a_later_page_continues_the_first(backend):
    first = backend.search(Query(text="helpline", per_page=10), Audience())
    second = backend.search(Query(text="helpline", per_page=10, page=2), Audience())
    both = backend.search(Query(text="helpline", per_page=20), Audience())

    assert [hit.id for hit in first.hits + second.hits] == [hit.id for hit in both.hits]


def test_kept_postings_stay_within_their_bound_and_answer_as_read_afresh(backend, monkeypatch):
    monkeypatch.setattr(generations, "HELD_POSTINGS", 60)
    queries = ["helpline", "kestrel", "osprey", "police therapy", "helpline"]
    expected = {
        text: [(hit.id, hit.score) for hit in backend.search(Query(text=text), Audience()).hits]
        for text in queries
    }
    fresh = WhooshBackend(str(backend.path))

    for text in queries:
        hits = fresh.search(Query(text=text), Audience()).hits
        assert [(hit.id, hit.score) for hit in hits] == expected[text], text
        for leaf in fresh._current().leaves:
            held = leaf._words
            assert held._total == sum(len(ids) for ids, _weights in held._held.values())
            # one word's postings are kept even when they alone pass the bound
            assert held._total <= 60 or len(held._held) == 1


def test_a_word_written_again_is_found_as_written_by_a_reader_that_kept_its_postings(tmp_path):
    writer, reader = WhooshBackend(str(tmp_path / "index")), WhooshBackend(str(tmp_path / "index"))
    rng = random.Random(8)  # noqa: S311 (a repeatable sequence)
    documents = [search_document(n, rng, "public") for n in range(30)]
    for document in documents:
        document["title"] = "kestrel"
    writer.index(documents, [])
    assert reader.search(Query(text="kestrel"), Audience()).total == 30

    replaced = dict(documents[0], title="osprey", text="osprey", visibility="members")
    writer.index([replaced], [])
    writer.index([], ["practice:1"])

    results = reader.search(Query(text="kestrel", per_page=50), Audience())
    assert results.total == 28
    assert {hit.id for hit in results.hits}.isdisjoint({0, 1})
    assert reader.search(Query(text="osprey"), Audience()).total == sum(
        "osprey" in f"{d['title']} {d['text']}" for d in documents[2:]
    )
