"""``/api/v1/themes``: the caller's saved searches, their feed address and digest; bad input
is a 422 naming the field, someone else's theme a 404."""


def test_create_list_change_and_delete_a_theme(client, people):
    headers = people.academic.headers
    body = {"name": "Helplines", "query": {"q": "helpline", "country": ["DE"]}, "digest": "weekly"}
    created = client.post("/api/v1/themes", json=body, headers=headers)
    assert created.status_code == 201
    theme = created.get_json()
    assert theme["name"] == "Helplines" and theme["digest"] == "weekly"
    assert theme["query"]["q"] == "helpline" and theme["query"]["country"] == ["DE"]
    assert theme["new_count"] == 0 and theme["created_at"].endswith("Z")
    feed = theme["feed_url"].split("/", 3)[3]
    assert client.get("/" + feed).status_code == 200

    listed = client.get("/api/v1/themes", headers=headers).get_json()
    assert [t["id"] for t in listed["items"]] == [theme["id"]] and listed["total"] == 1
    assert client.get("/api/v1/themes", headers=people.author.headers).get_json()["total"] == 0

    url = f"/api/v1/themes/{theme['id']}"
    changed = client.patch(url, json={"digest": "off", "name": "Hotlines"}, headers=headers)
    assert changed.status_code == 200
    assert changed.get_json()["digest"] == "off" and changed.get_json()["name"] == "Hotlines"
    assert client.delete(url, headers=people.author.headers).status_code == 404
    assert (
        client.patch(url, json={"name": "Mine"}, headers=people.author.headers).status_code == 404
    )
    assert client.delete(url, headers=headers).status_code == 204
    assert client.delete(url, headers=headers).status_code == 404


def test_bad_theme_input_is_422_naming_the_field(client, people):
    headers = people.academic.headers
    cases = [
        ({"name": "x", "digest": "hourly"}, "digest"),
        ({"name": "", "query": {}}, "name"),
        ({"name": "x", "query": {"country": ["XX"]}}, "query"),
        ({"name": "x", "owner": 3}, "owner"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/themes", json=body, headers=headers)
        assert response.status_code == 422, body
        assert field in response.get_json()["error"]["fields"], body
    assert client.post("/api/v1/themes", json={"name": "x"}).status_code == 401
    unverified = client.post(
        "/api/v1/themes", json={"name": "x"}, headers=people.unverified.headers
    )
    assert unverified.status_code == 403
