"""An item's tags are words of it: a country by its names, demonyms and other names, a
domain, prevention level, stage or study design by its label, each weighed like a title
word; and still only for viewers who may see the item."""

import pytest

from kx.search import documents, vocabulary
from tests.support.search import VIEWERS, no_drift

# Long enough that one word deep inside it is a weak match, and naming no country.
FILLER = (
    "Practitioners describe how the service was set up, who it reaches and what changed "
    "for the people who use it over the first years of the programme. "
) * 6


@pytest.fixture
def items(kx):
    """Public items tagged prevention/DE (one never naming Germany), CA and GB items, a
    members-only and a restricted item tagged DE, and one that names Germany once, late."""
    return {
        "de_named": kx.practice(
            "Helpline in Germany",
            f"A helpline for people in Germany worried about their thoughts. {FILLER}",
            domains=["prevention"],
            countries=["DE"],
        ),
        "de_silent": kx.practice(
            "Anonymous therapy offer",
            f"Free, confidential therapy at university clinics. {FILLER}",
            domains=["prevention", "treatment"],
            countries=["DE"],
            prevention_level="secondary",
        ),
        "de_policing": kx.practice(
            "Warrant handling guide",
            f"How officers handle warrants. {FILLER}",
            domains=["policing"],
            countries=["DE"],
        ),
        "ca_practice": kx.practice(
            "Circles of support",
            f"Volunteers meet a released man every week. {FILLER}",
            domains=["desistance"],
            countries=["CA"],
        ),
        "ca_research": kx.research(
            "Recidivism after release",
            f"A follow-up of released men over five years. {FILLER}",
            countries=["CA", "US"],
            study_design="cohort",
            year=2020,
        ),
        "gb_mention": kx.practice(
            "Schools programme",
            f"{FILLER} One trainer once visited colleagues in Germany.",
            domains=["prevention"],
            countries=["GB"],
        ),
        "members": kx.practice(
            "Members casework",
            f"Casework notes. {FILLER}",
            domains=["prevention"],
            countries=["DE"],
            visibility="members",
        ),
        "restricted": kx.practice(
            "Restricted triage",
            f"Triage notes for investigators. {FILLER}",
            domains=["prevention"],
            countries=["DE"],
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
        ),
    }


def key(items, name) -> str:
    return f"{'research' if 'research' in name else 'practice'}:{items[name]}"


def keys(items, *names) -> set[str]:
    return {key(items, name) for name in names}


def order(results) -> list[str]:
    return [f"{hit.type}:{hit.id}" for hit in results.hits]


def test_prevention_germany_finds_every_public_item_tagged_both(kx, items):
    found = kx.keys("prevention Germany")

    # the one tagged GB that names Germany in passing matches too, by its words
    assert found == keys(items, "de_named", "de_silent", "gb_mention")


def test_the_facet_counts_of_a_tag_search_hold_what_the_facets_promise(kx, items):
    results = kx.search("prevention Germany", per_page=100)

    assert results.facets["country"]["DE"] == 2


@pytest.mark.parametrize("word", ["German", "Deutschland", "germany", "Federal Republic"])
def test_a_countrys_other_names_find_the_items_tagged_with_it(kx, items, word):
    assert kx.keys(word) >= keys(items, "de_named", "de_silent", "de_policing")
    assert key(items, "ca_practice") not in kx.keys(word)


def test_canada_finds_every_item_tagged_ca(kx, items):
    assert kx.keys("Canada") == keys(items, "ca_practice", "ca_research")
    assert kx.keys("Canadian") == keys(items, "ca_practice", "ca_research")
    assert kx.keys("USA") == keys(items, "ca_research")


def test_labels_of_other_vocabularies_are_words_too(kx, items):
    assert kx.keys("cohort study") == keys(items, "ca_research")
    assert kx.keys("desistance") == keys(items, "ca_practice")
    assert kx.keys("secondary") == keys(items, "de_silent")


