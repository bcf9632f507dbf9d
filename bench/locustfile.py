"""Mixed traffic for ``make load``: anonymous readers of pages and the API, searchers with
facets, and signed-in writers publishing through the API.

bench/load.py starts the servers, creates the writers' tokens and runs this with
``LOAD_TOKENS`` (a JSON file: ``{"writers": [...], "moderator": "..."}``), ``LOAD_RUN`` (a
word every item written in this run carries, to find them by search afterwards) and
``LOAD_OUTPUT`` (where the ids of the 2xx writes and the count of 5xx answers are written
when the run ends).
"""

import itertools
import json
import os
import random
import string
import threading

from locust import HttpUser, between, events, task

TOKENS = json.loads(open(os.environ["LOAD_TOKENS"]).read())  # noqa: SIM115
RUN = os.environ["LOAD_RUN"]
OUTPUT = os.environ["LOAD_OUTPUT"]

PAGES = [
    "/",
    "/practices",
    "/practices?page=7",
    "/practices?domain=treatment",
    "/research",
    "/research?sort=year",
    "/gap-map",
    "/topics/domain/prevention",
]
API_LISTS = ["/api/v1/practices", "/api/v1/research?page=3", "/api/v1/gap-map"]
WORDS = [
    "helpline",
    "treatment",
    "prevention",
    "offender",
    "school",
    "evaluation",
    "therapy",
    "parents",
    "online",
    "victim",
    "police",
    "risk",
]
FACETS = [
    {},
    {"domain": "prevention"},
    {"type": "research", "study_design": "rct"},
    {"country": "GB"},
    {"type": "practice", "domain": "treatment"},
]

_lock = threading.Lock()
_published: list[int] = []
_refused: list[int] = []
_server_errors = 0
_numbers = itertools.count(1)


def _code(n: int) -> str:
    """``n`` in letters only: one word for any text-search configuration."""
    letters = ""
    while True:
        n, digit = divmod(n, 26)
        letters = string.ascii_lowercase[digit] + letters
        if not n:
            return letters


@events.request.add_listener
def _count_server_errors(response=None, **_kwargs):
    global _server_errors
    if response is not None and response.status_code >= 500:
        with _lock:
            _server_errors += 1


@events.quitting.add_listener
def _write_output(**_kwargs):
    with open(OUTPUT, "w") as out:
        json.dump(
            {"published": _published, "refused": _refused, "server_errors": _server_errors}, out
        )


def _query() -> dict:
    query = {"q": " ".join(random.sample(WORDS, random.choice((1, 1, 2))))}  # noqa: S311
    return query | random.choice(FACETS)  # noqa: S311


class Reader(HttpUser):
    """An anonymous visitor: lists, item lists through the API, the gap map."""

    weight = 5
    wait_time = between(0.2, 1.0)

    @task(3)
    def page(self):
        path = random.choice(PAGES)  # noqa: S311
        self.client.get(path, name=f"page {path}")

    @task(2)
    def api_list(self):
        path = random.choice(API_LISTS)  # noqa: S311
        self.client.get(path, name=f"api {path}")


class Searcher(HttpUser):
    """An anonymous visitor searching, with facets, on the page and through the API."""

    weight = 4
    wait_time = between(0.2, 1.0)

    @task
    def search_page(self):
        self.client.get("/search", params=_query(), name="page /search")

    @task
    def search_api(self):
        self.client.get("/api/v1/search", params=_query(), name="api /api/v1/search")


class Writer(HttpUser):
    """A signed-in member publishing a practice example: submitted, then approved."""

    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self):
        with _lock:
            self.token = TOKENS["writers"][next(_numbers) % len(TOKENS["writers"])]

    @task
    def publish(self):
        n = next(_numbers)
        body = {
            "title": f"Load {RUN} {_code(n)} peer support for worried parents",
            "summary": f"Written during the load run {RUN}.",
            "domains": ["prevention"],
            "countries": ["GB"],
            "submit": True,
            "anonymised_confirmed": True,
        }
        headers = {"Authorization": f"Bearer {self.token}"}
        with self.client.post(
            "/api/v1/practices",
            json=body,
            headers=headers,
            name="api POST practice",
            catch_response=True,
        ) as created:
            if created.status_code != 201:
                created.failure(f"{created.status_code}")
                return
        item = created.json()
        if item["status"] != "published":
            moderator = {"Authorization": f"Bearer {TOKENS['moderator']}"}
            approved = self.client.post(
                f"/api/v1/review/practice/{item['id']}",
                json={"decision": "approve"},
                headers=moderator,
                name="api POST review",
            )
            if approved.status_code != 200:
                with _lock:
                    _refused.append(item["id"])
                return
        with _lock:
            _published.append(item["id"])
