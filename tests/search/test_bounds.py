"""What one search may cost: prefix* expansion, words per query, "widen the search"
alternatives, a time budget and a per-address rate limit.

Costs are counted where they arise: every word a prefix* stands for is read from the index
by ``IndexReader.expand_prefix`` (26 one-letter prefixes read the whole vocabulary, ~4 s at
20,000 items), and every search runs the backend's ``search``."""

import re
import string
import time
from html import unescape

import pytest
from whoosh.reading import IndexReader

from kx.search import views
from kx.search.whoosh.query import MAX_EXPANDED_WORDS, MAX_PREFIX_WORDS
from kx.search.words import MAX_TERMS

ONE_LETTER = " ".join(f"{letter}*" for letter in string.ascii_lowercase)
THREE_LETTERS = " OR ".join(f"{letter}ba*" for letter in string.ascii_lowercase)


def made_up_words(first: str, count: int) -> list[str]:
    """``count`` distinct words of letters that start with ``first``."""
    tails = (a + b + c for a in "bdgklmnprstvz" for b in "aeiou" for c in "bdgklmnprstvz")
    return [first + tail for tail, _ in zip(tails, range(count), strict=False)]


@pytest.fixture
def vocabulary(kx):
    """Ten public items holding 3,120 made-up words: 120 for each letter, 100 of them
    starting "kba" and "xba" (more than one prefix may stand for)."""
    words = []
    for letter in string.ascii_lowercase:
        words += made_up_words(letter + "ba", 100) + made_up_words(letter + "o", 20)
    for n in range(10):
        kx.practice(f"Vocabulary item {n}", " ".join(words[n::10]))
    return words


@pytest.fixture
def expansions(monkeypatch):
    """How many words prefix* expansion reads from the index (a list, to read after)."""
    read = [0]
    original = IndexReader.expand_prefix

    def counting(self, fieldname, prefix):
        for word in original(self, fieldname, prefix):
            read[0] += 1
            yield word

    monkeypatch.setattr(IndexReader, "expand_prefix", counting)
    return read


