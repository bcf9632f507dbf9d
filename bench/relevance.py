"""Measured relevance: ``make relevance`` (or ``.venv/bin/python bench/relevance.py``).

Builds a throw-away kx (SQLite file and index directory in a temporary folder), loads the
demo content through ``flask demo load``, runs every judged query of
``tests/search/relevance.toml`` as an anonymous visitor through
``kx.search.services.search`` and prints, per group and overall:

- recall@10: the share of the expected items found in the first ten results;
- precision@5: the share of the first five results that are expected, out of
  min(5, expected items) so that a query with two expected items can score 1.0;
- MRR: the mean of 1 / rank of the first expected item in the first ten (0 if none);

then the queries a facet answers (a country or domain word) that find fewer items than the
facet holds. Expected items the visitor may not see are left out of the visitor's
judgements; a query left with none is listed and not scored. Overall figures are means over
queries. Exit status 0 (a measurement) unless ``--check`` is given: then 1 when recall@10 or
MRR is below its target.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

JUDGEMENTS = ROOT / "tests" / "search" / "relevance.toml"
TARGETS = {"recall@10": 0.9, "MRR": 0.8}
KINDS = ("practice", "research", "thread")
FACET_FIELDS = ("domains", "countries", "prevention_levels", "study_designs")


@dataclass
class Judged:
    """One judged query: what a reader types and the demo items they expect."""

    group: str
    text: str
    expected: list[str]
    facet: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Measured:
    """One query's figures for one viewer."""

    judged: Judged
    relevant: set[str]
    ranking: list[str]
    total: int
    facet_count: int | None

    @property
    def recall(self) -> float:
        return recall_at(self.ranking, self.relevant, 10)

    @property
    def precision(self) -> float:
        return precision_at(self.ranking, self.relevant, 5)

    @property
    def rr(self) -> float:
        return reciprocal_rank(self.ranking, self.relevant, 10)


def read_judgements(path: Path = JUDGEMENTS) -> list[Judged]:
    """The judged queries of ``path``, in file order."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Judged(q["group"], q["text"], list(q["expected"]), dict(q.get("facet", {})))
        for q in data["queries"]
    ]


def recall_at(ranking: list[str], relevant: set[str], k: int) -> float:
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def precision_at(ranking: list[str], relevant: set[str], k: int) -> float:
    """Relevant items among the first ``k``, out of min(k, relevant items)."""
    return len(relevant.intersection(ranking[:k])) / min(k, len(relevant))


def reciprocal_rank(ranking: list[str], relevant: set[str], k: int) -> float:
    for rank, key in enumerate(ranking[:k], 1):
        if key in relevant:
            return 1 / rank
    return 0.0


def summary(measured: list[Measured]) -> dict[str, float]:
    """Mean recall@10, precision@5 and MRR over ``measured``."""
    return {
        "recall@10": statistics.fmean(m.recall for m in measured),
        "precision@5": statistics.fmean(m.precision for m in measured),
        "MRR": statistics.fmean(m.rr for m in measured),
    }


def by_group(measured: list[Measured]) -> dict[str, dict[str, float]]:
    """``summary`` per group (in the order groups first appear) and ``"overall"``."""
    groups: dict[str, list[Measured]] = {}
    for m in measured:
        groups.setdefault(m.judged.group, []).append(m)
    table = {name: summary(rows) for name, rows in groups.items()}
    return table | {"overall": summary(measured)}


def below_target(overall: dict[str, float]) -> list[str]:
    return [name for name, target in TARGETS.items() if overall[name] < target]


# ----------------------------------------------------------------------- the instance


def make_app(workdir: Path):
    from kx import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'relevance.db'}",
            "SEARCH_INDEX_DIR": str(workdir / "search-index"),
            "SECRET_KEY": "relevance",
            "RATELIMIT_ENABLED": False,
        }
    )


def load_demo(app) -> None:
    """The database migrated and the demo loaded through ``flask demo load``."""
    from argon2 import PasswordHasher
    from flask_migrate import upgrade

    from kx.accounts import passwords

    with app.app_context():
        upgrade()
    # the demo accounts' password hashes at full cost would take most of the run
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    if result.exit_code != 0:
        raise SystemExit(f"flask demo load failed:\n{result.output}")


def demo_keys() -> dict[str, str]:
    """``"practice:helpline"`` -> ``"practice:3"``: each demo item's search key, by title."""
    from sqlalchemy import select

    from kx.demo_content import DEMO_PRACTICES, DEMO_RESEARCH, DEMO_THREADS
    from kx.extensions import db
    from kx.forum.models import Thread
    from kx.practice.models import Practice
    from kx.research.models import Research

    keys = {}
    sources = (
        ("practice", Practice, [(e["key"], e["fields"]["title"]) for e in DEMO_PRACTICES]),
        ("research", Research, [(e["key"], e["fields"]["title"]) for e in DEMO_RESEARCH]),
        ("thread", Thread, [(e["key"], e["title"]) for e in DEMO_THREADS]),
    )
    for kind, model, entries in sources:
        for key, title in entries:
            found = db.session.scalar(select(model.id).where(model.title == title))
            if found is None:
                raise SystemExit(f"demo {kind} {key!r} ({title!r}) was not loaded")
            keys[f"{kind}:{key}"] = f"{kind}:{found}"
    return keys


