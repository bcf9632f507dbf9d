"""Evidence links: ``POST /api/v1/practices/<id>/evidence``, ``PATCH`` and ``DELETE
/api/v1/evidence/<id>``."""

from marshmallow import validate

from kx.api import api
from kx.api.core import MAX_ID, api_user, operation
from kx.api.practices import StrictInt
from kx.evidence import services
from kx.evidence.schemas import (
    EvidenceLinkInputSchema,
    EvidenceLinkSchema,
    EvidenceLinkUpdateSchema,
)
from kx.practice import services as practice_services
from kx.research import services as research_services

TAGS = ("evidence",)

# A finding's rules across fields, for the OpenAPI document (kx.api.meta adds them with
# allOf): an effect size names its measure; an interval has both ends and an estimate.
# That the interval contains the estimate is said in words: JSON Schema cannot compare.
FINDING_RULES = {
    "properties": {
        "findings": {
            "items": {
                "allOf": [
                    {
                        "anyOf": [
                            {"properties": {"effect_size": {"enum": [None]}}},
                            {
                                "required": ["effect_measure"],
                                "properties": {"effect_measure": {"type": "string"}},
                            },
                        ]
                    },
                    {
                        "anyOf": [
                            {
                                "properties": {
                                    "ci_low": {"enum": [None]},
                                    "ci_high": {"enum": [None]},
                                }
                            },
                            {
                                "required": ["effect_size", "ci_low", "ci_high"],
                                "properties": {
                                    "effect_size": {"type": "number"},
                                    "ci_low": {"type": "number"},
                                    "ci_high": {"type": "number"},
                                },
                            },
                        ]
                    },
                ]
            }
        }
    }
}


class EvidenceLinkCreateSchema(EvidenceLinkInputSchema):
    openapi_constraints = (FINDING_RULES,)

    # Ids are 32-bit on PostgreSQL: a larger one must be refused, not looked up.
    research_id = StrictInt(required=True, validate=validate.Range(min=1, max=MAX_ID))


class EvidenceLinkChangeSchema(EvidenceLinkUpdateSchema):
    openapi_constraints = (FINDING_RULES,)


@api.post("/practices/<int:practice_id>/evidence")
@operation(
    summary="Link research to a practice example",
    body=EvidenceLinkCreateSchema,
    response=EvidenceLinkSchema,
    status=201,
    auth=True,
    errors=(403, 409),
    tags=TAGS,
)
def link_evidence(practice_id: int, body):
    """Verified members (403 otherwise), for a practice and research they may both see (404
    otherwise, also for an unknown `research_id`). A second link between the same two items
    answers 409: change the first instead. `findings` (optional, at most 20) say what the
    study found for each outcome; the practice's rating is derived from them. A bad finding
    answers 422 naming it by position and field, e.g.
    `{"findings": {"0": {"ci_low": ["The interval must contain the effect size."]}}}`."""
    viewer = api_user()
    practice = practice_services.get_practice(practice_id, viewer)
    research = research_services.get_research(body["research_id"], viewer)
    link = services.link_evidence(
        viewer, practice, research, body["relation"], body["note"], body["findings"]
    )
    return EvidenceLinkSchema().dump(link), 201


@api.patch("/evidence/<int:link_id>")
@operation(
    summary="Change an evidence link's relation, note or findings",
    body=EvidenceLinkChangeSchema,
    response=EvidenceLinkSchema,
    auth=True,
    errors=(403,),
    tags=TAGS,
)
def update_evidence(link_id: int, body):
    """The member who made the link, or a moderator (403 for others who may see both ends;
    404 when you may not see them). Fields left out keep their value; `findings` replaces
    the link's findings as a whole (`[]` removes them all). Every change is kept in the
    audit log."""
    viewer = api_user()
    link = services.update_link(viewer, services.get_link(link_id, viewer), **body)
    return EvidenceLinkSchema().dump(link)


@api.delete("/evidence/<int:link_id>")
@operation(summary="Remove an evidence link", status=204, auth=True, errors=(403,), tags=TAGS)
def unlink_evidence(link_id: int):
    """The member who made the link, or a moderator (403 for others who may see both ends;
    404 when you may not see them)."""
    viewer = api_user()
    services.unlink_evidence(viewer, services.get_link(link_id, viewer))
    return "", 204
