"""``GET /api/v1/search`` through the real stack: shape, validation, filters, and above all
that what a caller may not see never shows in items, totals, facet counts, snippets or
suggestions, also straight after the write that changed it returns."""

import pytest

from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.extensions import db
from tests.support.api import assert_json_error

ITEM_KEYS = {"type", "id", "title", "url", "snippet", "score", "domains", "countries", "year"}
FACET_KEYS = {"type", "domain", "country", "prevention_level", "study_design"}


@pytest.fixture
def bearer(app):
    """A bearer header for the ``kx`` fixture's user ``name``, straight from the service."""

    def issue(kx, name) -> dict:
        with app.app_context():
            _token, raw = accounts.create_token(db.session.get(User, kx.users[name]))
        return {"Authorization": f"Bearer {raw}"}

    return issue


def search(client, headers=None, **params):
    response = client.get("/api/v1/search", query_string=params, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def keys(body) -> set[str]:
    return {f"{item['type']}:{item['id']}" for item in body["items"]}


@pytest.fixture
def corpus(kx):
    """Published items at every visibility, plus a draft and a pending one, all about
    "helplines"; only the public one is in Germany, the hidden ones carry unique words."""
    return {
        "public": kx.practice(
            "Confidential helpline for worried adults",
            body="A confidential **helpline** answers calls from people worried about their "
            "own thoughts.",
            countries=["DE"],
            prevention_level="primary",
        ),
        "members": kx.practice(
            "Helpline for members only: quillwort protocol",
            body="The helpline follows the quillwort protocol.",
            visibility="members",
            countries=["NO"],
            prevention_level="secondary",
        ),
        "restricted": kx.practice(
            "Helpline escalation for police: marshwren rules",
            body="Police escalate helpline calls under the marshwren rules.",
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
            countries=["IS"],
            prevention_level="tertiary",
        ),
        "research": kx.research(
            "Evaluating a national helpline",
            summary="A cohort study of helpline callers.",
            study_design="cohort",
            year=2019,
            countries=["DE"],
        ),
        "draft": kx.practice("Helpline draft bramblefinch", body="Not out yet.", submit=False),
        "pending": kx.practice(
            "Helpline pending sedgewarbler", body="Waiting.", by="author", submit=True
        ),
    }


# Shape ---------------------------------------------------------------------------------


def test_response_has_exactly_the_documented_shape(client, kx, corpus):
    body = search(client, q="helpline")

    assert set(body) == {
        "query",
        "total",
        "page",
        "per_page",
        "items",
        "facets",
        "suggestion",
        "notices",
        "interpretation",
    }
    assert body["query"] == "helpline" and body["notices"] == []
    assert (body["page"], body["per_page"]) == (1, 20)
    assert body["suggestion"] is None
    assert keys(body) == {f"practice:{corpus['public']}", f"research:{corpus['research']}"}
    assert body["total"] == 2
    for item in body["items"]:
        assert set(item) == (ITEM_KEYS | {"rating"} if item["type"] == "practice" else ITEM_KEYS)
        assert isinstance(item["score"], float) and item["score"] > 0
        assert "<mark>helpline</mark>" in item["snippet"].lower()
    practice = next(i for i in body["items"] if i["type"] == "practice")
    assert practice["url"] == f"/practices/{corpus['public']}"
    assert practice["countries"] == ["DE"] and practice["domains"] == ["prevention"]
    research = next(i for i in body["items"] if i["type"] == "research")
    assert research["url"] == f"/research/{corpus['research']}" and research["year"] == 2019
    assert set(body["facets"]) == FACET_KEYS
    assert body["facets"]["type"] == {"practice": 1, "research": 1}
    assert body["facets"]["country"] == {"DE": 2}
    assert body["facets"]["study_design"] == {"cohort": 1}
    assert body["facets"]["prevention_level"] == {"primary": 1}


def test_snippets_are_escaped_except_for_mark(client, kx):
    kx.practice(
        "Escaping check",
        body="The helpline page said `<script>alert(1)</script>` & <b>bold</b> words.",
    )
    [item] = search(client, q="helpline")["items"]
    snippet = item["snippet"]
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_repeated_filters_are_alternatives_and_different_filters_all_apply(client, kx, corpus):
    both = search(client, q="helpline", type=["practice", "research"])
    assert both["total"] == 2
    assert keys(search(client, type="research")) == {f"research:{corpus['research']}"}
    germany_practice = search(client, country="DE", type="practice")
    assert keys(germany_practice) == {f"practice:{corpus['public']}"}
    assert search(client, study_design="cohort", year_from=2019, year_to=2019)["total"] == 1
    assert search(client, study_design="cohort", year_from=2020)["total"] == 0
    assert search(client, year_from=2020, year_to=2010)["total"] == 0  # an empty range
    assert search(client, prevention_level=["primary", "tertiary"])["total"] == 1


def test_sort_newest_and_pagination(client, kx):
    ids = [kx.practice(f"Deterrence page number {n}", body="A deterrence page.") for n in range(3)]
    newest = search(client, q="deterrence", sort="newest", per_page=2)
    assert [i["id"] for i in newest["items"]] == [ids[2], ids[1]]
    assert newest["total"] == 3
    second = search(client, q="deterrence", sort="newest", per_page=2, page=2)
    assert [i["id"] for i in second["items"]] == [ids[0]]
    assert search(client, q="deterrence", per_page=2, page=9)["items"] == []


def test_the_search_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {
        "q", "type", "domain", "country", "prevention_level", "study_design",
        "year_from", "year_to", "sort", "page", "per_page", "format",
    }  # fmt: skip
    assert {"200", "422"} <= set(operation["responses"])


# Validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({"type": "people"}, "type"),
        ({"domain": "cooking"}, "domain"),
        ({"country": "XX"}, "country"),
        ({"country": "gb"}, "country"),
        ({"prevention_level": "quaternary"}, "prevention_level"),
        ({"study_design": "anecdote"}, "study_design"),
        ({"domain": ["prevention", "cooking"]}, "domain"),
        ({"sort": "oldest"}, "sort"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"page": 0}, "page"),
        ({"year_from": "soon"}, "year_from"),
        ({"q": "x" * 401}, "q"),
        ({"status": "draft"}, "status"),
        ({"visibility": "members"}, "visibility"),
    ],
)
def test_bad_parameters_get_422_naming_the_parameter(client, params, field):
    response = client.get("/api/v1/search", query_string=params)
    error = assert_json_error(response, 422, fields=True)
    assert field in error["fields"]


