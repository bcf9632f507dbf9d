"""What a publish costs the other web workers' searches: ``.venv/bin/python bench/publish_cost.py``
(part of ``make bench``).

Each gunicorn worker keeps its own Whoosh searcher; a publish (one document written and
committed by any process) makes every other worker's next search read the new generation
of the index. On a copy of a benchmark folder's index (``--folder``: one made by
``bench/search.py --items 20000 --create-only`` or ``--keep``; without it, 20,000 synthetic
documents from bench/search.py's generator indexed straight into a temporary index), with
``--readers`` processes searching as workers do, it measures and prints:

a) the extra cost of the first search after someone else's publish: each reader in turn
   runs a query right after a publish and then the same query again on the unchanged
   index; the difference (wall and CPU time), median and p95 over ``--rounds`` publishes,
   and apart for the publishes that crowded a tier (the merge they start is a commit too).
   One search timed twice differs even when nothing changed (on this 2-core virtual
   machine the same heavy query takes 36-59 ms of CPU from one run to the next), so each
   round is paired with a control: the same query, after the same pause, with no publish.
   The cost of a publish is the difference between the two: at the median, and at the
   p95, what a publish adds to the slowest first searches;
b) read throughput (searches/s of all readers together) for ``--seconds`` with no writer,
   then with ``--writers`` processes each publishing one document every 0.5-1.5 s (new
   items, edits, downgrades to members-only and deletions; merges as they happen), and
   the readers' CPU per search in both, which separates what re-reading the index costs
   the readers from the CPU the writers themselves take on a shared machine. It runs with
   ``--readers`` processes and again with one core left over for the writers, each pair
   of runs ``--repeats`` times (a single pair swings by five points or more): the
   ratio is the median of the pairs'.

Targets are printed beside the figures: (a) a publish adds <= 10 ms at the p95, (b) >= 85 %
of the read-only throughput. The machine's load average is printed first: figures taken
while other work runs are slower in wall time, less so in CPU time.
"""

import argparse
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # bench.search; kx itself comes from the installed package

TARGETS = {"added_p95_ms": 10.0, "throughput_ratio": 0.85}
AUDIENCES = ("anonymous", "member", "moderator")


def audience(name: str):
    from kx.search.backend import Audience

    return {
        "anonymous": Audience(),
        "member": Audience(members=True, sector="law-enforcement"),
        "moderator": Audience(everything=True),
    }[name]


def queries(count: int, seed: int) -> list[tuple]:
    """bench/search.py's queries (shapes, filters, sorts, viewers) as ``(Query, viewer)``."""
    from bench.search import make_queries, to_query

    return [(to_query(params), params["viewer"]) for params in make_queries(count, seed)]


# ----------------------------------------------------------------------- the index


def copy_index(folder: Path, workdir: Path) -> Path:
    """A copy of ``folder``'s index (never written in place), behind a symlink as kx keeps
    it; returns the configured path."""
    source = (folder / "search-index").resolve()
    live = workdir / f"search-index.{time.time_ns()}"
    shutil.copytree(source, live)
    path = workdir / "search-index"
    path.symlink_to(live.name)
    return path


def synthetic_index(workdir: Path, items: int, seed: int) -> Path:
    """``items`` documents from bench/search.py's generator, rebuilt into a fresh index."""
    from datetime import UTC, datetime, timedelta

    from bench.search import Writer, practice_data, research_data
    from kx.search.whoosh.backend import WhooshBackend

    rng = random.Random(seed)  # noqa: S311 (a reproducible corpus)
    writer = Writer(rng)
    start = datetime(2020, 1, 1, tzinfo=UTC)

    def documents():
        for n in range(items):
            if rng.random() < 0.6:
                data, kind = practice_data(writer, rng), "practice"
                text = " ".join(data[f] for f in ("summary", "body", "outcomes"))
            else:
                data, kind = research_data(writer, rng, n), "research"
                text = " ".join(data[f] for f in ("summary", "key_findings", "implications"))
            yield {
                "key": f"{kind}:{n}",
                "type": kind,
                "id": n,
                "title": data["title"],
                "text": text,
                "tags": "",
                "domains": data["domains"],
                "countries": data["countries"],
                "stages": data.get("stages", []),
                "sectors": data["restricted_sectors"],
                "prevention_level": data.get("prevention_level"),
                "study_design": data.get("study_design"),
                "visibility": data["visibility"],
                "year": data.get("year"),
                "published": start + timedelta(minutes=n),
                "stamp": str(n),
            }

    path = workdir / "search-index"
    WhooshBackend(str(path)).rebuild(documents(), total=items)
    return path


