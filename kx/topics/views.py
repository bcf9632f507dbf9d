"""Theme pages: /topics lists the themes, /topics/<kind>/<slug> shows one (a domain,
prevention level, stage or country). The members' saved searches are /themes."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from kx import taxonomy
from kx.evidence.map_views import grid_context
from kx.topics import services

topics = Blueprint("topics", __name__, url_prefix="/topics")


def _viewer():
    return current_user._get_current_object()


@topics.route("")
def index():
    return render_template(
        "topics/index.html", kinds=services.KINDS, counts=services.theme_counts(_viewer())
    )


@topics.route("/<kind>/<slug>")
def topic(kind: str, slug: str):
    if kind == "country" and slug.upper() != slug and slug.upper() in taxonomy.countries():
        return redirect(url_for("topics.topic", kind=kind, slug=slug.upper()), 301)
    found = services.theme(kind, slug)
    page = services.theme_page(found, _viewer())
    params = {
        "rows": found.spec.map_rows,
        "columns": "outcome",
        "colour": "rating",
        "filters": page["map_filters"],
    }
    return render_template(
        "topics/topic.html", theme=found, page=page, **grid_context(page["map"], params)
    )
