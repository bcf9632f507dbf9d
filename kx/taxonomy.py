"""The fixed vocabularies: slugs (part of the API) and human labels."""

from functools import cache

import pycountry

DOMAINS = {
    "policing": "Policing",
    "prosecution": "Prosecution",
    "risk-assessment": "Risk assessment",
    "treatment": "Treatment",
    "prevention": "Prevention",
    "education": "Education",
    "desistance": "Desistance",
}

SECTORS = {
    "law-enforcement": "Law enforcement",
    "academic": "Academic",
    "treatment": "Treatment",
    "mental-health": "Mental health",
    "policy": "Policy",
    "ngo": "NGO / charity",
    "other": "Other",
}

PREVENTION_LEVELS = {
    "primary": "Primary (before any offence)",
    "secondary": "Secondary (people at risk)",
    "tertiary": "Tertiary (after an offence)",
}

STAGES = {
    "pre-offence": "Pre-offence",
    "viewing": "Viewing",
    "arrest": "Arrest",
    "conviction": "Conviction",
    "supervision": "Supervision",
    "community": "Community",
}

# Ordered strongest first: the order is the evidence hierarchy.
STUDY_DESIGNS = {
    "systematic-review": "Systematic review",
    "rct": "Randomised controlled trial",
    "quasi-experimental": "Quasi-experimental",
    "cohort": "Cohort study",
    "cross-sectional": "Cross-sectional",
    "qualitative": "Qualitative",
    "case-study": "Case study",
    "expert-consensus": "Expert consensus",
    "other": "Other",
}

EVIDENCE_RELATIONS = {
    "evaluates": "Evaluates",
    "supports": "Supports",
    "informs": "Informs",
    "contradicts": "Contradicts",
}

EVALUATION_STATUSES = {
    "none": "Not evaluated",
    "internal": "Internal evaluation",
    "independent": "Independent evaluation",
    "peer-reviewed": "Peer-reviewed evaluation",
}

VISIBILITIES = {
    "public": "Public",
    "members": "Verified members",
    "restricted": "Restricted to sectors",
}

STATUSES = {
    "draft": "Draft",
    "pending": "Pending review",
    "published": "Published",
    "rejected": "Rejected",
    "archived": "Archived",
}

ROLES = {
    "member": "Member",
    "moderator": "Moderator",
    "admin": "Administrator",
}


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> common English name, sorted by name."""
    names = {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}
    return dict(sorted(names.items(), key=lambda item: item[1]))


VOCABULARIES = {
    "domains": DOMAINS,
    "sectors": SECTORS,
    "prevention_levels": PREVENTION_LEVELS,
    "stages": STAGES,
    "study_designs": STUDY_DESIGNS,
    "evidence_relations": EVIDENCE_RELATIONS,
    "evaluation_statuses": EVALUATION_STATUSES,
    "visibilities": VISIBILITIES,
    "statuses": STATUSES,
    "roles": ROLES,
}


def vocabulary(name: str) -> dict[str, str]:
    """The named vocabulary; ``countries`` is built from pycountry."""
    return countries() if name == "countries" else VOCABULARIES[name]


def label(name: str, slug: str | None) -> str:
    """Human label for ``slug`` in vocabulary ``name`` (the slug itself when unknown)."""
    return vocabulary(name).get(slug, slug) if slug else ""


def choices(name: str) -> list[tuple[str, str]]:
    """``(slug, label)`` pairs for a form's select field."""
    return list(vocabulary(name).items())
