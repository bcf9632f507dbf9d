"""Members-only and restricted items never reach the wrong viewer through search: not in
hits, totals, facet counts, snippets, "did you mean" or related items; also right after a
visibility downgrade, a rejection, an archive or a deletion.

The corpus: every item mentions "helpline" and shares words with the others (so each is
"related" to each); each carries a word of its own (a facet value, a country) so a leak
shows up wherever it would surface.
"""

import pytest

from kx.search import indexing
from kx.search import services as search_services
from kx.search.backend import Query
from kx.search.whoosh.facets import as_whoosh_query
from tests.support.search import VIEWERS, no_drift

COMMON = (
    "A confidential helpline offers anonymous advice and support to adults worried about "
    "their sexual thoughts, with callbacks, counselling and referral to local treatment."
)


@pytest.fixture
def corpus(kx):
    """Published items of each visibility, plus a draft and a pending item."""
    ids = {
        "public": kx.practice(
            "Public helpline for worried adults",
            f"{COMMON} Volunteers answer evenings.",
            domains=["prevention"],
            countries=["GB"],
            prevention_level="primary",
        ),
        "public2": kx.practice(
            "Helpline callbacks and counselling",
            f"{COMMON} Callers may stay anonymous.",
            domains=["prevention"],
            countries=["GB"],
            prevention_level="primary",
        ),
        "members": kx.practice(
            "Members helpline marmalade protocol",
            f"{COMMON} The marmalade protocol covers follow-up calls.",
            domains=["education"],
            countries=["DE"],
            prevention_level="secondary",
            visibility="members",
        ),
        "restricted": kx.practice(
            "Restricted helpline zeppelin triage",
            f"{COMMON} Zeppelin triage ranks cases for the marlin unit.",
            domains=["policing"],
            countries=["NL"],
            prevention_level="tertiary",
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
        ),
        "restricted_research": kx.research(
            "Trial of a helpline for police referrals",
            f"{COMMON} A randomised trial of zeppelin referrals.",
            domains=["risk-assessment"],
            countries=["SE"],
            study_design="rct",
            year=2019,
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
        ),
        "academic_research": kx.research(
            "Cohort study of helpline callers",
            f"{COMMON} A cohort of callers followed for two years.",
            domains=["desistance"],
            countries=["FI"],
            study_design="cohort",
            year=2021,
            visibility="restricted",
            restricted_sectors=["academic"],
        ),
        "draft": kx.practice(
            "Draft helpline quagga notes", f"{COMMON} Quagga.", by="author", submit=False
        ),
        "pending": kx.practice(
            "Pending helpline wombat notes", f"{COMMON} Wombat.", by="author", submit=True
        ),
    }
    keys = {
        name: f"{'research' if 'research' in name else 'practice'}:{item_id}"
        for name, item_id in ids.items()
    }
    return ids, keys


ITEM_FACETS = {
    "public": {"type": "practice", "domain": "prevention", "country": "GB", "level": "primary"},
    "public2": {"type": "practice", "domain": "prevention", "country": "GB", "level": "primary"},
    "members": {"type": "practice", "domain": "education", "country": "DE", "level": "secondary"},
    "restricted": {"type": "practice", "domain": "policing", "country": "NL", "level": "tertiary"},
    "restricted_research": {
        "type": "research",
        "domain": "risk-assessment",
        "country": "SE",
        "design": "rct",
    },
    "academic_research": {
        "type": "research",
        "domain": "desistance",
        "country": "FI",
        "design": "cohort",
    },
}

VISIBLE = {
    None: {"public", "public2"},
    "unverified": {"public", "public2"},
    "le": {"public", "public2", "members", "restricted", "restricted_research"},
    "academic": {"public", "public2", "members", "academic_research"},
    "moderator": set(ITEM_FACETS),  # everything published; never drafts or pending items
}


def expected_facets(names) -> dict:
    facets = {"type": {}, "domain": {}, "country": {}, "prevention_level": {}, "study_design": {}}
    for name in names:
        attributes = ITEM_FACETS[name]
        for facet, attribute in [
            ("type", "type"),
            ("domain", "domain"),
            ("country", "country"),
            ("prevention_level", "level"),
            ("study_design", "design"),
        ]:
            if attribute in attributes:
                value = attributes[attribute]
                facets[facet][value] = facets[facet].get(value, 0) + 1
    return facets


@pytest.mark.parametrize("text", ["helpline", "", "helpline OR zeppelin OR marmalade"])
def test_hits_totals_and_facets_hold_only_what_the_viewer_may_see(kx, corpus, text):
    _ids, keys = corpus
    for viewer in VIEWERS:
        expected = {keys[name] for name in VISIBLE[viewer]}

        results = kx.search(text, viewer, per_page=100)

        assert {f"{hit.type}:{hit.id}" for hit in results.hits} == expected, viewer
        assert results.total == len(expected), viewer
        assert results.facets == expected_facets(VISIBLE[viewer]), viewer


