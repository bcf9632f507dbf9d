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

# What a finding on an evidence link measured (more may be added; slugs are part of the API).
OUTCOMES = {
    "sexual-reoffending": "Sexual reoffending",
    "any-reoffending": "Any reoffending",
    "csem-use": "Use of sexual abuse material",
    "contact-offending": "Contact offending",
    "help-seeking": "Help-seeking",
    "dynamic-risk": "Dynamic risk factors",
    "attitudes-knowledge": "Attitudes and knowledge",
    "detection": "Detection",
    "victim-identification": "Victim identification",
    "wellbeing": "Wellbeing",
    "implementation": "Implementation",
}

FINDING_DIRECTIONS = {
    "positive": "Positive effect",
    "no-effect": "No effect",
    "negative": "Harmful effect",
    "mixed": "Mixed results",
}

EFFECT_MEASURES = {
    "OR": "Odds ratio",
    "RR": "Risk ratio",
    "HR": "Hazard ratio",
    "d": "Cohen's d",
    "g": "Hedges' g",
    "r": "Correlation (r)",
    "pp": "Percentage points",
}

# Best first: the order lists and theme pages use for "best rated".
RATINGS = {
    "effective": "Effective",
    "promising": "Promising",
    "mixed": "Mixed evidence",
    "no-effect": "No effect",
    "harmful": "Harmful",
    "insufficient": "Insufficient evidence",
}

RISKS_OF_BIAS = {
    "low": "Low risk of bias",
    "some-concerns": "Some concerns",
    "high": "High risk of bias",
}

# How strong the evidence is behind one EMMIE section of a practice example.
EVIDENCE_STRENGTHS = {
    "strong": "Strong evidence",
    "moderate": "Moderate evidence",
    "limited": "Limited evidence",
    "untested": "Not yet tested",
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
    "outcomes": OUTCOMES,
    "finding_directions": FINDING_DIRECTIONS,
    "effect_measures": EFFECT_MEASURES,
    "ratings": RATINGS,
    "risks_of_bias": RISKS_OF_BIAS,
    "evidence_strengths": EVIDENCE_STRENGTHS,
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
