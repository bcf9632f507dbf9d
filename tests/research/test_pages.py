"""Research summary pages through the real stack: list, detail, writing, workflow actions and
evidence links, as each kind of visitor meets them."""

import re

import pytest

from kx.accounts.models import User
from kx.database import transaction
from kx.evidence.models import EvidenceLink
from kx.extensions import db
from kx.practice import services as practice_services
from kx.records import services as records
from kx.research import services
from kx.research.models import Research
from tests.support.browser import breadcrumb, submit

BABCHISHIN_DOI = "10.1007/s10508-014-0270-x"


# --------------------------------------------------------------------------- helpers


def add_research(app, author, title="A study", status="published", **fields) -> int:
    with app.app_context():
        user = db.session.get(User, author.id)
        data = {"title": title, "domains": ["policing"], "study_design": "cohort", **fields}
        item = services.save_research(user, data)
        with transaction():
            records.set_status(item, status)
        return item.id


def add_practice(app, author, title="A practice", status="published", **fields) -> int:
    with app.app_context():
        user = db.session.get(User, author.id)
        data = {"title": title, "domains": ["policing"], "body": "How it works.", **fields}
        item = practice_services.save_practice(user, data)
        with transaction():
            records.set_status(item, status)
        return item.id


def add_link(app, research_id, practice_id, by, relation="supports", note="") -> int:
    with app.app_context():
        link = EvidenceLink(
            research_id=research_id,
            practice_id=practice_id,
            relation=relation,
            note=note,
            created_by_id=by.id,
        )
        with transaction():
            db.session.add(link)
        return link.id


def research_row(app, item_id) -> dict | None:
    with app.app_context():
        item = db.session.get(Research, item_id)
        if item is None:
            return None
        return {**item.snapshot(), "status": item.status, "author_id": item.author_id}


