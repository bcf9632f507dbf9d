"""The field's thesaurus: every group in the shipped file finds each of its terms from any
other, phrases stay phrases, the work per query is bounded, a malformed file is refused
naming the group, and the file is parsed once per version."""

import time

import pytest

from kx.search import thesaurus
from kx.search.thesaurus import (
    MAX_PER_QUERY,
    MAX_PER_TERM,
    MAX_QUERY_TERMS,
    ThesaurusError,
    expand,
    load,
    parse,
)

SHIPPED = load()


def only_match(*terms):
    """The one term found in a query of ``terms``."""
    result = expand(list(terms))
    assert len(result.matches) == 1, result
    return result.matches[0]


def synonyms(*terms):
    """The synonyms' texts, folded, of the one term found in a query of ``terms``."""
    return [thesaurus.fold(s.text) for s in only_match(*terms).synonyms]


@pytest.mark.parametrize("key", sorted(SHIPPED.groups))
def test_each_group_finds_every_term_from_every_other(key):
    group = SHIPPED.groups[key]
    for form in group.forms:
        match = only_match(form.text)
        assert match.group == key
        found = {s.words for s in match.synonyms}
        assert found == {f.words for f in group.forms} - {form.words}, form.text


@pytest.mark.parametrize(
    "one, other",
    [
        ("CSAM", "child sexual abuse material"),
        ("CSAM", "CSEM"),
        ("CSEM", "child sexual exploitation material"),
        ("IIOC", "indecent images of children"),
        ("child pornography", "CSAM"),
        ("child pornography", "indecent images of children"),
        ("COSA", "circles of support and accountability"),
        ("HSB", "harmful sexual behaviour"),
        ("HSB", "harmful sexual behavior"),
        ("helpline", "hotline"),
        ("splash page", "warning message"),
        ("splash page", "deterrence message"),
        ("sextortion", "sexual extortion"),
        ("grooming", "online grooming"),
        ("grooming", "solicitation"),
        ("risk assessment", "risk tool"),
        ("risk assessment", "risk instrument"),
        ("Static-99", "Static-99R"),
        ("CPORT", "Child Pornography Offender Risk Tool"),
        ("KIRAT", "Kent Internet Risk Assessment Tool"),
        ("OASys", "Offender Assessment System"),
        ("RM2000", "Risk Matrix 2000"),
        ("CBT", "cognitive behavioural therapy"),
        ("CBT", "cognitive behavioral therapy"),
        ("CBT", "cognitive behavioural"),
        ("SOTP", "Core Sex Offender Treatment Programme"),
        ("RCT", "randomised controlled trial"),
        ("RCT", "randomized trial"),
    ],
)
def test_the_fields_terms_expand_both_ways(one, other):
    assert thesaurus.fold(other) in synonyms(one)
    assert thesaurus.fold(one) in synonyms(other)


@pytest.mark.parametrize(
    "british, american",
    [
        ("behaviour", "behavior"),
        ("programme", "program"),
        ("offence", "offense"),
        ("anonymised", "anonymized"),
        ("organisation", "organization"),
        ("criminalisation", "criminalization"),
        ("counselling", "counseling"),
        ("centre", "center"),
        ("defence", "defense"),
        ("licence", "license"),
        ("behavioural", "behavioral"),
        ("randomised", "randomized"),
        ("prioritise", "prioritize"),
    ],
)
def test_british_and_american_spellings_find_each_other(british, american):
    assert synonyms(british) == [american]
    assert synonyms(american) == [british]
    assert synonyms(f"{british}s") == [american]  # a plural is read as its word


def test_spellings_apply_inside_phrases():
    assert "harmful sexual behaviour" in synonyms("harmful sexual behavior")
    assert synonyms("sex offender treatment programme") == ["sex offender treatment program"]
    assert synonyms("sexual offences") == ["sexual offense"]


def test_an_outdated_term_still_finds_and_is_found_but_is_marked():
    match = only_match("child pornography")
    assert match.group == "csam" and match.outdated
    assert not only_match("CSAM").outdated
    old = [s for s in only_match("CSAM").synonyms if s.outdated]
    assert [s.text for s in old] == ["child pornography"]


def test_a_phrase_synonym_stays_a_phrase():
    found = {s.text: s for s in only_match("CSAM").synonyms}
    material = found["child sexual abuse material"]
    assert material.phrase and material.words == ("child", "sexual", "abuse", "material")
    assert not found["IIOC"].phrase
    assert only_match("hotline").synonyms[0].words == ("helpline",)
    static = {s.text: s for s in only_match("Static-99R").synonyms}["Static-99"]
    assert static.phrase and static.words == ("static", "99")


