"""The security review's figures, run by ``make bench`` after the search figures
on the same corpus, or alone on a folder kept by ``bench/search.py --keep``:
``.venv/bin/python bench/security.py --reuse /tmp/kx-bench-…``.

- every list filter (practices with each evidence level and each other filter, research,
  the forum, "my items", the review queue, the gap map), as pages and through the API, for
  an anonymous visitor, a member and a moderator, after linking research to practices;
- a search for 26 one-letter prefixes (``a* b* … z*``), alone and with filters that match
  nothing (the page then tries alternatives), on the page and through the API;
- a practice saved with 100 KB of pathological Markdown (``"[\\n" * 50_000`` in its body)
  through ``save_practice`` by an unverified and by a verified member.

Each figure is judged against 1 s, or a clear refusal (a 4xx answer, a validation error).
"""

import argparse
import random
import re
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0
PASSWORD = "a long benchmark passphrase 42"  # noqa: S105
RELATIONS = ["evaluates", "supports", "informs", "contradicts"]
DESIGNS = [
    "systematic-review",
    "rct",
    "quasi-experimental",
    "cohort",
    "cross-sectional",
    "qualitative",
    "case-study",
    "expert-consensus",
    "other",
]
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


# ----------------------------------------------------------------------- set-up


def link_and_discuss(app, seed: int) -> tuple[int, int]:
    """Link each published summary to one or two published practices (any relation), and
    open a research-need thread per 40 items; skipped when a kept corpus has them."""
    from sqlalchemy import func, select

    from kx.accounts.models import User
    from kx.database import transaction
    from kx.evidence.models import EvidenceLink
    from kx.extensions import db
    from kx.forum.models import Post, Thread
    from kx.practice.models import Practice
    from kx.research.models import Research

    rng = random.Random(seed + 3)  # noqa: S311 (a reproducible corpus)
    with app.app_context():
        links = db.session.scalar(select(func.count(EvidenceLink.id)))
        threads = db.session.scalar(select(func.count(Thread.id)))
        if links:
            return links, threads
        practice_ids = list(db.session.scalars(select(Practice.id).order_by(Practice.id)))
        research_ids = list(db.session.scalars(select(Research.id).order_by(Research.id)))
        moderator = db.session.scalar(select(User).where(User.role == "moderator"))
        pairs = {
            (research_id, rng.choice(practice_ids))
            for research_id in research_ids
            for _ in range(rng.randint(1, 2))
        }
        with transaction():
            db.session.add_all(
                EvidenceLink(
                    research_id=research_id,
                    practice_id=practice_id,
                    relation=rng.choice(RELATIONS),
                    created_by_id=moderator.id,
                )
                for research_id, practice_id in pairs
            )
            for n in range((len(practice_ids) + len(research_ids)) // 40):
                thread = Thread(
                    category=rng.choice(["treatment", "prevention", "policing"]),
                    kind="research-need",
                    status="open",
                    title=f"Research need {n}",
                    author_id=moderator.id,
                )
                thread.posts.append(
                    Post(author_id=moderator.id, body="What works?", body_html="<p>What works?</p>")
                )
                db.session.add(thread)
        return len(pairs), db.session.scalar(select(func.count(Thread.id)))


def make_people(app) -> dict:
    """A verified member (law enforcement) and an unverified account, with passwords."""
    from sqlalchemy import select

    from kx.accounts import services as accounts
    from kx.accounts.models import User
    from kx.extensions import db

    people = {}
    with app.app_context():
        for name, verified in (("verified", True), ("unverified", False)):
            email = f"security-{name}@bench.example.org"
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                user = accounts.register_user(
                    email=email,
                    display_name=f"Bench {name}",
                    password=PASSWORD,
                    sector="law-enforcement",
                    country="GB",
                    role="member",
                    verified=verified,
                )
            people[name] = user.id
    return people


def signed_in(app, email: str):
    """A test client signed in through the login form."""
    client = app.test_client()
    token = _CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in {email}: {response.status_code}")
    return client


# ----------------------------------------------------------------------- measuring


def list_urls() -> list[tuple[str, str]]:
    """(group, URL) of every list filter, as pages and through the API."""
    urls = [("practices", "/practices"), ("practices", "/practices?sort=title")]
    for name, value in (
        ("domain", "treatment"),
        ("country", "GB"),
        ("stage", "arrest"),
        ("prevention_level", "primary"),
        ("evaluation_status", "none"),
    ):
        urls.append(("practices", f"/practices?{name}={value}"))
    api_names = {"domain": "domain", "country": "country", "stage": "stage"}
    for name, value in (("domain", "treatment"), ("country", "GB"), ("stage", "arrest")):
        urls.append(("practices API", f"/api/v1/practices?{api_names[name]}={value}"))
    urls.append(("practices API", "/api/v1/practices?per_page=100"))
    for level in [*DESIGNS, "none"]:
        urls.append(("evidence filter", f"/practices?evidence={level}"))
        urls.append(("evidence filter API", f"/api/v1/practices?evidence_level={level}"))
    urls += [
        ("research", "/research"),
        ("research", "/research?sort=year"),
        ("research", "/research?domain=treatment&country=GB"),
        ("research", "/research?study_design=rct&year_from=2005&year_to=2015"),
        ("research API", "/api/v1/research?domain=treatment"),
        ("research API", "/api/v1/research?study_design=rct&per_page=100"),
        ("gap map", "/gap-map"),
        ("gap map", "/api/v1/gap-map"),
        ("forum", "/forum/research-needs"),
        ("forum", "/forum/treatment"),
        ("forum API", "/api/v1/forum/threads"),
        ("forum API", "/api/v1/forum/threads?category=treatment&kind=research-need"),
    ]
    return urls


SIGNED_IN_URLS = [
    ("my items", "/my-items"),
    ("my items API", "/api/v1/practices?author=me"),
    ("my items API", "/api/v1/research?author=me"),
]
MODERATOR_URLS = [("review queue", "/review"), ("review queue API", "/api/v1/review")]


def measure_lists(app, users: dict) -> list[tuple[str, str, str, float, int]]:
    """(group, viewer, URL, seconds, status) of every list request."""
    from sqlalchemy import select

    from kx.accounts.models import User
    from kx.extensions import db

    with app.app_context():
        emails = {
            name: db.session.scalar(select(User.email).where(User.id == users[name][0]))
            for name in ("member", "moderator")
        }
    viewers = {"anonymous": (app.test_client(), {})}
    for name in ("member", "moderator"):
        viewers[name] = (
            signed_in(app, emails[name]),
            {"Authorization": f"Bearer {users[name][1]}"},
        )
    rows = []
    for viewer, (client, headers) in viewers.items():
        urls = list_urls()
        if viewer != "anonymous":
            urls += SIGNED_IN_URLS
        if viewer == "moderator":
            urls += MODERATOR_URLS
        client.get("/practices")  # warm up: templates, the first connection
        for group, url in urls:
            started = time.perf_counter()
            response = client.get(url, headers=headers if "/api/" in url else {})
            seconds = time.perf_counter() - started
            rows.append((group, viewer, url, seconds, response.status_code))
    return rows


PREFIXES = " ".join(f"{letter}*" for letter in string.ascii_lowercase)


def measure_prefix_search(app, users: dict) -> list[tuple[str, float, int]]:
    """The 26-prefix query on the page and the API, alone and with filters matching nothing."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {users['member'][1]}"}
    nothing = {"domain": "policing", "country": "FJ", "study_design": "rct", "type": "research"}
    cases = [
        ("GET /search", "/search", {"q": PREFIXES}, {}),
        ("GET /search, filters matching nothing", "/search", {"q": PREFIXES, **nothing}, {}),
        ("GET /api/v1/search", "/api/v1/search", {"q": PREFIXES}, headers),
        ("GET /api/v1/search, filters", "/api/v1/search", {"q": PREFIXES, **nothing}, headers),
    ]
    rows = []
    for label, url, params, hdrs in cases:
        started = time.perf_counter()
        response = client.get(url, query_string=params, headers=hdrs)
        rows.append((label, time.perf_counter() - started, response.status_code))
    return rows


def measure_markdown_save(app, people: dict) -> list[tuple[str, float, str]]:
    """``save_practice`` with 100 KB of ``"[\\n"`` by each account: seconds and outcome."""
    from kx.accounts.models import User
    from kx.errors import ServiceError
    from kx.extensions import db
    from kx.practice.services import save_practice

    body = "[\n" * 50_000
    rows = []
    for name in ("unverified", "verified"):
        with app.app_context():
            user = db.session.get(User, people[name])
            data = {"title": "Pathological Markdown", "domains": ["treatment"], "body": body}
            started = time.perf_counter()
            try:
                save_practice(user, data)
                outcome = "saved"
            except ServiceError as exc:
                outcome = f"refused ({exc.status}): {exc.message}"
            rows.append((f"{name} member", time.perf_counter() - started, outcome))
    return rows


# ----------------------------------------------------------------------- report


def run(app, users: dict, seed: int) -> bool:
    """Measure and print every figure; True when all are within target."""
    links, threads = link_and_discuss(app, seed)
    people = make_people(app)
    lists = measure_lists(app, users)
    searches = measure_prefix_search(app, users)
    saves = measure_markdown_save(app, people)
    all_ok = True

    print()
    print(f"Security review: each request <= {TARGET_S:.0f} s or a clear refusal")
    print(f"  corpus also has {links} evidence links and {threads} forum threads")
    print()
    print("List filters (in-process test client; slowest of each group and viewer)")
    groups: dict[tuple[str, str], list] = {}
    for group, viewer, url, seconds, status in lists:
        groups.setdefault((group, viewer), []).append((seconds, url, status))
    for (group, viewer), entries in groups.items():
        seconds, url, status = max(entries)
        ok = seconds <= TARGET_S and status < 500
        all_ok &= ok
        print(
            f"  {group:<20} {viewer:<9} {len(entries):3} requests  max {seconds * 1000:7.1f} ms"
            f"  ({status} {url})  {verdict(ok)}"
        )
    failures = [row for row in lists if row[4] >= 500]
    for _group, viewer, url, _seconds, status in failures:
        print(f"  ERROR {status}: {viewer} {url}")
    print()
    print(f"Search for 26 prefixes ({PREFIXES[:11]} … z*)")
    for label, seconds, status in searches:
        refused = 400 <= status < 500
        ok = status < 500 and (seconds <= TARGET_S or refused)
        all_ok &= ok
        answer = "refused" if refused else "answered"
        print(f"  {label:<40} {seconds * 1000:8.1f} ms  {status} {answer:<8}  {verdict(ok)}")
    print()
    print('Saving 100 KB of "[\\n" in a practice body (save_practice)')
    for label, seconds, outcome in saves:
        ok = seconds <= TARGET_S or outcome.startswith("refused")
        all_ok &= ok
        print(f"  {label:<20} {seconds * 1000:8.1f} ms  {outcome[:80]}  {verdict(ok)}")
    return all_ok


def main() -> int:
    import bench.search as search

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", type=Path, required=True, help="a folder kept by --keep")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    app = search.make_app(args.reuse)
    run(app, search.existing_users(app), args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
