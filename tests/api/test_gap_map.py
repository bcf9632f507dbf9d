"""``GET /api/v1/gap-map`` counts exactly what each caller may see, against a small fixture
built by hand through the API.

Research (published by a moderator unless noted):
  R1 public      prevention + treatment   rct
  R2 public      prevention               rct
  R3 members     prevention               qualitative
  R4 academic    policing                 cohort        (restricted to the academic sector)
  R5 draft       prevention               rct           (the author's; never counted)
  R6 pending     education                rct           (the author's; never counted)
Practices:
  P1 public      prevention               <- R1 supports
  P2 public      prevention + education   <- R3 supports
  P3 members     treatment                <- R4 evaluates
  P4 public      policing                 <- R1 informs (only evaluates/supports count)
  P5 draft       policing                 (the author's; never counted)
  P6 public      desistance               <- R5 supports (a draft: no evidence yet)
"""

import pytest

from kx import taxonomy
from tests.support.api import new_practice, new_research

DOMAINS = list(taxonomy.DOMAINS)
DESIGNS = list(taxonomy.STUDY_DESIGNS)


@pytest.fixture
def fixture_map(client, people):
    mod = people.moderator
    published = {"submit": True}
    r1 = new_research(
        client, mod, domains=["prevention", "treatment"], study_design="rct", **published
    )
    new_research(client, mod, domains=["prevention"], study_design="rct", **published)
    r3 = new_research(
        client,
        mod,
        domains=["prevention"],
        study_design="qualitative",
        visibility="members",
        **published,
    )
    r4 = new_research(
        client,
        mod,
        domains=["policing"],
        study_design="cohort",
        visibility="restricted",
        restricted_sectors=["academic"],
        **published,
    )
    r5 = new_research(client, people.author, domains=["prevention"], study_design="rct")
    new_research(client, people.author, domains=["education"], study_design="rct", **published)

    confirmed = {"submit": True, "anonymised_confirmed": True}
    p1 = new_practice(client, mod, domains=["prevention"], **confirmed)
    p2 = new_practice(client, mod, domains=["prevention", "education"], **confirmed)
    p3 = new_practice(client, mod, domains=["treatment"], visibility="members", **confirmed)
    p4 = new_practice(client, mod, domains=["policing"], **confirmed)
    new_practice(client, people.author, domains=["policing"])
    p6 = new_practice(client, people.author, domains=["desistance"])
    assert (
        client.patch(
            f"/api/v1/practices/{p6['id']}", json=confirmed, headers=people.author.headers
        ).status_code
        == 200
    )
    client.post(
        f"/api/v1/review/practice/{p6['id']}", json={"decision": "approve"}, headers=mod.headers
    )

    for practice, research, relation, who in [
        (p1, r1, "supports", mod),
        (p2, r3, "supports", mod),
        (p3, r4, "evaluates", mod),
        (p4, r1, "informs", mod),
        (p6, r5, "supports", people.author),
    ]:
        response = client.post(
            f"/api/v1/practices/{practice['id']}/evidence",
            json={"research_id": research["id"], "relation": relation},
            headers=who.headers,
        )
        assert response.status_code == 201, response.get_json()


def expected(cells: dict, practices: dict) -> dict:
    full_cells = {d: dict.fromkeys(DESIGNS, 0) for d in DOMAINS}
    for (domain, design), count in cells.items():
        full_cells[domain][design] = count
    full_practices = {d: {"with_evidence": 0, "without_evidence": 0} for d in DOMAINS}
    for domain, (with_evidence, without_evidence) in practices.items():
        full_practices[domain] = {
            "with_evidence": with_evidence,
            "without_evidence": without_evidence,
        }
    return {"rows": DOMAINS, "columns": DESIGNS, "cells": full_cells, "practices": full_practices}


ANONYMOUS = expected(
    {("prevention", "rct"): 2, ("treatment", "rct"): 1},
    {"prevention": (1, 1), "education": (0, 1), "policing": (0, 1), "desistance": (0, 1)},
)
LAW_ENFORCEMENT_MEMBER = expected(
    {("prevention", "rct"): 2, ("prevention", "qualitative"): 1, ("treatment", "rct"): 1},
    {
        "prevention": (2, 0),
        "education": (1, 0),
        "treatment": (0, 1),
        "policing": (0, 1),
        "desistance": (0, 1),
    },
)
ACADEMIC_MEMBER = expected(
    {
        ("prevention", "rct"): 2,
        ("prevention", "qualitative"): 1,
        ("treatment", "rct"): 1,
        ("policing", "cohort"): 1,
    },
    {
        "prevention": (2, 0),
        "education": (1, 0),
        "treatment": (1, 0),
        "policing": (0, 1),
        "desistance": (0, 1),
    },
)


@pytest.mark.parametrize(
    "viewer, counts",
    [
        ("anonymous", ANONYMOUS),
        ("unverified", ANONYMOUS),
        ("colleague", LAW_ENFORCEMENT_MEMBER),
        ("author", LAW_ENFORCEMENT_MEMBER),  # their own drafts and pending items do not count
        ("academic", ACADEMIC_MEMBER),
        ("moderator", ACADEMIC_MEMBER),
    ],
)
def test_the_gap_map_counts_what_the_caller_may_see(client, people, fixture_map, viewer, counts):
    response = client.get("/api/v1/gap-map", headers=getattr(people, viewer).headers)

    assert response.status_code == 200
    assert response.get_json() == counts


def test_an_empty_map_has_every_cell(client):
    response = client.get("/api/v1/gap-map")

    assert response.get_json() == expected({}, {})


def test_the_gap_map_takes_no_parameters(client):
    response = client.get("/api/v1/gap-map?domain=prevention")

    assert response.status_code == 422
