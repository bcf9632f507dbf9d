"""Two app servers, one truth: what is written through one node is what the other serves,
its sessions, its rate limits and its queued mail included."""

import time

from tests.scaleout.conftest import SEARCH_LIMIT, Client
from tests.support.accounts import PASSWORD


def test_an_item_published_on_a_is_found_by_search_on_b_within_2_seconds(nodes, make_account):
    a, b = nodes
    author, moderator = make_account(), make_account(role="moderator")
    client = Client("198.51.100.1")
    item = client.post(
        a,
        "/api/v1/practices",
        headers=client.token(a, author),
        json={
            "title": "Peer circles for worried parents in Gdansk",
            "domains": ["prevention"],
            "submit": True,
            "anonymised_confirmed": True,
        },
    )
    assert item.status_code == 201, item.text
    approved = client.post(
        a,
        f"/api/v1/review/practice/{item.json()['id']}",
        headers=client.token(a, moderator),
        json={"decision": "approve"},
    )
    assert approved.status_code == 200, approved.text
    published = time.monotonic()

    reader = Client("198.51.100.2")
    while True:
        found = reader.get(b, "/api/v1/search", params={"q": "Gdansk"})
        assert found.status_code == 200, found.text
        waited = time.monotonic() - published
        if found.json()["total"]:
            break
        assert waited < 2, "node B did not find what node A published within 2 s"
        time.sleep(0.1)
    assert [(hit["type"], hit["id"]) for hit in found.json()["items"]] == [
        ("practice", item.json()["id"])
    ]


def test_a_session_signed_in_on_a_works_on_b(nodes, make_account):
    a, b = nodes
    user = make_account()
    browser = Client("198.51.100.3")
    assert browser.get(b, "/practices/new").status_code == 302  # to the sign-in form

    signed_in = browser.submit(a, "/login", {"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.text[:500]

    form = browser.get(b, "/practices/new")
    assert form.status_code == 200
    assert 'name="title"' in form.text


def test_rate_limits_count_requests_to_both_nodes_together(nodes):
    a, b = nodes
    client = Client("198.51.100.4")
    for n in range(SEARCH_LIMIT):
        answer = client.get((a, b)[n % 2], "/api/v1/search", params={"q": "helpline"})
        assert answer.status_code == 200, f"request {n + 1}: {answer.status_code}"
    # each node alone has seen half the budget: only a shared count refuses these
    for node in (a, b):
        refused = client.get(node, "/api/v1/search", params={"q": "helpline"})
        assert refused.status_code == 429, node.name
        assert refused.json()["error"]["status"] == 429
    # another client's budget is its own
    assert Client("198.51.100.5").get(b, "/api/v1/search").status_code == 200


def test_a_worker_on_either_node_sends_each_queued_mail_once(nodes, make_account, smtp_server):
    a, b = nodes
    before = len(smtp_server.messages)
    people = [make_account() for _ in range(6)]
    for n, person in enumerate(people):
        browser = Client(f"198.51.100.{10 + n}")
        sent = browser.submit((a, b)[n % 2], "/reset-password", {"email": person.email})
        assert sent.status_code == 200, sent.text[:500]

    smtp_server.wait_for(before + len(people), timeout=60)
    time.sleep(3)  # several polls of both workers: a second copy would have come by now
    mine = smtp_server.messages[before:]
    assert sorted(m["To"] for m in mine) == sorted(p.email for p in people)
    assert len({m["Message-ID"] for m in mine}) == len(people)
