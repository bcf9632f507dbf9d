"""``GET /favicon.ico``: the site's icon for browsers and tools that ask the root for it
instead of reading the page's ``<link rel="icon">``."""

from flask import Blueprint, current_app, send_from_directory

favicon = Blueprint("favicon", __name__)

ICON = "favicon.svg"


@favicon.get("/favicon.ico")
def icon():
    """The SVG icon under the name browsers try first (a day in caches, like the page's link)."""
    return send_from_directory(
        current_app.static_folder, ICON, mimetype="image/svg+xml", max_age=86400
    )
