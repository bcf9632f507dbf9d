"""``/api/v1/practices``: writing, reading, listing, changing and deleting practice examples
through the API with bearer tokens, as each kind of caller sees it."""

import html
import re
from html.parser import HTMLParser

import pytest

from tests.support.api import (
    RFC3339_UTC,
    assert_json_error,
    ids,
    new_practice,
    practice_body,
    publish,
)

PRACTICE_KEYS = {
    "id",
    "mechanism",
    "mechanism_html",
    "moderators",
    "moderators_html",
    "economic_cost",
    "economic_cost_html",
    "mechanism_strength",
    "moderators_strength",
    "implementation_strength",
    "economic_cost_strength",
    "rating",
    "title",
    "summary",
    "body",
    "body_html",
    "outcomes",
    "outcomes_html",
    "implementation",
    "implementation_html",
    "challenges",
    "challenges_html",
    "domains",
    "countries",
    "organisation",
    "prevention_level",
    "stages",
    "target_population",
    "evaluation_status",
    "start_year",
    "end_year",
    "visibility",
    "restricted_sectors",
    "anonymised_confirmed",
    "status",
    "review_note",
    "author",
    "created_at",
    "updated_at",
    "published_at",
    "identifier_warnings",
    "pending_edit",
    "evidence",
    "evidence_level",
    "url",
}


# --------------------------------------------------------------------------- writing


def test_member_writes_a_draft_and_gets_the_whole_item_back(client, people):
    response = client.post(
        "/api/v1/practices",
        json=practice_body(
            summary="A confidential helpline.",
            body="Callers are **anonymous**. Write to intake@example.org for details.",
            countries=["GB", "NL"],
            stages=["pre-offence"],
            prevention_level="secondary",
            organisation="A charity",
        ),
        headers=people.author.headers,
    )

    assert response.status_code == 201
    item = response.get_json()
    assert set(item) == PRACTICE_KEYS
    assert item["status"] == "draft"
    assert item["author"] == {
        "id": people.author.id,
        "display_name": item["author"]["display_name"],
        "sector": "law-enforcement",
    }
    assert item["countries"] == ["GB", "NL"]
    assert item["url"] == f"/practices/{item['id']}"
    assert "<strong>anonymous</strong>" in item["body_html"]
    assert RFC3339_UTC.match(item["created_at"]) and item["published_at"] is None
    assert item["evidence"] == [] and item["evidence_level"] is None
    assert {
        "kind": "email",
        "field": "body",
        "excerpt": item["identifier_warnings"][0]["excerpt"],
    } in item["identifier_warnings"]
    assert "intake@example.org" in item["identifier_warnings"][0]["excerpt"]


def test_writing_needs_a_token(client, people):
    assert_json_error(client.post("/api/v1/practices", json=practice_body()), 401)


@pytest.mark.parametrize(
    "field, value",
    [
        ("author", 1),
        ("author_id", 1),
        ("status", "published"),
        ("id", 99),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("published_at", "2020-01-01T00:00:00Z"),
        ("body_html", "<script>alert(1)</script>"),
        ("identifier_warnings", []),
        ("evidence", []),
        ("review_note", "fine"),
    ],
)
def test_unknown_and_forbidden_fields_are_refused(client, people, field, value):
    response = client.post(
        "/api/v1/practices", json=practice_body(**{field: value}), headers=people.author.headers
    )

    error = assert_json_error(response, 422, fields=True)
    assert field in error["fields"]
    mine = client.get("/api/v1/practices?author=me", headers=people.author.headers)
    assert mine.get_json()["total"] == 0


@pytest.mark.parametrize(
    "fields, bad",
    [
        ({"title": ""}, "title"),
        ({"title": " \t\n "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 1001}, "summary"),
        ({"body": "x" * 100_001}, "body"),
        ({"domains": []}, "domains"),
        ({"domains": ["astrology"]}, "domains"),
        ({"countries": ["XX"]}, "countries"),
        ({"countries": ["gb"]}, "countries"),
        ({"prevention_level": "quaternary"}, "prevention_level"),
        ({"visibility": "secret"}, "visibility"),
        ({"visibility": "restricted"}, "restricted_sectors"),
        ({"visibility": "restricted", "restricted_sectors": []}, "restricted_sectors"),
        ({"submit": "yes", "anonymised_confirmed": True}, "submit"),
        ({"submit": True}, "anonymised_confirmed"),
        ({"submit": True, "anonymised_confirmed": False}, "anonymised_confirmed"),
        ({"anonymised_confirmed": 1}, "anonymised_confirmed"),
        ({"title": 7}, "title"),
    ],
)
def test_invalid_input_gets_422_by_the_field(client, people, fields, bad):
    response = client.post(
        "/api/v1/practices", json=practice_body(**fields), headers=people.author.headers
    )

    assert bad in assert_json_error(response, 422, fields=True)["fields"]


