"""Evidence links: ``POST /api/v1/practices/<id>/evidence`` and ``DELETE /api/v1/evidence/<id>``."""

from marshmallow import validate

from kx.api import api
from kx.api.core import MAX_ID, api_user, operation
from kx.api.practices import StrictInt
from kx.evidence import services
from kx.evidence.schemas import EvidenceLinkInputSchema, EvidenceLinkSchema
from kx.practice import services as practice_services
from kx.research import services as research_services

TAGS = ("evidence",)


class EvidenceLinkCreateSchema(EvidenceLinkInputSchema):
    # Ids are 32-bit on PostgreSQL: a larger one must be refused, not looked up.
    research_id = StrictInt(required=True, validate=validate.Range(min=1, max=MAX_ID))


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
    answers 409: remove the first to change its relation."""
    viewer = api_user()
    practice = practice_services.get_practice(practice_id, viewer)
    research = research_services.get_research(body["research_id"], viewer)
    link = services.link_evidence(viewer, practice, research, body["relation"], body["note"])
    return EvidenceLinkSchema().dump(link), 201


@api.delete("/evidence/<int:link_id>")
@operation(summary="Remove an evidence link", status=204, auth=True, errors=(403,), tags=TAGS)
def unlink_evidence(link_id: int):
    """The member who made the link, or a moderator (403 for others who may see both ends;
    404 when you may not see them)."""
    viewer = api_user()
    services.unlink_evidence(viewer, services.get_link(link_id, viewer))
    return "", 204
