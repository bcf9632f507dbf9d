"""kx.research.citations, latex and references: DOIs, BibTeX import, exports and APA
references.

The module is pure (plain data in, plain data out), so none of these tests needs the app.
Real works cited here were checked against their publishers' pages:

- Babchishin, Hanson & VanZuylen (2015), Archives of Sexual Behavior 44(1), 45-66,
  doi 10.1007/s10508-014-0270-x
- Seto, Hermann, Kjellgren, Priebe, Svedin & Långström (2015), Archives of Sexual
  Behavior 44(1), 67-79, doi 10.1007/s10508-013-0244-4
- Babchishin, Hanson & Hermann (2011), Sexual Abuse: A Journal of Research and Treatment
  23(1), 92-123, doi 10.1177/1079063210370708

Everything else is obviously fictional.
"""

import ast
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kx.research import citations as cit
from kx.research import latex, references
from kx.research.citations import (
    Citation,
    CitationError,
    citation_key,
    clean_doi,
    clean_year,
    doi_url,
    is_valid_doi,
    max_year,
    normalise_author,
    normalise_doi,
    parse_bibtex,
)
from kx.research.references import format_reference, to_bibtex, to_csl_json, to_ris

BABCHISHIN_2015 = Citation(
    title=(
        "Online child pornography offenders are different: A meta-analysis of the "
        "characteristics of online and offline sex offenders against children"
    ),
    authors=["Babchishin, Kelly M.", "Hanson, R. Karl", "VanZuylen, Heather"],
    year=2015,
    venue="Archives of Sexual Behavior",
    volume="44",
    issue="1",
    pages="45\u201366",
    doi="10.1007/s10508-014-0270-x",
)

SETO_2015 = Citation(
    title=(
        "Viewing child pornography: Prevalence and correlates in a representative "
        "community sample of young Swedish men"
    ),
    authors=[
        "Seto, Michael C.",
        "Hermann, Chantal A.",
        "Kjellgren, Cecilia",
        "Priebe, Gisela",
        "Svedin, Carl Göran",
        "Långström, Niklas",
    ],
    year=2015,
    venue="Archives of Sexual Behavior",
    volume="44",
    issue="1",
    pages="67\u201379",
    doi="10.1007/s10508-013-0244-4",
)

BABCHISHIN_2011 = Citation(
    title="The characteristics of online sex offenders: A meta-analysis",
    authors=["Babchishin, Kelly M.", "Hanson, R. Karl", "Hermann, Chantal A."],
    year=2011,
    venue="Sexual Abuse: A Journal of Research and Treatment",
    volume="23",
    issue="1",
    pages="92\u2013123",
    doi="10.1177/1079063210370708",
)

# Fictional works of the other entry types, with characters BibTeX has to escape.
FICTIONAL = [
    Citation(
        title="Helplines & 50% of callers: C++, snake_case, $costs, #tags and ~tildes",
        authors=["World Health Organisation of Examples"],
        year=2020,
        venue="Example Institute for Prevention",
        entry_type="report",
        url="https://example.org/reports/helplines_2020?id=7&lang=en",
    ),
    Citation(
        title="Über die Prävention: Études in Ørsted's HIV/AIDS work",
        authors=["van der Berg, Anna", "Müller, Jörg", "King, Martin, Jr."],
        year=2019,
        venue="Handbook of Imaginary Prevention",
        pages="101\u2013120",
        entry_type="incollection",
    ),
    Citation(
        title="A book with no year",
        authors=["Doe, Jane"],
        venue="Fictional Press",
        entry_type="book",
    ),
    Citation(title="An anonymous note", entry_type="misc", venue="Posted on a notice board"),
]


# --------------------------------------------------------------------------- purity


@pytest.mark.parametrize("module", [cit, latex, references], ids=lambda m: m.__name__)
def test_module_imports_neither_flask_nor_the_database(module):
    source = Path(module.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "kx", "werkzeug"}


