"""What a search box accepts: phrases, AND/OR/NOT, prefix*, stemming, accents, a boosted
title, sorting, pages, facets and filters; and what it cannot do: address internal fields
(status, visibility, sectors, ids) or fail on malformed syntax."""

import pytest

from tests.support.search import VIEWERS

TEXT = (
    "Practitioners describe how the service was set up, who it reaches and what changed "
    "for the people who use it over the first years of the programme."
)


@pytest.fixture
def items(kx):
    """A small corpus: public items, a members-only one, a restricted one, a draft."""
    return {
        "helpline": kx.practice(
            "Confidential helpline",
            f"A confidential helpline for people worried about offending. {TEXT}",
            domains=["prevention"],
            countries=["DE"],
            prevention_level="primary",
        ),
        "deterrence": kx.practice(
            "Deterrence messages",
            f"Warning messages deter searches; a helpline number is shown. {TEXT}",
            domains=["prevention", "policing"],
            countries=["GB"],
            prevention_level="secondary",
        ),
        "treatment": kx.practice(
            "Group treatment for offenders",
            f"Group work with an offender after conviction; evaluation planned. {TEXT}",
            domains=["treatment"],
            countries=["GB", "NL"],
            prevention_level="tertiary",
        ),
        "members": kx.practice(
            "Members-only casework notes",
            f"A helpline escalation route for casework. {TEXT}",
            domains=["policing"],
            visibility="members",
        ),
        "restricted": kx.practice(
            "Restricted triage notes",
            f"A helpline triage for investigators. {TEXT}",
            domains=["policing"],
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
        ),
        "draft": kx.practice(
            "Draft helpline plan", f"A helpline plan not yet sent. {TEXT}", submit=False
        ),
    }


def keys_of(results) -> list[str]:
    return [f"{hit.type}:{hit.id}" for hit in results.hits]


def key(item_id: int, kind: str = "practice") -> str:
    return f"{kind}:{item_id}"


# ------------------------------------------------------------ syntax cannot widen access

WIDENING = [
    "status:draft",
    "status:published",
    "visibility:members",
    "visibility:restricted",
    "sectors:law-enforcement",
    "id:1",
    "id:4",
    "key:practice:4",
    "type:practice",
    "stamp:*",
    "*",
    "*:*",
    "title:*",
    "text:casework",
    "helpline OR visibility:members",
    "helpline OR status:draft",
    "helpline AND NOT visibility:public",
    "NOT visibility:public",
    '"visibility:members"',
    "(visibility:members OR visibility:restricted) AND helpline",
    "helpline OR sectors:law-enforcement OR id:5",
    "title:helpline OR text:triage",
    "helpline^100 OR visibility:members^100",
    "visibility:[a TO z]",
    "id:[0 TO 999]",
    "year:>0",
    "helpline* OR visibility:*",
    "casework",
    "triage",
    "escalation OR investigators",
]


def test_query_syntax_cannot_reach_what_the_viewer_may_not_see(kx, items):
    public = {key(items[name]) for name in ("helpline", "deterrence", "treatment")}
    for text in WIDENING:
        for viewer, allowed in [
            (None, public),
            ("unverified", public),
            ("academic", public | {key(items["members"])}),
        ]:
            results = kx.search(text, viewer, per_page=100)

            assert set(keys_of(results)) <= allowed, (text, viewer)
            assert results.total == len(results.hits), (text, viewer)
            assert sum(results.facets["type"].values()) == results.total, (text, viewer)
        moderator = kx.search(text, "moderator", per_page=100)
        assert key(items["draft"]) not in keys_of(moderator), text


def test_field_syntax_is_read_as_words_not_fields(kx, items):
    """``status:draft`` finds no draft, even for a moderator: drafts are never indexed and
    the words "status" and "draft" are just words."""
    assert kx.search("status:draft", "moderator").total == 0
    assert kx.search("draft", "moderator").total == 0
    assert kx.search("visibility:members", None).total == 0


# ------------------------------------------------------------------- what syntax does


def test_a_phrase_matches_only_the_words_together(kx, items):
    assert keys_of(kx.search('"confidential helpline"')) == [key(items["helpline"])]
    assert keys_of(kx.search('"helpline confidential"')) == []


def test_and_or_not(kx, items):
    helpline, deterrence = key(items["helpline"]), key(items["deterrence"])
    treatment = key(items["treatment"])

    assert set(keys_of(kx.search("helpline"))) == {helpline, deterrence}
    assert set(keys_of(kx.search("helpline warning"))) == {deterrence}  # AND by default
    assert set(keys_of(kx.search("helpline AND warning"))) == {deterrence}
    assert set(keys_of(kx.search("confidential OR group"))) == {helpline, treatment}
    assert set(keys_of(kx.search("helpline NOT warning"))) == {helpline}
    assert set(keys_of(kx.search("(confidential OR warning) AND NOT group"))) == {
        helpline,
        deterrence,
    }