def segments(path: Path) -> list[int]:
    from kx.search.whoosh.schema import open_index

    return sorted((s.doc_count_all() for s in open_index(path)._segments()), reverse=True)


class Publisher:
    """Writes one change at a time the way the outbox does (``index``): new items, edits,
    downgrades to members-only and deletions, from documents already in the index."""

    def __init__(self, path: Path, seed: int):
        from kx.search.whoosh.backend import WhooshBackend
        from kx.search.whoosh.schema import LIST_FIELDS

        self.backend = WhooshBackend(str(path), lock_timeout=30)
        self.rng = random.Random(seed)  # noqa: S311
        searcher = self.backend._searcher()
        live = [d for d in range(searcher.doc_count_all()) if not searcher.reader().is_deleted(d)]
        self.documents = []
        for docnum in self.rng.sample(live, min(len(live), 400)):
            fields = searcher.stored_fields(docnum)
            document = dict(fields)
            for name in LIST_FIELDS:
                value = document.get(name) or ""
                document[name] = [v for v in value.split(",") if v and v != "_"]
            self.documents.append(document)
        self.serial = 10_000_000 + seed * 100_000

    def publish(self) -> None:
        from datetime import UTC, datetime

        document = dict(self.rng.choice(self.documents))
        roll = self.rng.random()
        if roll < 0.1:
            self.backend.index([], [document["key"]])
            return
        if roll < 0.5:  # a new item
            self.serial += 1
            document |= {"key": f"{document['type']}:{self.serial}", "id": self.serial}
            document["published"] = datetime.now(UTC)
        elif roll < 0.6:
            document["visibility"] = "members"
        document["text"] = document.get("text", "") + f" revision{self.rng.randint(0, 9)}"
        document["stamp"] = str(self.rng.random())
        self.backend.index([document], [])


# ----------------------------------------------------------------------- the processes


def reader(path, commands, answers, query_list, seed):
    """A worker: searches when told, reports seconds (wall, CPU) per search."""
    from kx.search.whoosh.backend import WhooshBackend

    backend = WhooshBackend(str(path))
    rng = random.Random(seed)  # noqa: S311
    for query, viewer in query_list:  # a worker warmed up by earlier requests
        backend.search(query, audience(viewer))
    while True:
        command = commands.get()
        if command[0] == "stop":
            return
        if command[0] == "twice":
            query, viewer = query_list[command[1]]
            times = []
            for _ in range(2):
                wall, cpu = time.perf_counter(), time.thread_time()
                backend.search(query, audience(viewer))
                times.append((time.perf_counter() - wall, time.thread_time() - cpu))
            answers.put(times)
        elif command[0] == "loop":
            until, done, cpu = command[1], 0, time.thread_time()
            while time.time() < until:
                query, viewer = rng.choice(query_list)
                backend.search(query, audience(viewer))
                done += 1
            answers.put((done, time.thread_time() - cpu))


def writer(path, seed, start, answers):
    """A member publishing: one change every 0.5-1.5 s from when ``start`` says until the
    time it gives."""
    import kx.background  # noqa: F401 (loaded in a web worker; the first merge would import it)

    publisher = Publisher(path, seed)
    rng = random.Random(seed)  # noqa: S311
    answers.put(None)  # ready
    until = start.get()
    count, cpu = 0, time.process_time()
    while time.time() < until:
        publisher.publish()
        count += 1
        time.sleep(rng.uniform(0.5, 1.5))
    if publisher.backend._merging is not None:
        publisher.backend._merging.wait()
    answers.put((count, time.process_time() - cpu))


