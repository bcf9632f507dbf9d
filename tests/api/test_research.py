"""``/api/v1/research``: research summaries through the API: writing (DOIs, years,
addresses), reading, listing, changing, deleting, revisions, citations and BibTeX import."""

import json

import pytest

from kx.errors import Invalid
from tests.support.api import RFC3339_UTC, assert_json_error, ids, new_research, publish

RESEARCH_KEYS = {
    "id",
    "risk_of_bias",
    "title",
    "authors",
    "year",
    "venue",
    "volume",
    "issue",
    "pages",
    "entry_type",
    "doi",
    "url",
    "study_design",
    "sample_size",
    "countries",
    "domains",
    "summary",
    "summary_html",
    "key_findings",
    "key_findings_html",
    "implications",
    "implications_html",
    "limitations",
    "limitations_html",
    "visibility",
    "restricted_sectors",
    "status",
    "review_note",
    "author",
    "created_at",
    "updated_at",
    "published_at",
    "identifier_warnings",
    "pending_edit",
    "reference",
    "practices",
    "page_url",
}

BIBTEX = r"""
@article{seto2015,
  author = {Seto, Michael C. and Hanson, R. Karl and Babchishin, Kelly M.},
  title = {Contact Sexual Offending by Men With Online Sexual Offenses},
  journal = {Sexual Abuse},
  year = {2011},
  volume = {23},
  number = {1},
  pages = {124--145},
  doi = {10.1177/1079063210369013}
}

@article{broken,
  title = {Missing its closing brace},
  year = {2019

@book{nodate,
  author = {Someone, A.},
  title = {A book from the future},
  year = {3020}
}

@report{helpline2020,
  author = {Stop It Now},
  title = {Helpline evaluation},
  year = {2020},
  url = {https://www.stopitnow.org.uk/}
}
"""


# --------------------------------------------------------------------------- writing


def test_a_summary_is_written_with_its_doi_normalised(client, people):
    response = client.post(
        "/api/v1/research",
        json={
            "title": "Contact sexual offending by men with online sexual offenses",
            "authors": ["Seto, Michael C.", "Hanson, R. Karl"],
            "year": 2011,
            "venue": "Sexual Abuse",
            "doi": "https://doi.org/10.1177/1079063210369013",
            "url": "https://journals.sagepub.com/doi/10.1177/1079063210369013",
            "study_design": "systematic-review",
            "sample_size": 4464,
            "countries": ["CA"],
            "domains": ["risk-assessment"],
            "summary": "A *meta-analysis*.",
        },
        headers=people.author.headers,
    )

    assert response.status_code == 201
    item = response.get_json()
    assert set(item) == RESEARCH_KEYS
    assert item["doi"] == "10.1177/1079063210369013"
    assert item["url"] == "https://journals.sagepub.com/doi/10.1177/1079063210369013"
    assert item["page_url"] == f"/research/{item['id']}"
    assert item["status"] == "draft" and item["practices"] == []
    assert "<em>meta-analysis</em>" in item["summary_html"]
    assert "Seto" in item["reference"] and "2011" in item["reference"]
    assert RFC3339_UTC.match(item["created_at"])


@pytest.mark.parametrize(
    "doi",
    ["10.1234/ABC", "doi:10.1234/abc", "https://doi.org/10.1234/abc"],
)
def test_doi_forms_are_stored_alike_and_a_second_one_conflicts(client, people, doi):
    publish(client, people, kind="research", doi="10.1234/abc")

    response = client.post(
        "/api/v1/research",
        json={"title": "Same paper", "doi": doi},
        headers=people.colleague.headers,
    )

    assert "doi" in assert_json_error(response, 409)["fields"]