def test_words_of_hidden_items_find_nothing_for_outsiders(kx, corpus):
    outsiders = {
        "zeppelin": [None, "unverified", "academic"],  # restricted to law enforcement
        "Zeppelin triage": [None, "unverified", "academic"],
        "marlin": [None, "unverified", "academic"],
        "trial zeppelin": [None, "unverified", "academic"],
        "marmalade": [None, "unverified"],  # members only
        "cohort": [None, "unverified", "le"],  # restricted to academics
    }
    for text, viewers in outsiders.items():
        for viewer in viewers:
            results = kx.search(text, viewer)

            assert (results.total, results.hits) == (0, []), (text, viewer)
            assert all(counts == {} for counts in results.facets.values()), (text, viewer)
            assert results.suggestion is None, (text, viewer)


def test_words_of_drafts_and_pending_items_are_not_searchable_even_for_moderators(kx, corpus):
    for viewer in ("moderator", "le"):
        for word in ("quagga", "wombat"):
            assert kx.search(word, viewer).total == 0


def test_snippets_come_only_from_visible_items(kx, corpus):
    audiences = {
        "zeppelin": {"le", "moderator"},
        "marmalade": {"le", "academic", "moderator"},
        "cohort": {"academic", "moderator"},
        "quagga": set(),
    }
    for viewer in VIEWERS:
        results = kx.search("helpline", viewer, per_page=100)
        snippets = " ".join(hit.snippet.lower() for hit in results.hits)
        assert "<mark>helpline</mark>" in snippets
        for word, audience in audiences.items():
            if viewer not in audience:
                assert word not in snippets, (word, viewer)
            hits = kx.search(word, viewer, per_page=100).hits
            marked = [h for h in hits if f"<mark>{word}</mark>" in h.snippet.lower()]
            assert bool(marked) == (viewer in audience), (word, viewer)


@pytest.mark.parametrize(
    ("text", "correct", "audience"),
    [
        ("zeppelim", "zeppelin", {"le", "moderator"}),  # only in law-enforcement items
        ("marmelade", "marmalade", {"le", "academic", "moderator"}),  # only members-only
        ("cohrot", "cohort", {"academic", "moderator"}),  # only in academics' research
    ],
)
def test_did_you_mean_never_offers_a_word_the_viewer_may_not_see(
    kx, corpus, text, correct, audience
):
    for viewer in VIEWERS:
        suggestion = kx.search(text, viewer).suggestion

        assert suggestion == (correct if viewer in audience else None), viewer


def test_did_you_mean_with_or_keeps_the_hidden_word_hidden(kx, corpus):
    """With OR, a respelt query finds more through its visible word alone; the hidden
    word must still not be respelt into the suggestion."""
    for viewer in (None, "unverified", "academic"):
        assert kx.search("helpilne OR zeppelim", viewer).suggestion == "helpline OR zeppelim"
    assert kx.search("helpilne OR zeppelim", "le").suggestion == "helpline OR zeppelin"


def test_a_hidden_word_is_treated_as_unknown_for_outsiders(kx, corpus):
    """ "marlin" occurs only in the restricted item: an outsider who types it gets the
    respelling a corpus without that item would give ("martin"), not a silence that would
    tell them the word exists."""
    kx.practice("Martin's desk", f"{COMMON} The martin desk answers.", countries=["GB"])

    assert kx.search("marlin", None).suggestion == "martin"
    assert kx.search("marlin", "academic").suggestion == "martin"
    assert kx.search("marlin", "le").suggestion is None
    assert kx.search("marlin", "le").total == 1


def test_related_items_hold_only_what_the_viewer_may_see(kx, corpus):
    ids, keys = corpus
    for viewer in VIEWERS:
        expected = {keys[name] for name in VISIBLE[viewer]} - {keys["public"]}

        assert kx.related("practice", ids["public"], viewer) == expected, viewer


# ---------------------------------------------------------------- right after a change


def assert_seen_only_by(kx, keys, name, word, audience):
    """``keys[name]`` reaches exactly ``audience`` through every way search shows items."""
    key = keys[name]
    for viewer in VIEWERS:
        sees = viewer in audience
        hits = kx.keys(word, viewer)
        assert (key in hits) == sees, (viewer, "hits")
        assert kx.search(word, viewer).total == len(hits), (viewer, "total")
        facets = kx.search(word, viewer).facets
        assert sum(facets["type"].values()) == len(hits), (viewer, "facets")
        assert (key in kx.related("practice", _id(keys["public2"]), viewer)) == sees, viewer
        suggestion = kx.search(word[:-1] + "x", viewer).suggestion
        assert (suggestion == word) == sees, (viewer, "suggestion", suggestion)


def _id(key: str) -> int:
    return int(key.split(":")[1])


def test_visibility_downgrade_hides_the_item_at_once(kx, corpus):
    ids, keys = corpus
    assert_seen_only_by(kx, keys, "public", "evenings", set(VIEWERS))

    kx.edit_practice(ids["public"], by="moderator", visibility="members")

    assert_seen_only_by(kx, keys, "public", "evenings", {"le", "academic", "moderator"})

    kx.edit_practice(
        ids["public"], visibility="restricted", restricted_sectors=["academic"], by="moderator"
    )

    assert_seen_only_by(kx, keys, "public", "evenings", {"academic", "moderator"})
    assert no_drift(kx.drift())


