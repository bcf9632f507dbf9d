"""Personal names: after a title or rank, and without one (full names, a first name with a
relation or an age), in English, German and Dutch; cited authors are not names.

A name without a title is a given name from ``lexicon.given_names`` followed by a family
name (from ``lexicon.surnames``, or any other capitalised word unless the first name is
also an ordinary word such as "May" or "Grace"), a given name after a relation ("her
brother Jonas", "seine Tochter Lena", "zijn zoon Sem"), or a known name with an age
("Owen, 16,", "Megan (14)"). A name is a citation, not a person, when a year in
parentheses, "et al.", "and colleagues" (also after further authors: "Hanson and
Babchishin (2016)") or "'s (2019)" follows it, or when its family name is one of the
cited authors passed in. Eponyms ("the Lucy Faithfull Foundation") are not names.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from . import lexicon
from .base import LOWER, UPPER, word_set

# Words that can stand before a rank ("Detective Chief Inspector", "Circuit Judge").
_TITLE_MODIFIERS = (
    "Detective|Chief|Deputy|Assistant|Police|Senior|Special|Acting|Temporary|Investigating|"
    "Probation|Woman|Staff|Station|Lead|Principal|Head|District|Circuit|Family|Youth|Prof|"
    "Professor|Dr|Doctor|Herr|Frau|Mr|Mrs|Ms|Det|Insp|Ch|Supt|Sgt"
)
# Titles and ranks that stand directly before a name: abbreviations that may take a full
# stop ("Dr. Jones"), and words that do not, so that "...seen by the DI. Later..." is no name.
_TITLES_DOTTED = "Mr|Mrs|Ms|Mx|Dr|Prof|Rev|Revd|Fr|Sgt|Supt|Insp|Det|Lt|Capt|Cpl|Mme|Mlle|Mevr|Dhr"
_TITLES_PLAIN = (
    "Miss|Doctor|Professor|Sir|Dame|Reverend|DC|DS|DI|DCI|DSI|DSU|DSupt|DCS|TDC|PC|WPC|"
    "PCSO|Sergeant|Constable|Officer|Inspector|Superintendent|Commander|Commissioner|"
    "Detective|Judge|Magistrate|Recorder|Agent|Lieutenant|Captain|Corporal|Trooper|"
    "Sheriff|Herr|Frau|Mevrouw|Kommissar|Kommissarin|Hauptkommissar|Hauptkommissarin|"
    "Rechercheur|Father|Sister|Pastor|Imam|Rabbi"
)
# Degree suffixes after "Dr." in German usage: "Dr. med. Anna Schmidt".
_DEGREE = r"(?:(?:med|phil|jur|rer\.\s?nat|rer\.\s?pol|dent|vet|habil)\.\s+)?"
# Capitalised words after a title that are not names.
_NOT_NAMES = (
    "The|This|That|These|Those|He|She|They|We|You|It|His|Her|Hers|Their|Our|Its|In|On|At|"
    "Of|And|But|Or|Nor|For|With|To|An|As|By|From|If|When|Where|While|Whilst|After|Before|"
    "During|Although|However|Both|All|Each|Some|Any|No|Not|Then|Also|So|Yet|Who|Whom|"
    "Police|Service|Services|Unit|Units|Team|Teams|Department|Office|Court|Courts|Training|"
    "General|Safety|Scotland|Metropolitan|Superior|Programme|Program|Standards|Survey|"
    "Report|Guidance|Development|Wellbeing|Welfare|Role|Roles|Level|Grade|Rank|Ranks|"
    "Inspectorate|Corps|Academy|College|School|University|Council|Government|Ministry|Area|"
    "Region|Force|Forces|Network|Association|Federation|Union|Foundation|Trust|Agency|"
    "Board|Panel|Committee|Manual|Handbook|Course|Certificate|Degree|Award|Scheme|Project|"
    "Who's|Chief|Inspector|Sergeant|Constable|Superintendent|Detective|Officer|Officers|"
    "Judge|Judges|Magistrate|Magistrates|Agent|Agents|Deputy|Commander|Commissioner|"
    "Investigating|Senior|Special|Acting|Temporary|Assistant|Probation|Staff|Station|"
    "Lead|Principal|Head|District|Circuit|Family|Youth|Prof|Professor|Dr|Doctor|Sir|Dame|"
    "Mr|Mrs|Ms|Miss|Mx|Rev|Reverend|Sgt|Supt|Capt|Captain|Lieutenant|Major|Colonel|"
    "Emeritus|Doctorate|Candidate|Fellow|Researcher|Practitioner|Liaison|Contact|Child|"
    "Children|Online|Internet|Sexual|Sex|Offender|Offenders|Offences|Offence|Crime|"
    "Crimes|Protection|Safeguarding|Management|Manager|Supervisor|Coordinator|Worker"
)
_NAME_WORD = (
    rf"(?:(?:Mc|Mac|O['\u2019]|D['\u2019]|De|Di|Le|La|Van|Von)?[{UPPER}][{LOWER}]+"
    rf"(?:[-'\u2019](?!s\b)[{UPPER}]?[{LOWER}]+)*)"
)
_NAME = re.compile(
    rf"(?<![\w.])(?:(?:{_TITLE_MODIFIERS})\.?\s+){{0,3}}"
    rf"(?:(?:{_TITLES_DOTTED})\.?|(?:{_TITLES_PLAIN}))\s+{_DEGREE}"
    rf"(?:[{UPPER}]\.?\s+){{0,2}}(?:(?:van|von|de|der|den|la|le|du|da|ten|ter)\s+){{0,3}}"
    rf"(?!(?:{_NOT_NAMES})\b){_NAME_WORD}"
    rf"(?:[ \t]+(?!(?:{_NOT_NAMES})\b){_NAME_WORD}){{0,2}}(?![\w])"
)
_NAME_NOT_AFTER = re.compile(r"(?:Washington|Washington,)\s*$")
# Lower-case particles inside a name: "van der Berg", "de la Cruz".
_PARTICLES = re.compile(
    rf"(?:\s+(?:van|von|der|den|de|la|le|du|da|di|ten|ter)){{1,3}}\s+{_NAME_WORD}(?![\w])"
)


# --------------------------------------------------------------------------- citations

_YEAR = r"(?:19|20)\d{2}[a-z]?"
_AUTHOR = (
    rf"(?:[{UPPER}]\.\s*)*(?:(?:van|von|de|der|den|ten|ter)\s+)*{_NAME_WORD}(?:\s+{_NAME_WORD})?"
)
# After a name: more authors, then a year, "et al." or "and colleagues".
_CITATION_TAIL = re.compile(
    rf"(?:\s*(?:,|and|&|und|en|y)\s+{_AUTHOR}){{0,5}}"
    rf"(?:['\u2019]s?)?\s*(?:\(\s*(?:{_YEAR}|n\.d\.|in\s+press)|,\s*{_YEAR}\s*[);,]|"
    r"et\s+al\b|(?:and|&|und|en)\s+(?:(?:his|her|their|seine|ihre|zijn|haar)\s+)?"
    r"(?:colleagues|co-?workers|co-?authors|Kolleg|collega))"
)


def _surname_key(name: str) -> str:
    """The family name of "Family, Given", "Given Family" or "Family", folded for comparison."""
    name = name.split(",")[0] if "," in name else (name.split() or [""])[-1]
    return name.strip().casefold()


def cited_keys(authors: Collection[str]) -> frozenset[str]:
    """Folded family names of ``authors`` ("Seto, Michael C.", "Hanson" ...)."""
    return frozenset(key for key in map(_surname_key, authors) if key)


def _is_citation(text: str, start: int, end: int, cited: frozenset[str]) -> bool:
    words = text[start:end].split()
    family = words[-1].removesuffix("'s").removesuffix("\u2019s") if words else ""
    if cited and family.casefold() in cited:
        return True
    return _CITATION_TAIL.match(text, end) is not None


def titled_names(text: str, cited: frozenset[str] = frozenset()) -> Iterator[tuple[str, int, int]]:
    """A capitalised name after a title or rank ("DC Jones", "Dr. med. Anna Schmidt")."""
    for m in _NAME.finditer(text):
        if _NAME_NOT_AFTER.search(text[max(0, m.start() - 12) : m.start()]):
            continue  # "Washington DC Metro..."
        end = m.end()
        tail = _PARTICLES.match(text, end)
        if tail:
            end = tail.end()
        if not _is_citation(text, m.start(), end, cited):
            yield "name", m.start(), end


# --------------------------------------------------------------------------- without a title

# Given names that are also ordinary words: a name only with a known family name.
_AMBIGUOUS_GIVEN = word_set(
    "May June April August Will Mark Rose Grace Faith Hope Joy Summer Dawn Holly Ivy Iris "
    "Daisy Lily Ruby Pearl Amber Sky Bill Pat Sue Max Guy Don Art Frank Carol Jack Rich Chase "
    "Hunter Mason Taylor Cooper Carter Parker Page Young Christian Ernst Wolf Hans Ben Gay "
    "Major Sterling Royal Justice Liberty Trinity Unity Angel Star Storm River Rain Winter "
    "Autumn Spring Glen Dale Lane Reed Wood Stone Hill Brook Case Fleur Roos Hoop Dag Mai "
    "Juli Jan Gabriel Madison Jordan Kent Lincoln Austin Houston Dallas Victoria Georgia "
    "Florence Sydney Paris London Chelsea Adelaide Charlotte Virginia Carolina Orlando Denver "
    "Phoenix Eden Haven Harmony Destiny Patience Prudence Verity"
)
# Words after a name that make it an eponym or a place ("Lucy Faithfull Foundation").
_ORG_WORDS = word_set(
    "Foundation Trust Institute Institut Instituut Centre Center Centrum Zentrum House Haus "
    "Huis Prize Award Lecture Hospital Krankenhaus Ziekenhuis School Schule College "
    "University Universität Universiteit Society Stiftung Stichting Fund Fonds Programme "
    "Program Project Projekt Model Scale Test Inventory Act Street Road Avenue Straße Strasse "
    "Laan Building Hall Library Museum Park Square Clinic Klinik Kliniek Unit Medal "
    "Fellowship Scholarship Memorial Report Review Inquiry Commission Principle Method "
    "Syndrome Disease Effect Church Club Academy Group Centre's Award's Bridge Airport "
    "Station Prison Gefängnis Gevangenis Court Gericht Rechtbank Lectures Trial"
)
# Capitalised words that are never a family name after a given name.
_NOT_FAMILY = word_set(
    _NOT_NAMES.replace("|", " ")
    + " I Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
    "April May June July August September October November December Christmas Easter Police "
    "Stop It Now English German Dutch British Irish Scottish Welsh European Catholic Muslim "
    "Jewish Christian"
)
_PARTICLE_WORDS = word_set(
    "van von de der den ten ter te du da di le la zu vom 't Van Von De Der Den Ten Ter Du Da "
    "Di Del Della Dos Le La"
)
_TOKEN = re.compile(
    rf"[{UPPER}{LOWER}](?:[{UPPER}{LOWER}]|-(?=[{UPPER}{LOWER}])|['\u2019](?!s\b)(?=[{UPPER}{LOWER}]))*"
)
_ARTICLE_BEFORE = re.compile(r"\b(?:the|The|de|De|het|Het|der|die|das|Die|Der|Das)\s+$")

# Relation words, looked up word by word ("half-brother", "ex-partner", "best friend" end
# in one of them).
_RELATIONS = word_set(
    # English
    "mother father mum mom dad son daughter brother sister wife husband partner girlfriend "
    "boyfriend cousin uncle aunt auntie nephew niece grandson granddaughter grandmother "
    "grandfather grandma grandad granddad stepson stepdaughter stepfather stepmother "
    "stepbrother stepsister friend neighbour neighbor flatmate classmate child baby twin "
    "fiancé fiancée "
    # German (capitalised nouns; compared in lower case)
    "mutter vater sohn tochter bruder schwester ehefrau ehemann frau freundin freund "
    "partnerin onkel tante neffe nichte enkel enkelin cousine nachbarin nachbar stiefsohn "
    "stieftochter stiefvater stiefmutter halbbruder halbschwester "
    # Dutch
    "moeder vader zoon dochter broer zus zuster vrouw echtgenote echtgenoot vriendin vriend "
    "oom neef nicht kleinzoon kleindochter buurman buurvrouw stiefzoon stiefdochter "
    "stiefvader stiefmoeder"
)
# German and Dutch relations (and "kind", "man", which are also English words): after
# these only a known first name, as German nouns are capitalised too.
_RELATIONS_KNOWN_NAME_ONLY = word_set(
    "mutter vater sohn tochter bruder schwester ehefrau ehemann frau freundin freund "
    "partnerin onkel tante neffe nichte enkel enkelin cousine nachbarin nachbar stiefsohn "
    "stieftochter stiefvater stiefmutter halbbruder halbschwester moeder vader zoon dochter "
    "broer zus zuster vrouw echtgenote echtgenoot vriendin vriend oom neef nicht kleinzoon "
    "kleindochter buurman buurvrouw stiefzoon stiefdochter stiefvader stiefmoeder"
)
_WORD = re.compile(r"\w+")
_AFTER_RELATION = re.compile(rf",?\s+(?P<name>{_NAME_WORD})(?![\w'\u2019-])")
_NAME_AGE = re.compile(
    rf"(?<![\w'\u2019-])(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)"
    r"(?:,\s*(?:aged\s+|age\s+|alter\s+|leeftijd\s+)?\d{1,2}(?:\s*(?:jaar|Jahre|years))?\s*[,;]"
    r"|\s*\(\s*(?:aged\s+|age\s+)?\d{1,2}(?:\s*(?:jaar|Jahre|J\.|yrs?|years))?\s*\))"
)


_NOUN_ENDING = re.compile(r"(?:tion|sion|ment|ness|ity|ship|ance|ence|ing|ism|ist|ogy|ics|ure)$")


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _is_given(word: str, given: frozenset[str]) -> bool:
    return word in given or (word.split("-")[0] in given and "-" in word)


def full_names(text: str, cited: frozenset[str] = frozenset()) -> Iterator[tuple[str, int, int]]:
    """A given name, middle names or particles, and a family name: "Daan de Vries"."""
    given, family = lexicon.given_names(), lexicon.surnames()
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        word, start, _ = tokens[i]
        if not (_capitalised(word) and _is_given(word, given)) or word in _NOT_FAMILY:
            i += 1
            continue
        j, last, particle = i + 1, None, False
        while j < len(tokens) and j - i <= 5 and text[tokens[j - 1][2] : tokens[j][1]] == " ":
            nxt = tokens[j][0]
            if nxt in _PARTICLE_WORDS:
                particle = True
            elif not _capitalised(nxt) or nxt in _NOT_FAMILY or nxt in _ORG_WORDS:
                break
            elif nxt in family:
                last = j  # a middle name that is also a family name may follow
            elif nxt in given and not particle:
                pass  # a middle name
            else:  # an unknown capitalised word ends the name
                if particle or (last is None and word not in _AMBIGUOUS_GIVEN):
                    last = j
                break
            j += 1
        if last is None:
            i += 1
            continue
        end = tokens[last][2]
        after = tokens[last + 1][0] if last + 1 < len(tokens) else ""
        between = text[end : tokens[last + 1][1]] if last + 1 < len(tokens) else ""
        eponym = (after in _ORG_WORDS and between.strip() == "") or _ARTICLE_BEFORE.search(
            text[max(0, start - 5) : start]
        )
        if not eponym and not _is_citation(text, start, end, cited):
            yield "person", start, end
        i = last + 1


def relation_names(
    text: str, cited: frozenset[str] = frozenset()
) -> Iterator[tuple[str, int, int]]:
    """A first name after a relation: "her brother Jonas", "seine Tochter Lena"."""
    given = lexicon.given_names()
    for word in _WORD.finditer(text):
        relation = word.group().lower()
        if relation not in _RELATIONS:
            continue
        m = _AFTER_RELATION.match(text, word.end())
        if m is None:
            continue
        name = m.group("name")
        if name in _NOT_FAMILY or name in _ORG_WORDS:
            continue
        # An English relation in lower case may precede any name that is not a noun.
        english = word.group().islower() and relation not in _RELATIONS_KNOWN_NAME_ONLY
        common = _NOUN_ENDING.search(name) is not None
        plausible = name in given or (english and not common and name not in _AMBIGUOUS_GIVEN)
        if plausible and not _is_citation(text, m.start("name"), m.end("name"), cited):
            yield "person", m.start("name"), m.end("name")


def aged_names(text: str, cited: frozenset[str] = frozenset()) -> Iterator[tuple[str, int, int]]:
    """A known first or family name with an age: "Owen, 16,", "Megan (14)"."""
    given, family = lexicon.given_names(), lexicon.surnames()
    for m in _NAME_AGE.finditer(text):
        words, start, end = m.group("name").split(), m.start("name"), m.end("name")
        if len(words) == 2 and words[0] not in given:  # "Bruder Tobias (17)": only Tobias
            words, start = words[1:], end - len(words[1])
        first = words[0]
        if first in _NOT_FAMILY or first in _AMBIGUOUS_GIVEN:
            continue
        if (first in given or first in family) and not _is_citation(text, start, end, cited):
            yield "person", start, end


def names(text: str, authors: Collection[str] = ()) -> Iterator[tuple[str, int, int]]:
    """Every kind of personal name above, with ``authors`` (family names) exempt."""
    cited = cited_keys(authors)
    for detector in (titled_names, full_names, relation_names, aged_names):
        yield from detector(text, cited)