# --------------------------------------------------------------------------- DOIs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1007/s10508-014-0270-x", "10.1007/s10508-014-0270-x"),
        ("10.1007/S10508-014-0270-X", "10.1007/s10508-014-0270-x"),
        ("https://doi.org/10.1007/s10508-014-0270-x", "10.1007/s10508-014-0270-x"),
        ("HTTPS://DOI.ORG/10.1007/S10508-014-0270-X", "10.1007/s10508-014-0270-x"),
        ("http://dx.doi.org/10.1177/1079063210370708", "10.1177/1079063210370708"),
        ("https://dx.doi.org/10.1177/1079063210370708", "10.1177/1079063210370708"),
        ("doi.org/10.1177/1079063210370708", "10.1177/1079063210370708"),
        ("doi:10.1177/1079063210370708", "10.1177/1079063210370708"),
        ("DOI: 10.1177/1079063210370708", "10.1177/1079063210370708"),
        ("  10.1177/1079063210370708 \n", "10.1177/1079063210370708"),
        ("\thttps://doi.org/10.1007/s10508-013-0244-4  ", "10.1007/s10508-013-0244-4"),
        ("https://doi.org/10.1002%2F%28SICI%291097", "10.1002/(sici)1097"),
    ],
)
def test_normalise_doi(raw, expected):
    assert normalise_doi(raw) == expected
    assert is_valid_doi(raw)
    assert clean_doi(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "11.1007/s10508-014-0270-x",  # not a 10. prefix
        "10.100/abc",  # registrant code too short
        "10.1234567890/abc",  # and too long
        "10.1007/",  # no suffix
        "10.1007 /abc",
        "10.1007/abc def",  # whitespace inside
        "https://example.org/10.1007/abc",  # not a DOI resolver
        "s10508-014-0270-x",
        "doi:",
    ],
)
def test_invalid_dois_are_rejected_with_a_reason(raw):
    assert not is_valid_doi(raw)
    with pytest.raises(CitationError, match=r"^invalid DOI '"):
        clean_doi(raw)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_doi_is_none(blank):
    assert clean_doi(blank) is None
    assert not is_valid_doi(blank)


# --------------------------------------------------------------------------- years


def test_years():
    assert clean_year(2015) == 2015
    assert clean_year(" 1900 ") == 1900
    assert clean_year(max_year()) == max_year()
    assert clean_year("") is None
    assert clean_year(None) is None
    with pytest.raises(CitationError, match=r"^year 3020 is out of range"):
        clean_year("3020")
    with pytest.raises(CitationError, match=r"^year 1899 is out of range"):
        clean_year(1899)
    with pytest.raises(CitationError, match="out of range"):
        clean_year(max_year() + 1)
    with pytest.raises(CitationError, match="not a four-digit number"):
        clean_year("in press")
    with pytest.raises(CitationError, match="not a number"):
        clean_year(True)


# --------------------------------------------------------------------------- import

MIXED_FILE = r"""
This text between entries is ignored, as BibTeX ignores it.

@Article{babchishin2015online,
  author  = {Babchishin, Kelly M. and Hanson, R. Karl and VanZuylen, Heather},
  title   = {Online child pornography offenders are different: {A} meta-analysis of the
             characteristics of online and offline sex offenders against children},
  journal = {Archives of Sexual Behavior},
  year    = {2015},
  volume  = {44},
  number  = {1},
  pages   = {45--66},
  doi     = {https://doi.org/10.1007/S10508-014-0270-X},
}

@article{notitle,
  author = {Nobody, Nemo},
  year   = {2001},
}

@article{future,
  title = {A study from the far future},
  year  = {3020},
}

@article{baddoi,
  title = {A study with a broken DOI},
  year  = {2010},
  doi   = {11.9999/not-a-doi},
}

@article{unbalanced,
  title = {Braces {that never close,
  year  = {2012}
}

@article{seto2015viewing,
  author  = {Michael C. Seto and Chantal A. Hermann and Cecilia Kjellgren and Gisela Priebe
             and Carl G{\"o}ran Svedin and Niklas L{\aa}ngstr{\"o}m},
  title   = {Viewing child pornography: {P}revalence and correlates in a representative
             community sample of young {Swedish} men},
  journal = {Archives of Sexual Behavior},
  year    = 2015,
  volume  = 44,
  number  = 1,
  pages   = {67--79},
  doi     = {doi:10.1007/s10508-013-0244-4},
}

@article{Babchishin2015Online,
  title = {Same key as the first entry, in other case},
  year  = {2015},
}

@misc{samedoi,
  title = {Same DOI as the first entry},
  doi   = {10.1007/s10508-014-0270-x},
}

@article{twotitles,
  title = {One},
  title = {Two},
}

@article{,
  title = {An entry without a key},
  year  = {2005},
}

@article{babchishin2011characteristics,
  author  = {Babchishin, Kelly M. and Hanson, R. Karl and Hermann, Chantal A.},
  title   = {The characteristics of online sex offenders: {A} meta-analysis},
  journal = {Sexual Abuse: A Journal of Research and Treatment},
  year    = {2011},
  volume  = {23},
  number  = {1},
  pages   = {92--123},
  doi     = {10.1177/1079063210370708},
}
"""


