"""The search page's order as it arrives, before any stylesheet or script: the facets wait
behind a "Filter" disclosure, the active filters are links above the results, and the
results come before everything a phone would otherwise scroll past."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.browser import Html


@pytest.fixture
def corpus(kx):
    return {
        "germany": kx.practice(
            "What works in prevention in Germany: a helpline review",
            body="A review of what works in prevention for adults worried about their thoughts.",
            countries=["DE"],
            domains=["prevention"],
        ),
        "canada": kx.practice(
            "Prevention helpline in Canada",
            body="A helpline for prevention, answered by counsellors.",
            countries=["CA"],
            domains=["prevention", "treatment"],
        ),
    }


def search(client, **params) -> Html:
    response = client.get("/search", query_string=params)
    assert response.status_code == 200
    return Html(response)


def position(html: Html, predicate) -> int:
    """Where the first element matching ``predicate(tag, attrs)`` opens, in document order."""
    return next(i for i, (tag, attrs, _) in enumerate(html.elements) if predicate(tag, attrs))


def query_of(href: str) -> dict[str, list[str]]:
    """The search a link leads to: each parameter's values, in any order."""
    parts = urlsplit(href)
    assert parts.path == "/search", href
    return {name: sorted(values) for name, values in parse_qs(parts.query).items()}


def test_facets_wait_closed_behind_a_filter_summary(client, corpus):
    html = search(client, q="prevention")
    details = [
        attrs
        for tag, attrs, _ in html.elements
        if tag == "details" and attrs.get("class") != "site-menu"  # the header's menu
    ]
    assert len(details) == 1 and "open" not in details[0]  # closed until asked, JS or not
    summary = position(
        html, lambda tag, attrs: tag == "summary" and attrs.get("class") != "menu-button"
    )
    assert html.elements[summary][2][-1] == "details"  # the disclosure's own summary
    boxes = [(t, a, up) for t, a, up in html.elements if a.get("type") == "checkbox"]
    assert {a["id"] for _, a, _ in boxes} >= {"f-country-DE", "f-country-CA", "f-domain-prevention"}
    assert all("details" in up and "form" in up for _, _, up in boxes)
    assert all("details" in up for t, _, up in html.elements if t == "fieldset")
    [form] = [up for t, a, up in html.elements if "filter-form" in a.get("class", "")]
    assert "details" in form  # and with it the "Apply filters" button
    # Everything of the filter form sits in the disclosure: the year range too.
    for name in ("year_from", "year_to"):
        up = next(up for t, a, up in html.elements if a.get("name") == name and t == "input")
        assert "details" in up, name


def test_the_results_come_right_after_the_filter_summary(client, corpus):
    html = search(client, q="prevention", country="DE")
    summary = position(html, lambda tag, attrs: tag == "summary")
    results = position(html, lambda tag, attrs: attrs.get("id") == "results-heading")
    chips = position(html, lambda tag, attrs: attrs.get("id") == "active-filters-label")
    sort = position(html, lambda tag, attrs: attrs.get("id") == "sort")
    csv = position(html, lambda tag, attrs: "format=csv" in attrs.get("href", ""))
    first_hit = position(html, lambda tag, attrs: "search-hits" in attrs.get("class", ""))
    assert summary < results < chips < sort < first_hit
    assert csv < first_hit
    assert "What works in prevention in Germany" in html.text_of(
        f"hit-practice-{corpus['germany']}"
    )


def test_each_chip_links_to_the_search_without_its_filter(client, corpus):
    html = search(client, q="prevention", domain=["prevention", "treatment"], country="CA")
    chips = dict(_chip_links(html))
    assert set(chips) == {
        "Remove filter Domain: Prevention",
        "Remove filter Domain: Treatment",
        "Remove filter Country: Canada",
    }
    assert query_of(chips["Remove filter Domain: Prevention"]) == {
        "q": ["prevention"],
        "domain": ["treatment"],
        "country": ["CA"],
    }
    assert query_of(chips["Remove filter Country: Canada"]) == {
        "q": ["prevention"],
        "domain": ["prevention", "treatment"],
    }
    # With more than one filter, all of them go at once from beside the chips too.
    clears = [a["href"] for t, a, up in html.elements if a.get("class") == "clear-filters"]
    assert clears == ["/search?q=prevention"]


def test_a_chip_leads_to_the_results_without_it(client, corpus):
    narrowed = search(client, q="prevention", country="CA")
    assert "1 result for “prevention” with 1 filter" in narrowed.text
    [(_, href)] = _chip_links(narrowed)
    widened = client.get(href)
    assert widened.status_code == 200
    html = Html(widened)
    assert "2 results for “prevention”" in html.text and "with 1 filter" not in html.text
    assert not _chip_links(html)
    assert html.has_id(f"hit-practice-{corpus['germany']}")


def test_no_filters_means_no_chips_and_the_facets_still_wait(client, corpus):
    html = search(client, q="prevention")
    assert not _chip_links(html) and not html.has_id("active-filters-label")
    assert not [a for _, a, _ in html.elements if a.get("class") == "clear-filters"]
    assert "details" in next(up for t, a, up in html.elements if a.get("id") == "f-country-DE")


_HIDDEN = re.compile(r'<span aria-hidden="true">.*?</span>', re.S)


def _chip_links(html: Html) -> list[tuple[str, str]]:
    """(text a screen reader reads, href) of each link in the active filters' list."""
    block = re.search(
        r'<ul class="tags" aria-labelledby="active-filters-label">(.*?)</ul>', html.html, re.S
    )
    if not block:
        return []
    return [
        (
            " ".join(unescape(re.sub(r"<[^>]+>", " ", _HIDDEN.sub("", inner))).split()),
            unescape(href),
        )
        for href, inner in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', block.group(1), re.S)
    ]