def test_malformed_query_syntax_is_read_as_words(client, kx, corpus):
    for q in ['"helpline', "helpline AND (", "OR NOT", "*", "helpline)))"]:
        body = search(client, q=q)
        assert all(i["type"] != "practice" or i["id"] == corpus["public"] for i in body["items"])


HOSTILE = [
    "NOT NOT NOT helpline",
    "helpline:* & !'x' | <-> (",
    "'; DROP TABLE search_documents; --",
    "$1 %s %(q)s :w0 ::tsquery",
    "((((((((((((helpline))))))))))))",
    "\\ ' \" ` ~ ^ ! & | < > : *",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_query_text_never_fails_the_api_or_the_page(client, kx, corpus, q):
    body = search(client, q=q)  # 200, or the assertion inside shows the error
    assert all(i["type"] != "practice" or i["id"] == corpus["public"] for i in body["items"])
    assert client.get("/search", query_string={"q": q}).status_code == 200
    assert kx.search("helpline").total >= 1  # and nothing was dropped or broken


def test_bad_token_is_refused(client):
    response = client.get("/api/v1/search", headers={"Authorization": "Bearer nope"})
    assert_json_error(response, 401)


# Visibility ----------------------------------------------------------------------------


def test_each_caller_sees_only_what_they_may(client, kx, corpus, bearer):
    public = {f"practice:{corpus['public']}", f"research:{corpus['research']}"}
    members = f"practice:{corpus['members']}"
    restricted = f"practice:{corpus['restricted']}"
    expected = {
        None: public,
        "unverified": public,
        "academic": public | {members},
        "le": public | {members, restricted},
        "moderator": public | {members, restricted},
    }
    for viewer, wanted in expected.items():
        headers = bearer(kx, viewer) if viewer else None
        body = search(client, headers, q="helpline")
        assert keys(body) == wanted, viewer
        assert body["total"] == len(wanted), viewer
        assert sum(body["facets"]["type"].values()) == len(wanted), viewer
        countries = set(body["facets"]["country"])
        assert ("NO" in countries) == (members in wanted), viewer
        assert ("IS" in countries) == (restricted in wanted), viewer
        levels = set(body["facets"]["prevention_level"])
        assert ("tertiary" in levels) == (restricted in wanted), viewer
        # Drafts and pending items are never in search, not even for moderators.
        assert not {f"practice:{corpus['draft']}", f"practice:{corpus['pending']}"} & keys(body)


def test_hidden_words_leak_through_no_count_snippet_or_suggestion(client, kx, corpus, bearer):
    for q in ["quillwort", "marshwren", "bramblefinch", "sedgewarbler"]:
        body = search(client, q=q)
        assert body["total"] == 0 and body["items"] == [], q
        assert all(counts == {} for counts in body["facets"].values()), q
    # A misspelling of a members-only word: no respelling for the public...
    assert search(client, q="quilwort")["suggestion"] is None
    assert search(client, q="marshwrn")["suggestion"] is None
    # ...while a member who may read it gets one, and no snippet shows another's words.
    member = bearer(kx, "academic")
    assert search(client, member, q="quilwort")["suggestion"] == "quillwort"
    assert search(client, member, q="marshwrn")["suggestion"] is None
    for item in search(client, member, q="helpline")["items"]:
        assert "marshwren" not in item["snippet"].lower()
        assert "marshwren" not in item["title"].lower()


def test_query_syntax_cannot_reach_internal_fields(client, kx, corpus):
    for q in [
        "visibility:members",
        "visibility:restricted OR helpline",
        "status:draft",
        "sectors:law-enforcement",
        "key:practice*",
        "id:[0 TO 999]",
    ]:
        body = search(client, q=q)
        found = keys(body)
        assert f"practice:{corpus['members']}" not in found, q
        assert f"practice:{corpus['restricted']}" not in found, q
        assert f"practice:{corpus['draft']}" not in found, q


# Freshness -----------------------------------------------------------------------------


def test_published_through_the_api_is_searchable_when_the_write_returns(client, kx, bearer):
    moderator = bearer(kx, "moderator")
    created = client.post(
        "/api/v1/practices",
        headers=moderator,
        json={
            "title": "Peer support circle for kingfisher towns",
            "body": "Volunteers meet weekly.",
            "domains": ["desistance"],
            "submit": True,
            "anonymised_confirmed": True,
        },
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["status"] == "published"
    body = search(client, q="kingfisher")
    assert keys(body) == {f"practice:{created.get_json()['id']}"}


def test_approval_downgrade_archive_and_delete_take_effect_at_once(client, kx, bearer):
    item = kx.practice("Otter valley outreach", body="Street outreach.", by="author")
    assert search(client, q="otter")["total"] == 0  # pending
    response = client.post(
        f"/api/v1/review/practice/{item}",
        headers=bearer(kx, "moderator"),
        json={"decision": "approve", "reason": ""},
    )
    assert response.status_code == 200, response.get_json()
    assert keys(search(client, q="otter")) == {f"practice:{item}"}

    kx.edit_practice(item, visibility="members")
    assert search(client, q="otter")["total"] == 0
    assert search(client, bearer(kx, "academic"), q="otter")["total"] == 1

    kx.archive("practice", item)
    assert search(client, bearer(kx, "moderator"), q="otter")["total"] == 0

    other = kx.practice("Otter bay outreach", body="Harbour outreach.")
    assert search(client, q="otter")["total"] == 1
    response = client.delete(f"/api/v1/practices/{other}", headers=bearer(kx, "moderator"))
    assert response.status_code == 204
    assert search(client, q="otter")["total"] == 0