@pytest.fixture(scope="module")
def mixed():
    return parse_bibtex(MIXED_FILE)


def test_good_entries_import_beside_malformed_ones(mixed):
    imported, _ = mixed
    assert [c.key for c in imported] == [
        "babchishin2015online",
        "future",
        "baddoi",
        "seto2015viewing",
        "Babchishin2015Online",
        "twotitles",
        None,  # the entry without a key
        "babchishin2011characteristics",
    ]
    assert imported[0] == BABCHISHIN_2015
    assert imported[3] == SETO_2015
    assert imported[6] == Citation(title="An entry without a key", year=2005)
    assert imported[7] == BABCHISHIN_2011


def test_an_odd_field_is_left_empty_with_a_note_instead_of_losing_the_entry(mixed):
    imported, _ = mixed
    by_key = {c.key: c for c in imported}
    assert by_key["future"].year is None
    assert by_key["future"].notes == [
        f"year 3020 is out of range (1900-{max_year()}): the year was left empty"
    ]
    assert by_key["baddoi"].doi is None
    assert by_key["baddoi"].notes == ["invalid DOI '11.9999/not-a-doi': the DOI was left empty"]
    assert by_key["twotitles"].title == "One"
    assert by_key["twotitles"].notes == [
        "field repeated in the entry (title): the first value was kept"
    ]
    assert by_key["Babchishin2015Online"].notes == [
        "key 'Babchishin2015Online' is used twice in the file"
    ]
    assert by_key["babchishin2015online"].notes == []


def test_only_unusable_entries_are_reported_with_their_key_and_reason(mixed):
    _, skipped = mixed
    reasons = {s["key"]: s["reason"] for s in skipped}
    assert reasons.keys() == {"notitle", "unbalanced", "samedoi"}
    assert reasons["notitle"] == "missing title"
    assert reasons["unbalanced"].startswith("could not parse entry")
    assert reasons["samedoi"] == (
        "duplicate: the same DOI 10.1007/s10508-014-0270-x as 'babchishin2015online'"
    )
    for entry in skipped:
        assert isinstance(entry["line"], int)
        assert MIXED_FILE.splitlines()[entry["line"] - 1].lstrip().startswith("@")


def test_entry_without_a_key_is_labelled_by_its_line():
    _, skipped = parse_bibtex("\n\n@article{,\n  year = {2001}\n}\n")
    assert skipped == [{"key": "line 3", "line": 3, "reason": "missing title"}]


def test_duplicate_of_a_rejected_entry_is_judged_on_its_own():
    text = "@article{k1, year={2001}}\n@article{k1, title={The good one}, year={2001}}\n"
    imported, skipped = parse_bibtex(text)
    assert [c.title for c in imported] == ["The good one"]
    assert skipped == [{"key": "k1", "line": 1, "reason": "missing title"}]


def test_require_year():
    text = "@book{k, title={Undated}}"
    assert parse_bibtex(text)[0][0].year is None
    imported, skipped = parse_bibtex(text, require_year=True)
    assert imported == []
    assert skipped[0]["reason"] == "missing year"


def test_year_from_biblatex_date_and_doi_from_url():
    imported, skipped = parse_bibtex(
        "@online{k, title={T}, date={2018-05-02}, url={https://doi.org/10.5555/ABC.123}}"
    )
    assert skipped == []
    assert imported[0].year == 2018
    assert imported[0].doi == "10.5555/abc.123"
    assert imported[0].entry_type == "misc"


def test_string_macros_and_entry_types():
    imported, skipped = parse_bibtex(
        """
        @string{asb = "Archives of Imaginary Behavior"}
        @comment{ignored}
        @inproceedings{a, title={In proceedings}, booktitle={Proc. of Nothing}, year=2001}
        @techreport{b, title={Tech report}, institution={Nowhere Institute}, year=2002}
        @phdthesis{c, title={A thesis}, school={Nowhere University}, year=2003}
        @ARTICLE{d, TITLE={Upper case}, JOURNAL=asb, YEAR=2004}
        """
    )
    assert skipped == []
    assert [(c.entry_type, c.venue) for c in imported] == [
        ("incollection", "Proc. of Nothing"),
        ("report", "Nowhere Institute"),
        ("misc", "Nowhere University"),
        ("article", "Archives of Imaginary Behavior"),
    ]


