"""Calling the API as the tests do: the JSON error shape, and practice examples and research
summaries written (and published) through it by a cast of bearer-token holders."""

import re

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def assert_json_error(response, status: int, *, fields: bool = False) -> dict:
    """``response`` is the API's JSON error for ``status``; returns the ``error`` object."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json", response.mimetype
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"status", "message", "fields"}
    if fields:
        assert isinstance(error.get("fields"), dict) and error["fields"], error
    return error


def practice_body(**fields) -> dict:
    return {
        "title": "Helpline for people worried about their thoughts",
        "domains": ["prevention"],
    } | fields


def new_practice(client, who, expect: int = 201, **fields) -> dict:
    """POST a practice as ``who``; returns the item (or the error body)."""
    response = client.post("/api/v1/practices", json=practice_body(**fields), headers=who.headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def publish(client, people, author=None, kind: str = "practice", **fields) -> dict:
    """An item by ``author`` (default: the author) taken through review to published."""
    author = author or people.author
    if kind == "practice":
        item = new_practice(client, author, submit=True, anonymised_confirmed=True, **fields)
    else:
        item = new_research(client, author, submit=True, **fields)
    if item["status"] == "pending":
        response = client.post(
            f"/api/v1/review/{kind}/{item['id']}",
            json={"decision": "approve"},
            headers=people.moderator.headers,
        )
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == "published"
    return item


def new_research(client, who, expect: int = 201, **fields) -> dict:
    body = {"title": "An evaluation of a prevention helpline", "domains": ["prevention"]}
    response = client.post("/api/v1/research", json=body | fields, headers=who.headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}