def test_consecutive_words_of_a_query_are_read_as_one_term_the_longest_first():
    result = expand(["treatment", "child", "pornography", "offenders"])
    assert [(m.start, m.end, m.text) for m in result.matches] == [(1, 3, "child pornography")]
    match = only_match("the", "Child", "Pornography", "Offender", "Risk", "Tool", "scores")
    assert (match.start, match.end, match.group) == (1, 6, "cport")
    # A quoted phrase is read whole, never as part of a longer run.
    result = expand(["child pornography offender", "risk tool"])
    assert [(m.start, m.group) for m in result.matches] == [(1, "risk-assessment")]


def test_small_words_inside_a_phrase_do_not_matter():
    for terms in (
        ["circles", "of", "support", "and", "accountability"],
        ["circles", "support", "accountability"],
        ["circles of support and accountability"],
    ):
        assert only_match(*terms).group == "cosa"
    assert expand(["what", "works", "in", "prevention", "in", "Germany"]).matches == ()


@pytest.mark.parametrize(
    "terms",
    [["static-99"], ["Static 99"], ["STATIC99"], ["static", "99"], ["Static\u201199"]],
)
def test_hyphens_spaces_and_case_do_not_matter(terms):
    assert only_match(*terms).group == "static-99"


@pytest.mark.parametrize(
    "word, expected",
    [("Pædophilic", "pedophilic"), ("PÉDOPHILIC", "paedophilic"), ("csam", None), ("Csam", None)],
)
def test_case_and_accents_do_not_matter(word, expected):
    match = only_match(word)
    if expected:
        assert [s.text for s in match.synonyms] == [expected]
    else:
        assert match.group == "csam"


def test_the_other_word_order_and_written_together_variants():
    assert only_match("help", "line").group == "helpline"
    assert only_match("RM", "2000").group == "rm2000"
    assert only_match("rm-2000").group == "rm2000"


def test_caps_bound_the_work_of_a_query():
    result = expand(["CSAM", "IIOC", "CSEM", "hotline", "COSA", "KIRAT", "behaviour"])
    assert all(len(m.synonyms) <= MAX_PER_TERM for m in result.matches)
    assert sum(len(m.synonyms) for m in result.matches) == MAX_PER_QUERY
    assert result.cut
    # The terms read first keep theirs: the three CSAM synonyms lists (7 each) come whole.
    assert [len(m.synonyms) for m in result.matches][:3] == [7, 7, 7]
    long_query = ["unrelated"] * MAX_QUERY_TERMS + ["hotline"]
    assert expand(long_query).matches == ()
    assert not expand(["hotline"]).cut


def test_a_group_may_not_stand_for_more_than_the_cap():
    terms = ", ".join(f'"term{n}"' for n in range(MAX_PER_TERM + 2))
    with pytest.raises(ThesaurusError, match=r'group "big".*at most'):
        parse(f'[[group]]\nkey = "big"\nsource = "s"\nterms = [{terms}]\n')
    # Spellings count: two words with two spellings each make four terms of one.
    text = (
        '[[group]]\nkey = "spelt"\nsource = "s"\n'
        'terms = ["t1", "t2", "t3", "t4", "t5", "t6", "offence behaviour"]\n'
        '[spellings]\nsource = "s"\nwords = [["offence", "offense"], ["behaviour", "behavior"]]\n'
    )
    with pytest.raises(ThesaurusError, match='group "spelt": 10 terms counting spellings'):
        parse(text)


GROUP = '[[group]]\nkey = "{key}"\nsource = "A source"\nterms = {terms}\n'


