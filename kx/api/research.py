"""``/api/v1/research``: research summaries, their revisions, citations and BibTeX import."""

import re

from flask import Response
from flask_limiter.util import get_remote_address
from marshmallow import Schema, fields, validate

from kx import schemas
from kx.api import api
from kx.api.core import api_user, operation
from kx.api.records import (
    RecordEndpoints,
    RecordQuerySchema,
    StrictBool,
    StrictInt,
    country_codes,
    pending_edit_field,
    private_fields,
    register,
    restricted_needs_sectors,
)
from kx.evidence import services as evidence_services
from kx.evidence.schemas import FindingOutSchema
from kx.extensions import limiter
from kx.kinds import PRACTICE, RESEARCH
from kx.research import services
from kx.research.citations import MIN_YEAR, max_year
from kx.research.models import Research
from kx.research.schemas import (
    DoiField,
    ResearchInputSchema,
    ResearchSchema,
    _blank_or_http_url,
)

TAGS = ("research",)
COMPUTED = ("reference", "practices", "page_url")
# The forms of a DOI and a paper's address the API takes; the document states them as
# patterns and the API holds requests to them (the services alone take a little more).
DOI_PATTERN = r"^(?:(?:https://doi\.org/|doi:)?10\.[0-9]{4,9}/[!-$&-~]{1,200})?$"
URL_PATTERN = (
    r"^(?!.*\n)(?:https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    rf"(?::[0-9]{{1,5}})?(?:/[^{schemas.SPACE}]*|\?[^{schemas.SPACE}]+)?)?$"
)


class ApiDoiField(DoiField):
    """``DoiField`` held to ``DOI_PATTERN`` before it normalises: ``10.1234/abc``, with
    ``https://doi.org/`` or ``doi:`` before it if you like; empty or null for none."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not re.match(DOI_PATTERN, value):
            raise self.make_error("invalid_doi")
        return super()._deserialize(value, attr, data, **kwargs)


# --------------------------------------------------------------------------- schemas


class ResearchQuerySchema(RecordQuerySchema):
    """Filters; repeat a parameter to match any of its values."""

    country = country_codes()
    study_design = schemas.slugs("study_designs")
    year_from = fields.Int(validate=validate.Range(min=1, max=9999))
    year_to = fields.Int(validate=validate.Range(min=1, max=9999))
    sort = fields.Str(load_default="newest", validate=validate.OneOf(["newest", "title", "year"]))


class ResearchUpdateSchema(ResearchInputSchema):
    """The writable fields, each optional (PATCH); unknown fields are refused."""

    # Cross-field rules, for the OpenAPI document (kx.api.meta adds them with allOf).
    openapi_constraints = (restricted_needs_sectors(),)

    year = StrictInt(
        allow_none=True,
        metadata={"minimum": MIN_YEAR, "maximum": max_year(), "description": "1900 to next year."},
    )
    sample_size = StrictInt(allow_none=True, validate=validate.Range(min=0, max=1_000_000_000))
    doi = ApiDoiField(
        allow_none=True,
        metadata={
            "pattern": DOI_PATTERN,
            "description": "Stored lower case without the resolver prefix. 409 when a summary "
            "you may see (or wrote) has it; one you cannot see meets this one at review. "
            "Empty or null: none.",
        },
    )
    url = fields.Str(
        validate=[validate.Length(max=500), validate.Regexp(URL_PATTERN), _blank_or_http_url],
        metadata={"description": "The paper's http(s) address, or empty."},
    )
    countries = country_codes()
    submit = StrictBool(
        metadata={"description": "false keeps (or makes) a draft; true sends it for review."}
    )


class ResearchCreateSchema(ResearchUpdateSchema):
    """The writable fields; ``title`` is required."""

    title = schemas.title(required=True)


class CiteQuerySchema(Schema):
    format = fields.Str(
        load_default="bibtex",
        validate=validate.OneOf(list(services.CITATION_FORMATS)),
        metadata={"description": "bibtex (default), ris or csl-json."},
    )


class ImportSchema(Schema):
    bibtex = fields.Str(
        required=True,
        # Within the 2 MB body limit even when every character is sent as a JSON escape.
        validate=[
            validate.Length(min=1),
            validate.Length(max=services.MAX_IMPORT_CHARS, error=services.TOO_LONG),
        ],
        metadata={
            "description": f"One or more BibTeX entries (up to {services.MAX_IMPORT_CHARS:,} "
            f"characters and {services.MAX_IMPORT_ENTRIES} entries): split a larger file."
        },
    )


class SkippedEntrySchema(Schema):
    key = fields.Str(required=True)
    reason = fields.Str(required=True)


class ImportNoteSchema(Schema):
    key = fields.Str(required=True)
    id = fields.Int(required=True, metadata={"description": "The draft it became."})
    note = fields.Str(
        required=True,
        metadata={"description": "What was changed to keep it (e.g. a year left empty)."},
    )


class ImportResultSchema(Schema):
    created = fields.List(fields.Int(), required=True)
    skipped = fields.List(
        fields.Nested(SkippedEntrySchema),
        required=True,
        metadata={"description": "Entries not imported, also those already on kx."},
    )
    notes = fields.List(fields.Nested(ImportNoteSchema), required=True)


# --------------------------------------------------------------------------- output


def research_out(research: Research, viewer, links: list | None = None) -> dict:
    """The item as ``ResearchSchema`` documents it, for ``viewer``; ``links`` are its
    links to practices when a list fetched those of its whole page at once."""
    data = schemas.dumper(ResearchSchema, exclude=COMPUTED).dump(research)
    data.update(private_fields(research, viewer))
    data["pending_edit"] = pending_edit_field(research, viewer)
    data["reference"] = services.reference(research)
    data["practices"] = [
        {
            "link_id": link.id,
            "id": link.practice_id,
            "title": link.practice.title,
            "relation": link.relation,
            "note": link.note,
            "created_by": link.created_by_id,
            "url": PRACTICE.url(link.practice_id),
            "findings": schemas.dumper(FindingOutSchema, many=True).dump(link.findings),
        }
        for link in (
            links
            if links is not None
            else evidence_services.practices_for_research(research, viewer)
        )
    ]
    data["page_url"] = RESEARCH.url(research)
    return data


# --------------------------------------------------------------------------- endpoints


def research_statement(viewer, query: dict):
    """The list's ``select``, filtered by the services."""
    filters = {
        "domains": query.get("domain"),
        "countries": query.get("country"),
        "study_design": query.get("study_design"),
        "year_from": query.get("year_from"),
        "year_to": query.get("year_to"),
        "author": query.get("author"),
    }
    return services.research_query(viewer, filters, query["sort"])


