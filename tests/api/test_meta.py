"""``GET /api/v1/taxonomy`` and ``GET /api/v1/openapi.json``."""

import re

import pytest
import schemathesis

from kx import taxonomy
from tests.support.api import assert_json_error, practice_body

# The vocabularies, slugs in the order kx/taxonomy.py gives them.
DESIGN_VOCABULARIES = {
    "domains": [
        "policing",
        "prosecution",
        "risk-assessment",
        "treatment",
        "prevention",
        "education",
        "desistance",
    ],
    "sectors": [
        "law-enforcement",
        "academic",
        "treatment",
        "mental-health",
        "policy",
        "ngo",
        "other",
    ],
    "prevention_levels": ["primary", "secondary", "tertiary"],
    "stages": ["pre-offence", "viewing", "arrest", "conviction", "supervision", "community"],
    "study_designs": [
        "systematic-review",
        "rct",
        "quasi-experimental",
        "cohort",
        "cross-sectional",
        "qualitative",
        "case-study",
        "expert-consensus",
        "other",
    ],
    "evidence_relations": ["evaluates", "supports", "informs", "contradicts"],
    "evaluation_statuses": ["none", "internal", "independent", "peer-reviewed"],
    "visibilities": ["public", "members", "restricted"],
    "statuses": ["draft", "pending", "published", "rejected", "archived"],
}


@pytest.fixture
def vocabularies(client):
    response = client.get("/api/v1/taxonomy")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_taxonomy_has_every_vocabulary_of_the_design(vocabularies):
    assert set(DESIGN_VOCABULARIES) | {"countries"} <= set(vocabularies)
    for name, slugs in DESIGN_VOCABULARIES.items():
        assert [term["slug"] for term in vocabularies[name]] == slugs, name


def test_every_term_has_a_slug_and_a_human_label(vocabularies):
    for name, terms in vocabularies.items():
        assert terms, name
        slugs = [term["slug"] for term in terms]
        assert len(slugs) == len(set(slugs)), f"duplicate slug in {name}"
        for term in terms:
            assert set(term) == {"slug", "label"}, (name, term)
            assert term["label"].strip(), (name, term)
            assert term["label"] != term["slug"], (name, term)


def test_study_designs_are_listed_strongest_first(vocabularies):
    designs = [term["slug"] for term in vocabularies["study_designs"]]
    assert designs.index("systematic-review") < designs.index("rct") < designs.index("cohort")
    assert designs[-1] == "other"
    assert designs == list(taxonomy.STUDY_DESIGNS)


def test_countries_are_iso_alpha_2(vocabularies):
    countries = {term["slug"]: term["label"] for term in vocabularies["countries"]}
    assert {"GB", "DE", "NL", "US", "SE", "AU"} <= set(countries)
    assert countries["DE"] == "Germany"
    assert countries["NL"] == "Netherlands"
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in countries)
    assert len(countries) >= 240


def test_taxonomy_is_public(client):
    assert client.get("/api/v1/taxonomy").status_code == 200


# OpenAPI


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_openapi_document_is_valid_openapi_3(app, document):
    assert document["openapi"].startswith("3.")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.validate()  # the OpenAPI 3 meta-schema; raises on any violation
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations


def _values(node, name: str):
    """The values of every ``name`` key in the document, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == name:
                yield value
            else:
                yield from _values(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value, name)


def test_openapi_references_resolve(document):
    for ref in _values(document, "$ref"):
        assert ref.startswith("#/"), ref
        node = document
        for part in ref[2:].split("/"):
            assert part in node, f"unresolved {ref}"
            node = node[part]


def test_every_pattern_takes_the_same_texts_read_as_ecma_262_or_as_python(document):
    """Clients read a pattern as ECMA-262 and kx as Python: their ``\\s`` differ (U+001C is
    white space to Python only, U+FEFF to ECMA-262 only), so a title of "\\t\\x1c" passed
    the published pattern and got a 422. White space is named character by character."""
    patterns = list(_values(document, "pattern"))
    titles = document["components"]["schemas"]["PracticeCreate"]["properties"]["title"]

    assert len(patterns) >= 10
    assert not [p for p in patterns if re.search(r"\\[sS]", p)]
    for blank in ("\t\r\x1c", "\x85\x1f ", "\ufeff", "\u3000\u2028"):
        assert not re.search(titles["pattern"], blank)
        assert re.search(titles["pattern"], blank + "a")


@pytest.mark.parametrize("blank", ["\t\r\x1c", "\ufeff"])
def test_a_title_of_white_space_alone_gets_422(client, people, blank):
    response = client.post(
        "/api/v1/practices", json=practice_body(title=blank), headers=people.author.headers
    )

    assert "title" in assert_json_error(response, 422, fields=True)["fields"]


def _api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method.lower(), path))
    return routes


def test_openapi_lists_every_api_endpoint_except_itself(app, document):
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert _api_routes(app) - {("get", "/api/v1/openapi.json")} == documented
    assert {
        ("post", "/api/v1/tokens"),
        ("get", "/api/v1/tokens"),
        ("delete", "/api/v1/tokens/{token_id}"),
        ("get", "/api/v1/taxonomy"),
    } <= documented


def test_every_operation_has_its_own_operation_id(document):
    """Client generators name their methods by ``operationId``; two alike would clash."""
    ids = {
        f"{method.upper()} {path}": operation.get("operationId")
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)*", name or "") for name in ids.values()), ids
    assert len(set(ids.values())) == len(ids), ids
    assert ids["GET /api/v1/practices"] == "listPractices"
    assert ids["POST /api/v1/review/{kind}/{item_id}"] == "reviewDecision"


def test_every_operation_documents_its_errors_with_the_error_schema(document):
    error_ref = "#/components/schemas/Error"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            responses = operation["responses"]
            successes = [code for code in responses if code.startswith("2")]
            assert len(successes) == 1, where
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": error_ref}, where
            # Anywhere: a bad bearer token, an oversized body, an unknown query parameter.
            assert {"401", "413", "422"} <= set(responses), where
            if "{" in path:
                assert "404" in responses, where
            if "requestBody" in operation:
                assert "400" in responses, where
            path_params = set(re.findall(r"{(\w+)}", path))
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert path_params == declared, where


def test_token_endpoints_declare_bearer_security(document):
    paths = document["paths"]
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert {"bearer": []} in paths["/api/v1/tokens"]["get"]["security"]
    assert {"bearer": []} in paths["/api/v1/tokens/{token_id}"]["delete"]["security"]
    assert "429" in paths["/api/v1/tokens"]["post"]["responses"]
    # Public endpoints take a token but do not need one.
    assert paths["/api/v1/taxonomy"]["get"]["security"] == [{}, {"bearer": []}]
    create = paths["/api/v1/tokens"]["post"]["requestBody"]["content"]["application/json"]
    schema = document["components"]["schemas"][create["schema"]["$ref"].rsplit("/", 1)[1]]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"email", "password"}


def test_list_endpoints_document_pagination(document):
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/tokens"]["get"]["parameters"]}
    assert parameters["per_page"]["schema"]["minimum"] == 1
    assert parameters["per_page"]["schema"]["maximum"] == 100
    assert parameters["page"]["schema"]["minimum"] == 1
