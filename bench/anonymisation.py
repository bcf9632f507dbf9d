"""Anonymisation check figures: ``.venv/bin/python bench/anonymisation.py`` (make anonymisation).

Runs the check on the labelled sentences of ``tests/anonymisation_cases.py`` and prints,
per kind, recall (labelled sentences in which that kind was found) and the false-positive
rate (clean sentences in which that kind was found), for the first set, the harder set
and both together, beside the targets: recall >= 0.9 overall and >= 0.8 for each kind,
false positives <= 5 %. With ``--before REV`` (default: the last revision before names
without titles, plates, national numbers, institutions and combinations were added) the
same figures are printed for ``kx/anonymisation.py`` as it was at that git revision, when
git and that revision are at hand. Then it times the check on 50 KB of text (target
<= 1 s), after the name lists and the gazetteer have been loaded once (that first load is
timed on its own). ``--check`` exits 1 when a target is missed.
"""

import argparse
import subprocess
import sys
import time
import types
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BEFORE_REV = "97b7d5d"
MIN_RECALL, MIN_KIND_RECALL, MAX_FALSE_POSITIVES, MAX_SECONDS = 0.9, 0.8, 0.05, 1.0
TEXT_SIZE = 50_000


def load_before(rev: str) -> types.ModuleType | None:
    """The single-module detector as it was at ``rev``, or None without git or the revision."""
    try:
        source = subprocess.run(  # noqa: S603 - a fixed command; rev only names a revision
            ["git", "show", f"{rev}:kx/anonymisation.py"],  # noqa: S607 - git from PATH
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("anonymisation_before")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:kx/anonymisation.py", "exec"), module.__dict__)  # noqa: S102
    return module


def figures(find, identifying, clean) -> dict:
    """Recall and false positives per kind of ``find`` on one labelled set."""
    found = Counter()
    total = Counter(kind for _, kind in identifying)
    missed = []
    for sentence, kind in identifying:
        if kind in {f.kind for f in find(sentence)}:
            found[kind] += 1
        else:
            missed.append((kind, sentence))
    false = Counter()
    flagged = []
    for sentence in clean:
        kinds = {f.kind for f in find(sentence)}
        false.update(kinds)
        if kinds:
            flagged.append((sorted(kinds), sentence))
    return {
        "found": found,
        "total": total,
        "false": false,
        "missed": missed,
        "flagged": flagged,
        "recall": sum(found.values()) / max(1, len(identifying)),
        "fp": len(flagged) / max(1, len(clean)),
        "n_clean": len(clean),
    }


def print_table(title: str, kinds, results: dict[str, dict]) -> None:
    """One row per kind, one recall and false-positive column pair per labelled set."""
    names = list(results)
    print(f"\n{title}")
    header = f"  {'kind':<14}" + "".join(f"{name:>26}" for name in names)
    print(header)
    print(f"  {'':<14}" + "".join(f"{'recall':>16}{'false +':>10}" for _ in names))
    for kind in kinds:
        row = f"  {kind:<14}"
        for name in names:
            r = results[name]
            n = r["total"][kind]
            recall = f"{r['found'][kind]}/{n} {r['found'][kind] / n:.2f}" if n else "-"
            false = f"{r['false'][kind]}/{r['n_clean']}"
            row += f"{recall:>16}{false:>10}"
        print(row)
    row = f"  {'overall':<14}"
    for name in names:
        r = results[name]
        n = sum(r["total"].values())
        recall = f"{sum(r['found'].values())}/{n} {r['recall']:.2f}"
        false = f"{len(r['flagged'])}/{r['n_clean']} {r['fp']:.0%}"
        row += f"{recall:>16}{false:>10}"
    print(row)


def fifty_kb(identifying, clean) -> str:
    """50 KB of practitioners' prose: the labelled sentences, repeated, in paragraphs."""
    sentences = [s for s, _ in identifying] + list(clean)
    parts, size, i = [], 0, 0
    while size < TEXT_SIZE:
        sentence = sentences[i % len(sentences)]
        parts.append(sentence + ("\n\n" if i % 5 == 4 else " "))
        size += len(parts[-1])
        i += 1
    return "".join(parts)[:TEXT_SIZE]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE_REV, help="git revision to compare with")
    parser.add_argument("--verbose", action="store_true", help="list misses and false positives")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    started = time.perf_counter()
    from kx import anonymisation
    from kx.anonymisation import lexicon

    lexicon.given_names(), lexicon.surnames(), lexicon.city_populations()
    loaded = time.perf_counter() - started

    from tests.anonymisation_cases import (
        CLEAN,
        CLEAN_FIRST,
        CLEAN_HARD,
        IDENTIFYING,
        IDENTIFYING_FIRST,
        IDENTIFYING_HARD,
    )

    sets = {
        "first set": (IDENTIFYING_FIRST, CLEAN_FIRST),
        "harder set": (IDENTIFYING_HARD, CLEAN_HARD),
        "all": (IDENTIFYING, CLEAN),
    }
    kinds = anonymisation.KINDS
    print(
        f"Labelled sentences: {len(IDENTIFYING)} identifying ({len(IDENTIFYING_HARD)} harder), "
        f"{len(CLEAN)} clean ({len(CLEAN_HARD)} harder)"
    )
    before = load_before(args.before)
    if before is None:
        print(f"\nbefore ({args.before}): not available (no git or no such revision)")
    else:
        results = {name: figures(before.find_identifiers, *s) for name, s in sets.items()}
        print_table(f"before ({args.before}, the single-module check)", kinds, results)
        if args.verbose:
            for kind, sentence in results["all"]["missed"]:
                print(f"    missed {kind}: {sentence}")

    after = {name: figures(anonymisation.find_identifiers, *s) for name, s in sets.items()}
    print_table("after (kx.anonymisation)", kinds, after)
    everything = after["all"]
    if args.verbose or everything["missed"] or everything["flagged"]:
        for kind, sentence in everything["missed"]:
            print(f"    missed {kind}: {sentence}")
        for found, sentence in everything["flagged"]:
            print(f"    false positive {found}: {sentence}")

    text = fifty_kb(IDENTIFYING, CLEAN)
    anonymisation.find_identifiers(text[:2000])  # warm the regular expressions
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        found = anonymisation.find_identifiers(text)
        runs.append(time.perf_counter() - start)
    seconds = min(runs)
    print(
        f"\nImport with the name lists and the gazetteer loaded: {loaded:.2f} s (once per "
        f"process)\n{len(text):,} characters checked in {seconds:.2f} s (best of 3; "
        f"{len(found)} findings); target <= {MAX_SECONDS:.0f} s"
    )

    problems = []
    if everything["recall"] < MIN_RECALL:
        problems.append(f"recall {everything['recall']:.2f} < {MIN_RECALL}")
    for kind in kinds:
        n = everything["total"][kind]
        if n and everything["found"][kind] / n < MIN_KIND_RECALL:
            problems.append(f"{kind} recall below {MIN_KIND_RECALL}")
    if everything["fp"] > MAX_FALSE_POSITIVES:
        problems.append(f"false positives {everything['fp']:.0%} > {MAX_FALSE_POSITIVES:.0%}")
    if seconds > MAX_SECONDS:
        problems.append(f"50 KB took {seconds:.2f} s")
    print("Targets: " + ("met" if not problems else "MISSED: " + "; ".join(problems)))
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
