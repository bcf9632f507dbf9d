"""How the search reads a query: question words left out, tags recognised and offered as
filters (only when a result the viewer may see carries them), synonyms from the thesaurus,
and no dead end when no item holds every word."""

from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from kx.search import thesaurus
from kx.search.interpretation import read
from tests.search.test_pages import links, page


@pytest.fixture
def items(kx):
    """Public items tagged with countries and domains, and one restricted to law
    enforcement that is the only one tagged NL."""
    return {
        "outpatient": kx.practice(
            "Outpatient programme for people worried about their urges",
            "Confidential sessions before any offence, with therapists.",
            domains=["prevention"],
            countries=["DE"],
        ),
        "helpline": kx.practice(
            "Helpline for worried adults",
            "Callers talk to counsellors about their thoughts and their use of the internet.",
            domains=["prevention"],
            countries=["GB"],
        ),
        "material": kx.research(
            "Viewing child sexual abuse material: pathways",
            "How people come to view child sexual abuse material online.",
            domains=["treatment"],
            countries=["CA"],
        ),
        "hidden": kx.practice(
            "Zeppelin helpline triage",
            "Police triage of helpline referrals.",
            domains=["policing"],
            countries=["NL"],
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
        ),
    }


def key(kind, item_id) -> str:
    return f"{kind}:{item_id}"


def keys_of(results) -> list[str]:
    return [f"{hit.type}:{hit.id}" for hit in results.hits]


# Reading the words -------------------------------------------------------------------


def test_question_words_are_left_out_and_tags_recognised():
    searched, reading = read("what works in prevention in Germany?")

    assert searched == "prevention Germany"
    assert reading.ignored == ["what", "works", "in"]
    assert [(t.text, t.vocabulary, t.slug) for t in reading.recognised] == [
        ("prevention", "domains", "prevention"),
        ("Germany", "countries", "DE"),
    ]


def test_quoted_words_operators_and_a_query_of_only_small_words_are_kept_as_typed():
    assert read('"what works" Germany')[0] == '"what works" Germany'
    assert read('"CSAM"')[0] == '"CSAM"'
    assert read("helpline OR what")[0].endswith("OR what")
    assert read("how to")[0] == "how to"
    # a word after NOT is no tag to offer as a filter
    assert read("helpline NOT Germany")[1].recognised == []


def test_the_longest_tag_name_wins():
    _searched, reading = read("primary prevention in New Zealand")

    assert [(t.vocabulary, t.slug) for t in reading.recognised] == [
        ("prevention_levels", "primary"),
        ("countries", "NZ"),
    ]


# Searching -----------------------------------------------------------------------------


def test_a_question_finds_its_words_those_holding_all_of_them_first(kx, items):
    question = kx.search("what works in prevention in Germany?")

    assert keys_of(question) == [
        key("practice", items["outpatient"]),  # prevention, Germany
        key("practice", items["helpline"]),  # prevention
    ]
    assert question.interpretation.fallback == "any-words"
    assert question.interpretation.all_words == 1
    assert question.interpretation.suggested_filters == {
        "domain": ["prevention"],
        "country": ["DE"],
    }


def test_keywords_must_all_be_found_when_some_item_holds_them_all(kx, items):
    results = kx.search("prevention Germany")

    assert keys_of(results) == [key("practice", items["outpatient"])]
    assert results.interpretation.fallback is None


def test_recognised_tags_are_not_applied_as_filters(kx, items):
    results = kx.search("prevention")

    assert set(keys_of(results)) == {
        key("practice", items["outpatient"]),
        key("practice", items["helpline"]),
    }
    assert results.interpretation.suggested_filters == {"domain": ["prevention"]}
    # once applied, a filter is not suggested again
    applied = kx.search("prevention", domains=["prevention"])
    assert applied.interpretation.suggested_filters == {}


def test_an_acronym_finds_the_items_that_spell_it_out(kx, items):
    results = kx.search("CSAM")

    assert keys_of(results) == [key("research", items["material"])]
    expanded = results.interpretation.expanded
    assert "child sexual abuse material" in expanded["csam"]
    assert kx.search('"CSAM"').total == 0  # quoted: literally
    assert kx.search("child pornography").total == 1


def test_no_item_with_every_word_shows_those_with_most_of_them(kx, items):
    results = kx.search("helpline worried quokka")

    assert results.interpretation.fallback == "any-words"
    # both words before one of them
    assert keys_of(results) == [
        key("practice", items["helpline"]),
        key("practice", items["outpatient"]),
    ]


def test_nothing_matching_any_word_is_still_nothing(kx, items):
    results = kx.search("quokka wombat")

    assert (results.total, results.interpretation.fallback) == (0, None)


def test_a_theme_with_few_items_holding_every_word_is_followed_by_those_with_most(kx, items):
    results = kx.search("helpline worried thoughts")

    # both items hold "worried"; only the helpline also names the others
    assert keys_of(results) == [
        key("practice", items["helpline"]),
        key("practice", items["outpatient"]),
    ]
    assert (results.interpretation.fallback, results.interpretation.all_words) == ("any-words", 1)
    # two words ask for both; repeated words are one word
    assert keys_of(kx.search("helpline worried")) == [key("practice", items["helpline"])]
    assert kx.search("helpline worried worried").interpretation.fallback is None
    assert kx.search('"helpline" worried thoughts').interpretation.fallback is None


def test_a_misspelt_query_finding_nothing_shows_what_its_respelling_finds(kx, items):
    results = kx.search("helpilne")

    assert keys_of(results) == [key("practice", items["helpline"])]
    assert results.interpretation.searched == "helpline"
    assert results.interpretation.respelled == "helpilne"
    assert results.interpretation.as_typed == '"helpilne"'
    assert results.suggestion == "helpline"
    # the words as typed, quoted, are searched as typed
    assert kx.search('"helpilne"').total == 0