def test_title_and_domains_are_required_on_create(client, people):
    response = client.post(
        "/api/v1/practices", json={"summary": "No title"}, headers=people.author.headers
    )

    assert set(assert_json_error(response, 422)["fields"]) >= {"title", "domains"}


def test_body_over_two_megabytes_gets_413_and_malformed_json_400(client, people):
    huge = client.post(
        "/api/v1/practices",
        json=practice_body(body="x" * (2 * 1024 * 1024 + 1)),
        headers=people.author.headers,
    )
    assert_json_error(huge, 413)

    broken = client.post(
        "/api/v1/practices",
        data='{"title": ',
        content_type="application/json",
        headers=people.author.headers,
    )
    assert_json_error(broken, 400)
    not_an_object = client.post("/api/v1/practices", json=["title"], headers=people.author.headers)
    assert_json_error(not_an_object, 422)


def test_submitting_sends_for_review_and_a_moderator_publishes_directly(client, people):
    mine = new_practice(client, people.author, submit=True, anonymised_confirmed=True)
    theirs = new_practice(client, people.moderator, submit=True, anonymised_confirmed=True)

    assert mine["status"] == "pending" and mine["anonymised_confirmed"] is True
    assert theirs["status"] == "published" and RFC3339_UTC.match(theirs["published_at"])


def test_unverified_members_keep_drafts_but_cannot_submit(client, people):
    draft = new_practice(client, people.unverified)
    assert draft["status"] == "draft"

    response = client.post(
        "/api/v1/practices",
        json=practice_body(submit=True, anonymised_confirmed=True),
        headers=people.unverified.headers,
    )
    assert_json_error(response, 403)


# --------------------------------------------------------------------------- visibility


@pytest.fixture
def catalogue(client, people):
    """One practice of each kind of visibility and state, by the author."""
    return {
        "public": publish(client, people, title="Public one")["id"],
        "members": publish(client, people, title="Members one", visibility="members")["id"],
        "police": publish(
            client,
            people,
            title="Police one",
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
        )["id"],
        "draft": new_practice(client, people.author, title="Draft one")["id"],
        "pending": new_practice(
            client, people.author, title="Pending one", submit=True, anonymised_confirmed=True
        )["id"],
    }


SEES = {
    "anonymous": {"public"},
    "unverified": {"public"},
    "academic": {"public", "members"},
    "colleague": {"public", "members", "police"},
    "author": {"public", "members", "police", "draft", "pending"},
    "moderator": {"public", "members", "police", "draft", "pending"},
}


@pytest.mark.parametrize("viewer", list(SEES))
def test_each_caller_sees_exactly_what_visibility_allows(client, people, catalogue, viewer):
    who = getattr(people, viewer)
    expected = {catalogue[name] for name in SEES[viewer]}

    for name, item_id in catalogue.items():
        response = client.get(f"/api/v1/practices/{item_id}", headers=who.headers)
        if item_id in expected:
            assert response.status_code == 200, (viewer, name)
            assert response.get_json()["id"] == item_id
        else:
            assert_json_error(response, 404)
    every_status = "&".join(f"status={s}" for s in ("draft", "pending", "published"))
    listed = ids(client.get(f"/api/v1/practices?{every_status}", headers=who.headers))
    assert listed == expected
    published = {catalogue[n] for n in SEES[viewer] if n not in ("draft", "pending")}
    assert ids(client.get("/api/v1/practices", headers=who.headers)) == published


def test_a_missing_id_and_an_invisible_one_answer_alike(client, people, catalogue):
    invisible = client.get(f"/api/v1/practices/{catalogue['draft']}")
    missing = client.get("/api/v1/practices/999999")

    assert assert_json_error(invisible, 404) == assert_json_error(missing, 404)


def test_identifier_warnings_and_review_notes_are_for_the_author_and_moderators(client, people):
    item = publish(client, people, body="Contact DC Smith on 07700 900123.")

    for who, sees_them in [
        (people.author, True),
        (people.moderator, True),
        (people.colleague, False),
        (people.anonymous, False),
    ]:
        found = client.get(f"/api/v1/practices/{item['id']}", headers=who.headers).get_json()
        assert bool(found["identifier_warnings"]) is sees_them
        assert found["body"] == "Contact DC Smith on 07700 900123."


# --------------------------------------------------------------------------- the list