def researches_out(items: list[Research], viewer) -> list[dict]:
    """``research_out`` of a page of items, their links to practices fetched at once."""
    links = evidence_services.practices_for_researches(items, viewer)
    return [research_out(item, viewer, links[item.id]) for item in items]


register(
    RecordEndpoints(
        kind=RESEARCH,
        response=ResearchSchema,
        query=ResearchQuerySchema,
        statement=research_statement,
        out=research_out,
        out_page=researches_out,
        save=services.save_research,
        create_body=ResearchCreateSchema,
        update_body=ResearchUpdateSchema,
        create_errors=(403, 409, 429),
        update_errors=(403, 409, 429),
        create_description=(
            "`submit` as for practice examples. A DOI of a summary you may see (or "
            "wrote) answers\n"
            "    409."
        ),
        update_description=(
            "The author or a moderator; every change is stored as a revision. The author's "
            "changes\n    to a published summary wait for review (see `pending_edit`), except a "
            "narrower\n    visibility, which applies at once. 403 when you may see the item but "
            "not edit it; 409\n    for a DOI of another summary you may see."
        ),
    )
)


def _importer_key() -> str:
    """The member, with the same key as the import form (kx.research.views)."""
    user = api_user()
    return f"research-import:user:{user.id}" if user.is_authenticated else get_remote_address()


@api.post("/research/import")
@limiter.shared_limit(
    services.IMPORT_LIMIT,
    scope="research-import",
    key_func=_importer_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 201,
)
@operation(
    summary="Import research summaries from BibTeX",
    body=ImportSchema,
    response=ImportResultSchema,
    status=201,
    auth=True,
    errors=(403, 429),
    tags=TAGS,
)
def import_research(body):
    """Each good entry becomes a draft summary of yours (`created` lists their ids); every
    entry left out is in `skipped` with its reason (malformed, no title, a repeat in the
    file, or already on kx: the same DOI as a summary you may see, or else the same
    title, year and first author), so importing a file again creates nothing twice. A
    year, DOI or URL that cannot be used is left empty and said in `notes`. More than
    100 entries or 150,000 characters: 422 telling you to split the file, and nothing
    imported. 10 imports an hour per account, with the import form (429)."""
    created, skipped, notes = services.import_bibtex(api_user(), body["bibtex"])
    return {"created": created, "skipped": skipped, "notes": notes}, 201


@api.get("/research/<int:research_id>/cite")
@operation(summary="Cite a research summary", query=CiteQuerySchema, tags=TAGS)
def cite_research(research_id: int, query):
    """The citation as text in the chosen format, with its own media type:
    `bibtex` -> `application/x-bibtex`, `ris` -> `application/x-research-info-systems`,
    `csl-json` -> `application/vnd.citationstyles.csl+json` (a JSON array), each with
    `charset=utf-8`. Errors are JSON as everywhere else."""
    fmt = query["format"]
    research = services.get_research(research_id, api_user())
    content_type, _extension = services.CITATION_FORMATS[fmt]
    return Response(services.cite([research], fmt), content_type=f"{content_type}; charset=utf-8")