def test_latex_accents_and_escapes_are_decoded():
    imported, skipped = parse_bibtex(
        r"""@article{k,
          author = {M{\"u}ller, J{\"o}rg and Jos{\'e} Garc{\'\i}a M{\'a}rquez and
                    Fran{\c{c}}ois {\O}stergaard and {\L}ukasz Wi{\'s}niewski},
          title = {{\"U}ber {\'e}t{\'e}s \& caf\'{e}s: 50% -- or 50\% --- of {HIV} work},
          journal = {Revue d'{\'E}tudes},
          year = {2016},
          pages = {1--9}
        }"""
    )
    assert skipped == []
    (c,) = imported
    assert c.title == "Über étés & cafés: 50% \u2013 or 50% \u2014 of HIV work"
    assert c.authors == [
        "Müller, Jörg",
        "Márquez, José García",  # "Given Family" form: BibTeX takes the last word as family
        "Østergaard, François",
        "Wiśniewski, Łukasz",
    ]
    assert c.venue == "Revue d'Études"
    assert c.pages == "1\u20139"


@pytest.mark.parametrize(
    ("bibtex_name", "expected"),
    [
        ("Babchishin, Kelly M.", "Babchishin, Kelly M."),
        ("Kelly M. Babchishin", "Babchishin, Kelly M."),
        ("R. Karl Hanson", "Hanson, R. Karl"),
        ("Anna van der Berg", "van der Berg, Anna"),
        ("van der Berg, Anna", "van der Berg, Anna"),
        ("King, Jr., Martin", "King, Martin, Jr."),
        ("{World Health Organization}", "World Health Organization"),
        ("Plato", "Plato"),
        (r"M{\"u}ller, J{\"o}rg", "Müller, Jörg"),
    ],
)
def test_author_names(bibtex_name, expected):
    assert normalise_author(bibtex_name) == expected


def test_a_url_that_is_not_http_is_left_out_with_a_note():
    imported, skipped = parse_bibtex(
        "@misc{a, title={Bad link}, url={javascript:alert(1)}}\n"
        "@misc{b, title={Good link}, url={\\url{https://example.org/a_b%20c}}}\n"
    )
    assert skipped == []
    assert imported[0].url is None
    assert imported[0].notes == [
        "URL 'javascript:alert(1)' is not an http or https link: it was left out"
    ]
    assert imported[1].url == "https://example.org/a_b%20c"


def test_escaped_symbol_before_and_keeps_both_names():
    # bibtexparser's name splitter alone would drop "\_" here.
    imported, _ = parse_bibtex(r"@misc{k, title={T}, author={Doe, \_ and Roe, \& and Poe, A}}")
    assert imported[0].authors == ["Doe, _", "Roe, &", "Poe, A"]


def test_ligatures_survive_the_round_trip():
    original = Citation(
        title="Dashes -- and --- and ``quotes'' ?` !`", pages="12\u2013-13", year=2001
    )
    imported, skipped = parse_bibtex(to_bibtex(original))
    assert skipped == []
    assert imported == [original]


_CHUNKS = st.sampled_from(
    [
        "@article{",
        "@book(",
        "k1,",
        "title",
        "=",
        "{",
        "}",
        '"',
        ",",
        "author",
        " and ",
        "year",
        "2015",
        "3020",
        "doi",
        "10.1234/x",
        "\\",
        '\\"u',
        "%",
        "#",
        '@string{a="b"}',
        "\n",
        " ",
        "a",
        "@comment{",
        "date",
        "url",
        "pages",
        "--",
    ]
)


@settings(max_examples=200, deadline=None)
@given(text=st.lists(_CHUNKS, max_size=40).map("".join) | st.text(max_size=200))
def test_parse_bibtex_never_raises_and_what_it_imports_round_trips(text):
    imported, skipped = parse_bibtex(text)
    for entry in skipped:
        assert entry.keys() == {"key", "line", "reason"}
        assert entry["key"] and entry["reason"]
    for citation in imported:
        assert citation.title
        assert citation.doi is None or is_valid_doi(citation.doi)
        assert parse_bibtex(to_bibtex(citation)) == ([citation], [])
        assert to_ris(citation).endswith("ER  - \n")
        json.dumps(to_csl_json(citation))
        assert format_reference(citation)


def test_nothing_to_import():
    assert parse_bibtex("") == ([], [])
    assert parse_bibtex("TY  - JOUR\nER  - \n") == ([], [])


# --------------------------------------------------------------------------- BibTeX