def test_an_authors_downgrade_is_applied_too(kx):
    item = kx.practice("Author's helpline", f"{COMMON} Lighthouse.", by="author")
    kx.review("practice", item, "approve")
    assert kx.keys("lighthouse", None) == {f"practice:{item}"}

    kx.edit_practice(item, by="author", visibility="members")

    assert kx.keys("lighthouse", None) == set()
    assert kx.keys("lighthouse", "academic") == {f"practice:{item}"}


def test_an_edit_waiting_for_review_then_rejected_leaves_search_as_published(kx, corpus):
    """A published item's edit waits for review: search keeps the approved text for
    everyone who may see it, the proposed text never reaches the index, and the
    moderator's rejection leaves it so."""
    item = kx.practice("Author's helpline", f"{COMMON} Lighthouse.", by="author")
    kx.review("practice", item, "approve")
    assert kx.keys("lighthouse", "moderator") == {f"practice:{item}"}

    kx.edit_practice(item, by="author", body=f"{COMMON} Lighthouse. Mail jo.bloggs@example.org")

    assert kx.keys("bloggs", "moderator") == set()
    assert kx.keys("lighthouse", None) == {f"practice:{item}"}
    kx.review("practice", item, "reject", "Remove the e-mail address.")
    for viewer in VIEWERS:
        assert kx.keys("lighthouse", viewer) == {f"practice:{item}"}
        assert kx.keys("bloggs", viewer) == set()
    assert no_drift(kx.drift())


def test_a_rejected_submission_never_reaches_search(kx):
    item = kx.practice("Submitted helpline", f"{COMMON} Lighthouse.", by="author")
    kx.review("practice", item, "reject", "Needs outcomes.")

    for viewer in VIEWERS:
        assert kx.keys("lighthouse", viewer) == set()
    assert no_drift(kx.drift())


def test_archive_takes_the_item_out_for_everyone(kx, corpus):
    ids, keys = corpus
    kx.archive("practice", ids["public"])

    assert_seen_only_by(kx, keys, "public", "evenings", set())
    assert no_drift(kx.drift())


def test_deletion_takes_the_item_out_for_everyone(kx, corpus):
    ids, keys = corpus
    kx.delete("practice", ids["members"])

    assert_seen_only_by(kx, keys, "members", "marmalade", set())
    assert no_drift(kx.drift())


def test_deleting_restricted_research_drops_it_from_facets(kx, corpus):
    ids, _keys = corpus
    assert kx.search("helpline", "le").facets["study_design"] == {"rct": 1}

    kx.delete("research", ids["restricted_research"])

    assert kx.search("helpline", "le").facets["study_design"] == {}
    assert kx.search("zeppelin", "le").total == 1  # the restricted practice remains


@pytest.mark.whoosh_only(reason="Whoosh's cached filter sets against its own query")
def test_the_cached_visibility_filter_equals_the_engine_query(kx, corpus):
    """Searches filter with sets built from cached postings; they must let through exactly
    what the visibility rule written as a Whoosh query does, for every audience and any
    combination of filters."""
    kx.research("Old study", COMMON, year=2001, study_design="rct", countries=["GB"])
    filters = [
        {},
        {"types": ["research"]},
        {"domains": ["policing", "education"]},
        {"countries": ["NL", "SE", "GB"], "types": ["practice", "research"]},
        {"prevention_levels": ["tertiary"]},
        {"study_designs": ["rct", "cohort"]},
        {"year_from": 2000, "year_to": 2019},
        {"year_from": 2020},
        {"domains": ["nonexistent"]},
    ]
    with kx.app.app_context():
        backend = indexing.backend()
        searcher = backend._searcher()
        for name in VIEWERS:
            audience = search_services.audience_of(kx.user(name))
            for options in filters:
                query = Query(**options)
                restriction = as_whoosh_query(query, audience)
                expected = (
                    None if restriction is None else set(searcher.docs_for_query(restriction))
                )
                assert backend._allowed(searcher, query, audience) == expected, (name, options)


def test_a_filter_only_hidden_items_match_finds_nothing(kx, corpus):
    """An empty filter must mean "nothing", never "no filter" (Whoosh reads an empty one
    as none at all)."""
    for viewer in (None, "unverified"):
        for text in ("helpline", "", "marmalade OR helpline", "helpline*"):
            for options in ({"domains": ["education"]}, {"countries": ["DE"]}):
                results = kx.search(text, viewer, **options)

                assert (results.total, results.hits) == (0, []), (viewer, text, options)
                assert all(counts == {} for counts in results.facets.values())


def test_related_items_when_the_viewer_may_see_nothing_else(kx):
    """Only members-only items exist: an anonymous viewer's related box stays empty."""
    first = kx.practice("Members helpline one", COMMON, visibility="members")
    kx.practice("Members helpline two", COMMON, visibility="members")

    assert kx.related("practice", first, None) == set()
    assert kx.related("practice", first, "unverified") == set()
    assert len(kx.related("practice", first, "le")) == 1
