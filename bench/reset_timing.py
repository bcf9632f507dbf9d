"""How long ``POST /reset-password`` takes for an address with an account and for one
without: the two must not be told apart by their timing (no account enumeration).

A test app on a real SQLite file (mail written as ``.eml`` files, the default transport)
and one verified member per request; requests go, in a shuffled order, to a member's
address or to an unknown one, each address asked for once (as someone probing addresses
would), after a warm-up, with the rate limits and CSRF off; each request's mail is sent
before the next. Prints the median and 90th percentile of each path and their difference:

    .venv/bin/python bench/reset_timing.py [--requests 300]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "a long benchmark passphrase 42"  # noqa: S105


def make_app(folder: Path, members: int):
    from flask_migrate import upgrade

    from kx import create_app
    from kx.accounts.models import User
    from kx.accounts.passwords import hash_password
    from kx.database import transaction, utcnow
    from kx.extensions import db

    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'kx.db'}",
            "SEARCH_INDEX_DIR": str(folder / "search-index"),
            "MAIL_DIR": str(folder / "mail"),
            "WTF_CSRF_ENABLED": False,
            "RESET_LIMITS": "1000000 per hour",
            "RESET_ADDRESS_LIMITS": "1000000 per hour",
        }
    )
    with app.app_context():
        upgrade()
        password_hash = hash_password(PASSWORD)
        with transaction():
            for n in range(members):
                db.session.add(
                    User(
                        email=f"member{n}@example.org",
                        display_name=f"Member {n}",
                        password_hash=password_hash,
                        sector="academic",
                        country="GB",
                        verified_at=utcnow(),
                    )
                )
    return app


def wait_for_mail(app) -> None:
    """Let the sending thread finish, so that one request's mail does not load the next."""
    state = app.extensions["kx-mail"]
    if state.running.acquire(timeout=30):
        state.running.release()


def measure(app, requests: int) -> dict[str, list[float]]:
    client = app.test_client()
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    order = ["known", "unknown"] * (requests + 20)
    random.Random(13).shuffle(order)  # noqa: S311  (an order, not a secret)
    for n, path in enumerate(order):
        email = f"member{n}@example.org" if path == "known" else f"nobody{n}@example.org"
        started = time.perf_counter()
        response = client.post("/reset-password", data={"email": email})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        wait_for_mail(app)
        if n >= 40:  # the first requests warm caches and compile templates
            timings[path].append(elapsed)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kx-reset-bench-") as folder:
        app = make_app(Path(folder), args.requests * 2 + 40)
        timings = measure(app, args.requests)
        mails = len(list((Path(folder) / "mail").glob("*.eml")))
    print(f"POST /reset-password, {args.requests} requests per path (ms)")
    figures = {}
    for path, values in timings.items():
        figures[path] = (statistics.median(values), percentile(values, 0.9))
        print(f"  {path:8} median {figures[path][0]:6.2f}   p90 {figures[path][1]:6.2f}")
    median_gap = figures["known"][0] - figures["unknown"][0]
    p90_gap = figures["known"][1] - figures["unknown"][1]
    print(f"  known - unknown: median {median_gap:+.2f}, p90 {p90_gap:+.2f}")
    print(f"  mails written: {mails} (expected {args.requests + 20})")


if __name__ == "__main__":
    main()
