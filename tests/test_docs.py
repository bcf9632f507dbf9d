"""The documents in ``docs/`` stay true to the code: every API operation is described in
docs/api.md, every API path it names exists, and docs/deploying.md names every ``KX_*``
variable the configuration reads."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "api.md"
DEPLOYING_DOC = ROOT / "docs" / "deploying.md"
# Served beside the operations it describes, and not one of them.
THE_DOCUMENT = "/api/v1/openapi.json"

_PLACEHOLDER = re.compile(r"\{[^}/]*\}|<[^>/]*>")
_DOC_PATH = re.compile(r"/api/v1/[A-Za-z0-9_.{}<>:/-]*[A-Za-z0-9_}>]")
_METHODS = ("get", "post", "put", "patch", "delete")


def _normal(path: str) -> str:
    """``path`` with every ``{name}`` or ``<converter:name>`` written as ``{}``."""
    return _PLACEHOLDER.sub("{}", path)


def _pattern(path: str, operations: dict) -> re.Pattern:
    """What a path of the OpenAPI document matches: a number or a placeholder where it
    takes an integer, any one segment where it takes a string."""
    integers = {
        parameter["name"]
        for operation in operations.values()
        for parameter in operation.get("parameters", ())
        if parameter.get("in") == "path" and parameter["schema"].get("type") == "integer"
    }

    def segment(match: re.Match) -> str:
        placeholder = r"\{[^}/]*\}|<[^>/]*>"
        return f"(?:{placeholder}|[0-9]+)" if match[0][1:-1] in integers else "[^/]+"

    pattern, end = "", 0
    for match in _PLACEHOLDER.finditer(path):
        pattern += re.escape(path[end : match.start()]) + segment(match)
        end = match.end()
    return re.compile(pattern + re.escape(path[end:]))


@pytest.fixture
def openapi_paths(client) -> dict:
    response = client.get(THE_DOCUMENT)
    assert response.status_code == 200
    return response.get_json()["paths"]


def test_api_doc_describes_every_operation(openapi_paths):
    text = _normal(API_DOC.read_text(encoding="utf-8"))
    missing = [
        f"{method.upper()} {path}"
        for path, operations in openapi_paths.items()
        for method in operations
        if method in _METHODS and f"{method.upper()} {_normal(path)}" not in text
    ]
    assert not missing, f"docs/api.md does not describe: {missing}"


def test_every_api_path_the_doc_names_exists(openapi_paths):
    patterns = [_pattern(path, operations) for path, operations in openapi_paths.items()]
    named = set(_DOC_PATH.findall(API_DOC.read_text(encoding="utf-8")))
    unknown = sorted(
        path
        for path in named
        if path != THE_DOCUMENT and not any(p.fullmatch(path) for p in patterns)
    )
    assert named and not unknown, f"docs/api.md names paths the API does not have: {unknown}"


def test_deploying_doc_names_every_setting():
    read = set(re.findall(r"\bKX_[A-Z_]+\b", (ROOT / "kx" / "config.py").read_text()))
    text = DEPLOYING_DOC.read_text(encoding="utf-8")
    assert read and not sorted(name for name in read if name not in text)