def measure(app, judged: list[Judged], viewer=None) -> tuple[list[Measured], list[Judged]]:
    """Each judged query searched as ``viewer`` (None: an anonymous visitor); the queries
    with no expected item the viewer may see come back second."""
    from kx.accounts.models import AnonymousUser
    from kx.search.backend import Query
    from kx.search.services import search

    viewer = viewer or AnonymousUser()
    measured, unjudged = [], []
    with app.app_context():
        keys = demo_keys()
        everything = search(viewer, Query(per_page=100_000, snippets=False))
        visible = {f"{hit.type}:{hit.id}" for hit in everything.hits}
        if not visible:
            raise SystemExit("the index holds nothing the viewer may see after the demo load")
        for query in judged:
            relevant = {keys[key] for key in query.expected} & visible
            if not relevant:
                unjudged.append(query)
                continue
            results = search(viewer, Query(text=query.text, per_page=10, snippets=False))
            facet_count = None
            if query.facet:
                facet_count = search(viewer, Query(per_page=1, snippets=False, **query.facet)).total
            ranking = [f"{hit.type}:{hit.id}" for hit in results.hits]
            measured.append(Measured(query, relevant, ranking, results.total, facet_count))
    return measured, unjudged


# ----------------------------------------------------------------------- the report


def report(measured: list[Measured], unjudged: list[Judged], each: bool) -> dict[str, float]:
    """Prints the figures; returns the overall ones."""
    if each:
        print(f"{'query':<58} {'found':>5} {'R@10':>5} {'P@5':>5} {'RR':>5}")
        for m in measured:
            text = f"[{m.judged.group}] {m.judged.text}"[:58]
            print(f"{text:<58} {m.total:>5} {m.recall:5.2f} {m.precision:5.2f} {m.rr:5.2f}")
        print()
    table = by_group(measured)
    counts = {name: sum(m.judged.group == name for m in measured) for name in table}
    counts["overall"] = len(measured)
    print(f"{'group':<20} {'queries':>7} {'recall@10':>10} {'precision@5':>12} {'MRR':>6}")
    for name, figures in table.items():
        if name == "overall":
            print("-" * 59)
        print(
            f"{name:<20} {counts[name]:>7} {figures['recall@10']:>10.2f}"
            f" {figures['precision@5']:>12.2f} {figures['MRR']:>6.2f}"
        )
    overall = table["overall"]
    print(
        f"targets (overall): recall@10 >= {TARGETS['recall@10']:.2f}"
        f" ({'met' if overall['recall@10'] >= TARGETS['recall@10'] else 'NOT met'}),"
        f" MRR >= {TARGETS['MRR']:.2f} ({'met' if overall['MRR'] >= TARGETS['MRR'] else 'NOT met'})"
    )
    short = [m for m in measured if m.facet_count is not None and m.total < m.facet_count]
    print()
    print(f"facet-answerable queries finding fewer items than the facet: {len(short)}")
    for m in short:
        print(f"  {m.judged.text!r}: finds {m.total}, the facet holds {m.facet_count}")
    if unjudged:
        print()
        print(f"not scored (no expected item this viewer may see): {len(unjudged)}")
        for query in unjudged:
            print(f"  {query.text!r}")
    return overall


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when below target")
    parser.add_argument("--each", action="store_true", help="print every query's figures")
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS, help="a judged set")
    args = parser.parse_args(argv)

    judged = read_judgements(args.judgements)
    workdir = Path(tempfile.mkdtemp(prefix="kx-relevance-"))
    try:
        app = make_app(workdir)
        load_demo(app)
        measured, unjudged = measure(app, judged)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"kx search relevance: {len(judged)} judged queries over the demo, anonymous visitor")
    print()
    overall = report(measured, unjudged, args.each)
    return 1 if args.check and below_target(overall) else 0


if __name__ == "__main__":
    sys.exit(main())