def test_prefix(kx, items):
    assert set(keys_of(kx.search("deter*"))) == {key(items["deterrence"])}
    assert set(keys_of(kx.search("confid* OR evalu*"))) == {
        key(items["helpline"]),
        key(items["treatment"]),
    }


ODD_SYNTAX = [
    '"helpline confidential',
    '"confidential',
    "(confidential OR",
    "confidential AND",
    "AND confidential",
    "confidential NOT",
    "NOT",
    "AND",
    "OR",
    ")))",
    "confidential )))",
    "((( confidential",
    "confidential ^",
    "confidential ~",
    "confidential:",
    ":confidential",
    "[confidential TO",
    "confidential {",
    "confidential \\",
    "confidential \x00",
    "confidential\u200b",
    "confidential " + "(" * 500,
    "confidential " + "word " * 2000,
    "confidential " + "x" * 100_000,
    "",
    "   ",
    "?",
    "*" * 50,
    "-",
    "'",
    # tsquery syntax, which reaches PostgreSQL only as bound words (engines may read these
    # differently, so only "never fails" and visibility are asked of them)
    "helpline:*",
    "':*",
    "helpline & | !",
    "!!helpline",
    "helpline <-> group",
    "helpline <2> group",
    "helpline:*A",
    "'helpline' & 'x'",
    "helpline\x00group",
    "_* __init__* 123*",
    "helpline ANDNOT",
    "ANDMAYBE helpline",
    "NOT NOT NOT helpline",
    "helpline OR (",
    "helpline $1 %s %(q)s :1",
    "💡 confidential",
    "конфиденциальный",
    "機密",
]


def test_malformed_or_odd_syntax_never_fails(kx, items):
    for text in ODD_SYNTAX:
        for viewer in (None, "moderator"):
            results = kx.search(text, viewer)

            assert results.total >= len(results.hits), text[:60]
            assert set(keys_of(results)) <= {
                key(items[name]) for name in items if viewer == "moderator" or name != "members"
            } - {key(items["draft"])}, text[:60]
            if "confidential" in text and viewer is None and len(text) < 100:
                assert key(items["helpline"]) in keys_of(results), text[:60]


@pytest.mark.parametrize(
    "text",
    [
        '"helpline confidential',  # as a phrase this would find nothing: the order differs
        'confidential "helpline',
        "(confidential OR",
        "confidential )))",
        "AND confidential",
        "confidential NOT",
    ],
)
def test_malformed_syntax_falls_back_to_the_plain_words(kx, items, text):
    assert keys_of(kx.search(text)) == [key(items["helpline"])]


def test_very_long_input_is_cut_not_refused(kx, items):
    results = kx.search("confidential " + "helpline " * 5000)

    assert keys_of(results) == [key(items["helpline"])]


@pytest.mark.parametrize(
    ("text", "finds"),
    [
        ("évaluation", "evaluation"),
        ("ÉVALUATION", "evaluation"),
        ("e\u0301valuation", "evaluation"),
        ("evaluation", "évaluation"),
        ("naïve", "naive"),
        ("naive", "naïve"),
        ("Straße", "strasse"),
    ],
)
def test_accents_are_folded(kx, text, finds):
    item = kx.practice(f"Programme {finds}", f"The {finds} of a programme. {TEXT}")

    assert keys_of(kx.search(text)) == [key(item)]


def test_english_stemming(kx, items):
    offend = {key(items["treatment"]), key(items["helpline"])}  # "offender", "offending"
    assert set(keys_of(kx.search("offenders"))) == offend
    assert set(keys_of(kx.search("offending"))) == offend
    assert keys_of(kx.search("evaluated")) == [key(items["treatment"])]
    assert set(keys_of(kx.search("messaging"))) == {key(items["deterrence"])}


def test_the_title_is_boosted(kx):
    in_body = kx.practice("A service description", f"The kestrel approach. {TEXT}")
    in_title = kx.practice("The kestrel approach", f"A service description. {TEXT}")

    assert keys_of(kx.search("kestrel")) == [key(in_title), key(in_body)]


def test_snippets_are_escaped_except_for_mark(kx):
    kx.practice(
        "Markup in text",
        f"Kestrel <script>alert(1)</script> &amp; <b>bold</b> kestrel <img src=x>. {TEXT}",
    )

    snippet = kx.search("kestrel").hits[0].snippet

    assert "<mark>" in snippet
    without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks


def test_a_snippet_shows_the_match_deep_in_a_long_text(kx):
    filler = "Staff met weekly to review referrals and agree next steps. " * 60
    kx.practice("Night line", f"{filler}Each policy was written with the kestrel group. {filler}")

    snippet = kx.search("policies").hits[0].snippet

    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>policy</mark>" in snippet and "kestrel group" in snippet


def test_a_snippet_of_a_match_in_the_title_only_is_the_texts_start(kx):
    kx.practice("The kestrel approach", TEXT)

    snippet = kx.search("kestrel").hits[0].snippet

    assert "<mark>" not in snippet
    assert snippet.replace(" …", "") in TEXT and TEXT.startswith(snippet[:30])


# ------------------------------------------------------------- sort, pages, facets, filters


def test_sort_newest_puts_the_latest_published_first(kx):
    first = kx.practice("Kestrel kestrel kestrel", f"Kestrel kestrel kestrel. {TEXT}")
    second = kx.practice("Second", f"Kestrel once. {TEXT}")
    third = kx.research("Third", f"Kestrel once. {TEXT}", year=2020)

    assert keys_of(kx.search("kestrel"))[0] == key(first)  # most relevant
    assert keys_of(kx.search("kestrel", sort="newest")) == [
        key(third, "research"),
        key(second),
        key(first),
    ]
    assert keys_of(kx.search("", sort="relevance")) == keys_of(kx.search("", sort="newest"))


def test_equal_scores_rank_newest_first_on_every_page(kx):
    """Ties keep one order, whatever the index did between writes (Whoosh's document
    numbers change when segments merge): the same search never reshuffles them."""
    created = [kx.practice("Kestrel rota", f"The kestrel rota. {TEXT}") for _ in range(9)]
    newest_first = [key(n) for n in reversed(created)]

    for text in ("kestrel", "kest*"):
        pages = [kx.search(text, page=page, per_page=4) for page in (1, 2, 3)]
        assert len({hit.score for page in pages for hit in page.hits}) == 1, text
        assert [k for page in pages for k in keys_of(page)] == newest_first, text


def test_pagination(kx):
    created = {
        key(kx.practice(f"Paged item {n}", f"Kestrel number {n}. {TEXT}")) for n in range(23)
    }
    pages = [kx.search("kestrel", page=page, per_page=10) for page in (1, 2, 3, 4)]

    assert [len(page.hits) for page in pages] == [10, 10, 3, 0]
    assert {page.total for page in pages} == {23}
    seen = [k for page in pages for k in keys_of(page)]
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == created
    assert all(sum(page.facets["type"].values()) == 23 for page in pages)


def test_pagination_totals_follow_the_viewer(kx):
    for n in range(7):
        kx.practice(f"Paged {n}", f"Kestrel {n}. {TEXT}")
    for n in range(5):
        kx.practice(f"Members paged {n}", f"Kestrel {n}. {TEXT}", visibility="members")

    assert kx.search("kestrel", None, per_page=5).total == 7
    assert len(kx.search("kestrel", None, page=2, per_page=5).hits) == 2
    assert kx.search("kestrel", "le", per_page=5).total == 12
    assert len(kx.search("kestrel", "le", page=3, per_page=5).hits) == 2


@pytest.fixture
def faceted(kx):
    """Research with designs and years beside the practice items."""
    return {
        "rct": kx.research(
            "Trial of a helpline",
            f"A randomised trial. {TEXT}",
            domains=["prevention"],
            countries=["GB"],
            study_design="rct",
            year=2012,
        ),
        "cohort": kx.research(
            "Cohort of helpline callers",
            f"A cohort study. {TEXT}",
            domains=["treatment", "desistance"],
            countries=["DE"],
            study_design="cohort",
            year=2016,
        ),
        "review": kx.research(
            "Review of deterrence",
            f"A systematic review. {TEXT}",
            domains=["prevention"],
            countries=["GB", "SE"],
            study_design="systematic-review",
            year=2021,
        ),
    }


def test_facet_counts(kx, items, faceted):
    facets = kx.search("", None).facets

    assert facets == {
        "type": {"practice": 3, "research": 3},
        "domain": {"prevention": 4, "policing": 1, "treatment": 2, "desistance": 1},
        "country": {"DE": 2, "GB": 4, "NL": 1, "SE": 1},
        "prevention_level": {"primary": 1, "secondary": 1, "tertiary": 1},
        "study_design": {"rct": 1, "cohort": 1, "systematic-review": 1},
    }
    # a member also counts the members-only item; law enforcement the restricted one too
    assert kx.search("", "academic").facets["domain"]["policing"] == 2
    assert kx.search("", "le").facets["domain"]["policing"] == 3


