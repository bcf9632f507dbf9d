"""Forms that guide, on a phone (390 by 844 pixels) in Chromium: a refused form puts focus on
its error summary, whose links lead to the fields; "Sectors that may read it" appears only
for a restricted item; the country list narrows as you type; a Markdown text previews as
the page will show it; typed text survives a reload and is offered back, and is forgotten
once saved. axe-core finds no serious or critical violation on the forms."""

import re

import pytest
from playwright.sync_api import expect

from kx.extensions import db
from kx.practice.models import Practice
from tests.support.browser import submit
from tests.support.html import vnu_problems
from tests.support.screens import PHONE, serious_violations, sign_in

pytestmark = pytest.mark.e2e


def phone(new_page, name: str):
    page = new_page(name)
    page.set_viewport_size(PHONE)
    return page


def test_a_refused_registration_focuses_the_summary_whose_links_reach_the_fields(new_page):
    page = phone(new_page, "newcomer")
    page.goto("/register")
    password = page.get_by_label("Password", exact=True)
    # the rules are read with the field, before any attempt
    expect(password).to_have_accessible_description(re.compile("At least 12 characters"))
    page.get_by_label("Work e-mail address").fill("rae@example.org")
    page.get_by_label("Display name").fill("Rae")
    password.fill("short")
    page.get_by_role("button", name="Register").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Password")).to_be_visible()
    assert not serious_violations(page)
    summary.get_by_role("link", name="Password").click()
    expect(page).to_have_url(re.compile("#password$"))
    expect(page.get_by_label("Password", exact=True)).to_have_value("")  # never echoed back
    expect(page.get_by_label("Display name")).to_have_value("Rae")


def test_sectors_show_only_for_a_restricted_item_and_countries_filter(new_page, make_user):
    member = make_user(sector="academic")
    page = phone(new_page, "academic")
    sign_in(page, member.email, member.password)
    page.goto("/research/new")

    sectors = page.get_by_role("group", name="Sectors that may read it")
    expect(sectors).to_be_hidden()
    page.get_by_role("radio", name="Restricted").check()
    expect(sectors).to_be_visible()
    page.get_by_role("radio", name="Public").check()
    expect(sectors).to_be_hidden()

    countries = page.get_by_role("group", name="Countries")
    boxes = countries.get_by_role("checkbox")
    assert boxes.count() > 200
    countries.get_by_label("Filter countries").fill("nether")
    expect(countries.get_by_role("checkbox", name="Netherlands")).to_be_visible()
    visible = [box for box in boxes.all() if box.is_visible()]
    assert len(visible) == 1, [box.get_attribute("value") for box in visible]
    countries.get_by_role("checkbox", name="Netherlands").check()
    countries.get_by_label("Filter countries").fill("germ")
    # a ticked country stays in view beside the new matches
    expect(countries.get_by_role("checkbox", name="Netherlands")).to_be_visible()
    expect(countries.get_by_role("checkbox", name="Germany")).to_be_visible()
    expect(countries.get_by_text("Chosen: Netherlands")).to_be_visible()
    assert not serious_violations(page)


def test_preview_tab_shows_the_text_rendered_by_the_server(new_page, make_user):
    member = make_user(sector="treatment")
    page = phone(new_page, "author")
    sign_in(page, member.email, member.password)
    page.goto("/practices/new")

    body = page.get_by_label("What was done", exact=True)
    body.fill("Counsellors answer **anonymously**.\n\n<script>alert(1)</script>")
    tabs = page.locator(".field", has=body).get_by_role("tablist", name="Write or preview")
    tabs.get_by_role("tab", name="Preview").click()
    panel = page.get_by_role("tabpanel", name="Preview")
    expect(panel.locator("strong")).to_have_text("anonymously")
    # raw HTML is shown as the characters typed, never as an element
    expect(panel.locator("script")).to_have_count(0)
    expect(panel).to_contain_text("<script>alert(1)</script>")
    expect(body).to_be_hidden()
    assert not serious_violations(page)
    tabs.get_by_role("tab", name="Write").click()
    expect(body).to_be_visible()
    expect(body).to_be_focused()


