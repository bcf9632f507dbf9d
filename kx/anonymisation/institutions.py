"""Named schools, clubs, parishes and small employers: places a reader who knows the area
can walk into and ask about ("Holy Cross Primary School", "TSV Oberhaching", "basisschool
De Regenboog", "Harlow & Sons Garage").

Generic and national bodies are not flagged: a name whose words before the noun are all
generic ("Catholic Church", "Royal College", "Police Academy") or a large city or a
country ("London School of Economics") names no small community.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import lexicon
from .base import LOWER, UPPER, word_set

# Atomic: each word matches one way only, so a run of capitalised words cannot backtrack.
_WORD = rf"(?>St\.|[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)*(?:['\u2019]s)?|[{UPPER}]{{2,4}})"
_NAME = rf"{_WORD}(?:(?:\s+(?:of|the|on|upon|&|am|an|der|de|van))*\s+{_WORD}){{0,4}}"
_EN_NOUNS = (
    r"(?:Primary|Junior|Infants?['\u2019]?|Secondary|High|Grammar|Middle|Free|Prep|"
    r"Preparatory|Community|Catholic|C\s?of\s?E)\s+School|School|Academy|College|Nursery|"
    r"Pre-School|Preschool|Playgroup|Church|Chapel|Parish|Mosque|Masjid|Synagogue|Gurdwara|"
    r"Temple|(?:Football|Rugby|Cricket|Tennis|Golf|Boxing|Swimming|Athletics|Sailing|Rowing|"
    r"Youth|Sports|Social|Chess|Judo|Karate|Gymnastics|Cycling|Running|Hockey|Netball)\s+Club|"
    r"Club|Scout\s+Group|Scouts|Guides|Brownies|Cubs|F\.?C\.?|A\.?F\.?C\.?|R\.?F\.?C\.?|Garage|"
    r"Bakery|Surgery|Pharmacy|Motors|Builders|Plumbing|Haulage|Stores|Salon|Ltd\.?|Limited|"
    r"GmbH|B\.?V\.?"
)
_EN_INSTITUTION = re.compile(rf"(?<![\w'\u2019-])(?P<pre>{_NAME})\s+(?P<noun>{_EN_NOUNS})(?![\w-])")
_EN_CUED = re.compile(
    r"\b(?:parish|school|club|church|congregation|company|firm|business|pub|shop|garage|"
    rf"employer)\s+(?:of|called|named|known\s+as)\s+(?P<n>(?:St\.?\s+|Saint\s+)?{_NAME})"
)
_DE_CUED = re.compile(
    r"\b(?:Grundschule|Hauptschule|Realschule|Gesamtschule|Gemeinschaftsschule|Gymnasium|"
    r"F\u00f6rderschule|Oberschule|Mittelschule|Berufsschule|Kita|Kindergarten|"
    r"Kindertagesst\u00e4tte|Kirchengemeinde|Pfarrei|Pfarrgemeinde|Sportverein|Turnverein|"
    r"Fu\u00dfballverein|Sch\u00fctzenverein|Musikverein|Jugendzentrum|Jugendtreff|"
    r"B\u00e4ckerei|Metzgerei|Autowerkstatt|Firma)"
    rf"\s+(?P<by>(?:am|an\s+der|im|in\s+der|zum|zur|St\.|Sankt)\s+)?"
    rf"(?P<n>{_WORD}(?:[ -]{_WORD}){{0,3}})"
)
# German nouns are capitalised: without "am", "zur"... the name must look like a place or
# a person ("Grundschule Lindenhof", "Kita Sonnenschein"), not "Grundschule Gewalt".
_DE_PLACE_ENDING = re.compile(
    r"(?:hof|feld|felde|dorf|berg|burg|hausen|heim|stadt|bach|tal|au|ingen|kirchen|br\u00fcck|"
    r"hagen|wald|see|schein|garten|park|weg|ring|h\u00f6he|grund|m\u00fchle|winkel)$"
)
_DE_COMPOUND = re.compile(
    rf"(?<![\w-])(?P<n>[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)*)-"
    r"(?:Grundschule|Gymnasium|Schule|Realschule|Gesamtschule|Kirche|Kita|Kindergarten)(?![\w-])"
)
_DE_CLUB = re.compile(
    r"(?<![\w-])(?:TSV|SV|FC|SC|VfB|VfL|TuS|TSG|SpVgg|DJK|SG|FSV|TV|VV|RKVV|HC|Sportfreunde)"
    rf"\s+(?:\d{{2,4}}\s+)?(?P<n>{_WORD}(?:[ -]{_WORD}){{0,2}})"
)
_NL_CUED = re.compile(
    r"\b(?i:basisschool|obs|cbs|rkbs|pcbs|kindcentrum|kinderdagverblijf|kinderopvang|"
    r"peuterspeelzaal|scouting(?:groep)?|voetbalvereniging|voetbalclub|sportvereniging|"
    r"korfbalvereniging|hockeyclub|tennisvereniging|parochie|kerkgemeente|moskee|bakkerij|"
    r"slagerij|garagebedrijf|kapsalon|firma|school)"
    rf"\s+(?:(?i:de|het|'t|den|sint|st\.?)\s+)?(?P<n>{_WORD}(?:[ -]{_WORD}){{0,3}})"
)
# Words that name no particular place or community.
_GENERIC = word_set(
    "The A An At In On Of For By From To And With After Before During His Her Their Our Its "
    "He She They We It This That Royal National Catholic Roman Anglican Methodist Protestant "
    "Evangelical Orthodox Baptist Free Reformed United Police Staff Army Naval European "
    "British English Scottish Welsh Irish German Dutch International Open Imperial University "
    "State Community Public Private Independent Special Primary Secondary High Grammar Middle "
    "Sunday Bible Local Federal Regional Central City County Council Borough Christian Muslim "
    "Jewish Islamic Youth Sports Football Rugby Cricket Tennis Golf Boxing Social Village "
    "Town Junior Infant Infants Nursery Day Boarding Faith New Old North South East West "
    "Northern Southern Eastern Western Upper Lower Great Greater Medical Business Law Art "
    "Arts Music Drama Film Language Summer Winter Night Online Virtual Rotary Lions Book "
    "Health Care Training Defence Defense Staff War Business Prison Secure Residential "
    "Forensic Teaching Technical Vocational Further Higher Adult Victorian Modern Many Most "
    "Some Each Every All Both Several Other Such Any No Which Whose Where When While If "
    "Although However Because Since As Our Your My Their Ltd Limited St Saint Holy One Two "
    "Three First Second Third"
)
_NOT_AFTER_CUE = word_set(
    "The A An In On At Of For And Or But To With By From Is Was Are Were Has Had Be I"
)


_CITY_AFTER = re.compile(rf"\s+([{UPPER}][{LOWER}]+)")


def _big_place(place: str) -> bool:
    return place in lexicon.countries() or lexicon.city_populations().get(place, 0) >= 100_000


def _known(word: str) -> bool:
    return word in lexicon.surnames() or word in lexicon.given_names() or _big_place(word)


def _generic(name: str) -> bool:
    words = [w.removesuffix("'s").removesuffix("\u2019s") for w in name.split()]
    words = [w for w in words if w not in {"of", "and", "the", "on", "upon", "&", "am", "an"}]
    if all(w in _GENERIC for w in words):
        return True
    return _big_place(" ".join(words))


def institutions(text: str) -> Iterator[tuple[str, int, int]]:
    """Named schools, clubs, churches, parishes and small businesses."""
    for m in _EN_INSTITUTION.finditer(text):
        pre, start = m.group("pre"), m.start("pre")
        # Drop the sentence's first words that are not part of the name ("At Holy Cross").
        words = pre.split()
        while words and words[0] in _GENERIC and words[0] not in {"St", "St.", "Saint", "Holy"}:
            start = text.index(words[1], start + len(words[0])) if len(words) > 1 else m.end()
            words = words[1:]
        city_after = _CITY_AFTER.match(text, m.end()) if m.group("noun") == "College" else None
        if city_after and _big_place(city_after.group(1)):
            continue  # "Trinity College Dublin": a university, not a small community
        if words and not _generic(" ".join(words)):
            yield "institution", start, m.end()
    for m in _EN_CUED.finditer(text):
        if m.group("n").split()[0] not in _NOT_AFTER_CUE and not _generic(m.group("n")):
            yield "institution", m.start(), m.end()
    for m in _DE_CUED.finditer(text):
        first = m.group("n").split()[0]
        if m.group("by") or "-" in first or _DE_PLACE_ENDING.search(first) or _known(first):
            yield "institution", m.start(), m.end()
    for pattern in (_DE_COMPOUND, _DE_CLUB, _NL_CUED):
        for m in pattern.finditer(text):
            if m.group("n").split()[0].split("-")[0] not in _NOT_AFTER_CUE:
                yield "institution", m.start(), m.end()