def test_filters_narrow_hits_and_facets(kx, items, faceted):
    practice = kx.search("", None, types=["practice"])
    assert practice.total == 3 and practice.facets["type"] == {"practice": 3}
    assert practice.facets["study_design"] == {}

    prevention = kx.search("", None, domains=["prevention"])
    assert prevention.total == 4
    assert prevention.facets["domain"] == {"prevention": 4, "policing": 1}

    either = kx.search("", None, domains=["policing", "desistance"])
    assert either.total == 2

    gb = kx.search("", None, countries=["GB"], types=["research"])
    assert set(keys_of(gb)) == {key(faceted["rct"], "research"), key(faceted["review"], "research")}

    level = kx.search("", None, prevention_levels=["tertiary"])
    assert keys_of(level) == [key(items["treatment"])]

    design = kx.search("helpline", None, study_designs=["cohort", "rct"])
    assert set(keys_of(design)) == {
        key(faceted["rct"], "research"),
        key(faceted["cohort"], "research"),
    }

    nothing = kx.search("", None, domains=["education"])
    assert (nothing.total, nothing.hits) == (0, [])
    assert all(counts == {} for counts in nothing.facets.values())


def test_filters_never_widen_visibility(kx, items):
    """Filtering on a value only hidden items carry finds nothing for outsiders."""
    for viewer in (None, "unverified"):
        assert kx.search("", viewer, domains=["policing"]).total == 1  # the public one
        assert kx.search("casework", viewer, domains=["policing"]).total == 0


def test_year_range(kx, faceted):
    def research_years(**query):
        results = kx.search("", None, types=["research"], **query)
        return sorted(hit.year for hit in results.hits)

    assert research_years() == [2012, 2016, 2021]
    assert research_years(year_from=2013) == [2016, 2021]
    assert research_years(year_to=2016) == [2012, 2016]
    assert research_years(year_from=2013, year_to=2020) == [2016]
    assert research_years(year_from=2016, year_to=2016) == [2016]
    assert research_years(year_from=2030) == []


def test_every_viewer_gets_well_formed_hits(kx, items, faceted):
    for viewer in VIEWERS:
        for hit in kx.search("helpline", viewer, per_page=100).hits:
            assert hit.type in {"practice", "research"}
            assert isinstance(hit.id, int) and hit.title
            assert isinstance(hit.domains, list) and isinstance(hit.countries, list)
            assert "_" not in hit.domains and "_" not in hit.countries


ANALYZED = [
    TEXT,
    "Évaluation of the Straße: naïve, a I x 3.141 big-time under_score it's DON'T THE",
    "the cat the dog and the offenders' evaluations",
    "",
    "   ",
    "a",
    "Helpline",
    "e\u0301valuation \ufb01nding \uff26\uff35\uff2c\uff2c",
]


@pytest.mark.parametrize(
    "options",
    [
        {"positions": True, "chars": True},
        {"mode": "query"},
        {"positions": True, "removestops": False},
        {"tokenize": False},
        {"tokenize": False, "removestops": False},
        {"positions": True, "chars": True, "removestops": False, "keeporiginal": True},
        {"positions": True, "chars": True, "start_pos": 5, "start_char": 7},
    ],
)
def test_the_one_pass_analyzer_equals_the_whoosh_chain(options):
    """The backend analyzes text in one pass; it must give exactly the tokens (text,
    positions, offsets, stop marks) of the Whoosh filter chain it stands for."""
    from whoosh.analysis import CharsetFilter, Filter, RegexTokenizer, StemFilter, StopFilter
    from whoosh.support.charset import accent_map

    from kx.search.whoosh.schema import ANALYZER

    class CaseFold(Filter):
        """Lower case by Unicode case folding ("Straße" -> "strasse")."""

        def __call__(self, tokens):
            for token in tokens:
                token.text = token.text.casefold()
                yield token

    chain = (
        RegexTokenizer()
        | CaseFold()
        | CharsetFilter(accent_map)
        | StopFilter()
        | StemFilter(lang="en")
    )

    def tokens(analyzer, text):
        return [
            (
                t.text,
                getattr(t, "pos", None),
                getattr(t, "startchar", None),
                getattr(t, "endchar", None),
                t.stopped,
                getattr(t, "original", None) if options.get("keeporiginal") else None,
            )
            for t in analyzer(text, **options)
        ]

    for text in ANALYZED:
        assert tokens(ANALYZER, text) == tokens(chain, text), text


def test_the_terms_of_a_text_are_those_the_analyzer_indexes():
    """A document's deletion is taken out of the word counts kept for scoring by the terms
    ``index_terms`` finds in its text: exactly those indexed for it."""
    from kx.search.whoosh.schema import ANALYZER, index_terms

    for text in ANALYZED:
        assert index_terms(text) == {t.text for t in ANALYZER(text, mode="index")}, text