@pytest.fixture
def searches(app, monkeypatch):
    """How many searches the backend runs (a list, to read after)."""
    ran = [0]
    backend = type(app.extensions["kx-search"])
    original = backend.search

    def counting(self, *args, **kwargs):
        ran[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(backend, "search", counting)
    return ran


def page_text(response) -> str:
    return " ".join(unescape(response.get_data(as_text=True)).split())


def test_one_letter_prefixes_are_searched_as_words_and_the_page_says_so(
    client, vocabulary, expansions
):
    started = time.perf_counter()
    response = client.get("/search", query_string={"q": ONE_LETTER})
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    text = page_text(response)
    assert "needs at least 3 letters before the *" in text
    assert "“a*”, “b*”" in text and "searched as a whole word" in text
    # Not one word of the vocabulary was read (before: every word, in both text fields).
    assert expansions[0] == 0
    # A page of a ten-item index with nothing to expand: far under a second even on a
    # busy two-core machine (before: ~4 s at 20,000 items, growing with the vocabulary).
    assert elapsed < 1.0


def test_one_letter_prefixes_in_the_api_are_explained_in_notices(client, vocabulary, expansions):
    response = client.get("/api/v1/search", query_string={"q": ONE_LETTER})

    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 0
    assert any("at least 3 letters" in notice for notice in body["notices"])
    assert expansions[0] == 0


@pytest.mark.whoosh_only(
    reason="counts Whoosh's prefix expansion; PostgreSQL matches a prefix* inside its GIN "
    "index, word by word never listed, within the time budget"
)
def test_a_prefix_stands_for_a_bounded_number_of_words(client, kx, vocabulary, expansions):
    body = client.get("/api/v1/search", query_string={"q": "kba*"}).get_json()

    # 100 words start "kba"; the first MAX_PREFIX_WORDS of them are searched, in each of
    # the two text fields, plus one read per field that shows there are more.
    assert expansions[0] <= 2 * (MAX_PREFIX_WORDS + 1)
    assert any("“kba*” stands for too many words" in n for n in body["notices"])
    # Still a useful answer: every item holding one of the searched words.
    assert body["total"] == 10


@pytest.mark.whoosh_only(
    reason="counts Whoosh's prefix expansion; PostgreSQL matches a prefix* inside its GIN "
    "index, word by word never listed, within the time budget"
)
def test_the_prefixes_of_one_query_share_a_bounded_number_of_words(client, vocabulary, expansions):
    """26 prefixes of 100 words each would be 5,200 words in two fields."""
    body = client.get("/api/v1/search", query_string={"q": THREE_LETTERS}).get_json()

    # Each prefix may read one word past its share to tell that more exist.
    assert expansions[0] <= MAX_EXPANDED_WORDS + 2 * len(string.ascii_lowercase)
    assert any("stands for too many words" in notice for notice in body["notices"])
    assert body["total"] == 10


def test_short_prefixes_still_find_their_word(kx):
    item = kx.practice("Programme ox", "An ox pulls the plough.")

    assert kx.keys("ox*") == {f"practice:{item}"}
    assert kx.search("ox*").notices


def test_a_30_word_query_searches_only_the_first_words(client, kx):
    words = made_up_words("q", 30)
    last = kx.practice("Only the last word", f"This one says {words[-1]}.")
    first = kx.practice("Only the first word", f"This one says {words[0]}.")

    body = client.get("/api/v1/search", query_string={"q": " OR ".join(words)}).get_json()

    assert {item["id"] for item in body["items"]} == {first}
    assert last not in {item["id"] for item in body["items"]}
    assert body["notices"] == [
        f"A search may hold {MAX_TERMS} words: only the first {MAX_TERMS} were searched."
    ]
    page = page_text(client.get("/search", query_string={"q": " ".join(words)}))
    assert f"only the first {MAX_TERMS} were searched" in page


def test_the_zero_result_page_tries_a_bounded_number_of_alternatives(client, kx, searches):
    kx.practice("Kestrel programme", "A kestrel programme.", domains=["prevention"])
    filters = {
        "q": "kestrel",
        "domain": ["policing", "treatment", "education"],
        "country": ["DE", "FR"],
        "prevention_level": ["tertiary"],
        "study_design": ["rct"],
    }

    response = client.get("/search", query_string=filters)

    assert response.status_code == 200
    text = page_text(response)
    assert "Nothing matches “kestrel” with these filters." in text
    # The search itself, then at most two (widened, then respelt) per alternative; before,
    # eight alternatives ran, each up to twice.
    assert searches[0] <= 1 + 2 * views.MAX_ALTERNATIVES
    assert searches[0] <= 7
    # The broadest widening is among those tried, however many filters there are.
    assert 'Remove all filters</a> <span class="count">(1 result)' in text


def test_a_search_out_of_time_shows_partial_results_with_a_notice(app, client, kx):
    for n in range(3):
        kx.practice(f"Kestrel {n}", "A kestrel programme.")
    app.config["SEARCH_TIME_BUDGET"] = 0.0

    response = client.get("/search", query_string={"q": "kestrel"})

    assert response.status_code == 200
    text = page_text(response)
    assert "took too long and was stopped: the results below are incomplete" in text
    # what was found before the budget ran out (Whoosh: the first match collected;
    # PostgreSQL: a page of matches, unranked)
    assert re.search(r"At least [1-3] results? for “kestrel”", text)


def test_no_alternatives_are_tried_once_the_time_budget_is_spent(app, client, kx, searches):
    kx.practice("Kestrel", "A kestrel programme.", domains=["prevention"])
    app.config["SEARCH_TIME_BUDGET"] = 0.0

    response = client.get("/search", query_string={"q": "kestrel", "domain": "policing"})

    assert response.status_code == 200
    assert "Nothing matches “kestrel” with these filters." in page_text(response)
    assert searches[0] == 1


def test_an_api_search_out_of_time_answers_422(app, client, kx):
    kx.practice("Kestrel", "A kestrel programme.")
    app.config["SEARCH_TIME_BUDGET"] = 0.0

    response = client.get("/api/v1/search", query_string={"q": "kestrel"})

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["status"] == 422
    assert "took too long" in error["message"]
    assert "q" in error["fields"]

    # Newest first, and a prefix* whose documents are read before any is collected.
    for params in ({"q": "kestrel", "sort": "newest"}, {"q": "kestr*"}):
        assert client.get("/api/v1/search", query_string=params).status_code == 422, params

    app.config["SEARCH_TIME_BUDGET"] = 1.5
    assert client.get("/api/v1/search", query_string={"q": "kestrel"}).status_code == 200
    assert client.get("/api/v1/search", query_string={"q": "kestr*"}).status_code == 200


def test_search_is_rate_limited_per_address_across_page_api_and_feed(app, client, kx):
    app.config["SEARCH_LIMITS"] = "4 per minute"

    assert client.get("/search", query_string={"q": "kestrel"}).status_code == 200
    assert client.get("/search").status_code == 200
    assert client.get("/api/v1/search", query_string={"q": "kestrel"}).status_code == 200
    assert client.get("/feeds/not-a-real-token.atom").status_code == 404

    page = client.get("/search", query_string={"q": "kestrel"})
    assert page.status_code == 429
    assert "Wait a minute and try again" in page_text(page)
    api = client.get("/api/v1/search", query_string={"q": "kestrel"})
    assert api.status_code == 429
    assert api.get_json()["error"]["status"] == 429
    assert client.get("/feeds/not-a-real-token.atom").status_code == 429
    # Another address has its own budget.
    other = client.get("/search", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_the_default_search_limit_is_generous(app, client):
    assert app.config["SEARCH_LIMITS"] == "60 per minute"
    statuses = [client.get("/api/v1/search").status_code for _ in range(60)]

    assert set(statuses) == {200}
    assert client.get("/api/v1/search").status_code == 429