def test_citation_keys():
    assert citation_key(BABCHISHIN_2015) == "babchishin2015online"
    assert citation_key(SETO_2015) == "seto2015viewing"
    assert citation_key(BABCHISHIN_2011) == "babchishin2011characteristics"
    assert citation_key(FICTIONAL[1]) == "vanderberg2019uber"
    assert citation_key(FICTIONAL[3]) == "anonndanonymous"
    assert citation_key(Citation(title="Långström", authors=["Łódź, Ø"])) == "lodzndlangstrom"


def test_repeated_keys_get_letters():
    twins = [BABCHISHIN_2015, BABCHISHIN_2015, BABCHISHIN_2011]
    text = to_bibtex(twins)
    assert "@article{babchishin2015onlinea," in text
    assert "@article{babchishin2015onlineb," in text
    assert "@article{babchishin2011characteristics," in text
    assert [item["id"] for item in to_csl_json(twins)] == [
        "babchishin2015onlinea",
        "babchishin2015onlineb",
        "babchishin2011characteristics",
    ]


def test_keys_are_unique_and_safe():
    def cite(key):
        return Citation(title="T", key=key)

    ids = [item["id"] for item in to_csl_json([cite("x"), cite("X"), cite("xa")])]
    assert ids == ["xb", "Xc", "xa"]
    assert to_bibtex(cite("a b,{c}")).startswith("@article{abc,\n")
    assert to_bibtex(cite(",{}")).startswith("@article{anonndt,\n")


def test_bibtex_of_one_item():
    assert to_bibtex(BABCHISHIN_2015) == (
        "@article{babchishin2015online,\n"
        "  author = {Babchishin, Kelly M. and Hanson, R. Karl and VanZuylen, Heather},\n"
        "  title = {Online child pornography offenders are different: A meta-analysis of the"
        " characteristics of online and offline sex offenders against children},\n"
        "  journal = {Archives of Sexual Behavior},\n"
        "  year = {2015},\n"
        "  volume = {44},\n"
        "  number = {1},\n"
        "  pages = {45--66},\n"
        "  doi = {10.1007/s10508-014-0270-x}\n"
        "}\n"
    )
    assert to_bibtex(BABCHISHIN_2015) == to_bibtex([BABCHISHIN_2015])


def test_bibtex_is_ascii_and_escapes_specials():
    text = to_bibtex(FICTIONAL)
    assert text.isascii()
    assert (
        r"Helplines {\&} 50{\%} of callers: C++, snake{\_}case, {\$}costs, {\#}tags and "
        r"{\textasciitilde}tildes"
    ) in text
    assert r"{\"U}ber" in text
    assert "{HIV/AIDS}" in text  # protected from re-casing
    assert "author = {{World Health Organisation of Examples}}" in text
    assert "@techreport{" in text
    assert "url = {https://example.org/reports/helplines_2020?id=7&lang=en}" in text


def test_bibtex_round_trip():
    originals = [BABCHISHIN_2015, SETO_2015, BABCHISHIN_2011, *FICTIONAL]
    imported, skipped = parse_bibtex(to_bibtex(originals))
    assert skipped == []
    assert imported == originals
    assert [c.key for c in imported] == [
        "babchishin2015online",
        "seto2015viewing",
        "babchishin2011characteristics",
        "worldhealthorganisationofexamples2020helplines",
        "vanderberg2019uber",
        "doendbook",
        "anonndanonymous",
    ]


def test_round_trip_keeps_imported_keys():
    imported, _ = parse_bibtex(MIXED_FILE)
    again, skipped = parse_bibtex(to_bibtex(imported))
    assert skipped == []
    assert again == imported
    # a key used twice (in two cases) is made unique; the others stay as they came
    assert [c.key for c in again][1:4] == ["future", "baddoi", "seto2015viewing"]


_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ09 -'`?!.,:;&%$#_{}~^\\/()[]\"")
        + list("éüÅøßŁĳΩЖ中\u2013\u2014\u201c\u201d\u2019")
    ),
    min_size=1,
    max_size=40,
).map(lambda s: " ".join(s.split()))
_NAME = st.text(alphabet=st.sampled_from(list("abcdeÄöéŁ-'")), min_size=1, max_size=10).map(
    str.capitalize
)


