"""``GET /api/v1/search``: the search box, filters and facets as JSON."""

from marshmallow import Schema, fields, validate

from kx.api import api
from kx.api.core import PageQuerySchema, api_user, operation
from kx.api.records import EXPORT_MEDIA_TYPES, export_format
from kx.errors import Invalid
from kx.practice.schemas import RatingSchema
from kx.search import saved, services
from kx.search.views import practice_ratings, results_csv, search_limit
from kx.search.words import MAX_QUERY_CHARS


def _one_of(vocabulary: str, what: str):
    choices = list(saved.vocabulary(vocabulary))
    return validate.OneOf(choices, error=f"Not a known {what}.")


def _filter(vocabulary: str, what: str, description: str):
    return fields.List(
        fields.Str(validate=_one_of(vocabulary, what)),
        load_default=list,
        metadata={"description": description},
    )


def _year(description: str):
    return fields.Int(
        validate=validate.Range(min=saved.YEAR_MIN, max=saved.YEAR_MAX),
        metadata={"description": description},
    )


class SearchQuerySchema(PageQuerySchema):
    openapi_media_types = EXPORT_MEDIA_TYPES
    format = export_format()
    q = fields.Str(
        load_default="",
        validate=validate.Length(max=MAX_QUERY_CHARS),
        metadata={
            "description": 'Free text: words, "phrases", AND/OR/NOT, (groups) and prefix*. '
            "Fields cannot be addressed; malformed syntax is read as plain words."
        },
    )
    type = _filter("types", "type", "practice, research or thread (repeatable)")
    domain = _filter("domains", "domain", "Domain slug (repeatable)")
    country = _filter("countries", "country code", "ISO 3166-1 alpha-2 code (repeatable)")
    prevention_level = _filter(
        "prevention_levels", "prevention level", "Prevention level slug (repeatable)"
    )
    study_design = _filter("study_designs", "study design", "Study design slug (repeatable)")
    year_from = _year("Earliest year (research: publication year; others: year published)")
    year_to = _year("Latest year (a range that ends before it starts finds nothing)")
    sort = fields.Str(
        load_default="relevance",
        validate=validate.OneOf(list(saved.SORTS)),
        metadata={"description": "relevance (default; newest first without q) or newest"},
    )


class SearchHitSchema(Schema):
    type = fields.Str(required=True, validate=validate.OneOf(list(saved.TYPES)))
    id = fields.Int(required=True)
    title = fields.Str(required=True)
    url = fields.Str(required=True, metadata={"description": "The item's HTML page"})
    snippet = fields.Str(
        required=True,
        metadata={"description": "HTML: escaped text where only <mark> tags are markup"},
    )
    score = fields.Float(
        required=True,
        metadata={
            "description": "Relevance (BM25F) for ordering, computed only from the items the "
            "caller may see: word rarity and text lengths come from those items alone, so "
            "the score says nothing about others. Compare scores within one answer only; "
            "0 when sorted by date or without words."
        },
    )
    domains = fields.List(fields.Str(), required=True)
    countries = fields.List(fields.Str(), required=True)
    year = fields.Int(required=True, allow_none=True)
    rating = fields.Nested(
        RatingSchema,
        metadata={
            "description": "Practice examples only: how well it works, from the evidence "
            "you may see (as on the item)."
        },
    )


def _counts(description: str):
    return fields.Dict(
        keys=fields.Str(),
        values=fields.Int(),
        required=True,
        metadata={"description": description},
    )


class SearchFacetsSchema(Schema):
    type = _counts("Matches per type")
    domain = _counts("Matches per domain slug")
    country = _counts("Matches per country code")
    prevention_level = _counts("Matches per prevention level slug")
    study_design = _counts("Matches per study design slug")


FACETS = tuple(SearchFacetsSchema().fields)


class RecognisedSchema(Schema):
    text = fields.Str(required=True, metadata={"description": "The query's words, as typed"})
    vocabulary = fields.Str(
        required=True,
        metadata={"description": "domains, countries, prevention_levels, stages or study_designs"},
    )
    slug = fields.Str(required=True, metadata={"description": "The tag they name"})


class RespelledSchema(Schema):
    typed = fields.Str(required=True)
    as_typed = fields.Str(required=True)


