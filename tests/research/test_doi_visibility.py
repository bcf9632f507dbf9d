"""A DOI is unique among the summaries the writer may see (plus their own), so that a
restricted, draft or pending summary does not betray its DOI; duplicates meet at review,
where the moderator sees the clash; imports are capped and rate-limited per account."""

import pytest
from sqlalchemy import func, select

from kx.extensions import db
from kx.research.models import Research
from tests.support.accounts import signed_in_cast
from tests.support.browser import Html, submit

DOI = "10.1234/hidden.5"


@pytest.fixture
def cast(app, make_user, login):
    """An author (treatment) whose summaries hold the DOI, a member of another sector
    (academic) who writes the same paper again, a moderator; browsers and bearer headers."""
    return signed_in_cast(
        app,
        make_user,
        login,
        {
            "author": {"sector": "treatment"},
            "member": {"sector": "academic"},
            "moderator": {"role": "moderator", "sector": "ngo"},
        },
    )


def write(client, headers, **fields) -> int:
    body = {"title": "The first summary", "doi": DOI, **fields}
    response = client.post("/api/v1/research", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def decide(client, cast, item_id: int, decision: str, reason: str = ""):
    return client.post(
        f"/api/v1/review/research/{item_id}",
        json={"decision": decision, "reason": reason},
        headers=cast.moderator_api,
    )


def hidden_summary(client, cast, state: str) -> int:
    """A summary with ``DOI`` that the member may not see: a draft, pending, or published
    but restricted to the author's sector."""
    if state == "draft":
        return write(client, cast.author_api)
    if state == "pending":
        return write(client, cast.author_api, submit=True)
    item = write(
        client,
        cast.author_api,
        submit=True,
        visibility="restricted",
        restricted_sectors=["treatment"],
    )
    assert decide(client, cast, item, "approve").status_code == 200
    return item


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Research.id)))


def bibtex(n: int, doi_prefix: str = "10.5555/entry") -> str:
    return "\n".join(
        f"@article{{entry{i},\n  title = {{Study number {i}}},\n  year = {{2020}},\n"
        f"  doi = {{{doi_prefix}.{i}}}\n}}"
        for i in range(n)
    )


# --------------------------------------------------------------------------- writing


@pytest.mark.parametrize("state", ["draft", "pending", "restricted"])
def test_a_hidden_summarys_doi_is_not_betrayed_through_the_api(app, client, cast, state):
    hidden_summary(client, cast, state)

    response = client.post(
        "/api/v1/research",
        json={"title": "The same paper", "doi": f"https://doi.org/{DOI.upper()}"},
        headers=cast.member_api,
    )

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["doi"] == DOI
    assert count(app) == 2


@pytest.mark.parametrize("state", ["draft", "pending", "restricted"])
def test_a_hidden_summarys_doi_is_not_betrayed_through_the_form(app, client, cast, state):
    hidden_summary(client, cast, state)

    response = submit(
        cast.member_client,
        "/research/new",
        {"title": "The same paper", "doi": DOI, "visibility": "public", "action": "draft"},
    )

    assert response.status_code == 302
    assert "already has this DOI" not in Html(cast.member_client.get(response.location)).text
    assert count(app) == 2


@pytest.mark.parametrize("state", ["draft", "pending", "restricted"])
def test_a_hidden_summarys_doi_is_not_betrayed_by_an_import(app, client, cast, state):
    hidden_summary(client, cast, state)

    response = client.post(
        "/api/v1/research/import",
        json={"bibtex": f"@article{{same,\n title = {{The same paper}},\n doi = {{{DOI}}}\n}}"},
        headers=cast.member_api,
    )

    assert response.status_code == 201
    assert response.get_json()["skipped"] == []
    assert len(response.get_json()["created"]) == 1


def test_a_visible_published_summarys_doi_is_still_a_conflict(app, client, cast):
    item = write(client, cast.author_api, submit=True)
    decide(client, cast, item, "approve")

    response = client.post(
        "/api/v1/research", json={"title": "Again", "doi": DOI}, headers=cast.member_api
    )
    form = submit(
        cast.member_client,
        "/research/new",
        {"title": "Again", "doi": DOI, "visibility": "public", "action": "draft"},
    )
    imported = client.post(
        "/api/v1/research/import",
        json={"bibtex": f"@article{{again,\n title = {{Again}},\n doi = {{{DOI}}}\n}}"},
        headers=cast.member_api,
    )

    assert response.status_code == 409 and "doi" in response.get_json()["error"]["fields"]
    assert form.status_code == 409
    assert "Another summary already has this DOI" in Html(form).errors("doi")
    assert imported.get_json()["created"] == []
    assert "already on kx" in imported.get_json()["skipped"][0]["reason"]
    assert count(app) == 1


def test_ones_own_draft_doi_is_a_conflict(app, client, cast):
    write(client, cast.member_api)

    response = client.post(
        "/api/v1/research", json={"title": "Twice", "doi": DOI}, headers=cast.member_api
    )

    assert response.status_code == 409


# --------------------------------------------------------------------------- review