def merge_while_publishing(path: Path, publisher: Publisher) -> dict:
    """Merge the crowded tiers as the embedded setting does (a process of its own) while
    this process publishes every 0.25 s: how long the merges took and the publishes."""
    import resource
    import subprocess

    before = segments(path)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    merging = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "kx.search.whoosh.merging", str(path)]
    )
    publishes = []
    while merging.poll() is None:
        began = time.perf_counter()
        publisher.publish()
        publishes.append(time.perf_counter() - began)
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "before": before,
        "after": segments(path),
        "seconds": seconds,
        "cpu": after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime,
        "publishes": publishes,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, help="a bench/search.py folder to copy from")
    parser.add_argument("--items", type=int, default=20_000, help="without --folder")
    parser.add_argument("--readers", type=int, default=2, help="worker processes searching")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=40, help="publishes measured in (a)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per throughput run")
    parser.add_argument("--repeats", type=int, default=3, help="pairs of throughput runs")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    print(f"Load average before starting: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    workdir = Path(tempfile.mkdtemp(prefix="kx-publish-cost-"))
    try:
        started = time.perf_counter()
        if args.folder:
            path = copy_index(args.folder, workdir)
            origin = f"a copy of {args.folder}"
        else:
            path = synthetic_index(workdir, args.items, args.seed)
            origin = f"{args.items} synthetic documents"
        print(f"Index: {origin} ({time.perf_counter() - started:.0f} s), segments {segments(path)}")
        query_list = queries(60, args.seed)
        publisher = Publisher(path, args.seed)
        merged = merge_while_publishing(path, publisher)
        for _ in range(30):  # a live index: a few small segments beside the large ones
            publisher.publish()
        if publisher.backend._merging is not None:
            publisher.backend._merging.wait()

        cores = os.cpu_count() or 1
        reader_counts = sorted({args.readers, max(1, min(args.readers, cores - 1))}, reverse=True)
        commands = [context.Queue() for _ in range(args.readers)]
        answers = context.Queue()
        readers = [
            context.Process(target=reader, args=(path, commands[n], answers, query_list, n))
            for n in range(args.readers)
        ]
        for process in readers:
            process.start()

        # (a) the first search after a publish against the same search again; then, as its
        # control, the same query after the same pause with no publish
        rng = random.Random(args.seed)  # noqa: S311
        timed = {True: [], False: []}  # published? -> [(extra wall, CPU, again wall, CPU)]
        merged_rounds = []
        for _ in range(args.rounds):
            query = rng.randrange(len(query_list))
            began, merge_before = time.perf_counter(), publisher.backend._merging
            publisher.publish()
            merge_now = publisher.backend._merging
            if merge_now is not None:
                merge_now.wait()  # the merge is a commit: measured with this round
            pause = time.perf_counter() - began
            for published in (True, False):
                if not published:
                    time.sleep(pause)
                for queue in commands:
                    queue.put(("twice", query))
                    (first_wall, first_cpu), (again_wall, again_cpu) = answers.get()
                    timed[published].append(
                        (first_wall - again_wall, first_cpu - again_cpu, again_wall, again_cpu)
                    )
                    if published:
                        merged_rounds.append(merge_now is not merge_before)
        print(f"Segments after (a): {segments(path)}")

        # (b) throughput without and with writers
        def throughput(writers: int, readers: int) -> tuple[float, float, int, float]:
            reports, start = context.Queue(), context.Queue()
            spawned = [
                context.Process(target=writer, args=(path, 100 + n, start, reports))
                for n in range(writers)
            ]
            for process in spawned:
                process.start()
            for _ in spawned:  # each has read the index once (as a web worker would)
                reports.get()
            until = time.time() + args.seconds
            for _ in spawned:
                start.put(until)
            for queue in commands[:readers]:
                queue.put(("loop", until))
            done = [answers.get() for _ in range(readers)]
            written = [reports.get() for _ in range(writers)]
            for process in spawned:
                process.join()
            searches = sum(n for n, _ in done)
            cpu = sum(c for _, c in done)
            return (
                searches / args.seconds,
                cpu / max(searches, 1),
                sum(n for n, _ in written),
                sum(c for _, c in written),
            )

        # readers on every core, then on all but one: there the writers' own CPU (and the
        # merges they start) no longer comes out of the readers' share of the machine, and
        # the ratio shows what re-reading the index after each publish costs the readers
        runs = {
            n: [(throughput(0, n), throughput(args.writers, n)) for _ in range(args.repeats)]
            for n in reader_counts
        }
        for queue in commands:
            queue.put(("stop",))
        for process in readers:
            process.join()

        def ms(values, p):
            return (statistics.median(values) if p == 50 else percentile(values, p)) * 1000

        def column(rows, index):
            return [row[index] for row in rows]

        def spread(rows, wall, cpu):
            return (
                f"wall p50 {ms(column(rows, wall), 50):6.1f} ms  "
                f"p95 {ms(column(rows, wall), 95):6.1f} ms   "
                f"CPU p50 {ms(column(rows, cpu), 50):6.1f} ms  "
                f"p95 {ms(column(rows, cpu), 95):6.1f} ms"
            )

        published, control = timed[True], timed[False]
        print()
        print(
            f"(a) first search after another process's publish, {args.readers} readers x "
            f"{args.rounds} publishes, each paired with the same search after no publish"
        )
        print(f"    search on an unchanged index      {spread(published + control, 2, 3)}")
        print("    first search minus the same search again:")
        print(f"      after a publish                 {spread(published, 0, 1)}")
        print(f"      after no publish                {spread(control, 0, 1)}")
        for label, merged_too in (("a publish alone", False), ("a publish and a merge", True)):
            walls = [
                row[0] for row, m in zip(published, merged_rounds, strict=True) if m is merged_too
            ]
            if walls:
                print(
                    f"        after {label:<22} wall p50 {ms(walls, 50):6.1f} ms  "
                    f"p95 {ms(walls, 95):6.1f} ms   ({len(walls)} searches)"
                )
        added = {p: ms(column(published, 0), p) - ms(column(control, 0), p) for p in (50, 95)}
        print(
            f"    a publish adds                    p50 {added[50]:6.1f} ms  "
            f"p95 {added[95]:6.1f} ms"
        )
        print(
            f"    target: a publish adds <= {TARGETS['added_p95_ms']:g} ms at the p95   "
            f"{'met' if added[95] <= TARGETS['added_p95_ms'] else 'MISSED'}"
        )
        for n, pairs in runs.items():
            ratios = [busy[0] / quiet[0] for quiet, busy in pairs]
            ratio = statistics.median(ratios)
            quiet = [pair[0] for pair in pairs]
            busy = [pair[1] for pair in pairs]
            print(
                f"(b) read throughput, {n} reader process(es), {args.seconds:g} s each, "
                f"{len(pairs)} pairs of runs (medians)"
            )
            print(
                f"    no writer        {statistics.median(column(quiet, 0)):7.1f} searches/s   "
                f"reader CPU {statistics.median(column(quiet, 1)) * 1000:5.1f} ms/search"
            )
            print(
                f"    {args.writers} writers        {statistics.median(column(busy, 0)):7.1f} "
                f"searches/s   reader CPU "
                f"{statistics.median(column(busy, 1)) * 1000:5.1f} ms/search   "
                f"({statistics.median(column(busy, 2)):.0f} publishes, writers' CPU "
                f"{statistics.median(column(busy, 3)):.1f} s)"
            )
            print(
                f"    ratios {', '.join(f'{r:.0%}' for r in ratios)}   median {ratio:.0%}   "
                f"target >= {TARGETS['throughput_ratio']:.0%}   "
                f"{'met' if ratio >= TARGETS['throughput_ratio'] else 'MISSED'}"
            )
        print(
            f"(c) merging crowded tiers in a process of its own: {merged['seconds']:.1f} s "
            f"wall, {merged['cpu']:.1f} s CPU; segments {len(merged['before'])} -> "
            f"{len(merged['after'])} {merged['after'][:8]}"
        )
        if merged["publishes"]:
            print(
                f"    {len(merged['publishes'])} publishes meanwhile: p50 "
                f"{ms(merged['publishes'], 50):.0f} ms, max "
                f"{max(merged['publishes']) * 1000:.0f} ms (a writer waits only for the swap)"
            )
        print(f"Load average at the end: {os.getloadavg()[0]:.2f}")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
