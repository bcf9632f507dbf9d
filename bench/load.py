"""Load test: ``make load`` (or ``.venv/bin/python bench/load.py --items 2000 --seconds 30``).

For each profile (``postgres``: PostgreSQL database and search, jobs queued for a
``flask --app kx worker`` running beside the servers; ``embedded``: SQLite and Whoosh, jobs
run in the requests), in a temporary folder:

1. copies a corpus of N published items into it: a SQLite database and Whoosh index as
   ``bench/search.py --create-only`` leaves them (``--corpus``; by default a folder in the
   temporary directory, created once through the record services with bench/search.py's
   ``create_items``, about 9 minutes for 20,000 items, and reused by later runs). The
   PostgreSQL profile copies the corpus's rows into a fresh database. Then it creates the
   writers' API tokens and rebuilds the search index (``flask --app kx search reindex``);
2. serves them with gunicorn (gunicorn.conf.py, ``--workers`` processes);
3. runs bench/locustfile.py headless for ``--seconds``: anonymous readers of pages and API
   lists, searchers with facets, members publishing practice examples through the API;
4. prints requests/s, p50/p95/p99 per endpoint and the count of 5xx answers;
5. checks that every write answered with a 2xx is published in the database and found by
   search, and that ``flask --app kx search check`` exits 0.

Rate limits are switched off in the served app: all the traffic comes from one address,
and the figures are about serving requests, not refusing them. The process exits non-zero
when a check fails or any answer was a 5xx.
"""

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SEED = 4
WRITERS = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def profile_env(profile: str, workdir: Path, args) -> dict[str, str]:
    """The ``KX_*`` variables of ``profile``, as an operator would set them."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KX_")},
        "KX_SECRET_KEY": "load test",
        "KX_SEARCH_INDEX_DIR": str(workdir / "search-index"),
        "KX_RATELIMIT_STORAGE_URI": args.redis,
        "KX_BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": str(args.workers),
        "PYTHONUNBUFFERED": "1",
    }
    if profile == "postgres":
        env |= {
            "KX_DATABASE_URL": args.database,
            "KX_SEARCH_BACKEND": "postgres",
            "KX_JOBS": "postgres",
        }
    else:
        env |= {"KX_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}"}
    return env


def fresh_postgres(url: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    from kx.config import database_url

    server = make_url(database_url(url))
    engine = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{server.database}"'))
    engine.dispose()


def corpus(args) -> Path:
    """A folder with ``args.items`` published items (``bench.db``, ``search-index``): the
    one ``--corpus`` names, created there first when it holds no database."""
    import bench.search as search

    folder = args.corpus or Path(tempfile.gettempdir()) / f"kx-load-corpus-{args.items}-{SEED}"
    if (folder / "bench.db").exists():
        return folder
    print(f"creating the corpus of {args.items} items once, in {folder} (later runs copy it)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"{folder.name}-building-", dir=folder.parent))
    app = search.make_app(building)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    users = search.create_users(app)
    took = search.create_items(app, users, args.items, SEED)
    print(f"  created {args.items} items through the services in {took:.0f} s")
    with app.app_context():
        from kx.extensions import db

        db.engine.dispose()
    building.rename(folder)  # only a complete corpus gets the name later runs look for
    return folder


def copy_corpus(folder: Path, workdir: Path) -> Path:
    """Copy the corpus's database (with its write-ahead log) and index into ``workdir``:
    the corpus itself is never opened for writing."""
    for path in folder.glob("bench.db*"):
        shutil.copy2(path, workdir / path.name)
    shutil.copytree(folder / "search-index", workdir / "search-index")
    return workdir / "bench.db"


#: tables whose rows the PostgreSQL profile does not copy: the Whoosh corpus has no search
#: documents (the reindex writes them) and its outbox entries were applied long ago
NOT_COPIED = {"search_documents", "search_texts", "search_words", "search_outbox"}


def copy_rows(source: Path, app) -> int:
    """Copy every row of the SQLite corpus into ``app``'s (upgraded, empty) PostgreSQL
    database, then move each identity sequence past the highest id copied."""
    from sqlalchemy import create_engine, func, select, text

    from kx.extensions import db

    sqlite = create_engine(f"sqlite:///{source}")
    copied = 0
    with app.app_context(), sqlite.connect() as reading, db.engine.begin() as writing:
        # the rows satisfied the same foreign keys in the corpus; checking them again one
        # by one would only slow the copy (session_replication_role skips the triggers)
        writing.execute(text("SET LOCAL session_replication_role = replica"))
        for table in db.metadata.sorted_tables:
            if table.name in NOT_COPIED:
                continue
            rows = reading.execute(select(table)).mappings()
            while batch := rows.fetchmany(2000):
                writing.execute(table.insert(), [dict(row) for row in batch])
                copied += len(batch)
            if "id" in table.c and table.c.id.autoincrement in (True, "auto"):
                highest = writing.execute(select(func.max(table.c.id))).scalar()
                if highest:
                    writing.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                        {"t": table.name, "n": highest},
                    )
    sqlite.dispose()
    return copied


def analyze(env: dict) -> None:
    """``ANALYZE`` the PostgreSQL database: with the rows copied in at once, and autovacuum
    perhaps off or behind, the planner would otherwise guess (a filtered list took 26 s
    instead of 0.1 s at 20,000 items)."""
    from sqlalchemy import create_engine, text

    from kx.config import database_url

    engine = create_engine(database_url(env["KX_DATABASE_URL"]), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def prepare(profile: str, env: dict, folder: Path, workdir: Path) -> dict:
    """Put the corpus in place and create the writers; returns the tokens the locustfile
    uses."""
    from flask_migrate import upgrade

    import bench.search as search
    from kx import create_app
    from kx.accounts import services as accounts
    from kx.config import database_url

    started = time.perf_counter()
    source = copy_corpus(folder, workdir)
    corpus_db = sqlite3.connect(source)
    (items,) = corpus_db.execute(
        "SELECT (SELECT count(*) FROM practices WHERE status = 'published')"
        " + (SELECT count(*) FROM research WHERE status = 'published')"
    ).fetchone()
    corpus_db.close()
    print(f"  corpus {folder}: {items} published items")
    if profile == "postgres":
        fresh_postgres(env["KX_DATABASE_URL"])
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(env["KX_DATABASE_URL"]),
            "SEARCH_BACKEND": env.get("KX_SEARCH_BACKEND", "whoosh"),
            "SEARCH_INDEX_DIR": env["KX_SEARCH_INDEX_DIR"],
            "SECRET_KEY": "load test",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
    if profile == "postgres":
        copied = copy_rows(source, app)
        print(f"  copied {copied} rows of the corpus into PostgreSQL")
        analyze(env)
    users = search.existing_users(app)
    writers = []
    with app.app_context():
        for n in range(WRITERS):
            user = accounts.register_user(
                email=f"writer{n}@load.example.org",
                display_name=f"Load writer {n}",
                password="a long load test passphrase 42",  # noqa: S106
                sector="law-enforcement",
                country="GB",
                role="member",
                verified=True,
            )
            writers.append(accounts.create_token(user, "load")[1])
        from kx.extensions import db

        db.engine.dispose()
    print(f"  corpus in place in {time.perf_counter() - started:.0f} s")
    return {"writers": writers, "moderator": users["moderator"][1]}


def flask(env: dict, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """``flask --app kx ARGS`` with ``env``, its output captured."""
    return subprocess.run(  # noqa: S603 (this environment's own flask)
        [str(BIN / "flask"), "--app", "kx", *args],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )


def reindex(env: dict, workdir: Path) -> None:
    """``flask --app kx search reindex``: one compact index (Whoosh) or the search
    documents the copied rows lack (PostgreSQL)."""
    started, before = time.perf_counter(), os.times()
    done = flask(env, workdir, "search", "reindex")
    if done.returncode:
        raise SystemExit(f"search reindex failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    print(
        f"  {done.stdout.strip().splitlines()[-1]} (search reindex: "
        f"{time.perf_counter() - started:.0f} s wall, "
        f"{cpu:.0f} s CPU)"
    )


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    out = open(log, "w")  # noqa: SIM115 (the process writes to it until stopped)
    return subprocess.Popen(command, env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_healthy(url: str, server: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=10) as page:  # noqa: S310
                if page.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"gunicorn not healthy within {timeout} s")
        time.sleep(0.5)


def server_cpu(processes: list[subprocess.Popen]) -> float:
    """CPU seconds used so far by ``processes`` and their children (gunicorn's workers)."""
    import psutil

    total = 0.0
    for process in processes:
        try:
            root = psutil.Process(process.pid)
            for each in [root, *root.children(recursive=True)]:
                times = each.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            pass
    return total


def database_cpu(env: dict) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving the profile's database
    (the server runs on this machine; its work is part of each request's cost)."""
    import psutil
    from sqlalchemy import create_engine, make_url, text

    from kx.config import database_url

    url = make_url(database_url(env["KX_DATABASE_URL"]))
    if url.host not in (None, "", "127.0.0.1", "localhost", "::1"):
        return {}  # another machine's processes
    engine = create_engine(url)
    with engine.connect() as connection:
        pids = connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": url.database},
        ).scalars()
        pids = list(pids)
    engine.dispose()
    used = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            used[pid] = times.user + times.system
        except psutil.Error:
            pass
    return used


def print_failures(workdir: Path) -> None:
    """Why the requests locust counted as failures failed, by endpoint."""
    path = workdir / "locust_failures.csv"
    if not path.exists():
        return
    with open(path) as failures:
        for row in csv.DictReader(failures):
            print(f"    failed: {row['Name']}: {row['Error'][:100]} x{row['Occurrences']}")


def print_server_errors(log: Path, shown: int = 12) -> None:
    """The 5xx lines of gunicorn's access log, and the errors it logged."""
    lines = log.read_text(errors="replace").splitlines()
    answers = [line for line in lines if " status=5" in line]
    errors = [line for line in lines if "Error" in line or "[CRITICAL]" in line]
    for line in answers[:shown] + errors[-shown:]:
        print(f"    {line[:200]}")


def percentiles(workdir: Path) -> tuple[list[dict], dict]:
    with open(workdir / "locust_stats.csv") as stats:
        rows = list(csv.DictReader(stats))
    endpoints = [row for row in rows if row["Name"] != "Aggregated"]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return endpoints, total


def print_table(endpoints: list[dict], total: dict) -> None:
    print(
        f"  {'endpoint':44} {'requests':>8} {'fail':>5} {'req/s':>7} "
        f"{'p50':>6} {'p95':>6} {'p99':>6}"
    )
    for row in [*sorted(endpoints, key=lambda r: r["Name"]), total]:
        print(
            f"  {row['Name'][:44]:44} {row['Request Count']:>8} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    print("  (response times in ms)")


def search_ids(url: str, run: str) -> set[int]:
    """Every item that search finds for the run's word, as an anonymous visitor."""
    found, page = set(), 1
    while True:
        query = f"{url}/api/v1/search?q={run}&per_page=100&page={page}"
        with urllib.request.urlopen(query, timeout=30) as answer:  # noqa: S310
            body = json.load(answer)
        found |= {hit["id"] for hit in body["items"] if hit["type"] == "practice"}
        if page * 100 >= body["total"] or not body["items"]:
            return found
        page += 1


def published_ids(env: dict, ids: list[int]) -> set[int]:
    from sqlalchemy import create_engine, text

    from kx.config import database_url

    engine = create_engine(database_url(env["KX_DATABASE_URL"]))
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id FROM practices WHERE status = 'published'")
        ).scalars()
        found = set(rows) & set(ids)
    engine.dispose()
    return found


def run_profile(profile: str, args, folder: Path) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix=f"kx-load-{profile}-"))
    print(
        f"\n== {profile}: {args.items} items, {args.workers} gunicorn workers, "
        f"{args.users} users for {args.seconds} s, in {workdir}"
    )
    env = profile_env(profile, workdir, args)
    processes, ok = [], False
    try:
        tokens = prepare(profile, env, folder, workdir)
        reindex(env, workdir)
        if profile == "postgres":
            analyze(env)  # the search documents the reindex wrote
        (workdir / "tokens.json").write_text(json.dumps(tokens))
        app_spec = "kx:create_app({'RATELIMIT_ENABLED': False})"
        server = start(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), app_spec],
            env,
            workdir / "gunicorn.log",
        )
        processes.append(server)
        if profile == "postgres":
            worker_app = "kx:create_app({'RATELIMIT_ENABLED': False})"
            processes.append(
                start(
                    [str(BIN / "flask"), "--app", worker_app, "worker"], env, workdir / "worker.log"
                )
            )
        url = f"http://127.0.0.1:{args.port}"
        wait_healthy(url, server, workdir / "gunicorn.log")
        run = "zq" + uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))
        locust_env = env | {
            "LOAD_TOKENS": str(workdir / "tokens.json"),
            "LOAD_RUN": run,
            "LOAD_OUTPUT": str(workdir / "output.json"),
        }
        locust_log = open(workdir / "locust.log", "w")  # noqa: SIM115
        cpu_before, load_before = server_cpu(processes), os.getloadavg()[0]
        postgres = profile == "postgres"
        database_before = database_cpu(env) if postgres else {}
        traffic = time.perf_counter()
        subprocess.run(  # noqa: S603
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "-u",
                str(args.users),
                "-r",
                str(args.users),
                "-t",
                f"{args.seconds}s",
                "--host",
                url,
                "--csv",
                str(workdir / "locust"),
                "--loglevel",
                "WARNING",
            ],
            env=locust_env,
            cwd=workdir,
            check=False,
            stdout=locust_log,
            stderr=subprocess.STDOUT,
        )
        locust_log.close()
        wall = time.perf_counter() - traffic
        cpu, load_after = server_cpu(processes) - cpu_before, os.getloadavg()[0]
        database = (
            sum(t - database_before.get(pid, 0.0) for pid, t in database_cpu(env).items())
            if postgres
            else 0.0
        )
        endpoints, total = percentiles(workdir)
        output = json.loads((workdir / "output.json").read_text())
        print_table(endpoints, total)
        print(
            f"  requests/s: {float(total['Requests/s']):.1f}   "
            f"5xx answers: {output['server_errors']}"
        )
        requests = max(1, int(total["Request Count"]))
        print(
            f"  CPU during the traffic ({wall:.0f} s): kx processes (gunicorn, worker) "
            f"{cpu:.0f} s, {1000 * cpu / requests:.0f} ms per request"
            + (
                f"; PostgreSQL backends {database:.0f} s, {1000 * database / requests:.0f} ms "
                "per request"
                if postgres
                else ""
            )
        )
        print(
            f"  load average {load_before:.1f} before, {load_after:.1f} after, "
            f"on {os.cpu_count()} cores"
        )
        print_failures(workdir)
        if output["server_errors"]:
            print_server_errors(workdir / "gunicorn.log")

        written = output["published"]
        time.sleep(2.5)  # the promise: searchable 2 s after the write returns
        in_database = published_ids(env, written)
        found = search_ids(url, run)
        check = flask(env, workdir, "search", "check")
        missing_db = len(written) - len(in_database)
        missing_search = len(set(written) - found)
        print(
            f"  writes answered 2xx and published: {len(written)} "
            f"(refused at review: {len(output['refused'])})"
        )
        print(
            f"  of those, missing from the database: {missing_db}; not found by search: "
            f"{missing_search}"
        )
        print(
            f"  flask --app kx search check: exit {check.returncode} "
            f"{(check.stdout + check.stderr).strip().splitlines()[-1:] or ''}"
        )
        ok = (
            output["server_errors"] == 0
            and missing_db == 0
            and missing_search == 0
            and check.returncode == 0
        )
        return ok
    finally:
        for process in reversed(processes):
            stop(process)
        if args.keep or not ok:
            print(f"  kept {workdir} (logs: gunicorn.log, worker.log, locust.log)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=40, help="simulated users at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=0, help="the servers' port (0: a free one)")
    parser.add_argument("--profile", choices=("postgres", "embedded", "both"), default="both")
    parser.add_argument(
        "--database",
        default=os.environ.get("LOAD_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kx_load"),
        help="PostgreSQL database for the postgres profile: dropped and created afresh",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="Redis for the rate-limit store several gunicorn workers need",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=os.environ.get("LOAD_CORPUS") and Path(os.environ["LOAD_CORPUS"]),
        help="a folder of bench/search.py --create-only (bench.db, search-index), only read; "
        "created there when it has no bench.db (default: kx-load-corpus-ITEMS-SEED in the "
        "temporary directory)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    if not args.port:
        args.port = free_port()
    folder = corpus(args)
    profiles = ("postgres", "embedded") if args.profile == "both" else (args.profile,)
    results = {profile: run_profile(profile, args, folder) for profile in profiles}
    print()
    for profile, ok in results.items():
        print(f"{profile}: {'all checks passed' if ok else 'FAILED'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