def test_the_moderator_sees_the_clash_and_cannot_publish_a_second_copy(app, client, cast):
    first = hidden_summary(client, cast, "restricted")
    second = write(client, cast.member_api, title="The same paper", submit=True)

    queue = client.get("/api/v1/review", headers=cast.moderator_api).get_json()
    [entry] = queue["items"]
    assert entry["id"] == second
    assert [(c["id"], c["status"]) for c in entry["doi_clashes"]] == [(first, "published")]
    page = Html(cast.moderator_client.get("/review"))
    assert "Other summaries with this DOI" in page.text
    assert f"/research/{first}" in page.links()

    refused = decide(client, cast, second, "approve")

    assert refused.status_code == 422
    assert "Another published summary has this DOI" in refused.get_json()["error"]["message"]
    member_view = client.get(f"/api/v1/research/{second}", headers=cast.member_api).get_json()
    assert member_view["status"] == "pending"


def test_approval_through_the_page_is_refused_with_the_reason(app, client, cast):
    hidden_summary(client, cast, "restricted")
    second = write(client, cast.member_api, title="The same paper", submit=True)

    response = submit(
        cast.moderator_client, f"/review/research/{second}", {"decision": "approve"}, "/review"
    )

    assert response.status_code == 422
    assert "Another published summary has this DOI" in Html(response).text


def test_the_moderator_rejects_a_duplicate_with_one_button(app, client, cast):
    first = hidden_summary(client, cast, "pending")
    second = write(client, cast.member_api, title="The same paper", submit=True)
    assert decide(client, cast, first, "approve").status_code == 200  # now the member sees it
    page = Html(cast.moderator_client.get("/review"))
    [reason] = [  # the duplicate form's hidden reason
        attrs["value"]
        for tag, attrs, _ in page.elements
        if tag == "input" and attrs.get("name") == "reason" and attrs.get("type") == "hidden"
    ]
    assert f"/research/{first}" in reason

    response = submit(
        cast.moderator_client,
        f"/review/research/{second}",
        {"decision": "reject", "reason": reason},
        "/review",
    )

    assert response.status_code == 302
    mine = client.get(f"/api/v1/research/{second}", headers=cast.member_api).get_json()
    assert mine["status"] == "rejected" and mine["review_note"] == reason


def test_no_ready_made_reason_names_a_summary_the_author_may_not_see(app, client, cast):
    first = hidden_summary(client, cast, "restricted")
    write(client, cast.member_api, title="The same paper", submit=True)

    page = Html(cast.moderator_client.get("/review"))

    assert "Reject as a duplicate" not in page.text
    assert "Its author may not see the other summaries" in page.text
    assert f"/research/{first}" in page.links()  # the moderator still sees the clash


def test_a_duplicate_of_a_draft_can_be_published_first(app, client, cast):
    hidden_summary(client, cast, "draft")
    second = write(client, cast.member_api, title="The same paper", submit=True)

    assert decide(client, cast, second, "approve").status_code == 200


# --------------------------------------------------------------------------- imports


def test_an_import_of_1200_entries_is_refused_whole(app, client, cast):
    response = client.post(
        "/api/v1/research/import", json={"bibtex": bibtex(1200)}, headers=cast.member_api
    )

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "at most 100 entries" in error["message"] and "1200" in error["message"]
    assert "bibtex" in error["fields"]
    assert count(app) == 0


def test_an_import_over_the_cap_through_the_form_keeps_the_text(app, client, cast):
    text = bibtex(101)

    response = submit(cast.member_client, "/research/import", {"bibtex": text})

    assert response.status_code == 422
    page = Html(response)
    assert "at most 100 entries" in page.errors("bibtex")
    assert page.value("bibtex").strip() == text.strip()
    assert count(app) == 0


def test_an_import_of_100_entries_goes_through(app, client, cast):
    response = client.post(
        "/api/v1/research/import", json={"bibtex": bibtex(100)}, headers=cast.member_api
    )

    assert response.status_code == 201
    assert len(response.get_json()["created"]) == 100


def test_imports_are_rate_limited_per_account_across_form_and_api(app, client, cast):
    for n in range(5):
        entry = bibtex(1, f"10.5555/api{n}")
        response = client.post(
            "/api/v1/research/import", json={"bibtex": entry}, headers=cast.member_api
        )
        assert response.status_code == 201
    for n in range(5):
        form = submit(
            cast.member_client, "/research/import", {"bibtex": bibtex(1, f"10.5555/f{n}")}
        )
        assert form.status_code == 200

    refused = client.post(
        "/api/v1/research/import",
        json={"bibtex": bibtex(1, "10.5555/late")},
        headers=cast.member_api,
    )
    refused_form = submit(
        cast.member_client, "/research/import", {"bibtex": bibtex(1, "10.5555/later")}
    )

    assert refused.status_code == 429
    assert refused_form.status_code == 429
    assert count(app) == 10
    # another account keeps its own budget
    other = client.post(
        "/api/v1/research/import", json={"bibtex": bibtex(1, "10.5555/o")}, headers=cast.author_api
    )
    assert other.status_code == 201
