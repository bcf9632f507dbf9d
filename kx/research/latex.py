"""LaTeX in bibliographic text: what a BibTeX import decodes to plain Unicode and what a
BibTeX export encodes so that bibtexparser 1 and 2, pybtex and BibTeX itself read the same
letters back. Pure, as ``kx.research.citations`` is."""

import functools
import logging
import re

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

# Text symbols that pylatexenc does not know and would drop without a trace.
_SYMBOLS = {
    "pounds": "£",
    "textsterling": "£",
    "euro": "€",
    "texteuro": "€",
    "textyen": "¥",
    "textbar": "|",
    "S": "§",
    "P": "¶",
    "textbackslash": "\\",
    "textless": "<",
    "textgreater": ">",
    "textdollar": "$",
    "textunderscore": "_",
    "textasciitilde": "~",
    "textbullet": "•",
    "textperiodcentered": "·",
    "textregistered": "®",
    "texttrademark": "™",
    "textcopyright": "©",
    "copyright": "©",
    "textdegree": "°",
    "dag": "†",
    "ddag": "‡",
    "textdagger": "†",
    "textdaggerdbl": "‡",
}


def _make_decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    context.add_context_category(
        "kx-citations",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            MacroTextSpec("textasciicircum", simplify_repl="^"),
            *(MacroTextSpec(name, simplify_repl=text) for name, text in _SYMBOLS.items()),
        ],
    )
    return LatexNodes2Text(latex_context=context, math_mode="verbatim", keep_braced_groups=False)


_DECODER = _make_decoder()
_MACRO = re.compile(r"\\([A-Za-z]+)")


def unknown_macros(value: str) -> list[str]:
    """The LaTeX commands in ``value`` the decoder has no text for (it would drop them)."""
    context = _DECODER.latex_context
    names = dict.fromkeys(_MACRO.findall(value))
    return [name for name in names if context.get_macro_spec(name) is None]


# pylatexenc's forms, except where bibtexparser 1 (which many reference tools still run)
# needs the form its own table spells: it misreads \r{a} and \'n (as ŉ), and a field
# with two accents that it finds only by position, such as \'c, loses the second.
_BIBTEX1_FORMS = {
    "Å": r"\AA",
    "å": r"\aa",
    "ĵ": r"\^\j",
    **{char: rf"\'{{{ascii_}}}" for char, ascii_ in zip("ĆćŃńŚśŹź", "CcNnSsZz", strict=True)},
    **{
        char: rf"\{accent} {ascii_}"
        for char, accent, ascii_ in zip("İŰűŸŻż", '.HH"..', "IUuYZz", strict=True)
    },
}
_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    conversion_rules=[
        UnicodeToLatexConversionRule(
            RULE_DICT, {ord(char): tex for char, tex in _BIBTEX1_FORMS.items()}
        ),
        "defaults",
    ],
)
# pylatexenc logs a warning for every character it keeps as it is (e.g. CJK).
logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)

_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
# TeX ligatures that would change the text: -- and ---, `` and '', ?` and !`.
_LIGATURE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|[?!](?=`))")
# Braced, so that no escape touches the text around it (bibtexparser's name splitter
# misreads ``\_ and``).
_ASCII_SPECIALS = {
    "\\": r"{\textbackslash}",
    "{": r"{\{}",
    "}": r"{\}}",
    "&": r"{\&}",
    "%": r"{\%}",
    "$": r"{\$}",
    "#": r"{\#}",
    "_": r"{\_}",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
}
#: a backslash before a TeX special written bare, as in ``AT\&T``
CONTROL_SYMBOL = re.compile(r"(?<!\\)\\([&%$#_])")


def decode(value: str) -> str:
    """LaTeX to plain Unicode text, whitespace collapsed.

    A bare ``%`` (common in hand-written .bib files: ``50% of``) is text, not a comment.
    A command the decoder does not know is kept as written (``\\foo``), never dropped.
    """
    for name in unknown_macros(value):
        value = re.sub(rf"\\{name}(?![A-Za-z])\s*", rf"\\textbackslash{{}}{name}\\ ", value)
    text = _DECODER.latex_to_text(_UNESCAPED_PERCENT.sub(r"\\%", value))
    return " ".join(text.replace("\xa0", " ").split())


# The letters of European names (Latin-1 and Latin Extended-A) are written as TeX
# commands, which bibtexparser 1 and 2, pybtex and BibTeX itself all read back to the same
# letter. These stay UTF-8, which each of them takes as it is, as does every other
# character: no form of an accented i suits both bibtexparser 1 (whose \'i fails when a
# field has two, as in "García, María") and pybtex (which misreads \'{\i}), and
# bibtexparser 1 misreads \OE (Ø then E), \ij, \ng and the rarer letters here.
_TEX_LETTERS = range(0xC0, 0x180)
_KEEP_UTF8 = frozenset("ìíîïĩīĭĦħĲĳĸĿŀŉŊŋŒœŦŧ")


@functools.lru_cache(maxsize=4096)
def _latex_char(char: str) -> str:
    """A letter of a European name as a braced TeX command (``å`` -> ``{\\aa}``,
    ``ö`` -> ``{\\"o}``) when that decodes back to it; otherwise the character itself."""
    if ord(char) not in _TEX_LETTERS or not char.isalpha() or char in _KEEP_UTF8:
        return char
    encoded = _ENCODER.unicode_to_latex(char)
    if encoded != char and _DECODER.latex_to_text(encoded) == char:
        return encoded
    return char


def encode(text: str, *, protect_case: bool = False) -> str:
    """Plain text to BibTeX-safe LaTeX: specials escaped, non-ASCII as LaTeX macros.

    With ``protect_case``, words with a capital after the first letter (``HIV``,
    ``VanZuylen``) are braced so that styles that re-case titles keep them.
    """
    words = []
    for word in text.split():
        escaped = "".join(_ASCII_SPECIALS.get(char, char) for char in word)
        escaped = _LIGATURE.sub(r"\1{}", escaped)
        escaped = "".join(_latex_char(char) if ord(char) > 127 else char for char in escaped)
        if protect_case and any(char.isupper() for char in word[1:]):
            escaped = "{" + escaped + "}"
        words.append(escaped)
    return " ".join(words)