@pytest.mark.parametrize(
    "text, message",
    [
        (GROUP.format(key="lonely", terms='["CSAM"]'), 'group "lonely": needs at least two'),
        (GROUP.format(key="blank", terms='["CSAM", " - "]'), 'group "blank": an empty term'),
        (GROUP.format(key="blank", terms='["CSAM", 3]'), 'group "blank": an empty term'),
        (GROUP.format(key="small", terms='["CSAM", "of the"]'), 'group "small":.*small words'),
        (GROUP.format(key="twice", terms='["CSAM", "csam"]'), 'group "twice":.*listed twice'),
        (
            GROUP.format(key="one", terms='["CSAM", "CSEM"]')
            + GROUP.format(key="two", terms='["C-SAM", "IIOC"]'),
            'group "two":.*already a term of group "one"',
        ),
        (
            GROUP.format(key="one", terms='["RM2000", "Risk Matrix"]')
            + GROUP.format(key="two", terms='["RM 2000", "other"]'),
            'group "two":.*already a term of group "one"',
        ),
        (
            GROUP.format(key="one", terms='["x", "y"]')
            + GROUP.format(key="one", terms='["v", "w"]'),
            'group "one": the key is used',
        ),
        ('[[group]]\nkey = "nosource"\nterms = ["x", "y"]\n', 'group "nosource": source'),
        (
            '[[group]]\nkey = "typo"\nsource = "s"\nterm = ["x", "y"]\n',
            'group "typo": unknown field',
        ),
        ('[[group]]\nkey = "Bad Key"\nsource = "s"\nterms = ["x", "y"]\n', 'group "Bad Key"'),
        (
            '[[group]]\nkey = "old"\nsource = "s"\nterms = []\noutdated = ["x", "y"]\n',
            'group "old": needs at least one term in current use',
        ),
        (
            GROUP.format(key="spelt", terms='["offence", "crime"]')
            + '[spellings]\nsource = "s"\nwords = [["offence", "offense"]]\n',
            'group "spelt":.*also listed under \\[spellings\\]',
        ),
        (
            '[spellings]\nsource = "s"\nwords = [["colour"]]\n',
            'spelling group "colour": needs at least two',
        ),
        (
            '[spellings]\nsource = "s"\nwords = [["grey", "gray"], ["gray", "graye"]]\n',
            'spelling group "gray":.*another spelling group',
        ),
        ('[spellings]\nsource = "s"\nwords = [["grey area", "gray"]]\n', "a spelling is one word"),
        ("[[group]\nkey = 1", "not valid TOML"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_group(text, message):
    with pytest.raises(ThesaurusError, match=message):
        parse(text)


def test_an_over_long_term_is_refused():
    long = " ".join(f"w{n}" for n in range(thesaurus.MAX_TERM_WORDS + 1))
    with pytest.raises(ThesaurusError, match=f'group "long": {long!r} is longer'):
        parse(GROUP.format(key="long", terms=f'["x", "{long}"]'))


def test_the_file_is_parsed_once_per_version(tmp_path, monkeypatch):
    path = tmp_path / "thesaurus.toml"
    path.write_text(GROUP.format(key="help", terms='["helpline", "hotline"]'), encoding="utf-8")
    parsed = []
    real = thesaurus.parse
    monkeypatch.setattr(thesaurus, "parse", lambda *a: parsed.append(a) or real(*a))

    first = load(path)
    assert load(path) is first
    assert len(parsed) == 1

    path.write_text(GROUP.format(key="help", terms='["helpline", "help desk"]'), "utf-8")
    second = load(path)
    assert len(parsed) == 2
    assert [s.text for s in expand(["helpline"], second).matches[0].synonyms] == ["help desk"]


def test_a_missing_or_broken_file_is_refused_by_name(tmp_path):
    with pytest.raises(ThesaurusError, match=r"absent\.toml: cannot be read"):
        load(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text(GROUP.format(key="one", terms='["only"]'), encoding="utf-8")
    with pytest.raises(ThesaurusError, match=r'broken\.toml, group "one"'):
        load(broken)


def test_the_api_shape_of_what_was_expanded():
    result = expand(["csam", "hotline", "Germany"])
    assert result.as_dict() == {
        "csam": [
            "child sexual abuse material",
            "CSEM",
            "child sexual exploitation material",
            "IIOC",
            "indecent images of children",
            "child sexual abuse images",
            "child pornography",
        ],
        "hotline": ["helpline"],
    }


def test_a_typical_query_expands_in_well_under_a_millisecond():
    query = ["what", "works", "for", "CSAM", "offenders", "in", "Germany", "helplines"]
    expand(query)
    started = time.perf_counter()
    for _ in range(1000):
        expand(query)
    assert time.perf_counter() - started < 0.5  # 1,000 in half a second: < 0.5 ms each


def test_a_programme_named_in_full_keeps_its_spellings_only():
    # "SOTP" names the core programme; any other sex offender treatment programme is not it
    assert synonyms("sex offender treatment programme") == ["sex offender treatment program"]
    assert "sotp" in synonyms("core sex offender treatment program")


def test_an_acronym_of_a_method_finds_the_items_that_name_the_method(kx):
    trial = kx.research("Warnings tested", "A randomised controlled trial of warning pages.")
    therapy = kx.practice("Group work", "A cognitive-behavioural group programme for men.")
    kx.practice("Unrelated", "A helpline for worried adults.")

    assert kx.keys("RCT") == {f"research:{trial}"}
    assert kx.keys("randomized trial") == {f"research:{trial}"}
    assert kx.keys("CBT") == {f"practice:{therapy}"}
    assert kx.keys("cognitive behavioral therapy") == {f"practice:{therapy}"}