@settings(max_examples=150, deadline=None)
@given(
    title=_TEXT.filter(bool),
    venue=st.none() | _TEXT.filter(bool),
    families=st.lists(_NAME, max_size=4),
    givens=st.lists(_NAME, min_size=4, max_size=4),
    year=st.none() | st.integers(min_value=1900, max_value=max_year()),
    entry_type=st.sampled_from(cit.ENTRY_TYPES),
)
def test_bibtex_round_trip_property(title, venue, families, givens, year, entry_type):
    original = Citation(
        title=title,
        authors=[f"{f}, {g}" for f, g in zip(families, givens, strict=False)],
        year=year,
        venue=venue,
        entry_type=entry_type,
    )
    imported, skipped = parse_bibtex(to_bibtex(original))
    assert skipped == []
    assert imported == [original]


EUROPEAN_NAMES = [
    "Ångström, Íñigo",
    "Sørensen, Søren",
    "Müller, Jörg",
    "Straße, Hans",
    "García, María José",
    "Wiśniewski, Łukasz",
    "Żółć, Ńina",
    "Dvořák, Zoë",
    "Œuvre, Ĳsbrand",
]


def test_bibtex_writes_letters_as_braced_tex_commands():
    text = to_bibtex(
        Citation(title="Café Ångström", authors=EUROPEAN_NAMES[:4], venue="Études", year=2020)
    )
    assert (
        r"author = {{\AA}ngstr{\"o}m, {\'I}{\~n}igo and S{\o}rensen, S{\o}ren and "
        r"M{\"u}ller, J{\"o}rg and Stra{\ss}e, Hans}"
    ) in text
    assert r"title = {Caf{\'e} {\AA}ngstr{\"o}m}" in text
    assert r"journal = {{\'E}tudes}" in text


def _every_letter() -> str:
    """Every letter of Latin-1 and Latin Extended-A, each twice in one word, and the rest."""
    letters = [chr(c) for c in range(0xC0, 0x180) if chr(c).isalpha()]
    return " ".join(f"a{ch}b{ch}" for ch in letters) + " ǎ Ω Ж 中"


def test_bibtex_letters_read_back_the_same_by_pybtex():
    """pybtex (with latexcodec) reads every name and title as written; bibtexparser 1's
    ``convert_to_unicode`` cannot be installed beside bibtexparser 2, so its reading of
    these same forms was checked by hand (as a lower-case accented i stays UTF-8)."""
    from pybtex import database as pybtex_database
    from pybtex.richtext import Text

    title = _every_letter()
    original = Citation(title=title, authors=EUROPEAN_NAMES, venue="Revue d'Études", year=2020)
    text = to_bibtex(original)
    [entry] = pybtex_database.parse_string(text, "bibtex").entries.values()

    def decoded(latex: str) -> str:
        return Text.from_latex(latex).render_as("text")

    assert decoded(entry.fields["title"]) == title
    assert decoded(entry.fields["journal"]) == "Revue d'Études"
    names = [
        f"{decoded(' '.join(p.last_names))}, {decoded(' '.join(p.first_names + p.middle_names))}"
        for p in entry.persons["author"]
    ]
    assert names == EUROPEAN_NAMES
    assert parse_bibtex(text) == ([original], [])


# --------------------------------------------------------------------------- RIS


def test_ris_of_one_item():
    assert to_ris(BABCHISHIN_2015) == (
        "TY  - JOUR\n"
        "AU  - Babchishin, Kelly M.\n"
        "AU  - Hanson, R. Karl\n"
        "AU  - VanZuylen, Heather\n"
        "TI  - Online child pornography offenders are different: A meta-analysis of the"
        " characteristics of online and offline sex offenders against children\n"
        "T2  - Archives of Sexual Behavior\n"
        "PY  - 2015\n"
        "VL  - 44\n"
        "IS  - 1\n"
        "SP  - 45\n"
        "EP  - 66\n"
        "DO  - 10.1007/s10508-014-0270-x\n"
        "ER  - \n"
    )
    assert to_ris(BABCHISHIN_2015) == to_ris([BABCHISHIN_2015])


def test_ris_of_a_list():
    text = to_ris([BABCHISHIN_2015, *FICTIONAL])
    records = text.strip("\n").split("\n\n")
    assert len(records) == 5
    for record in records:
        lines = record.split("\n")
        assert lines[0].startswith("TY  - ")
        assert lines[-1] == "ER  - "
        assert all(len(line) >= 6 and line[2:6] == "  - " for line in lines)
    assert [r.split("\n")[0] for r in records] == [
        "TY  - JOUR",
        "TY  - RPRT",
        "TY  - CHAP",
        "TY  - BOOK",
        "TY  - GEN",
    ]
    assert "PB  - Example Institute for Prevention" in records[1]
    assert "UR  - https://example.org/reports/helplines_2020?id=7&lang=en" in records[1]
    assert "AU  - Müller, Jörg" in records[2]
    assert "T2  - Handbook of Imaginary Prevention" in records[2]
    assert "PY  - " not in records[3]
    assert to_ris([]) == ""