class InterpretationSchema(Schema):
    recognised = fields.List(
        fields.Nested(RecognisedSchema),
        required=True,
        metadata={
            "description": "Words that name a tag. Tagged items are found by these words; "
            "they are not applied as filters unless passed as parameters."
        },
    )
    ignored = fields.List(
        fields.Str(),
        required=True,
        metadata={"description": "Question and small words left out (never when quoted)"},
    )
    expanded = fields.Dict(
        keys=fields.Str(),
        values=fields.List(fields.Str()),
        required=True,
        metadata={
            "description": "Words and phrases of the query (folded) that also matched their "
            'synonyms from the field\'s thesaurus, e.g. {"csam": ["child sexual abuse '
            'material", …]}; quoted words are not expanded'
        },
    )
    fallback = fields.Str(
        required=True,
        allow_none=True,
        validate=validate.OneOf(["any-words"]),
        metadata={
            "description": "any-words: no item matches every word, so the items shown match "
            "some of them, those matching most first; null otherwise"
        },
    )
    suggested_filters = fields.Dict(
        keys=fields.Str(),
        values=fields.List(fields.Str()),
        required=True,
        metadata={
            "description": "Recognised tags as filter parameters (country, domain, "
            "prevention_level, study_design) not applied yet and held by at least one of "
            'the items in this answer, e.g. {"country": ["DE"]}'
        },
    )
    respelled = fields.Nested(
        RespelledSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "When the words as typed found (almost) nothing and a respelling "
            "from words you may see found more, the results are the respelling's: `typed` is "
            "the query as typed, `as_typed` the same with the respelled words quoted (search "
            "it to insist); null otherwise"
        },
    )


class SearchResultsSchema(Schema):
    query = fields.Str(required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    per_page = fields.Int(required=True)
    items = fields.List(fields.Nested(SearchHitSchema), required=True)
    facets = fields.Nested(SearchFacetsSchema, required=True)
    suggestion = fields.Str(
        required=True,
        allow_none=True,
        metadata={"description": "A respelt query that finds more, or null"},
    )
    notices = fields.List(
        fields.Str(),
        required=True,
        metadata={
            "description": "What was left out of the query: words past the limit, a * after "
            "fewer than 3 letters (searched as the whole word), a * standing for too many words"
        },
    )
    interpretation = fields.Nested(
        InterpretationSchema,
        required=True,
        metadata={"description": "How the words of `q` were read"},
    )


def _items(hits, viewer) -> list[dict]:
    """The hits as ``SearchHitSchema`` documents them; practice examples' ratings are read
    for the whole page at once."""
    ratings = practice_ratings(hits, viewer)
    items = []
    for hit in hits:
        item = {
            "type": hit.type,
            "id": hit.id,
            "title": hit.title,
            "url": saved.hit_url(hit),
            "snippet": hit.snippet,
            "score": hit.score,
            "domains": hit.domains,
            "countries": hit.countries,
            "year": hit.year,
        }
        if hit.type == "practice":
            item["rating"] = ratings[hit.id].as_json()
        items.append(item)
    return items


@api.get("/search")
@search_limit
@operation(
    summary="Search practice examples, research summaries and forum threads",
    query=SearchQuerySchema,
    response=SearchResultsSchema,
    errors=(429,),
    tags=("search",),
)
def search(query):
    """Only items visible to the caller count anywhere in the answer: `items`, `total`,
    `facets` and `suggestion`. Anonymous callers see public, published items. Values within
    one filter are alternatives (OR); different filters must all match (AND). A search that
    runs out of its time budget answers 422 rather than incomplete results; searches per
    address are rate-limited (429), together with the search page and feeds.

    `interpretation` tells how `q` was read: words naming a tag (offered in
    `suggested_filters`, never applied unless passed as parameters), question words left
    out, synonyms added; when no item holds every word, or `q` is a question, items holding
    most of the words come back and `fallback` is `any-words`."""
    criteria = {
        "q": query["q"].strip(),
        **{name: query[name] for name in saved.FILTERS},
        "year_from": query.get("year_from"),
        "year_to": query.get("year_to"),
        "sort": query["sort"],
    }
    search_query = saved.to_query(criteria, page=query["page"], per_page=query["per_page"])
    viewer = api_user()
    if query["format"] == "csv":
        return results_csv(viewer, criteria)
    results = services.search(viewer, search_query)
    if results.partial:
        raise Invalid(
            "This search took too long and was stopped. Use fewer words, or more letters "
            "before a *.",
            {"q": ["Too costly to search in full; narrow it down."]},
        )
    return {
        "query": query["q"],
        "total": results.total,
        "page": query["page"],
        "per_page": query["per_page"],
        "items": _items(results.hits, viewer),
        "facets": {name: dict(results.facets.get(name, {})) for name in FACETS},
        "suggestion": results.suggestion,
        "notices": results.notices,
        "interpretation": results.interpretation.as_dict(),
    }
