"""Every error under ``/api/`` is ``{"error": {"status", "message", "fields"?}}``; pages keep
HTML error pages."""

import pytest
from flask import abort

from kx.errors import Conflict, Forbidden, Invalid, NotFound
from tests.support.api import assert_json_error

THREE_MB = b"x" * (3 * 1024 * 1024)


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/tokens/abc", "/api/v1/taxonomy/", "/api/v2/tokens", "/api/"]
)
def test_unknown_api_paths_get_json_404(client, path):
    assert_json_error(client.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/api/v1/taxonomy", {"GET"}),
        ("post", "/api/v1/taxonomy", {"GET"}),
        ("delete", "/api/v1/openapi.json", {"GET"}),
        ("patch", "/api/v1/tokens", {"GET", "POST"}),
        ("get", "/api/v1/tokens/1", {"DELETE"}),
    ],
)
def test_wrong_method_gets_json_405_with_allow(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert_json_error(response, 405)
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/v1/tokens"), ("delete", "/api/v1/tokens/1"), ("get", "/api/v1/taxonomy")],
)
def test_three_megabytes_get_json_413(client, method, path):
    response = getattr(client, method)(path, data=THREE_MB, content_type="application/json")
    error = assert_json_error(response, 413)
    assert "2 MB" in error["message"]


def test_413_for_an_authenticated_caller_too(client, make_user, issue_token):
    headers = issue_token(make_user())
    response = client.post(
        "/api/v1/tokens", data=THREE_MB, content_type="application/json", headers=headers
    )
    assert_json_error(response, 413)


def test_html_paths_keep_html_error_pages(client):
    for response, status in [
        (client.get("/nope"), 404),
        (client.put("/login"), 405),
        (client.post("/login", data=THREE_MB, content_type="text/plain"), 413),
        (client.get("/apiary"), 404),  # only /api/ itself is the API
    ]:
        assert response.status_code == status
        assert response.mimetype == "text/html"
        assert "<html" in response.get_data(as_text=True)


@pytest.fixture
def raising_app(app):
    """The app with throwaway /api/v1/_raise/<what> and /_raise/<what> routes."""
    errors = {
        "forbidden": Forbidden("Not yours."),
        "not-found": NotFound("No such thing."),
        "conflict": Conflict("That DOI is already here."),
        "invalid": Invalid("Check the title.", {"title": ["Too long."]}),
    }

    def raise_(what):
        if what.isdigit():
            abort(int(what))
        if what == "crash":
            raise RuntimeError("secret detail /etc/passwd")
        raise errors[what]

    app.add_url_rule("/api/v1/_raise/<what>", "api_raise", raise_)
    app.add_url_rule("/_raise/<what>", "page_raise", raise_)
    return app


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 413, 422, 429, 500])
def test_http_errors_raised_in_api_code_are_json(raising_app, status):
    response = raising_app.test_client().get(f"/api/v1/_raise/{status}")
    error = assert_json_error(response, status)
    assert "Traceback" not in error["message"]


@pytest.mark.parametrize(
    ("what", "status", "message"),
    [
        ("forbidden", 403, "Not yours."),
        ("not-found", 404, "No such thing."),
        ("conflict", 409, "That DOI is already here."),
        ("invalid", 422, "Check the title."),
    ],
)
def test_service_errors_are_json_with_their_message(raising_app, what, status, message):
    response = raising_app.test_client().get(f"/api/v1/_raise/{what}")
    error = assert_json_error(response, status)
    assert error["message"] == message
    if status == 422:
        assert error["fields"] == {"title": ["Too long."]}


def test_unexpected_exception_is_a_json_500_without_details(raising_app):
    raising_app.testing = False  # as in production: the handler, not the test client, answers
    raising_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = raising_app.test_client().get("/api/v1/_raise/crash")
    error = assert_json_error(response, 500)
    assert "passwd" not in response.get_data(as_text=True)
    assert "Traceback" not in error["message"]
    page = raising_app.test_client().get("/_raise/crash")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "passwd" not in page.get_data(as_text=True)


def test_service_errors_on_pages_are_html(raising_app):
    response = raising_app.test_client().get("/_raise/conflict")
    assert response.status_code == 409
    assert response.mimetype == "text/html"


def test_security_headers_are_on_api_responses(client):
    response = client.get("/api/v1/nope")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