def test_a_respelling_picks_the_word_keeping_both_ends(kx, items):
    # more visible items hold "helping" than "helpline", one edit away too
    kx.practice("Helping families", "Helping families through an arrest.")
    kx.practice("Helping employers", "Helping employers after a disclosure.")

    assert kx.search("helpine").interpretation.searched == "helpline"


def test_a_slip_sharing_a_stem_with_another_word_is_respelled_when_little_matches(kx):
    deter = kx.practice("Messages that deter", "Messages may deter a search.")
    first = kx.practice("Deterrence messages", "Deterrence messages on search pages.")
    second = kx.research("Deterrence messages tested", "Deterrence messages in a trial.")

    results = kx.search("deterence messages")  # "deterence" is stemmed as "deter" is

    assert set(keys_of(results)) == {key("practice", first), key("research", second)}
    assert results.interpretation.respelled == "deterence messages"
    assert results.interpretation.as_typed == '"deterence" messages'
    # operators and quotes say exactly what they mean
    assert keys_of(kx.search("deterence AND messages")) == [key("practice", deter)]


def test_a_feed_is_never_respelled(kx, items):
    assert kx.search("helpilne", widen=False).total == 0


# Visibility ----------------------------------------------------------------------------


def test_a_respelling_comes_only_from_what_the_viewer_may_see(kx, items):
    outsider = kx.search("zepelin", None)

    assert (outsider.total, outsider.suggestion) == (0, None)
    assert outsider.interpretation.respelled is None

    insider = kx.search("zepelin", "le")
    assert keys_of(insider) == [key("practice", items["hidden"])]
    assert insider.interpretation.respelled == "zepelin"


def test_a_tag_only_hidden_items_carry_is_never_suggested(kx, items):
    for viewer in (None, "unverified", "academic"):
        results = kx.search("Netherlands helpline", viewer)

        assert "country" not in results.interpretation.suggested_filters, viewer
        assert key("practice", items["hidden"]) not in keys_of(results), viewer

    insider = kx.search("Netherlands helpline", "le")
    assert keys_of(insider) == [key("practice", items["hidden"])]
    assert insider.interpretation.suggested_filters == {"country": ["NL"]}


def test_the_fallback_runs_inside_the_visibility_filter(kx, items):
    outsider = kx.search("zeppelin helpline", None)

    assert outsider.interpretation.fallback == "any-words"
    assert keys_of(outsider) == [key("practice", items["helpline"])]
    assert outsider.facets["country"] == {"GB": 1}

    insider = kx.search("zeppelin helpline", "le")
    assert insider.interpretation.fallback is None
    assert keys_of(insider) == [key("practice", items["hidden"])]


# API -----------------------------------------------------------------------------------


def test_the_api_reports_the_interpretation(client, kx, items):
    response = client.get(
        "/api/v1/search", query_string={"q": "what works in prevention in Germany?"}
    )
    body = response.get_json()

    assert response.status_code == 200
    assert body["interpretation"] == {
        "recognised": [
            {"text": "prevention", "vocabulary": "domains", "slug": "prevention"},
            {"text": "Germany", "vocabulary": "countries", "slug": "DE"},
        ],
        "ignored": ["what", "works", "in"],
        "expanded": {},
        "fallback": "any-words",
        "suggested_filters": {"domain": ["prevention"], "country": ["DE"]},
        "respelled": None,
    }
    respelled = client.get("/api/v1/search", query_string={"q": "helpilne"}).get_json()
    assert respelled["interpretation"]["respelled"] == {
        "typed": "helpilne",
        "as_typed": '"helpilne"',
    }
    assert respelled["total"] >= 1
    fallback = client.get("/api/v1/search", query_string={"q": "zeppelin helpline"}).get_json()
    assert fallback["interpretation"]["fallback"] == "any-words"
    assert [item["id"] for item in fallback["items"]] == [items["helpline"]]


# The page ------------------------------------------------------------------------------


def test_the_page_says_how_it_read_the_words_and_offers_the_filters(client, kx, items):
    html = page(client, q="what works in prevention in Germany?")

    assert "Searched for “prevention Germany”" in unescape(html)
    assert "1 result matches all words (shown first); the others match some of them." in html
    found = links(html)
    applied = parse_qs(urlsplit(found["Filter to Domain: Prevention · Country: Germany"]).query)
    assert applied["domain"] == ["prevention"] and applied["country"] == ["DE"]
    literal = parse_qs(urlsplit(found["Search only the words as typed"]).query)
    assert literal["q"] == ['"what" "works" "in" prevention "in" Germany']


def test_the_page_names_the_synonyms_and_the_fallback(client, kx, items):
    html = unescape(page(client, q="CSAM"))
    assert "also matched: csam → child sexual abuse material" in html

    html = unescape(page(client, q="helpline worried quokka"))
    assert "No item matches all words; showing items that match most." in html


def test_a_theme_never_widens_to_part_of_its_words(kx, items):
    results = kx.search("zeppelin helpline", widen=False)

    assert (results.total, results.interpretation.fallback) == (0, None)


def test_synonyms_stay_within_the_bounds(kx, items):
    text = " ".join(["CSAM grooming helpline COSA IIOC"] * 6)  # 30 words

    results = kx.search(text)

    assert any("only the first 20 were searched" in notice for notice in results.notices)
    added = sum(len(synonyms) for synonyms in results.interpretation.expanded.values())
    assert added <= thesaurus.MAX_PER_QUERY
