"""Errors that services raise; views turn them into form errors, pages or JSON."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Invalid(ServiceError):
    """The input breaks a rule; ``fields`` maps field names to messages."""

    status = 422


class RateLimited(Invalid):
    """Too many writes in a short time; a form shows it above its fields, the API says 429."""

    status = 429


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    """Missing, or not visible to the caller: the two are never told apart."""

    status = 404


class Conflict(ServiceError):
    status = 409


HTTP_MESSAGES = {
    400: "The request could not be understood.",
    401: "Sign in to do this.",
    403: "You do not have permission to do this.",
    404: "Nothing here, or nothing you may see.",
    405: "This address does not accept that kind of request.",
    409: "This conflicts with something that already exists.",
    413: "The request is too large (the limit is 2 MB). Shorten the text and try again.",
    422: "Some of the input is not valid.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you sent was half-saved; try again later.",
    503: "kx cannot reach its database just now. Nothing you sent was half-saved; try again "
    "in a minute.",
}

#: seconds a client is told to wait after a 503 (``Retry-After``)
RETRY_AFTER_SECONDS = 5


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the database being out of reach: a lost or
    refused connection, not a mistake in a query."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DBAPIError) and (
            exc.connection_invalidated or isinstance(exc.orig, psycopg.OperationalError)
        ):
            return True
        if isinstance(exc, psycopg.OperationalError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def wants_json() -> bool:
    from flask import request

    return request.path.startswith("/api/")


def json_error(status: int, message: str | None = None, fields: dict | None = None):
    """The API's error body: ``{"error": {"status", "message", "fields"?}}``."""
    from flask import jsonify

    error = {"status": status, "message": message or HTTP_MESSAGES.get(status, "Error.")}
    if fields:
        error["fields"] = fields
    response = jsonify(error=error)
    if status == 401:  # RFC 6750: say which scheme would have worked
        response.headers["WWW-Authenticate"] = 'Bearer realm="kx"'
    return response, status


def _signed_out() -> bool:
    from flask_login import current_user

    return not current_user.is_authenticated


def init_app(app) -> None:
    from flask import render_template
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    def page(status: int, message: str):
        if status == 404 and _signed_out():
            return _sign_in_offer()
        return render_template("errors/error.html", status=status, message=message), status

    def _sign_in_offer():
        """A visitor's 404: the same page whether the item is for members or missing, so
        that it never confirms an item exists; signing in returns here."""
        from flask import request

        here = request.full_path.rstrip("?")
        return render_template("errors/sign_in_needed.html", next_url=here), 404

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = HTTP_MESSAGES.get(status, exc.description)
        if isinstance(exc, CSRFError):
            message = (
                "This form had expired or did not come from kx. Go back, reload the page and "
                "send it again; your browser usually keeps what you typed."
            )
        if wants_json():
            response, status = json_error(status, message)
        else:
            response = app.make_response(page(status, message))
        original = exc.get_response().headers
        for header in ("Allow", "Retry-After"):
            if header in original:
                response.headers[header] = original[header]
        return response, status

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        if wants_json():
            return json_error(exc.status, exc.message, exc.fields)
        return page(exc.status, exc.message)

    def unavailable():
        if wants_json():
            response, status = json_error(503)
        else:
            try:
                response, status = page(503, HTTP_MESSAGES[503])
            except Exception:  # the page itself may need the database (the signed-in user)
                response, status = HTTP_MESSAGES[503], 503
            response = app.make_response((response, status))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, 503

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if database_unavailable(exc):
            app.logger.error("database unavailable: %s", exc)
            return unavailable()
        app.logger.exception("Unhandled error")
        return json_error(500) if wants_json() else page(500, HTTP_MESSAGES[500])