# --------------------------------------------------------------------------- CSL-JSON


def test_csl_json_of_one_item():
    assert to_csl_json(BABCHISHIN_2015) == [
        {
            "id": "babchishin2015online",
            "type": "article-journal",
            "title": BABCHISHIN_2015.title,
            "author": [
                {"family": "Babchishin", "given": "Kelly M."},
                {"family": "Hanson", "given": "R. Karl"},
                {"family": "VanZuylen", "given": "Heather"},
            ],
            "issued": {"date-parts": [[2015]]},
            "container-title": "Archives of Sexual Behavior",
            "volume": "44",
            "issue": "1",
            "page": "45-66",
            "DOI": "10.1007/s10508-014-0270-x",
        }
    ]


def test_csl_json_of_a_list():
    items = to_csl_json([SETO_2015, *FICTIONAL])
    json.dumps(items)  # serialisable as it is
    assert [i["type"] for i in items] == [
        "article-journal",
        "report",
        "chapter",
        "book",
        "document",
    ]
    assert items[0]["author"][-1] == {"family": "Långström", "given": "Niklas"}
    assert items[1]["author"] == [{"literal": "World Health Organisation of Examples"}]
    assert items[1]["publisher"] == "Example Institute for Prevention"
    assert items[1]["URL"] == "https://example.org/reports/helplines_2020?id=7&lang=en"
    assert items[2]["author"][2] == {"family": "King", "given": "Martin", "suffix": "Jr."}
    assert items[2]["container-title"] == "Handbook of Imaginary Prevention"
    assert items[2]["page"] == "101-120"
    assert "issued" not in items[3]
    assert "author" not in items[4]
    for item in items:
        assert {"id", "type", "title"} <= item.keys()


# --------------------------------------------------------------------------- APA


def test_apa_three_authors():
    assert format_reference(BABCHISHIN_2015) == (
        "Babchishin, K. M., Hanson, R. K., & VanZuylen, H. (2015). Online child pornography "
        "offenders are different: A meta-analysis of the characteristics of online and "
        "offline sex offenders against children. Archives of Sexual Behavior, 44(1), 45\u201366. "
        "https://doi.org/10.1007/s10508-014-0270-x"
    )


def test_apa_six_authors_with_accents():
    assert format_reference(SETO_2015).startswith(
        "Seto, M. C., Hermann, C. A., Kjellgren, C., Priebe, G., Svedin, C. G., & "
        "Långström, N. (2015). Viewing child pornography:"
    )


def _fictional(n):
    return Citation(
        title="A study with many authors",
        authors=[f"Author{i:02d}, Given Middle" for i in range(1, n + 1)],
        year=2021,
        venue="Journal of Examples",
        volume="3",
        pages="e12",
    )


def test_apa_one_author():
    assert format_reference(_fictional(1)) == (
        "Author01, G. M. (2021). A study with many authors. Journal of Examples, 3, Article e12."
    )


def test_apa_two_authors():
    assert format_reference(_fictional(2)).startswith("Author01, G. M., & Author02, G. M. (2021). ")


def test_apa_twenty_authors_are_all_listed():
    reference = format_reference(_fictional(20))
    names = ", ".join(f"Author{i:02d}, G. M." for i in range(1, 20))
    assert reference.startswith(names + ", & Author20, G. M. (2021). ")


@pytest.mark.parametrize("n", [21, 25])
def test_apa_twenty_one_or_more_authors(n):
    reference = format_reference(_fictional(n))
    first_19 = ", ".join(f"Author{i:02d}, G. M." for i in range(1, 20))
    assert reference.startswith(first_19 + f", . . . Author{n}, G. M. (2021). ")
    assert "&" not in reference
    assert "Author20," not in reference