def test_a_doi_clash_on_patch_is_409_and_an_empty_doi_means_none(client, people):
    new_research(client, people.author, doi="10.1234/first")
    second = new_research(client, people.author, title="Another", doi="")
    assert second["doi"] is None

    response = client.patch(
        f"/api/v1/research/{second['id']}",
        json={"doi": "10.1234/FIRST"},
        headers=people.author.headers,
    )

    assert_json_error(response, 409)
    cleared = client.patch(
        f"/api/v1/research/{second['id']}", json={"doi": None}, headers=people.author.headers
    )
    assert cleared.status_code == 200 and cleared.get_json()["doi"] is None


@pytest.mark.parametrize(
    "fields, bad",
    [
        ({"doi": "not a doi"}, "doi"),
        ({"title": "   "}, "title"),
        ({"doi": "11.1234/abc"}, "doi"),
        ({"year": 1899}, "year"),
        ({"year": 3000}, "year"),
        ({"year": "2011"}, "year"),
        ({"year": True}, "year"),
        ({"sample_size": -1}, "sample_size"),
        ({"sample_size": 2.5}, "sample_size"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.org/paper.pdf"}, "url"),
        ({"study_design": "anecdote"}, "study_design"),
        ({"authors": "Seto, M."}, "authors"),
        ({"authors": [""]}, "authors"),
        ({"entry_type": "tweet"}, "entry_type"),
        ({"visibility": "restricted"}, "restricted_sectors"),
        ({"summary": "x" * 100_001}, "summary"),
        ({"title": "x" * 201}, "title"),
        ({"submit": "true"}, "submit"),
        ({"status": "published"}, "status"),
        ({"author": 1}, "author"),
        ({"id": 1}, "id"),
        ({"created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"reference": "x"}, "reference"),
        ({"anonymised_confirmed": True}, "anonymised_confirmed"),
    ],
)
def test_invalid_or_forbidden_input_gets_422_by_the_field(client, people, fields, bad):
    response = client.post(
        "/api/v1/research", json={"title": "A study"} | fields, headers=people.author.headers
    )

    assert bad in assert_json_error(response, 422, fields=True)["fields"]


def test_a_title_is_required_and_writing_needs_a_verified_token_to_submit(client, people):
    assert (
        "title"
        in assert_json_error(
            client.post("/api/v1/research", json={"year": 2020}, headers=people.author.headers), 422
        )["fields"]
    )
    assert_json_error(client.post("/api/v1/research", json={"title": "A"}), 401)
    draft = new_research(client, people.unverified)
    assert draft["status"] == "draft"
    assert_json_error(
        client.post(
            "/api/v1/research",
            json={"title": "B", "submit": True},
            headers=people.unverified.headers,
        ),
        403,
    )
    assert new_research(client, people.author, title="C", submit=True)["status"] == "pending"
    assert new_research(client, people.moderator, title="D", submit=True)["status"] == "published"


# --------------------------------------------------------------------------- reading


def test_visibility_of_summaries(client, people):
    public = publish(client, people, kind="research", title="Public")["id"]
    members = publish(client, people, kind="research", title="Members", visibility="members")["id"]
    police = publish(
        client,
        people,
        kind="research",
        title="Police",
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
    )["id"]
    draft = new_research(client, people.author, title="Draft")["id"]
    sees = {
        "anonymous": {public},
        "unverified": {public},
        "academic": {public, members},
        "colleague": {public, members, police},
        "author": {public, members, police, draft},
        "moderator": {public, members, police, draft},
    }

    for viewer, expected in sees.items():
        who = getattr(people, viewer)
        for item_id in (public, members, police, draft):
            response = client.get(f"/api/v1/research/{item_id}", headers=who.headers)
            assert response.status_code == (200 if item_id in expected else 404), viewer
            cite = client.get(f"/api/v1/research/{item_id}/cite", headers=who.headers)
            assert cite.status_code == (200 if item_id in expected else 404), viewer
        listed = ids(
            client.get("/api/v1/research?status=published&status=draft", headers=who.headers)
        )
        assert listed == expected, viewer


def test_list_filters_sort_and_pages(client, people):
    a = publish(
        client,
        people,
        kind="research",
        title="Alpha",
        year=2010,
        study_design="rct",
        domains=["treatment"],
        countries=["SE"],
    )["id"]
    b = publish(
        client,
        people,
        kind="research",
        title="Bravo",
        year=2020,
        study_design="qualitative",
        domains=["policing"],
        countries=["GB"],
    )["id"]
    mine = new_research(client, people.colleague, title="Charlie draft")["id"]
    url = "/api/v1/research"
    h = people.colleague.headers

    assert ids(client.get(url, headers=h)) == {a, b}
    assert ids(client.get(f"{url}?study_design=rct", headers=h)) == {a}
    assert ids(client.get(f"{url}?study_design=rct&study_design=qualitative", headers=h)) == {a, b}
    assert ids(client.get(f"{url}?domain=policing", headers=h)) == {b}
    assert ids(client.get(f"{url}?country=SE", headers=h)) == {a}
    assert ids(client.get(f"{url}?year_from=2015", headers=h)) == {b}
    assert ids(client.get(f"{url}?year_to=2015", headers=h)) == {a}
    assert ids(client.get(f"{url}?year_from=2011&year_to=2019", headers=h)) == set()
    assert ids(client.get(f"{url}?author=me", headers=h)) == {mine}
    assert ids(client.get(f"{url}?author=me&status=published", headers=h)) == set()
    years = [i["year"] for i in client.get(f"{url}?sort=year", headers=h).get_json()["items"]]
    assert years == [2020, 2010]
    page = client.get(f"{url}?sort=title&per_page=1&page=2", headers=h).get_json()
    assert [i["title"] for i in page["items"]] == ["Bravo"] and page["total"] == 2
    for bad in ("study_design=anecdote", "year_from=x", "country=gb", "topic=x"):
        assert_json_error(client.get(f"{url}?{bad}"), 422, fields=True)


# --------------------------------------------------------------------------- citations


def test_citations_in_three_formats(client, people):
    item = publish(
        client,
        people,
        kind="research",
        title="Contact sexual offending by men with online sexual offenses",
        authors=["Seto, Michael C.", "Hanson, R. Karl"],
        year=2011,
        venue="Sexual Abuse",
        doi="10.1177/1079063210369013",
    )
    url = f"/api/v1/research/{item['id']}/cite"

    bibtex = client.get(f"{url}?format=bibtex")
    assert bibtex.status_code == 200
    assert bibtex.mimetype == "application/x-bibtex"
    assert bibtex.mimetype_params == {"charset": "utf-8"}
    assert "@article{" in bibtex.get_data(as_text=True)
    assert "10.1177/1079063210369013" in bibtex.get_data(as_text=True)
    assert client.get(url).get_data() == bibtex.get_data()  # BibTeX is the default

    ris = client.get(f"{url}?format=ris")
    assert ris.mimetype == "application/x-research-info-systems"
    assert "TY  - JOUR" in ris.get_data(as_text=True)
    assert "DO  - 10.1177/1079063210369013" in ris.get_data(as_text=True)

    csl = client.get(f"{url}?format=csl-json")
    assert csl.mimetype == "application/vnd.citationstyles.csl+json"
    [entry] = json.loads(csl.get_data(as_text=True))
    assert entry["DOI"] == "10.1177/1079063210369013"
    assert entry["title"].startswith("Contact sexual offending")

    assert "format" in assert_json_error(client.get(f"{url}?format=docx"), 422)["fields"]
    assert_json_error(client.get("/api/v1/research/999999/cite"), 404)


# --------------------------------------------------------------------------- import


def test_bibtex_import_creates_good_entries_and_reports_the_rest(client, people):
    new_research(
        client, people.moderator, title="Already here", doi="10.1177/1079063210369013", submit=True
    )

    response = client.post(
        "/api/v1/research/import", json={"bibtex": BIBTEX}, headers=people.author.headers
    )

    assert response.status_code == 201
    result = response.get_json()
    assert set(result) == {"created", "skipped", "notes"}
    assert len(result["created"]) == 2  # the book from "3020" comes in without a year
    skipped = {entry["key"]: entry["reason"] for entry in result["skipped"]}
    assert "seto2015" in skipped and "nodate" not in skipped
    assert "10.1177/1079063210369013" in skipped["seto2015"]
    [note] = result["notes"]
    assert note["key"] == "nodate" and "3020" in note["note"] and "left empty" in note["note"]
    assert note["id"] == result["created"][0]
    assert any("broken" in key or "line" in key for key in skipped)
    created = client.get(
        f"/api/v1/research/{result['created'][1]}", headers=people.author.headers
    ).get_json()
    assert created["title"] == "Helpline evaluation"
    assert created["status"] == "draft" and created["author"]["id"] == people.author.id
    assert_json_error(client.get(f"/api/v1/research/{result['created'][1]}"), 404)


def test_bibtex_import_refuses_bad_requests(client, people):
    url = "/api/v1/research/import"
    assert_json_error(client.post(url, json={"bibtex": BIBTEX}), 401)
    assert_json_error(client.post(url, json={}, headers=people.author.headers), 422)
    assert_json_error(client.post(url, json={"bibtex": ""}, headers=people.author.headers), 422)
    assert_json_error(
        client.post(
            url, json={"bibtex": BIBTEX, "status": "published"}, headers=people.author.headers
        ),
        422,
    )
    nothing = client.post(url, json={"bibtex": "no entries at all"}, headers=people.author.headers)
    assert nothing.status_code == 201 and nothing.get_json()["created"] == []


# --------------------------------------------------------------------------- changing


def test_patch_delete_and_revisions_by_author_others_and_moderators(client, people):
    published = publish(client, people, kind="research", title="Published")["id"]
    draft = new_research(client, people.author, title="Draft")["id"]
    url = "/api/v1/research/{}"

    changed = client.patch(
        url.format(published), json={"year": 2019}, headers=people.author.headers
    )
    assert changed.status_code == 200 and changed.get_json()["status"] == "published"
    assert changed.get_json()["year"] is None  # the change waits for review
    assert changed.get_json()["pending_edit"]["values"] == {"year": 2019}
    approved = client.post(
        f"/api/v1/review/research/{published}",
        json={"decision": "approve"},
        headers=people.moderator.headers,
    )
    assert approved.status_code == 200
    history = client.get(url.format(published) + "/revisions", headers=people.author.headers)
    assert [r["fields_changed"] for r in history.get_json()["items"]][-1] == ["year"]

    assert_json_error(
        client.patch(url.format(published), json={"year": 2000}, headers=people.colleague.headers),
        403,
    )
    assert_json_error(client.delete(url.format(published), headers=people.colleague.headers), 403)
    assert_json_error(
        client.get(url.format(published) + "/revisions", headers=people.colleague.headers), 403
    )
    assert_json_error(
        client.patch(url.format(draft), json={"year": 2000}, headers=people.colleague.headers), 404
    )
    assert_json_error(client.delete(url.format(draft), headers=people.colleague.headers), 404)
    assert_json_error(
        client.get(url.format(draft) + "/revisions", headers=people.colleague.headers), 404
    )
    assert_json_error(client.delete(url.format(draft)), 401)
    assert_json_error(
        client.patch(
            url.format(draft), json={"status": "published"}, headers=people.author.headers
        ),
        422,
    )

    assert client.delete(url.format(draft), headers=people.author.headers).status_code == 204
    assert client.delete(url.format(published), headers=people.moderator.headers).status_code == 204
    assert_json_error(client.get(url.format(published), headers=people.moderator.headers), 404)


def test_core_research_input_schema_accepts_an_empty_doi():
    from kx.research.schemas import ResearchInputSchema
    from kx.schemas import load

    assert load(ResearchInputSchema, {"doi": ""}) == {"doi": None}
    with pytest.raises(Invalid) as raised:
        load(ResearchInputSchema, {"doi": "10.1234/" + "a" * 250})
    assert "255" in str(raised.value.fields["doi"])
