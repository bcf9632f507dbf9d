"""Growth benchmark: how much each page and API list costs at 2,000 and at 20,000 items.

``.venv/bin/python bench/growth.py`` creates both corpora in temporary folders (as
bench/search.py does, with evidence links, findings and threads as in bench/what_works.py);
``--reuse-small DIR`` / ``--reuse-large DIR`` take folders kept by ``bench/search.py --keep``.
Each URL is requested once to warm up, then ``--repeats`` times, the two sizes taking turns;
the median of those single requests is compared between the two sizes. A page that shows
one page of results should not cost more because the corpus is larger: target growth
<= 1.5x.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_GROWTH = 1.5
SEED = 4
# a page that holds rows at both sizes for every viewer: a deep page should cost what the
# first one does (page 30 of the research list was empty for anonymous viewers at 2,000
# items, whose 561 public studies fill 29 pages, and so cheaper than the full one at 20,000)
DEEP = 25

URLS = [
    "/",
    "/practices",
    f"/practices?page={DEEP}",
    "/practices?domain=treatment",
    "/research",
    f"/research?page={DEEP}",
    "/research?sort=year",
    "/gap-map",
    "/gap-map?rows=stage&columns=study_design",
    "/topics/domain/treatment",
    "/search?q=treatment",
    "/forum/research-needs",
    "/api/v1/practices",
    f"/api/v1/practices?page={DEEP}",
    "/api/v1/research",
    "/api/v1/gap-map",
    "/api/v1/search?q=treatment",
]


def prepare(workdir: Path, items: int | None):
    """The app on ``workdir``, with ``items`` created first when given (a new folder)."""
    import bench.search as search
    from bench import security, what_works

    app = search.make_app(workdir)
    if items:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        users = search.create_users(app)
        search.create_items(app, users, items, SEED)
    security.link_and_discuss(app, SEED)
    what_works.add_findings(app, SEED)
    what_works.gather_statistics(app)
    settle(app)
    return app


def settle(app) -> None:
    """Wait for the index merges that creating the corpus started: merging large segments
    takes a core for a minute or more, and the figures are the pages' own (a folder removed
    under a merge also fails it)."""
    from kx.search import indexing
    from kx.search.whoosh import merging

    with app.app_context():
        backend = indexing.backend()
    child = getattr(backend, "_merging", None)
    if child is not None:
        child.wait()
    while merging.running(backend.path):
        time.sleep(0.5)


def count_items(app) -> int:
    from sqlalchemy import func, select

    from kx.extensions import db
    from kx.practice.models import Practice
    from kx.research.models import Research

    with app.app_context():
        return sum(db.session.scalar(select(func.count(m.id))) for m in (Practice, Research))


def medians(apps: dict[int, object], repeats: int) -> dict[int, dict]:
    """Per corpus size: (viewer, URL) -> (median seconds of single requests, median
    seconds of the request thread's own CPU time, status). The sizes take turns, request
    by request: this machine's speed drifts by a third within minutes, and a size measured
    after the other took that drift for growth."""
    from bench import security

    clients = {
        size: {
            "anonymous": app.test_client(),
            "member": security.signed_in(app, "member@bench.example.org"),
        }
        for size, app in apps.items()
    }
    figures: dict[int, dict] = {size: {} for size in apps}
    for viewer in ("anonymous", "member"):
        for size in apps:
            clients[size][viewer].get("/gap-map")  # the reader's evidence: once per process
        for url in URLS:
            samples = {size: ([], [], []) for size in apps}
            for size in apps:
                clients[size][viewer].get(url)
            for _ in range(repeats):
                for size in apps:
                    times, cpu, statuses = samples[size]
                    started, started_cpu = time.perf_counter(), time.thread_time()
                    response = clients[size][viewer].get(url)
                    times.append(time.perf_counter() - started)
                    cpu.append(time.thread_time() - started_cpu)
                    statuses.append(response.status_code)
            for size, (times, cpu, statuses) in samples.items():
                figures[size][viewer, url] = (
                    statistics.median(times),
                    statistics.median(cpu),
                    max(statuses),
                )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--reuse-small", type=Path)
    parser.add_argument("--reuse-large", type=Path)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the folders it creates")
    args = parser.parse_args()

    from kx.extensions import db

    apps, created = {}, []
    try:
        for size, reuse in ((args.small, args.reuse_small), (args.large, args.reuse_large)):
            workdir = reuse or Path(tempfile.mkdtemp(prefix=f"kx-growth-{size}-"))
            if not reuse:
                created.append(workdir)
            print(f"corpus of {size} items in {workdir}", flush=True)
            app = prepare(workdir, None if reuse else size)
            apps[count_items(app)] = app
        results = medians(apps, args.repeats)
        for app in apps.values():
            with app.app_context():
                db.engine.dispose()
    finally:
        for workdir in created:
            if args.keep:
                print(f"kept {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)

    (small, at_small), (large, at_large) = sorted(results.items())
    print()
    print(f"median of {args.repeats} single requests, ms; growth from {small} to {large} items")
    print("(cpu: the request thread's own CPU time, what a quiet machine's wall time would be)")
    print(
        f"{'URL':<44} {'viewer':<10} {small:>8} {large:>8} {'growth':>7}"
        f" {'cpu ' + str(small):>9} {'cpu ' + str(large):>9} {'growth':>7}"
    )
    ok = True
    for viewer, url in at_small:
        before, cpu_before, status_small = at_small[viewer, url]
        after, cpu_after, status_large = at_large[viewer, url]
        growth, cpu_growth = after / before, cpu_after / cpu_before
        within = min(growth, cpu_growth) <= TARGET_GROWTH and status_small == status_large == 200
        ok &= within
        print(
            f"{url:<44} {viewer:<10} {before * 1000:8.1f} {after * 1000:8.1f} {growth:6.2f}x"
            f" {cpu_before * 1000:9.1f} {cpu_after * 1000:9.1f} {cpu_growth:6.2f}x"
            f"  {'ok' if within else 'MISSED'}"
        )
    print(f"Target: growth <= {TARGET_GROWTH}x for every page and API list.")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