def test_list_filters_sort_and_pages(client, people):
    a = publish(
        client,
        people,
        title="Alpha",
        domains=["treatment"],
        countries=["DE"],
        prevention_level="tertiary",
        stages=["supervision"],
        evaluation_status="independent",
    )["id"]
    b = publish(
        client,
        people,
        title="Bravo",
        domains=["policing", "prevention"],
        countries=["GB"],
        prevention_level="primary",
        stages=["pre-offence"],
    )["id"]
    c = publish(client, people, author=people.moderator, title="Charlie")["id"]
    draft = new_practice(client, people.author, title="Delta draft")["id"]
    url = "/api/v1/practices"
    h = people.colleague.headers

    assert ids(client.get(url, headers=h)) == {a, b, c}
    assert ids(client.get(f"{url}?domain=treatment", headers=h)) == {a}
    assert ids(client.get(f"{url}?domain=treatment&domain=policing", headers=h)) == {a, b}
    assert ids(client.get(f"{url}?country=GB", headers=h)) == {b}
    assert ids(
        client.get(f"{url}?prevention_level=primary&prevention_level=tertiary", headers=h)
    ) == {a, b}
    assert ids(client.get(f"{url}?stage=supervision", headers=h)) == {a}
    assert ids(client.get(f"{url}?evaluation_status=independent", headers=h)) == {a}
    assert ids(client.get(f"{url}?evidence_level=none", headers=h)) == {a, b, c}
    assert ids(client.get(f"{url}?evidence_level=rct", headers=h)) == set()
    assert ids(client.get(f"{url}?author=me", headers=people.author.headers)) == {a, b, draft}
    assert ids(client.get(f"{url}?author=me&status=draft", headers=people.author.headers)) == {
        draft
    }
    assert ids(client.get(f"{url}?author=me")) == set()
    assert ids(client.get(f"{url}?status=draft", headers=h)) == set()

    titles = [i["title"] for i in client.get(f"{url}?sort=title", headers=h).get_json()["items"]]
    assert titles == ["Alpha", "Bravo", "Charlie"]
    page = client.get(f"{url}?sort=title&per_page=2&page=2", headers=h).get_json()
    assert page["total"] == 3 and page["page"] == 2 and page["per_page"] == 2
    assert [i["title"] for i in page["items"]] == ["Charlie"]


@pytest.mark.parametrize(
    "query",
    [
        "domain=astrology",
        "country=gb",
        "status=lost",
        "author=you",
        "sort=random",
        "colour=red",
        "per_page=101",
        "page=0",
        "evidence_level=anecdote",
    ],
)
def test_unknown_filters_and_values_get_422(client, query):
    assert_json_error(client.get(f"/api/v1/practices?{query}"), 422, fields=True)


# --------------------------------------------------------------------------- changing


def test_the_author_changes_an_item_and_each_change_is_a_revision(client, people):
    item = new_practice(client, people.author)

    changed = client.patch(
        f"/api/v1/practices/{item['id']}",
        json={"summary": "Now with a summary.", "domains": ["prevention", "education"]},
        headers=people.author.headers,
    )

    assert changed.status_code == 200
    assert changed.get_json()["summary"] == "Now with a summary."
    assert changed.get_json()["domains"] == ["education", "prevention"]
    history = client.get(
        f"/api/v1/practices/{item['id']}/revisions", headers=people.author.headers
    ).get_json()
    assert history["total"] == 2
    first, second = history["items"]
    assert set(second) == {"id", "created_at", "author", "fields_changed"}
    assert set(second["fields_changed"]) == {"summary", "domains"}
    assert "title" in first["fields_changed"]
    assert second["author"]["id"] == people.author.id
    assert RFC3339_UTC.match(second["created_at"])


def test_a_published_edit_waits_for_review_with_its_identifiers(client, people):
    item = publish(client, people)

    identifying = client.patch(
        f"/api/v1/practices/{item['id']}",
        json={"body": "Ask Mrs Jones at 12 Acacia Avenue."},
        headers=people.author.headers,
    ).get_json()
    assert identifying["status"] == "published"
    assert identifying["body"] == item["body"]
    assert identifying["pending_edit"]["identifier_warnings"]
    public = client.get(f"/api/v1/practices/{item['id']}").get_json()
    assert public["body"] == item["body"] and public["pending_edit"] is None


def test_nobody_else_may_change_or_delete_it(client, people):
    published = publish(client, people)["id"]
    draft = new_practice(client, people.author)["id"]

    for method in ("PATCH", "DELETE"):
        kwargs = {"json": {"title": "Mine now"}} if method == "PATCH" else {}
        url = f"/api/v1/practices/{published}"
        other = client.open(url, method=method, headers=people.colleague.headers, **kwargs)
        assert_json_error(other, 403)
        assert_json_error(client.open(url, method=method, **kwargs), 401)
        hidden = client.open(
            f"/api/v1/practices/{draft}", method=method, headers=people.colleague.headers, **kwargs
        )
        assert_json_error(hidden, 404)
    item = client.get(f"/api/v1/practices/{published}").get_json()
    assert item["title"] != "Mine now"


