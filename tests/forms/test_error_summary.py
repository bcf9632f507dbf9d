"""After a refused submit every form opens with one error summary whose entries lead to the
fields (links to ids that exist on the page, in the order of the form), takes focus by
itself, and keeps what was typed; the help a writer needs before the first attempt (password
rules, "Stay signed in") is there and tied to its field."""

import re

import pytest
from sqlalchemy import func, select

from kx.extensions import db
from kx.forum.models import Post
from kx.practice.models import Practice
from kx.research.models import Research
from tests.support.browser import Html, submit
from tests.support.forum import send
from tests.support.practice import form_data

SUMMARY = re.compile(r'<div class="alert alert--error error-summary"([^>]*)>(.*?)\n</div>', re.S)


def summary(page: Html) -> tuple[str, list[tuple[str, str]]]:
    """The summary's opening tag attributes and its (href id, link text) pairs; the summary
    must be the first alert in the page's content."""
    found = SUMMARY.findall(page.html)
    assert len(found) == 1, f"{len(found)} error summaries"
    attrs, body = found[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', body)
    return attrs, links


def assert_summary_leads_to_fields(page: Html, fields: set[str]) -> None:
    attrs, links = summary(page)
    assert "autofocus" in attrs and 'tabindex="-1"' in attrs and 'role="alert"' in attrs
    targets = [target for target, _ in links]
    for target in targets:
        assert page.has_id(target), f"the summary links to #{target}, which is not on the page"
    named = {re.sub(r"-\d+$", "", target) for target in targets}
    assert named == fields, (named, fields)
    # the summary comes before the form it describes
    assert page.html.index("error-summary") < page.html.index(f'id="{targets[0]}"')


def test_registration_summary_links_every_wrong_field_and_keeps_the_input(client):
    response = submit(
        client,
        "/register",
        {"email": "rae@example.org", "display_name": "Rae", "password": "short", "sector": ""},
    )
    page = Html(response)
    assert page.status == 422
    assert_summary_leads_to_fields(page, {"password", "sector", "country"})
    assert page.value("display_name") == "Rae"
    assert page.value("email") == "rae@example.org"


def test_the_sign_in_form_summarises_a_missing_password(client):
    page = Html(submit(client, "/login", {"email": "someone@example.org", "password": ""}))
    assert page.status in (200, 422)
    assert_summary_leads_to_fields(page, {"password"})


def test_practice_summary_reaches_text_fields_and_checkbox_groups(app, people):
    data = form_data(title="", domains=[], countries=["GB", "ZZ"])
    page = Html(submit(people.author_client, "/practices/new", {**data, "action": "draft"}))

    assert page.status == 422
    _attrs, links = summary(page)
    targets = dict(links)
    # a group is reached at its first box, since a fieldset cannot take focus
    assert {"title", "domains-0", "countries-0"} <= set(targets)
    assert targets["title"] == "Title"
    assert targets["countries-0"] == "Countries"
    for target in targets:
        assert page.has_id(target), target
    assert page.values("countries") == ["GB"]  # the ticked box stays ticked
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Practice)) == 0


def test_research_summary_links_the_title(app, people):
    page = Html(
        submit(
            people.author_client,
            "/research/new",
            {"title": "", "summary": "Kept **text**", "visibility": "public", "action": "draft"},
        )
    )
    assert page.status == 422
    assert_summary_leads_to_fields(page, {"title"})
    assert page.value("summary") == "Kept **text**"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Research)) == 0


def test_forum_thread_summary_links_title_and_message(app, people):
    client = people.author_client
    response = send(client, "/forum/new", {"category": "policing", "kind": "discussion"})
    page = Html(response)
    assert page.status == 422
    assert_summary_leads_to_fields(page, {"title", "body"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == 0


@pytest.mark.parametrize(
    ("url", "data", "fields"),
    [
        ("/account/password", {"current_password": "", "new_password": "x"}, None),
        ("/account/delete", {"password": ""}, None),
    ],
)
def test_account_forms_summarise_their_errors(people, url, data, fields):
    client = people.author_client
    page = Html(submit(client, url, data))
    assert page.status in (200, 400, 403, 422)
    _attrs, links = summary(page)
    assert links, "no field is linked from the summary"
    for target, _text in links:
        assert page.has_id(target), target


def test_the_password_rules_are_told_before_the_first_attempt(client):
    page = Html(client.get("/register"))
    assert 'aria-describedby="password-help"' in page.html
    rules = page.text_of("password-help")
    assert "At least 12 characters" in rules
    assert "commonly used" in rules
    assert "e-mail address" in rules


def test_stay_signed_in_has_its_help_text(client):
    page = Html(client.get("/login"))
    assert re.search(r'<input[^>]*aria-describedby="remember-help"[^>]*name="remember"', page.html)
    assert "device no one else uses" in page.text_of("remember-help")