def test_apa_other_types_and_gaps():
    assert format_reference(FICTIONAL[0]) == (
        "World Health Organisation of Examples. (2020). Helplines & 50% of callers: C++, "
        "snake_case, $costs, #tags and ~tildes. Example Institute for Prevention. "
        "https://example.org/reports/helplines_2020?id=7&lang=en"
    )
    assert format_reference(FICTIONAL[1]) == (
        "van der Berg, A., Müller, J., & King, M., Jr. (2019). Über die Prävention: Études "
        "in Ørsted's HIV/AIDS work. In Handbook of Imaginary Prevention (pp. 101\u2013120)."
    )
    assert format_reference(FICTIONAL[2]) == "Doe, J. (n.d.). A book with no year. Fictional Press."
    assert format_reference(FICTIONAL[3]) == (
        "An anonymous note. (n.d.). Posted on a notice board."
    )
    hyphenated = Citation(title="Is it?", authors=["Sartre, Jean-Paul"], year=2001)
    assert format_reference(hyphenated) == "Sartre, J.-P. (2001). Is it?"


def test_apa_html_is_escaped_and_italicised():
    assert format_reference(BABCHISHIN_2015, as_html=True) == (
        "Babchishin, K. M., Hanson, R. K., &amp; VanZuylen, H. (2015). Online child "
        "pornography offenders are different: A meta-analysis of the characteristics of online "
        "and offline sex offenders against children. <i>Archives of Sexual Behavior, 44</i>(1),"
        ' 45\u201366. <a href="https://doi.org/10.1007/s10508-014-0270-x">'
        "https://doi.org/10.1007/s10508-014-0270-x</a>"
    )
    hostile = Citation(
        title='<script>alert(1)</script> "quoted"',
        authors=["<img src=x onerror=alert(1)>, A"],
        venue="<b>Venue</b>",
        entry_type="book",
        url="javascript:alert(1)",
    )
    rendered = format_reference(hostile, as_html=True)
    assert "<script" not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert "&lt;script&gt;" in rendered
    assert "<a " not in rendered  # only http(s) links are links
    assert "<i>&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot;.</i>" in rendered


def test_apa_journal_without_volume_and_article_number():
    cochrane = Citation(
        title="Psychological interventions for adults who have sexually offended",
        authors=["Dennis, Jane A."],
        year=2012,
        venue="Cochrane Database of Systematic Reviews",
        issue="12",
        pages="CD007507",
        doi="10.1002/14651858.CD007507.pub2",
    )
    assert format_reference(cochrane) == (
        "Dennis, J. A. (2012). Psychological interventions for adults who have sexually "
        "offended. Cochrane Database of Systematic Reviews, (12), Article CD007507. "
        "https://doi.org/10.1002/14651858.cd007507.pub2"
    )
    assert (
        "<i>Cochrane Database of Systematic Reviews</i>, (12), Article CD007507."
        in format_reference(cochrane, as_html=True)
    )


@pytest.mark.parametrize(
    ("volume", "issue", "pages", "source"),
    [
        ("11", "4", "e0153442", "Journal of Examples, 11(4), Article e0153442."),
        ("12", None, "102345", "Journal of Examples, 12, Article 102345."),
        ("44", "1", "45\u201366", "Journal of Examples, 44(1), 45\u201366."),
        ("44", "1", "S12", "Journal of Examples, 44(1), S12."),
        (None, "4", None, "Journal of Examples, (4)."),
        (None, None, "e5", "Journal of Examples, Article e5."),
    ],
)
def test_apa_journal_source(volume, issue, pages, source):
    citation = Citation(
        title="T", year=2020, venue="Journal of Examples", volume=volume, issue=issue, pages=pages
    )
    assert format_reference(citation) == f"T. (2020). {source}"


def test_apa_article_without_journal_keeps_its_volume_issue_and_pages():
    citation = Citation(title="T", year=2020, volume="3", issue="2", pages="7")
    assert format_reference(citation) == "T. (2020). 3(2), 7."
    assert format_reference(Citation(title="T", year=2020, issue="2")) == "T. (2020). (2)."


def test_doi_links_are_percent_encoded():
    doi = "10.1002/(SICI)1097-4679(199802)54:2<243::AID-JCLP12>3.0.CO;2-#"
    encoded = "https://doi.org/10.1002/(sici)1097-4679(199802)54:2%3C243::aid-jclp12%3E3.0.co;2-%23"
    assert doi_url(doi) == encoded
    assert doi_url('https://doi.org/10.5555/a b?c%d[e]{f}|g\\h^i`j"k+l/é') == (
        "https://doi.org/10.5555/a%20b%3Fc%25d%5Be%5D%7Bf%7D%7Cg%5Ch%5Ei%60j%22k%2Bl/%C3%A9"
    )
    citation = Citation(title="T", year=2001, doi=doi)
    assert format_reference(citation).endswith(" " + encoded)
    assert f'<a href="{encoded}">{encoded}</a>' in format_reference(citation, as_html=True)