def test_status_and_author_cannot_be_set_by_patch(client, people):
    item = new_practice(client, people.author)

    for body in ({"status": "published"}, {"author": people.colleague.id}, {"id": 5}):
        response = client.patch(
            f"/api/v1/practices/{item['id']}", json=body, headers=people.author.headers
        )
        assert_json_error(response, 422, fields=True)
    assert (
        client.get(f"/api/v1/practices/{item['id']}", headers=people.author.headers).get_json()[
            "status"
        ]
        == "draft"
    )


def test_a_moderator_may_change_and_delete_anyones_item(client, people):
    item = publish(client, people)

    changed = client.patch(
        f"/api/v1/practices/{item['id']}",
        json={"title": "Retitled by a moderator"},
        headers=people.moderator.headers,
    )
    assert changed.status_code == 200
    assert changed.get_json()["author"]["id"] == people.author.id

    gone = client.delete(f"/api/v1/practices/{item['id']}", headers=people.moderator.headers)
    assert gone.status_code == 204
    assert_json_error(
        client.get(f"/api/v1/practices/{item['id']}", headers=people.author.headers), 404
    )


def test_the_author_deletes_an_item(client, people):
    item = new_practice(client, people.author)

    response = client.delete(f"/api/v1/practices/{item['id']}", headers=people.author.headers)

    assert response.status_code == 204 and response.get_data() == b""
    assert_json_error(
        client.get(f"/api/v1/practices/{item['id']}", headers=people.author.headers), 404
    )
    assert_json_error(
        client.delete(f"/api/v1/practices/{item['id']}", headers=people.author.headers), 404
    )


def test_revisions_are_for_the_author_and_moderators(client, people):
    published = publish(client, people)["id"]
    draft = new_practice(client, people.author)["id"]
    url = "/api/v1/practices/{}/revisions"

    assert client.get(url.format(published), headers=people.moderator.headers).status_code == 200
    assert_json_error(client.get(url.format(published), headers=people.colleague.headers), 403)
    assert_json_error(client.get(url.format(draft), headers=people.colleague.headers), 404)
    assert_json_error(client.get(url.format(published)), 401)


# --------------------------------------------------------------------------- XSS

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=https://evil.example/track.png>",
    "![tracker](https://evil.example/pixel.gif)",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;vascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "<svg onload=alert(1)><circle r=10 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
    "</table></mtext></math>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div onmouseover="alert(1)">hover</div>',
    '<form action="https://evil.example"><input name=x></form>',
    '<object data="javascript:alert(1)"></object><embed src=x>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://example.org" onclick="alert(1)">ok link</a>',
]
FORBIDDEN_TAGS = {
    "script",
    "img",
    "svg",
    "iframe",
    "math",
    "style",
    "object",
    "embed",
    "form",
    "input",
    "base",
    "meta",
    "noscript",
    "link",
}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_harmless(fragment: str) -> None:
    parser = _Elements()
    parser.feed(fragment)
    for tag, attrs in parser.tags:
        assert tag not in FORBIDDEN_TAGS, fragment
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in ("style", "srcdoc", "formaction"), (
                fragment
            )
            if name in ("href", "src", "action", "xlink:href", "data"):
                scheme = re.sub(r"[\x00-\x20]", "", html.unescape(value or "")).lower()
                assert not scheme.startswith(("javascript:", "vbscript:", "data:")), fragment


def test_an_xss_corpus_is_stored_as_typed_and_served_harmless(client, people):
    body = "\n\n".join(XSS_CORPUS)
    item = new_practice(
        client, people.moderator, body=body, outcomes=body, submit=True, anonymised_confirmed=True
    )

    stored = client.get(f"/api/v1/practices/{item['id']}").get_json()

    assert stored["body"] == body
    for name in ("body_html", "outcomes_html"):
        assert_harmless(stored[name])
    assert "ok link" in stored["body_html"]
    for payload in XSS_CORPUS:
        one = new_practice(client, people.author, body=payload, challenges=payload)
        assert_harmless(one["body_html"])
        assert_harmless(one["challenges_html"])


def test_an_end_year_before_the_start_year_gets_the_409_the_document_lists(client, people):
    response = client.post(
        "/api/v1/practices",
        json=practice_body(start_year=2019, end_year=2015),
        headers=people.author.headers,
    )
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert "end_year" in assert_json_error(response, 409, fields=True)["fields"]
    assert "409" in paths["/api/v1/practices"]["post"]["responses"]
    assert "409" in paths["/api/v1/practices/{practice_id}"]["patch"]["responses"]
