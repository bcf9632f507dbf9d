"""Writing long texts: the Markdown preview (a JSON endpoint for the page's script, and the
form's own "Preview" button without it) and the keys of the drafts a browser keeps.

A preview is rendered by kx.text, the pipeline a save uses, so what the writer sees is what
the page will show; it saves nothing. Drafts live only in the writer's browser
(static/forms.js); the server names them, and after a successful save tells the browser
which one to forget.
"""

import re

from flask import Blueprint, Response, current_app, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from kx.errors import json_error
from kx.extensions import limiter
from kx.records.schemas import MAX_MARKDOWN
from kx.text import TooComplex, render_markdown

editing = Blueprint("editing", __name__)

#: The form's submit button value that asks for a preview instead of a save.
PREVIEW_ACTION = "preview"
#: The cookie naming drafts saved since the browser last showed a form ("/"-separated).
SAVED_DRAFTS_COOKIE = "kx-saved-drafts"
DRAFT_FIELD = "draft_key"
_DRAFT_KEY = re.compile(r"^[a-z-]{1,20}:[0-9a-z]{1,12}:[0-9]{1,12}$")
_KEPT_KEYS = 10
TOO_LONG = (
    f"The text is longer than {MAX_MARKDOWN:,} characters, so it cannot be previewed or saved."
)


def _previewer_key() -> str:
    return f"preview:user:{current_user.id}" if current_user.is_authenticated else "preview"


@editing.route("/preview", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["PREVIEW_LIMITS"], key_func=_previewer_key, scope="preview"
)
def preview():
    """``{"html": ...}``: the sanitised HTML of the ``text`` field, as a save would store it."""
    if not current_user.is_authenticated:
        return json_error(401, "You were signed out. Sign in again to preview; your text is kept.")
    text = request.form.get("text", "")
    if len(text) > MAX_MARKDOWN:
        return json_error(413, TOO_LONG)
    try:
        html = render_markdown(text)
    except TooComplex as exc:
        return json_error(422, str(exc))
    return {"html": html}


@editing.errorhandler(HTTPException)
def _json_error(exc: HTTPException):
    """The script reads JSON: an expired form (CSRF), a rate limit or a too large request
    answer in it too."""
    message = None
    if exc.code == 400 and "CSRF" in (exc.description or ""):
        message = "This page has expired. Reload it to preview; your text is kept in this browser."
    response, status = json_error(exc.code or 500, message)
    retry = exc.get_response().headers.get("Retry-After")
    if retry:
        response.headers["Retry-After"] = retry
    return response, status


def preview_requested() -> bool:
    """True when the form was sent with its "Preview" button."""
    return request.form.get("action") == PREVIEW_ACTION


def show_previews(form, names) -> bool:
    """Render the Markdown fields ``names`` of ``form`` for the form's preview (each field
    gets ``preview_html``); a text that cannot be rendered gets the reason as its error.
    True when every field could be rendered."""
    rendered = True
    for name in names:
        field = form[name]
        source = field.data or ""
        if len(source) > MAX_MARKDOWN:
            field.errors = [*field.errors, TOO_LONG]
            rendered = False
            continue
        try:
            field.preview_html = render_markdown(source)
        except TooComplex as exc:
            field.errors = [*field.errors, str(exc)]
            rendered = False
    return rendered


@editing.app_template_global("draft_key")
def draft_key(form_name: str, item_id: int | None = None) -> str | None:
    """The name under which the signed-in writer's browser keeps a draft of this form."""
    if not current_user.is_authenticated:
        return None
    return f"{form_name}:{item_id or 'new'}:{current_user.id}"


@editing.after_app_request
def _forget_saved_draft(response: Response) -> Response:
    """A form with a draft key that was answered with a redirect was saved (a refused one
    comes back with its errors; a signed-out writer is no longer signed in here): tell the
    browser to drop that draft."""
    if (
        request.method != "POST"
        or not 300 <= response.status_code < 400
        or not current_user.is_authenticated
    ):
        return response
    # read only now: a request refused before the view (too large, say) has no form
    key = request.form.get(DRAFT_FIELD, "")
    if not _DRAFT_KEY.match(key) or not key.endswith(f":{current_user.id}"):
        return response
    kept = request.cookies.get(SAVED_DRAFTS_COOKIE, "").split("/")
    earlier = [k for k in kept if _DRAFT_KEY.match(k) and k != key]
    keys = [*earlier[-(_KEPT_KEYS - 1) :], key]
    response.set_cookie(
        SAVED_DRAFTS_COOKIE,
        "/".join(keys),
        max_age=30 * 24 * 3600,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=False,  # static/forms.js reads it
        samesite="Lax",
    )
    return response