def new_id(response) -> int:
    match = re.search(r"/research/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def form_data(**overrides) -> dict:
    data = {
        "title": "Online and offline offenders compared",
        "authors": "Babchishin, Kelly M.\nHanson, R. Karl\nVanZuylen, Heather",
        "year": "2015",
        "entry_type": "article",
        "venue": "Archives of Sexual Behavior",
        "volume": "44",
        "issue": "1",
        "pages": "45-66",
        "doi": "https://doi.org/10.1007/S10508-014-0270-X",
        "url": "",
        "study_design": "systematic-review",
        "sample_size": "2284",
        "countries": ["CA", "GB"],
        "domains": ["risk-assessment", "treatment"],
        "summary": "Men with **online** offences differ from contact offenders.",
        "key_findings": "- lower victim access\n- greater empathy",
        "implications": "Assess access to children.",
        "limitations": "Few studies of women.",
        "visibility": "public",
        "action": "draft",
    }
    data.update(overrides)
    return data


@pytest.fixture
def people(make_user):
    return {
        "author": make_user(sector="academic"),
        "member": make_user(sector="treatment"),
        "police": make_user(sector="law-enforcement"),
        "unverified": make_user(verified=False),
        "moderator": make_user(role="moderator", sector="policy"),
    }


# --------------------------------------------------------------------------- visibility


@pytest.fixture
def shelf(app, people):
    """One summary at each visibility and state, all by ``author``."""
    author = people["author"]
    return {
        "public": add_research(app, author, "Public study"),
        "members": add_research(app, author, "Members study", visibility="members"),
        "restricted": add_research(
            app,
            author,
            "Police-only study",
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
        ),
        "draft": add_research(app, author, "Draft study", status="draft"),
        "pending": add_research(app, author, "Pending study", status="pending"),
        "archived": add_research(app, author, "Archived study", status="archived"),
    }


def listed(client, url="/research") -> set[str]:
    page = client.get(url).get_data(as_text=True)
    return set(re.findall(r'<h3><a href="/research/\d+">([^<]+)</a></h3>', page))


def test_anonymous_visitors_see_public_published_summaries_only(client, shelf):
    assert listed(client) == {"Public study"}
    assert client.get(f"/research/{shelf['public']}").status_code == 200
    for key in ("members", "restricted", "draft", "pending", "archived"):
        response = client.get(f"/research/{shelf[key]}")
        assert response.status_code == 404, key  # never 403: existence stays hidden
        assert "Some content needs signing in" in response.get_data(as_text=True)
        assert " study" not in response.get_data(as_text=True)
    assert client.get("/research/99999").status_code == 404


def test_unverified_accounts_see_what_anonymous_visitors_see(client, shelf, people, login):
    login(client, people["unverified"])
    assert listed(client) == {"Public study"}
    assert client.get(f"/research/{shelf['members']}").status_code == 404
    assert client.get(f"/research/{shelf['restricted']}").status_code == 404


def test_members_of_another_sector_do_not_see_restricted_summaries(client, shelf, people, login):
    login(client, people["member"])
    assert listed(client) == {"Public study", "Members study"}
    assert client.get(f"/research/{shelf['members']}").status_code == 200
    assert client.get(f"/research/{shelf['restricted']}").status_code == 404
    assert client.get(f"/research/{shelf['draft']}").status_code == 404


def test_members_of_the_listed_sector_see_restricted_summaries(client, shelf, people, login):
    login(client, people["police"])
    assert listed(client) == {"Public study", "Members study", "Police-only study"}
    page = client.get(f"/research/{shelf['restricted']}").get_data(as_text=True)
    assert "Restricted to Law enforcement" in page


def test_authors_and_moderators_open_unpublished_summaries(client, shelf, people, login):
    login(client, people["author"])
    for key in ("draft", "pending", "archived"):
        assert client.get(f"/research/{shelf[key]}").status_code == 200
    # the list is of published work only, also for its author
    assert "Draft study" not in listed(client)
    moderator = client.application.test_client()
    login(moderator, people["moderator"])
    assert moderator.get(f"/research/{shelf['pending']}").status_code == 200


# --------------------------------------------------------------------------- list


def test_filters_sort_and_pagination(app, client, people):
    author = people["author"]
    add_research(app, author, "Alpha", domains=["treatment"], countries=["DE"], year=2012)
    add_research(
        app, author, "Beta", domains=["treatment"], countries=["GB"], study_design="rct", year=2018
    )
    add_research(app, author, "Gamma", domains=["education"], countries=["GB"], year=2021)
    assert listed(client, "/research?domain=treatment") == {"Alpha", "Beta"}
    assert listed(client, "/research?country=GB") == {"Beta", "Gamma"}
    assert listed(client, "/research?study_design=rct") == {"Beta"}
    assert listed(client, "/research?year_from=2015") == {"Beta", "Gamma"}
    assert listed(client, "/research?year_from=2013&year_to=2019") == {"Beta"}
    page = client.get("/research?sort=title").get_data(as_text=True)
    assert page.index(">Alpha<") < page.index(">Beta<") < page.index(">Gamma<")
    page = client.get("/research?sort=year").get_data(as_text=True)
    assert page.index(">Gamma<") < page.index(">Beta<") < page.index(">Alpha<")
    # a bad year is reported beside its field and ignored; unknown slugs are ignored
    response = client.get("/research?year_from=soon&domain=nonsense")
    assert response.status_code == 200
    assert "Not a valid integer value." in response.get_data(as_text=True)
    assert listed(client, "/research?year_from=soon") == {"Alpha", "Beta", "Gamma"}


def test_rows_show_reference_design_and_domains(app, client, people):
    add_research(
        app,
        people["author"],
        "Online offenders",
        authors=["Babchishin, Kelly M.", "Hanson, R. Karl", "VanZuylen, Heather"],
        year=2015,
        venue="Archives of Sexual Behavior",
        study_design="systematic-review",
        domains=["risk-assessment", "treatment"],
    )
    page = client.get("/research").get_data(as_text=True)
    assert (
        "Babchishin, K. M., Hanson, R. K., &amp; VanZuylen, H. (2015). "
        "<i>Archives of Sexual Behavior</i>." in page
    )
    assert '<span class="badge badge--design">Systematic review</span>' in page
    assert "<li>Risk assessment</li>" in page and "<li>Treatment</li>" in page


def test_pagination_keeps_the_filters(app, client, people):
    for n in range(23):
        add_research(app, people["author"], f"Study {n:02d}", domains=["prevention"])
    add_research(app, people["author"], "Elsewhere", domains=["policing"])
    first = client.get("/research?domain=prevention&sort=title").get_data(as_text=True)
    assert "23 summaries match your filters" in first
    assert "Page 1 of 2" in first
    assert 'href="/research?page=2&amp;domain=prevention&amp;sort=title"' in first
    second = listed(client, "/research?page=2&domain=prevention&sort=title")
    assert second == {"Study 20", "Study 21", "Study 22"}
    assert listed(client, "/research?page=99&domain=prevention") == set()


# --------------------------------------------------------------------------- detail


def test_detail_shows_the_structured_fields(app, client, people):
    item_id = add_research(
        app,
        people["author"],
        "Online offenders",
        authors=["Babchishin, Kelly M.", "Hanson, R. Karl"],
        year=2015,
        venue="Archives of Sexual Behavior",
        volume="44",
        issue="1",
        pages="45\u201366",
        doi=BABCHISHIN_DOI,
        study_design="systematic-review",
        sample_size=4464,
        countries=["CA", "GB"],
        domains=["risk-assessment"],
        summary="Plain **words**.",
        key_findings="- one\n- two",
        implications="Do *this*.",
        limitations="<script>alert(1)</script>Small samples.",
    )
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert (
        "Babchishin, K. M., &amp; Hanson, R. K. (2015). Online offenders. "
        "Archives of Sexual Behavior, 44(1), 45\u201366. "
        "https://doi.org/10.1007/s10508-014-0270-x"
    ) in page
    assert f'<a href="https://doi.org/{BABCHISHIN_DOI}">' in page
    assert "<dd>Systematic review</dd>" in page
    assert "<dd>4,464</dd>" in page
    assert "<dd>Canada, United Kingdom</dd>" in page
    assert "<dd>Risk assessment</dd>" in page
    assert "<strong>words</strong>" in page and "<li>one</li>" in page and "<em>this</em>" in page
    for heading in ("Summary", "Key findings", "Implications for practice", "Limitations"):
        assert f">{heading}</h2>" in page
    assert "<script>alert(1)</script>" not in page
    for fmt in ("bibtex", "ris", "csl-json"):
        assert f'href="/research/{item_id}/cite?format={fmt}"' in page


def test_detail_has_a_breadcrumb_back_to_the_list(app, client, people):
    item_id = add_research(app, people["author"], "Deterrence <messages> & help-seeking")

    page = client.get(f"/research/{item_id}").get_data(as_text=True)

    assert breadcrumb(page) == [
        ("Research summaries", "/research", False),
        ("Deterrence <messages> & help-seeking", f"/research/{item_id}", True),
    ]
    assert page.index('aria-label="Breadcrumb"') < page.index("<h1")


def test_detail_lists_linked_visible_practices(app, client, people, login):
    author = people["author"]
    item_id = add_research(app, author)
    shown = add_practice(app, author, "Helpline for people worried about their thoughts")
    hidden = add_practice(app, author, "Members-only practice", visibility="members")
    add_link(app, item_id, shown, author, "evaluates", "A six-month evaluation.")
    add_link(app, item_id, hidden, author, "supports")
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert '<span class="badge badge--relation badge--evaluates">Evaluates</span>' in page
    assert f'<a href="/practices/{shown}">Helpline for people worried' in page
    assert "A six-month evaluation." in page
    assert "Members-only practice" not in page
    login(client, people["member"])
    assert "Members-only practice" in client.get(f"/research/{item_id}").get_data(as_text=True)


def test_only_authors_and_moderators_see_actions_and_warnings(app, client, people, login):
    item_id = add_research(
        app, people["author"], summary="Contact Dr Jane Smith at jane.smith@example.org."
    )
    login(client, people["member"])
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert "Possible identifying details" not in page
    assert f"/research/{item_id}/edit" not in page
    login(client, people["author"])
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert "Possible identifying details" in page
    assert "E-mail address" in page and "jane.smith@example.org" in page
    assert f'href="/research/{item_id}/edit"' in page
    assert f'action="/research/{item_id}/archive"' in page
    assert f'href="/research/{item_id}/delete"' in page
    if "review.revisions" in client.application.view_functions:
        assert "Revision history" in page


def test_the_author_sees_the_rejection_reason(app, client, people, login):
    item_id = add_research(app, people["author"], status="pending")
    with app.app_context():
        moderator = db.session.get(User, people["moderator"].id)
        records.review(db.session.get(Research, item_id), moderator, "reject", "Add a DOI.")
    login(client, people["author"])
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert "A moderator sent this back" in page and "Add a DOI." in page


# --------------------------------------------------------------------------- writing


def test_writing_needs_an_account(client):
    response = client.get("/research/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unverified_member_saves_a_draft(app, client, people, login):
    login(client, people["unverified"])
    form = client.get("/research/new").get_data(as_text=True)
    assert "Save draft" in form and "Submit for review" not in form
    response = submit(client, "/research/new", form_data())
    assert response.status_code == 302
    row = research_row(app, new_id(response))
    assert row["status"] == "draft"
    assert row["doi"] == BABCHISHIN_DOI  # normalised: no resolver, lower case
    assert row["authors"] == ["Babchishin, Kelly M.", "Hanson, R. Karl", "VanZuylen, Heather"]
    assert row["countries"] == ["CA", "GB"]
    assert row["domains"] == ["risk-assessment", "treatment"]
    assert row["year"] == 2015 and row["sample_size"] == 2284 and row["pages"] == "45-66"
    assert row["author_id"] == people["unverified"].id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved as a draft." in page


def test_an_unverified_member_cannot_submit_and_keeps_the_input(client, people, login):
    login(client, people["unverified"])
    response = submit(client, "/research/new", form_data(action="submit"))
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "must be verified" in page
    assert 'value="Online and offline offenders compared"' in page


def test_submitting_sends_for_review_and_moderators_publish(app, client, people, login):
    login(client, people["member"])
    response = submit(client, "/research/new", form_data(action="submit"))
    assert research_row(app, new_id(response))["status"] == "pending"
    moderator = client.application.test_client()
    login(moderator, people["moderator"])
    response = submit(moderator, "/research/new", form_data(action="submit", doi=""))
    assert research_row(app, new_id(response))["status"] == "published"


def test_a_draft_is_submitted_from_its_page(app, client, people, login):
    item_id = add_research(app, people["author"], status="draft")
    other = client.application.test_client()
    login(other, people["member"])
    url = f"/research/{item_id}/submit"
    assert submit(other, url, {}, "/research").status_code == 404  # invisible draft
    login(client, people["author"])
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert f'action="{url}"' in page and "Submit for review" in page
    assert submit(client, url, {}, f"/research/{item_id}").status_code == 302
    assert research_row(app, item_id)["status"] == "pending"


def test_an_unverified_author_cannot_submit_a_draft_from_its_page(app, client, people, login):
    item_id = add_research(app, people["unverified"], status="draft")
    login(client, people["unverified"])
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert "Submit for review" not in page
    response = submit(client, f"/research/{item_id}/submit", {}, f"/research/{item_id}")
    assert response.status_code == 403
    assert research_row(app, item_id)["status"] == "draft"


def test_a_duplicate_doi_is_an_error_beside_the_doi_field(app, client, people, login):
    add_research(app, people["author"], "The first summary", doi=BABCHISHIN_DOI)
    login(client, people["member"])
    response = submit(client, "/research/new", form_data(doi=f"doi:{BABCHISHIN_DOI.upper()}"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    doi_field = re.search(
        r'<div class="field field--error">\s*<label for="doi">.*?</div>', page, re.S
    )
    assert doi_field and "Another summary already has this DOI" in doi_field.group(0)
    assert 'aria-invalid="true"' in doi_field.group(0)
    # everything typed is kept
    assert 'value="Online and offline offenders compared"' in page
    assert "Babchishin, Kelly M.\nHanson, R. Karl\nVanZuylen, Heather</textarea>" in page
    assert "Men with **online** offences differ from contact offenders.</textarea>" in page
    assert '<option selected value="systematic-review">' in page
    assert 'value="treatment" checked' in page or 'checked id="domains-3"' in page
    with app.app_context():
        assert db.session.query(Research).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"doi": "not a doi"}, "doi", "Not a DOI"),
        ({"year": "last year"}, "year", "Not a valid integer value."),
        ({"year": "1492"}, "year", "Give a year from 1900"),
        ({"title": ""}, "title", "This field is required."),
        ({"countries": ["XX"]}, "countries", "XX is not an ISO 3166-1 alpha-2 code."),
        ({"url": "javascript:alert(1)"}, "url", "Not a valid URL."),
        ({"visibility": "restricted"}, "restricted_sectors", "Choose the sectors"),
    ],
)
def test_invalid_input_is_reported_by_the_field(
    app, client, people, login, overrides, field, message
):
    login(client, people["member"])
    response = submit(client, "/research/new", form_data(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', page, re.S)
    assert errors and message in errors.group(1), page[:3000]
    assert "Men with **online** offences" in page
    with app.app_context():
        assert db.session.query(Research).count() == 0


def test_the_authors_edit_of_a_published_summary_waits_and_is_applied_on_approval(
    app, client, people, login
):
    item_id = add_research(
        app, people["author"], "Old title", doi=BABCHISHIN_DOI, url="https://example.org/a"
    )
    login(client, people["author"])
    form = client.get(f"/research/{item_id}/edit").get_data(as_text=True)
    assert 'value="Old title"' in form and f'value="{BABCHISHIN_DOI}"' in form
    assert "Save changes" in form and "Submit for review" not in form
    response = submit(
        client,
        f"/research/{item_id}/edit",
        form_data(title="New title", doi=BABCHISHIN_DOI, url="", action="save"),
    )
    assert response.status_code == 302
    assert research_row(app, item_id)["title"] == "Old title"  # until a moderator approves
    with app.app_context():
        records.review(
            db.session.get(Research, item_id),
            db.session.get(User, people["moderator"].id),
            "approve",
        )
    row = research_row(app, item_id)
    assert row["title"] == "New title" and row["status"] == "published"
    assert row["url"] == ""  # cleared
    with app.app_context():
        revisions = records.revisions_of(db.session.get(Research, item_id))
        assert len(revisions) == 2 and "title" in revisions[-1].fields_changed


def test_identifier_warnings_are_shown_after_saving(client, people, login):
    login(client, people["member"])
    response = submit(
        client,
        "/research/new",
        form_data(summary="Interviews led by DS Mark Jones, tel. 020 7946 0123.", doi=""),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Possible identifying details were found" in page
    assert "Phone number" in page and "Name with a title or rank" in page


def test_other_members_cannot_edit_archive_or_delete(app, client, people, login):
    published = add_research(app, people["author"], "Mine")
    draft = add_research(app, people["author"], "My draft", status="draft")
    login(client, people["member"])
    assert client.get(f"/research/{published}/edit").status_code == 403
    assert client.get(f"/research/{draft}/edit").status_code == 404  # invisible: 404
    token_page = f"/research/{published}"
    response = submit(client, f"/research/{published}/edit", form_data(title="Taken"), token_page)
    assert response.status_code == 403
    assert submit(client, f"/research/{published}/archive", {}, token_page).status_code == 403
    assert submit(client, f"/research/{published}/delete", {}, token_page).status_code == 403
    assert submit(client, f"/research/{draft}/delete", {}, token_page).status_code == 404
    row = research_row(app, published)
    assert row["title"] == "Mine" and row["status"] == "published"
    assert research_row(app, draft) is not None
    anonymous = client.application.test_client()
    response = anonymous.post(f"/research/{published}/delete")
    assert response.status_code in (302, 400)  # sign in first (or the CSRF check)
    assert research_row(app, published) is not None


def test_the_author_archives_and_deletes(app, client, people, login):
    item_id = add_research(app, people["author"])
    login(client, people["author"])
    response = submit(client, f"/research/{item_id}/archive", {}, f"/research/{item_id}")
    assert response.status_code == 302
    assert research_row(app, item_id)["status"] == "archived"
    assert client.application.test_client().get(f"/research/{item_id}").status_code == 404
    confirm = client.get(f"/research/{item_id}/delete")
    assert confirm.status_code == 200 and "Delete for good" in confirm.get_data(as_text=True)
    response = submit(client, f"/research/{item_id}/delete", {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-items")
    assert "is deleted" in client.get("/my-items").get_data(as_text=True)
    assert research_row(app, item_id) is None
    assert client.get(f"/research/{item_id}").status_code == 404


def test_archiving_an_unpublished_summary_is_refused(app, client, people, login):
    item_id = add_research(app, people["author"], status="draft")
    login(client, people["author"])
    response = submit(client, f"/research/{item_id}/archive", {}, f"/research/{item_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/research/{item_id}"
    )
    assert "Only published" in client.get(f"/research/{item_id}").get_data(as_text=True)
    assert research_row(app, item_id)["status"] == "draft"


def test_moderators_delete_others_summaries(app, client, people, login):
    item_id = add_research(app, people["author"])
    login(client, people["moderator"])
    assert submit(client, f"/research/{item_id}/delete", {}).status_code == 302
    assert research_row(app, item_id) is None


# --------------------------------------------------------------------------- evidence links


def links_of(app, research_id) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [
            (link.practice_id, link.relation, link.note)
            for link in db.session.query(EvidenceLink).filter_by(research_id=research_id)
        ]


def test_a_verified_member_links_a_practice_from_the_research_page(app, client, people, login):
    item_id = add_research(app, people["author"])
    practice_id = add_practice(app, people["author"], "Circles of support")
    hidden = add_practice(
        app,
        people["author"],
        "Police-only practice",
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
    )
    add_practice(app, people["author"], "Draft practice", status="draft")
    login(client, people["member"])
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert "Link to a practice" in page
    assert f'<option value="{practice_id}">Circles of support</option>' in page
    assert "Police-only practice" not in page and "Draft practice" not in page
    response = submit(
        client,
        f"/research/{item_id}/evidence",
        {"practice_id": practice_id, "relation": "evaluates", "note": "Two-year follow-up."},
        f"/research/{item_id}",
    )
    assert response.status_code == 302
    assert links_of(app, item_id) == [(practice_id, "evaluates", "Two-year follow-up.")]
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert "Two-year follow-up." in page and ">Evaluates</span>" in page
    # a second link to the same practice is refused beside the field
    response = submit(
        client,
        f"/research/{item_id}/evidence",
        {"practice_id": practice_id, "relation": "supports"},
        f"/research/{item_id}",
    )
    assert response.status_code == 409
    assert "Already linked" in response.get_data(as_text=True)
    # a practice the member may not see is not found
    response = submit(
        client,
        f"/research/{item_id}/evidence",
        {"practice_id": hidden, "relation": "supports"},
        f"/research/{item_id}",
    )
    assert response.status_code == 404
    assert len(links_of(app, item_id)) == 1


def test_linking_needs_a_relation_and_a_practice(app, client, people, login):
    item_id = add_research(app, people["author"])
    practice_id = add_practice(app, people["author"])
    login(client, people["member"])
    url, page = f"/research/{item_id}/evidence", f"/research/{item_id}"
    response = submit(client, url, {"practice_id": practice_id, "relation": ""}, page)
    assert response.status_code == 422
    assert "Choose a relation" in response.get_data(as_text=True)
    response = submit(client, url, {"practice_id": "", "relation": "supports"}, page)
    assert response.status_code == 422
    assert "Choose a practice example." in response.get_data(as_text=True)
    assert (
        submit(client, url, {"practice_id": 99999, "relation": "supports"}, page).status_code == 404
    )
    assert links_of(app, item_id) == []


def test_unverified_members_may_not_link(app, client, people, login):
    item_id = add_research(app, people["author"])
    practice_id = add_practice(app, people["author"])
    login(client, people["unverified"])
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert "Link to a practice" not in page
    response = submit(
        client,
        f"/research/{item_id}/evidence",
        {"practice_id": practice_id, "relation": "supports"},
        f"/research/{item_id}",
    )
    assert response.status_code == 403
    assert links_of(app, item_id) == []


def test_linking_to_invisible_research_is_not_found(app, client, people, login):
    item_id = add_research(app, people["author"], status="draft")
    practice_id = add_practice(app, people["author"])
    login(client, people["member"])
    response = submit(
        client,
        f"/research/{item_id}/evidence",
        {"practice_id": practice_id, "relation": "supports"},
        "/research",  # a token from any page the member can open
    )
    assert response.status_code == 404
    assert links_of(app, item_id) == []


def test_only_the_creator_or_a_moderator_removes_a_link(app, client, people, login):
    item_id = add_research(app, people["author"])
    practice_id = add_practice(app, people["author"])
    other_research = add_research(app, people["author"], "Other")
    link_id = add_link(app, item_id, practice_id, people["police"])
    url = f"/research/{item_id}/evidence/{link_id}/delete"
    login(client, people["member"])
    assert "Remove link" not in client.get(f"/research/{item_id}").get_data(as_text=True)
    assert submit(client, url, {}, f"/research/{item_id}").status_code == 403
    # the link id under another research item is not found
    wrong = f"/research/{other_research}/evidence/{link_id}/delete"
    login(client, people["police"])
    assert submit(client, wrong, {}, f"/research/{item_id}").status_code == 404
    assert len(links_of(app, item_id)) == 1
    page = client.get(f"/research/{item_id}").get_data(as_text=True)
    assert "Remove link" in page
    assert submit(client, url, {}, f"/research/{item_id}").status_code == 302
    assert links_of(app, item_id) == []
    # a moderator removes someone else's link
    link_id = add_link(app, item_id, practice_id, people["police"])
    login(client, people["moderator"])
    url = f"/research/{item_id}/evidence/{link_id}/delete"
    assert submit(client, url, {}, f"/research/{item_id}").status_code == 302
    assert links_of(app, item_id) == []
