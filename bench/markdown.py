"""Markdown save benchmark: ``.venv/bin/python bench/markdown.py`` (run by ``make bench``).

Builds a throw-away kx (SQLite file in a temporary folder) and, as a new account awaiting
verification (what anyone can register), saves a practice example whose 100 KB body is
each of the inputs below through ``POST /api/v1/practices``. Prints per input the wall and
CPU time of the request and its answer (201 saved, 422 "too complex"), then how long
another member's write takes while the slowest of them is being saved (the render runs
before the write transaction, so it should not wait). Target: every save answered within
1 s of CPU (a render gets 0.5 s; the anonymisation check reads the text once more).
"""

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N = 100_000
INPUTS = {
    "[\\n x 50,000": "[\n" * (N // 2),
    "[ x 50,000 + ] x 50,000": "[" * (N // 2) + "]" * (N // 2),
    "![ x 50,000": "![" * (N // 2),
    "[a]( x 25,000": "[a](" * (N // 4),
    "> x 100,000": ">" * N,
    "*a x 50,000": "*a" * (N // 2),
    "< x 100,000": "<" * N,
    "table, 15,000 rows": "|a|b|\n|-|-|\n" + "|x|y|\n" * 15_000,
    "table, 5,000 columns": "|" + "a|" * 5000 + "\n|" + "-|" * 5000 + "\n" + "|b|\n" * 5,
    "2,500 link references": "".join(f"[a{i}]: http://x/{i}\n" for i in range(2500))
    + "".join(f"[a{i}]" for i in range(2500)),
    "ordinary prose": (
        "The **helpline** offers [support](https://example.org/r) to people worried about "
        "their thoughts; see *Smith (2019)* and https://example.org/c for details.\n\n"
    )
    * 600,
}


def main() -> int:
    from flask_migrate import upgrade

    from kx import create_app
    from kx.accounts import services as accounts

    workdir = Path(tempfile.mkdtemp(prefix="kx-bench-markdown-"))
    try:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
                "SEARCH_INDEX_DIR": str(workdir / "search-index"),
                "SECRET_KEY": "bench",
                "RATELIMIT_ENABLED": False,
            }
        )
        tokens = {}
        with app.app_context():
            upgrade()
            for name, verified in (("newcomer", False), ("member", True)):
                user = accounts.register_user(
                    email=f"{name}@bench.example.org",
                    display_name=f"Bench {name}",
                    password="a long benchmark passphrase 42",  # noqa: S106
                    sector="ngo",
                    country="GB",
                    verified=verified,
                )
                tokens[name] = {"Authorization": f"Bearer {accounts.create_token(user, 'b')[1]}"}
        client = app.test_client()
        print(f"{'100 KB practice body':28} {'wall s':>7} {'CPU s':>7}  answer")
        slowest, slowest_cpu = None, 0.0
        for name, body in INPUTS.items():
            wall, cpu = time.perf_counter(), time.thread_time()
            response = client.post(
                "/api/v1/practices",
                json={"title": "Bench", "domains": ["prevention"], "body": body[:N]},
                headers=tokens["newcomer"],
            )
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            answer = {201: "saved", 422: "refused: too complex"}.get(
                response.status_code, str(response.status_code)
            )
            print(f"{name:28} {wall:7.3f} {cpu:7.3f}  {answer}", flush=True)
            if cpu > slowest_cpu:
                slowest, slowest_cpu = name, cpu

        def slow_save():
            app.test_client().post(
                "/api/v1/practices",
                json={"title": "Bench", "domains": ["prevention"], "body": INPUTS[slowest][:N]},
                headers=tokens["newcomer"],
            )

        worker = threading.Thread(target=slow_save)
        worker.start()
        time.sleep(0.05)
        wall = time.perf_counter()
        status = client.post(
            "/api/v1/practices",
            json={"title": "Meanwhile", "domains": ["policing"], "body": "Quick."},
            headers=tokens["member"],
        ).status_code
        wall = time.perf_counter() - wall
        worker.join()
        print(f"another member's write during the save of {slowest!r}: {wall:.3f} s ({status})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
