"""The ``/search`` page, the header search box and the "related items" partial, as a
browser (and a screen reader) would meet them."""

import re
from html import unescape

import pytest
from flask import render_template
from flask_login import login_user

from kx.accounts.models import User
from kx.extensions import db
from kx.practice.models import Practice
from kx.search import views


def main(response) -> str:
    """The page's ``<main>``: what the search put there, without the header's search box."""
    html = response.get_data(as_text=True)
    return html[html.index("<main") : html.index("</main>")]


def page(client, **params) -> str:
    response = client.get("/search", query_string=params)
    assert response.status_code == 200
    return main(response)


def links(html: str) -> dict[str, str]:
    """Link text as a screen reader reads it (tags and aria-hidden parts dropped,
    whitespace collapsed) -> its href."""
    found = {}
    for href, inner in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', html, re.S):
        inner = re.sub(r'<span aria-hidden="true">.*?</span>', "", inner, flags=re.S)
        text = " ".join(re.sub(r"<[^>]+>", " ", inner).split())
        found[unescape(text)] = unescape(href)
    return found


def accessible_name(inner: str) -> str:
    """The name Chromium gives a control labelled by ``inner`` HTML: aria-hidden parts
    dropped, and a visually hidden span (absolutely positioned, so laid out as a block)
    read with a space either side."""
    inner = re.sub(r'<span aria-hidden="true">.*?</span>', "", inner, flags=re.S)
    inner = re.sub(r'<span class="visually-hidden">(.*?)</span>', r" \1 ", inner, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", inner)).split())


def visible_text(inner: str) -> str:
    """What a sighted user reads in ``inner`` HTML (visually hidden parts dropped)."""
    inner = re.sub(r'<span class="visually-hidden">.*?</span>', "", inner, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", inner)).split())


@pytest.fixture
def member(make_user):
    return make_user(sector="academic")


@pytest.fixture
def corpus(kx):
    return {
        "public": kx.practice(
            "Confidential helpline for worried adults",
            body="A confidential helpline answers calls from worried adults.",
            countries=["DE"],
            domains=["prevention"],
        ),
        "policing": kx.practice(
            "Helpline referrals from police",
            body="Officers refer callers to the helpline.",
            countries=["GB"],
            domains=["policing"],
        ),
        "members": kx.practice(
            "Members helpline: quillwort protocol",
            body="The helpline follows the quillwort protocol.",
            visibility="members",
            countries=["NO"],
        ),
    }


def test_results_show_highlighted_snippets_types_and_facts(client, kx, corpus):
    html = page(client, q="helpline")
    assert "2 results for “helpline”" in html
    assert "<mark>helpline</mark>" in html
    assert f'href="/practices/{corpus["public"]}"' in html
    assert "Practice example" in html and "Germany" in html


def test_item_text_is_escaped_and_only_mark_is_markup(client, kx):
    kx.practice(
        "<script>alert('title')</script> Helpline",
        body="The helpline `<script>alert('body')</script>` <img src=x onerror=alert(1)>.",
    )
    html = page(client, q="helpline")
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert('body')&lt;/script&gt; &lt;img" in html
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_facets_are_labelled_checkboxes_with_counts(client, kx, corpus):
    html = page(client, q="helpline")
    assert "<legend>Domain</legend>" in html and "<legend>Country</legend>" in html
    checkbox = re.search(r'<input type="checkbox" id="(f-domain-policing)"[^>]*>', html)
    assert checkbox and "checked" not in checkbox.group(0)
    label = re.search(r'<label for="f-domain-policing">(.*?)</label>', html, re.S).group(1)
    assert accessible_name(label) == "Policing (1 result)"
    assert visible_text(label) == "Policing (1)"
    practices = re.search(r'<label for="f-type-practice">(.*?)</label>', html, re.S).group(1)
    assert accessible_name(practices) == "Practice examples (2 results)"

    filtered = page(client, q="helpline", domain="policing")
    assert "1 result for “helpline” with 1 filter" in filtered
    assert re.search(r'id="f-domain-policing"[^>]*checked', filtered)


def test_active_filters_are_chips_that_remove_one_filter_each(client, kx, corpus):
    html = page(client, q="helpline", domain=["policing", "prevention"], country="GB")
    found = links(html)
    drop_policing = found["Remove filter Domain: Policing"]
    assert "domain=prevention" in drop_policing and "domain=policing" not in drop_policing
    assert "country=GB" in drop_policing and "q=helpline" in drop_policing
    drop_country = found["Remove filter Country: United Kingdom"]
    assert "country" not in drop_country and "domain=policing" in drop_country
    clear = found["Clear all filters"]
    assert clear == "/search?q=helpline"
    assert page(client, q="helpline").count("Remove filter") == 0


def test_sort_by_newest(client, kx):
    first = kx.practice("Older deterrence page", body="deterrence")
    second = kx.practice("Newer deterrence page", body="deterrence deterrence deterrence")
    html = page(client, q="deterrence", sort="newest")
    assert html.index(f"/practices/{second}") < html.index(f"/practices/{first}")
    assert re.search(r'<option value="newest" selected>', html)


def test_pagination_keeps_the_query_and_filters(client, kx, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    for n in range(5):
        kx.practice(f"Splash page {n}", body="A deterrence splash page.", countries=["GB"])
    html = page(client, q="splash", country="GB")
    assert "Page 1 of 3" in html
    following = links(html)["Next"]
    assert "q=splash" in following and "country=GB" in following and "page=2" in following
    assert "Page 3 of 3" in page(client, q="splash", country="GB", page=3)
    beyond = page(client, q="splash", country="GB", page=7)
    assert "past the last result" in beyond


def test_nonsense_parameters_are_ignored_not_errors(client, kx, corpus):
    html = page(
        client,
        q="helpline",
        domain="cooking",
        country="zz",
        type="people",
        year_from="soon",
        year_to="99999",
        sort="sideways",
        page="-4",
    )
    assert "2 results for “helpline”" in html and "Remove filter" not in html
    assert "Remove filter Country: Germany" in links(page(client, q="helpline", country="de"))


def test_zero_results_offer_a_spelling_and_dropping_filters(client, kx, corpus):
    html = page(client, q="helpilne")
    # nothing holds the word as typed: the results are its respelling's, and say so
    assert "2 results" in html and "Showing results for “helpline”" in html
    assert links(html)["search instead for “helpilne”"] == "/search?q=%22helpilne%22"
    assert "Did you mean" not in html
    assert "0 results" in page(client, q='"helpilne"')  # quoted: searched as typed

    filtered = page(client, q="helpline", domain="education")
    found = links(filtered)
    assert found["Remove Domain: Education"] == "/search?q=helpline"
    assert "(2 results)" in filtered
    assert not any(text.startswith("Remove the words") for text in found)  # finds nothing
    assert "Search tips" in filtered


def test_zero_results_state_widens_and_respells_at_once(client, kx, corpus):
    html = page(client, q="helpilne", domain="education")
    found = links(html)
    assert found["Remove Domain: Education and search for “helpline”"] == "/search?q=helpline"


def test_zero_results_never_hint_at_hidden_items(client, kx, corpus):
    html = page(client, q="quillwort")
    assert "0 results" in html and "quillwort protocol" not in html
    assert "Did you mean" not in page(client, q="quilwort")
    filtered = page(client, q="quillwort", country="NO")
    assert "Widen the search" not in filtered  # dropping either filter still finds nothing


def test_members_see_members_items_in_results_and_facets(client, kx, corpus, member, login):
    public = page(client, q="helpline")
    assert "quillwort" not in public.lower() and 'id="f-country-NO"' not in public
    login(client, member)
    html = page(client, q="helpline")
    assert "3 results" in html and "quillwort" in html.lower()
    assert 'id="f-country-NO"' in html


def test_header_has_a_labelled_search_box_on_every_page(client):
    html = client.get("/").get_data(as_text=True)
    form = re.search(r'<form class="header-search"[^>]*>.*?</form>', html, re.S).group(0)
    assert 'role="search"' in form and 'action="/search"' in form and 'method="get"' in form
    assert '<label for="header-q"' in form and 'id="header-q" name="q"' in form


def test_search_page_is_accessible_in_structure(client, kx, corpus):
    html = client.get("/search?q=helpline").get_data(as_text=True)
    assert html.count("<h1") == 1
    assert html.count('role="search"') == 2  # the header's box and the page's
    for control in re.findall(r'<(?:input|select)\b[^>]*\bid="([^"]+)"', html):
        assert f'for="{control}"' in html, control
    assert "style=" not in html and "<script" not in html


def test_anonymous_and_unverified_visitors_are_told_how_to_save(client, make_user, login):
    assert "Sign in</a> to save this search" in page(client, q="x")
    login(client, make_user(verified=False))
    html = page(client, q="x")
    assert "Verified members can save" in html and "Save theme" not in html


# Related items -------------------------------------------------------------------------


def render_related(app, item_id, user_id=None) -> str:
    with app.test_request_context("/"):
        if user_id is not None:
            login_user(db.session.get(User, user_id))
        item = db.session.get(Practice, item_id)
        return render_template("search/_related.html", item=item)


def test_related_items_partial_lists_only_what_the_viewer_may_see(app, kx, member):
    base = kx.practice(
        "Circles of support and accountability",
        body="Volunteers form circles of support and accountability around people after "
        "release: weekly circle meetings, accountability, support.",
    )
    public = kx.practice(
        "Circles of support in rural areas",
        body="Circles of support and accountability meet weekly in rural areas to give "
        "support after release.",
    )
    hidden = kx.practice(
        "Circles of support for members",
        body="Members-only notes on circles of support and accountability after release.",
        visibility="members",
    )
    anonymous = render_related(app, base)
    assert 'aria-labelledby="related-heading"' in anonymous and "Related items" in anonymous
    assert f'href="/practices/{public}"' in anonymous
    assert f"/practices/{hidden}" not in anonymous and "for members" not in anonymous
    assert f'href="/practices/{base}"' not in anonymous  # never itself

    as_member = render_related(app, base, member.id)
    assert f'href="/practices/{hidden}"' in as_member


def test_related_items_partial_for_an_unindexed_item_says_so(app, kx):
    draft = kx.practice("A draft nobody sees", body="text", submit=False)
    assert "Nothing related found yet." in render_related(app, draft)


def test_a_search_finding_nothing_offers_the_closest_themes(client):
    html = page(client, q="germny polcing")
    assert "0 results" in html
    themes = links(html)
    assert themes["Germany"] == "/topics/country/DE"
    assert themes["Policing"] == "/topics/domain/policing"
    assert themes["All themes"] == "/topics"
    assert "Closest themes" not in page(client, q="xyzzy")  # nothing close: no guess