def test_typed_text_is_offered_back_after_a_reload_and_forgotten_once_saved(
    new_page, make_user, live_server
):
    member = make_user(sector="treatment")
    page = phone(new_page, "author")
    sign_in(page, member.email, member.password)
    page.goto("/practices/new")
    title = "Circles of support for people leaving prison"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("What was done", exact=True).fill("Volunteers meet the core member weekly.")
    page.wait_for_timeout(1200)  # the draft is kept 0.8 s after the last key

    page.reload()  # a crash, a closed tab, a lost connection
    expect(page.get_by_label("Title", exact=True)).to_have_value("")
    offer = page.get_by_role("region", name="Unsaved text")
    expect(offer).to_contain_text("Restore your unsaved text from")
    offer.get_by_role("button", name="Restore my text").click()
    expect(page.get_by_label("Title", exact=True)).to_have_value(title)
    expect(page.get_by_label("What was done", exact=True)).to_have_value(
        "Volunteers meet the core member weekly."
    )
    expect(page.get_by_role("status").filter(has_text="Your text is restored")).to_be_visible()

    page.get_by_role("group", name="Domains").get_by_label("Treatment", exact=True).check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    with live_server.app.app_context():
        assert db.session.scalar(db.select(Practice.title)) == title

    page.goto("/practices/new")
    expect(page.get_by_role("heading", name="New practice example")).to_be_visible()
    expect(page.get_by_role("region", name="Unsaved text")).to_have_count(0)
    kept = page.evaluate(
        "() => Object.keys(localStorage).filter((key) => key.startsWith('kx-draft:'))"
    )
    assert kept == []


FORM_PAGES = ("/practices/new", "/research/new", "/forum/new", "/account", "/account/password")


def test_the_forms_have_no_serious_violations_on_a_phone(new_page, make_user):
    member = make_user(sector="policy")
    page = phone(new_page, "member")
    sign_in(page, member.email, member.password)
    problems = []
    for path in FORM_PAGES:
        assert page.goto(path).status == 200, path
        problems += serious_violations(page)
    # a refused practice form, with its summary, and a form previewed without the script
    page.goto("/practices/new")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    problems += serious_violations(page)
    page.get_by_label("Outcomes", exact=True).fill("Fewer *calls* went unanswered.")
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_role("tabpanel", name="Preview").locator("em")).to_have_text("calls")
    problems += serious_violations(page)
    assert not problems, "\n".join(problems)


def test_the_forms_are_valid_html(app, make_user, login, tmp_path):
    """The Nu HTML Checker on each form, empty, refused and previewed."""
    member = make_user(sector="academic")
    client = app.test_client()
    login(client, member)
    responses = {path: client.get(path) for path in FORM_PAGES}
    responses["/login"] = app.test_client().get("/login")
    responses["/register"] = app.test_client().get("/register")
    responses["refused practice"] = submit(client, "/practices/new", {"action": "draft"})
    responses["previewed practice"] = submit(
        client, "/practices/new", {"action": "preview", "body": "**bold**", "title": "T"}
    )
    responses["refused research"] = submit(client, "/research/new", {"action": "draft"})
    responses["refused thread"] = submit(client, "/forum/new", {"category": "policing"})
    responses["refused registration"] = submit(
        app.test_client(), "/register", {"email": "x", "password": "y"}
    )
    files = {}
    for number, (name, response) in enumerate(responses.items()):
        assert response.status_code in (200, 422), (name, response.status_code)
        file = tmp_path / f"form-{number}.html"
        file.write_bytes(response.data)
        files[str(file)] = name
    problems = vnu_problems(files)
    assert not problems, "\n".join(problems)


def test_text_sent_after_the_session_ended_is_offered_back_after_signing_in(new_page, make_user):
    member = make_user(sector="law-enforcement")
    page = phone(new_page, "officer")
    sign_in(page, member.email, member.password)
    page.goto("/research/new")
    summary = "Offenders who completed the programme were reconvicted less often."
    page.get_by_label("Title", exact=True).fill("Reconviction after treatment")
    page.get_by_label("Plain-language summary", exact=True).fill(summary)

    # a response still on its way (the page's icon) would set the session cookie again
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()  # the session ends while the member is still typing
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("This form had expired")).to_be_visible()

    sign_in(page, member.email, member.password)
    page.goto("/research/new")
    offer = page.get_by_role("region", name="Unsaved text")
    offer.get_by_role("button", name="Restore my text").click()
    expect(page.get_by_label("Plain-language summary", exact=True)).to_have_value(summary)
    expect(page.get_by_label("Title", exact=True)).to_have_value("Reconviction after treatment")