def test_a_tag_ranks_above_a_single_mention_deep_in_the_body(kx, items):
    ranked = order(kx.search("Germany", per_page=100))

    assert ranked.index(key(items, "de_silent")) < ranked.index(key(items, "gb_mention"))
    assert ranked.index(key(items, "de_policing")) < ranked.index(key(items, "gb_mention"))
    assert ranked[0] == key(items, "de_named")  # tag, title and text


def test_a_common_tag_still_ranks_above_a_rare_mention_in_a_body(kx, items):
    # many items tagged DE, one text naming Germany: the word is as rare for both
    tagged = [
        kx.practice(f"Practice {n}", FILLER, domains=["education"], countries=["DE"])
        for n in range(6)
    ]

    ranked = order(kx.search("Germany", per_page=100))

    last_tagged = max(ranked.index(f"practice:{item}") for item in tagged)
    assert last_tagged < ranked.index(key(items, "gb_mention"))


def test_a_tag_word_never_surfaces_an_item_the_viewer_may_not_see(kx, items):
    audience = {
        None: set(),
        "unverified": set(),
        "le": {"members", "restricted"},
        "academic": {"members"},
        "moderator": {"members", "restricted"},
    }
    public = {
        "prevention Germany": {"de_named", "de_silent", "gb_mention"},
        "Deutschland prevention": {"de_named", "de_silent"},
    }
    for text, names in public.items():
        for viewer in VIEWERS:
            results = kx.search(text, viewer, per_page=100)

            expected = keys(items, *names, *audience[viewer])
            assert set(order(results)) == expected, (text, viewer)
            assert results.total == len(expected), (text, viewer)
            tagged_de = len(names - {"gb_mention"}) + len(audience[viewer])
            assert results.facets["country"]["DE"] == tagged_de, (text, viewer)


def test_did_you_mean_offers_a_tag_word_only_to_those_who_see_the_item(kx):
    kx.practice("Members casework", "Casework notes.", countries=["AT"], visibility="members")

    assert kx.search("Osterreih", "le").suggestion == "osterreich"
    assert kx.search("Osterreih").suggestion is None


def test_reindex_and_check_agree_on_tag_words(kx, items, monkeypatch):
    run = kx.app.test_cli_runner().invoke
    # an index built before tags were words
    monkeypatch.setattr(vocabulary, "tag_text", lambda tags: "")
    assert run(args=["search", "reindex"]).exit_code == 0
    assert kx.keys("Deutschland") == set()
    monkeypatch.undo()

    stale = run(args=["search", "check"])

    assert stale.exit_code == 1
    with kx.app.app_context():
        every = sorted(documents.expected_stamps())
    assert len(every) == len(items)
    assert f"stale: {' '.join(every)}" in stale.output
    assert run(args=["search", "reindex"]).exit_code == 0
    assert run(args=["search", "check"]).exit_code == 0
    assert no_drift(kx.drift())
    assert keys(items, "de_named", "de_silent", "de_policing") <= kx.keys("Deutschland")


def test_phrases_map_every_name_back_to_its_tag():
    phrases = vocabulary.phrases()

    assert phrases["germany"] == phrases["german"] == phrases["deutschland"] == ("countries", "DE")
    assert phrases["uk"] == phrases["britain"] == phrases["british"] == ("countries", "GB")
    assert phrases["dutch"] == phrases["holland"] == ("countries", "NL")
    assert phrases["usa"] == phrases["american"] == ("countries", "US")
    assert phrases["ireland"] == phrases["irish"] == ("countries", "IE")
    assert phrases["republic of korea"] == ("countries", "KR")
    assert phrases["primary prevention"] == ("prevention_levels", "primary")
    assert phrases["risk assessment"] == ("domains", "risk-assessment")
    assert phrases["randomised controlled trial"] == ("study_designs", "rct")
    assert vocabulary.normalise("Côte d'Ivoire") in phrases
    # "English" is first a language here, and England is not the United Kingdom; "us" is
    # a stop word (a key would read "tell us" as a country); "Other" says nothing
    for left_out in ("english", "us", "other", "china taiwan", "northern ireland"):
        assert left_out not in phrases
    assert phrases["taiwan"] == ("countries", "TW")
