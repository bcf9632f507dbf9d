"""``make relevance`` (bench/relevance.py): its figures are right on hand-made rankings, and
its judged queries (tests/search/relevance.toml) name only demo items and known tags."""

import importlib.util
from dataclasses import fields
from pathlib import Path

import pytest

from kx import taxonomy
from kx.demo_content import DEMO_PRACTICES, DEMO_RESEARCH, DEMO_THREADS
from kx.search.backend import Query

BENCH = Path(__file__).resolve().parents[2] / "bench" / "relevance.py"
_spec = importlib.util.spec_from_file_location("relevance_tool", BENCH)
relevance = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(relevance)

GROUPS = {"tag words", "questions", "acronyms", "spelling variants", "misspellings", "themes"}
DEMO_KEYS = (
    {f"practice:{e['key']}" for e in DEMO_PRACTICES}
    | {f"research:{e['key']}" for e in DEMO_RESEARCH}
    | {f"thread:{e['key']}" for e in DEMO_THREADS}
)
JUDGED = relevance.read_judgements()


def measured(group, ranking, relevant, total=None, facet_count=None):
    judged = relevance.Judged(group, f"query {ranking}", sorted(relevant))
    total = len(ranking) if total is None else total
    return relevance.Measured(judged, set(relevant), ranking, total, facet_count)


def test_recall_precision_and_reciprocal_rank_of_a_ranking():
    ranking = ["a", "x", "b", "y", "z", "c", "q", "r", "s", "t", "d"]
    relevant = {"a", "b", "c", "d"}

    assert relevance.recall_at(ranking, relevant, 10) == 3 / 4  # "d" is eleventh
    assert relevance.recall_at(ranking, relevant, 3) == 2 / 4
    assert relevance.precision_at(ranking, relevant, 5) == 2 / 4  # out of min(5, 4)
    assert relevance.reciprocal_rank(ranking, relevant, 10) == 1.0


def test_precision_counts_against_the_expected_items_when_fewer_than_five():
    assert relevance.precision_at(["x", "b", "y"], {"b"}, 5) == 1.0
    assert relevance.precision_at(["x", "y", "b", "z", "w"], {"b", "c"}, 5) == 1 / 2
    assert relevance.precision_at(list("abcdefg"), set("abcdefg"), 5) == 1.0


def test_reciprocal_rank_is_of_the_first_expected_item_within_ten():
    assert relevance.reciprocal_rank(["x", "y", "b", "c"], {"b", "c"}, 10) == 1 / 3
    assert relevance.reciprocal_rank([*"xxxxxxxxxx", "b"], {"b"}, 10) == 0.0
    assert relevance.reciprocal_rank([], {"b"}, 10) == 0.0


def test_figures_per_group_and_overall_are_means_over_queries():
    rows = [
        measured("tag words", ["a", "b"], {"a", "b"}),  # recall 1, precision 1, rr 1
        measured("tag words", ["x", "a"], {"a", "b"}),  # recall 1/2, precision 1/2, rr 1/2
        measured("acronyms", ["x", "x", "x", "x", "b"], {"b"}),  # recall 1, precision 1, rr 1/5
        measured("acronyms", ["x"], {"b"}),  # nothing found
    ]

    table = relevance.by_group(rows)

    assert list(table) == ["tag words", "acronyms", "overall"]
    assert table["tag words"] == pytest.approx(
        {"recall@10": 0.75, "precision@5": 0.75, "MRR": 0.75}
    )
    assert table["acronyms"] == pytest.approx({"recall@10": 0.5, "precision@5": 0.5, "MRR": 0.1})
    assert table["overall"] == pytest.approx(
        {"recall@10": 2.5 / 4, "precision@5": 2.5 / 4, "MRR": 1.7 / 4}
    )
    assert relevance.below_target(table["overall"]) == ["recall@10", "MRR"]
    assert relevance.below_target({"recall@10": 0.9, "precision@5": 0.1, "MRR": 0.8}) == []


def test_the_report_names_queries_finding_fewer_items_than_their_facet(capsys):
    rows = [
        measured("tag words", ["a"], {"a", "b", "c"}, total=1, facet_count=4),
        measured("tag words", ["a", "b"], {"a", "b"}, total=2, facet_count=2),
        measured("themes", ["a"], {"a"}),
    ]
    unjudged = [relevance.Judged("themes", "members only", ["practice:backlog"])]

    overall = relevance.report(rows, unjudged, each=False)

    out = capsys.readouterr().out
    assert "finds 1, the facet holds 4" in out
    assert "the facet holds 2" not in out
    assert "'members only'" in out
    assert "NOT met" in out
    assert overall["recall@10"] == pytest.approx((1 / 3 + 1 + 1) / 3)


def test_the_judged_set_has_every_group_and_forty_queries():
    assert len(JUDGED) >= 40
    assert {q.group for q in JUDGED} == GROUPS
    texts = [q.text.lower() for q in JUDGED]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("query", JUDGED, ids=lambda q: q.text)
def test_every_judged_item_is_a_demo_item_and_every_facet_a_known_tag(query):
    assert query.expected
    assert set(query.expected) <= DEMO_KEYS, set(query.expected) - DEMO_KEYS
    query_fields = {f.name for f in fields(Query)}
    for name, slugs in query.facet.items():
        assert name in relevance.FACET_FIELDS and name in query_fields
        assert set(slugs) <= set(taxonomy.vocabulary(name)), slugs
