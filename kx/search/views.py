"""Search pages: ``/search`` with its facet sidebar, "my themes" (saved searches) with their
private Atom feeds, and the "related items" box that detail pages include.

Every result, count, snippet and suggestion comes from ``kx.search.services`` run as the
viewer (or, for a feed, as the theme's owner), so nothing here decides visibility.
"""

import math
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from kx import exports, taxonomy
from kx.accounts.forms import SelectChoice
from kx.accounts.views import verified_required
from kx.database import utcnow
from kx.errors import Conflict, Invalid, NotFound
from kx.evidence import services as evidence_services
from kx.extensions import db, limiter
from kx.kinds import KINDS
from kx.search import saved, services, vocabulary
from kx.web import apply_errors

search_pages = Blueprint("search_pages", __name__)

PER_PAGE = 20
MAX_PAGE = 500
#: In the zero-result state, how many "without this filter" options to try at most (each
#: one or two searches, all within the page's time budget).
MAX_ALTERNATIVES = 3
#: The facet sidebar's order.
FACET_ORDER = ("type", "domain", "prevention_level", "study_design", "country")


def _viewer():
    return current_user._get_current_object()


#: One budget per address for everything that runs a search: this page (and the header's
#: search box), themes, feeds and ``GET /api/v1/search``.
search_limit = limiter.shared_limit(
    lambda: current_app.config["SEARCH_LIMITS"], scope="search", key_func=get_remote_address
)


class ThemeNameForm(FlaskForm):
    name = StringField(
        "Theme name",
        validators=[DataRequired(), Length(max=saved.NAME_MAX)],
        description="Something you will recognise, such as “Helplines in Germany”.",
    )


class DigestForm(FlaskForm):
    digest = SelectField(
        "E-mail digest",
        choices=[SelectChoice(value, label) for value, label in saved.DIGESTS.items()],
        description="New matches you may see, by e-mail: at most once a day or once a week.",
    )


# Search page ----------------------------------------------------------------------------


def _page() -> int:
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), MAX_PAGE)


def _url(criteria: dict, **changes) -> str:
    return url_for("search_pages.search", **saved.criteria_args(criteria, **changes))


def _without(criteria: dict, name: str, value=None) -> dict:
    """``criteria`` without one filter value (or without the whole of ``name``)."""
    current = criteria[name]
    if isinstance(current, list):
        return {**criteria, name: [v for v in current if v != value]}
    return {**criteria, name: "" if name == "q" else None}


def _chips(criteria: dict) -> list[dict]:
    """The active filters, each with the criteria (and link) that drop it."""
    chips = []
    for name, (vocab, _attribute) in saved.FILTERS.items():
        for value in criteria[name]:
            rest = _without(criteria, name, value)
            label = saved.vocabulary(vocab).get(value, value)
            chips.append(
                {
                    "label": saved.FILTER_LABELS[name],
                    "value": label,
                    "rest": rest,
                    "url": _url(rest),
                }
            )
    for name in ("year_from", "year_to"):
        if criteria[name] is not None:
            rest = _without(criteria, name)
            chips.append(
                {
                    "label": saved.FILTER_LABELS[name],
                    "value": str(criteria[name]),
                    "rest": rest,
                    "url": _url(rest),
                }
            )
    return chips


def _facets(criteria: dict, results) -> list[dict]:
    """Sidebar groups: the values found (with counts) plus any chosen ones."""
    groups = []
    for name in FACET_ORDER:
        vocab = saved.vocabulary(saved.FILTERS[name][0])
        counts = results.facets.get(name, {})
        chosen = set(criteria[name])
        options = [
            {"value": slug, "label": text, "count": counts.get(slug, 0), "checked": slug in chosen}
            for slug, text in vocab.items()
            if counts.get(slug) or slug in chosen
        ]
        if name == "country":  # many values: the most frequent first
            options.sort(key=lambda o: (not o["checked"], -o["count"], o["label"]))
        groups.append({"name": name, "legend": saved.FILTER_LABELS[name], "options": options})
    return groups


def _alternatives(viewer, criteria: dict, chips: list[dict], until: float) -> list[dict]:
    """For the zero-result state: what dropping each filter (or the words) would find,
    as far as the time left until ``until`` allows."""
    options = []
    if criteria["q"] and chips:
        rest = _without(criteria, "q")
        options.append({"text": f"Remove the words “{criteria['q']}”", "rest": rest})
    if len(chips) > 1:  # before single filters: only the first few options are tried
        rest = {**criteria, **{n: [] for n in saved.FILTERS}, "year_from": None, "year_to": None}
        options.append({"text": "Remove all filters", "rest": rest})
    options += [{"text": f"Remove {c['label']}: {c['value']}", "rest": c["rest"]} for c in chips]
    useful = []
    for option in options[:MAX_ALTERNATIVES]:
        if time.monotonic() >= until:
            break
        found = services.search(viewer, saved.to_query(option["rest"], per_page=1), until)
        if found.interpretation.respelled and time.monotonic() < until:
            option["rest"] = {**option["rest"], "q": found.suggestion}
            option["text"] += f" and search for “{found.suggestion}”"
            found = services.search(viewer, saved.to_query(option["rest"], per_page=1), until)
        if found.total and not found.partial:
            useful.append({**option, "total": found.total, "url": _url(option["rest"])})
    return useful


# a tag's vocabulary -> the kind of its theme page (/topics/<kind>/<slug>)
THEME_KINDS = {
    "domains": "domain",
    "prevention_levels": "prevention-level",
    "stages": "stage",
    "countries": "country",
}


def _closest_themes(criteria: dict) -> list[dict]:
    """Theme pages whose names come closest to the words, for a search that found nothing
    (a theme page shows only what its reader may see)."""
    themes = []
    for vocabulary_name, slug in vocabulary.closest_tags(criteria["q"]):
        if vocabulary_name in THEME_KINDS:
            themes.append(
                {
                    "label": taxonomy.label(vocabulary_name, slug),
                    "url": url_for("topics.topic", kind=THEME_KINDS[vocabulary_name], slug=slug),
                }
            )
    return themes


def _interpretation(criteria: dict, results) -> dict | None:
    """What the page says about how the words were read (None: nothing worth saying): the
    words searched, the synonyms added, a link applying the recognised tags as filters and
    one searching the words as typed."""
    reading = results.interpretation
    suggested = reading.suggested_filters
    if not criteria["q"] or not (
        reading.ignored or reading.expanded or suggested or reading.fallback or reading.respelled
    ):
        return None
    filters = [
        (saved.FILTER_LABELS[name], saved.vocabulary(saved.FILTERS[name][0]).get(slug, slug))
        for name, slugs in suggested.items()
        for slug in slugs
    ]
    filtered = {
        **criteria,
        **{name: [*criteria[name], *slugs] for name, slugs in suggested.items()},
    }
    return {
        "searched": reading.searched,
        "expanded": list(reading.expanded.items()),
        "fallback": reading.fallback,
        "all_words": reading.all_words,
        "filters": filters,
        "filter_url": _url(filtered) if filters else None,
        "literal_url": _url(criteria, q=reading.literal) if reading.literal else None,
        "respelled": reading.respelled,
        "as_typed_url": _url(criteria, q=reading.as_typed) if reading.respelled else None,
    }


def hit_view(hit, rating=None) -> dict:
    return {
        "hit": hit,
        "url": saved.hit_url(hit),
        "type_label": saved.TYPE_LABELS.get(hit.type, hit.type),
        "rating": rating,
    }


def practice_ratings(hits, viewer) -> dict:
    """The rating of each practice example among ``hits`` (a page: one call), read from
    the database as ``viewer`` may see it now, not from the index."""
    return evidence_services.ratings_for([hit for hit in hits if hit.type == "practice"], viewer)


def hit_views(hits, viewer) -> list[dict]:
    """``hit_view`` of each hit, practice examples with their rating."""
    ratings = practice_ratings(hits, viewer)
    return [hit_view(hit, ratings.get(hit.id) if hit.type == "practice" else None) for hit in hits]


def render_search(criteria: dict, page: int = 1, form: ThemeNameForm | None = None, status=200):
    viewer = _viewer()
    until = services.deadline()
    query = saved.to_query(criteria, page=page, per_page=PER_PAGE)
    results = services.search(viewer, query, until)
    pages = max(math.ceil(results.total / PER_PAGE), 1)
    chips = _chips(criteria)
    can_save = viewer.is_authenticated and viewer.is_verified
    if can_save and form is None:
        form = ThemeNameForm(formdata=None, name=_default_name(criteria))
    return render_template(
        "search/index.html",
        criteria=criteria,
        results=results,
        hits=hit_views(results.hits, viewer),
        page=page,
        pages=pages,
        per_page=PER_PAGE,
        args=saved.criteria_args(criteria),
        facets=_facets(criteria, results),
        chips=chips,
        clear_url=_url(criteria, **{n: [] for n in saved.FILTERS}, year_from=None, year_to=None),
        suggestion_url=(
            _url(criteria, q=results.suggestion)
            if results.suggestion and not results.interpretation.respelled
            else None
        ),
        interpretation=_interpretation(criteria, results),
        alternatives=(
            _alternatives(viewer, criteria, chips, until)
            if not results.total and not results.partial
            else []
        ),
        themes=_closest_themes(criteria) if not results.total else [],
        searched=saved.has_criteria(criteria),
        types=saved.TYPES,
        sorts=saved.SORTS,
        filters=saved.FILTERS,
        year_min=saved.YEAR_MIN,
        year_max=saved.YEAR_MAX,
        form=form if can_save else None,
    ), status


def _default_name(criteria: dict) -> str:
    described = saved.describe(criteria)
    text = criteria["q"] or "; ".join(value for _label, value in described) or "Everything new"
    return text[: saved.NAME_MAX]


TOO_COSTLY = (
    "This search took too long and was stopped. Use fewer words, or more letters before a *."
)


def results_csv(viewer, criteria: dict):
    """Every result of ``criteria`` that ``viewer`` may see (up to the export's limit) as a
    CSV download; ``Invalid`` when the search runs out of its time budget, rather than an
    incomplete file."""
    query = saved.to_query(criteria, per_page=exports.MAX_EXPORT_ROWS)
    results = services.search(viewer, replace(query, snippets=False))
    if results.partial:
        raise Invalid(TOO_COSTLY, {"q": ["Too costly to search in full; narrow it down."]})
    hits, research = results.hits, KINDS["research"]

    def rows():
        for start in range(0, len(hits), exports.CHUNK_ROWS):
            chunk = hits[start : start + exports.CHUNK_ROWS]
            ratings = practice_ratings(chunk, viewer)
            ids = [hit.id for hit in chunk if hit.type == "research"]
            found = db.session.scalars(
                research.query(viewer).where(research.model.id.in_(ids)).order_by(None)
            )
            summaries = {item.id: item for item in found}
            for hit in chunk:
                yield exports.search_row(
                    hit,
                    KINDS[hit.type].url(hit.id, _external=True),
                    ratings.get(hit.id) if hit.type == "practice" else None,
                    summaries.get(hit.id) if hit.type == "research" else None,
                )

    return exports.csv_response("search", exports.SEARCH_HEADER, rows(), results.total)


@search_pages.route("/search")
@search_limit
def search():
    criteria = saved.clean_criteria(request.args)
    if request.args.get("format") == "csv":
        try:
            return results_csv(_viewer(), criteria)
        except Invalid:
            return render_search(criteria, status=422)
    return render_search(criteria, _page())


# Themes (saved searches) ------------------------------------------------------------------


@search_pages.route("/themes")
@search_limit
@verified_required
def themes():
    viewer = _viewer()
    rows = []
    for theme in saved.themes_of(viewer):
        criteria = saved.criteria_of(theme)
        rows.append(
            {
                "theme": theme,
                "described": saved.describe(criteria),
                "new": saved.new_matches(theme),
                "search_url": _url(criteria),
            }
        )
    return render_template("search/themes.html", rows=rows, cap=saved.NEW_CAP)


@search_pages.route("/themes", methods=["POST"])
@verified_required
def create_theme():
    viewer = _viewer()
    form = ThemeNameForm()
    try:
        theme, _raw = saved.save(viewer, form.name.data or "", request.form)
    except (Invalid, Conflict) as exc:  # a bad name, or too many themes already
        apply_errors(form, exc)
        return render_search(saved.clean_criteria(request.form), form=form, status=422)
    flash(f"Saved “{theme.name}” to My themes.", "success")
    return redirect(url_for("search_pages.manage_theme", saved_id=theme.id))


def _since() -> datetime | None:
    """The ``since`` of a theme's later pages (so "new" stays marked while paging)."""
    raw = request.args.get("since", "")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment if moment <= utcnow() else None


@search_pages.route("/themes/<int:saved_id>")
@search_limit
@verified_required
def theme(saved_id: int):
    """A theme's matches, newest first, marking those new since the last visit."""
    theme, previous = saved.visit(_viewer(), saved_id)
    since = _since() or previous
    page = _page()
    results = saved.run(theme, page=page, per_page=PER_PAGE, sort="newest")
    dates = saved.dates_of(results.hits)
    criteria = saved.criteria_of(theme)
    return render_template(
        "search/theme.html",
        theme=theme,
        described=saved.describe(criteria),
        results=results,
        hits=[
            {
                **view,
                "new": (hit.type, hit.id) in dates and dates[(hit.type, hit.id)][0] > since,
            }
            for hit, view in zip(results.hits, hit_views(results.hits, _viewer()), strict=True)
        ],
        new_count=saved.new_matches(theme, since) if page == 1 else None,
        cap=saved.NEW_CAP,
        since=since,
        page=page,
        per_page=PER_PAGE,
        pages=max(math.ceil(results.total / PER_PAGE), 1),
        search_url=_url(criteria),
        feed_url=_feed_url(theme),
        digest=saved.DIGESTS.get(theme.digest),
    )


def _feed_url(theme) -> str | None:
    """The theme's feed address, shown on its pages for as long as it works."""
    token = saved.feed_token(theme)
    return url_for("search_pages.feed", token=token, _external=True) if token else None


def _manage_page(theme, form=None, status=200, digest_form=None):
    criteria = saved.criteria_of(theme)
    return render_template(
        "search/manage.html",
        theme=theme,
        described=saved.describe(criteria),
        form=form or ThemeNameForm(formdata=None, name=theme.name),
        digest_form=digest_form or DigestForm(formdata=None, digest=theme.digest),
        feed_url=_feed_url(theme),
        search_url=_url(criteria),
    ), status


@search_pages.route("/themes/<int:saved_id>/manage")
@verified_required
def manage_theme(saved_id: int):
    return _manage_page(saved.get_theme(_viewer(), saved_id))


@search_pages.route("/themes/<int:saved_id>/rename", methods=["POST"])
@verified_required
def rename_theme(saved_id: int):
    viewer = _viewer()
    theme = saved.get_theme(viewer, saved_id)
    form = ThemeNameForm()
    try:
        saved.rename(viewer, saved_id, form.name.data or "")
    except Invalid as exc:
        apply_errors(form, exc)
        return _manage_page(theme, form, 422)
    flash(f"Renamed to “{theme.name}”.", "success")
    return redirect(url_for("search_pages.manage_theme", saved_id=saved_id))


@search_pages.route("/themes/<int:saved_id>/digest", methods=["POST"])
@verified_required
def theme_digest(saved_id: int):
    viewer = _viewer()
    theme = saved.get_theme(viewer, saved_id)
    form = DigestForm()
    if form.validate():
        saved.set_digest(viewer, saved_id, form.digest.data)
        flash(f"E-mail digest: {saved.DIGESTS[form.digest.data].lower()}.", "success")
        return redirect(url_for("search_pages.manage_theme", saved_id=saved_id) + "#digest")
    return _manage_page(theme, status=422, digest_form=form)


@search_pages.route("/themes/<int:saved_id>/feed", methods=["POST"])
@verified_required
def renew_feed(saved_id: int):
    saved.new_feed_token(_viewer(), saved_id)
    flash(
        "The feed has a new address; the old one no longer works: give the new one to "
        "every feed reader that should keep reading it.",
        "success",
    )
    return redirect(url_for("search_pages.manage_theme", saved_id=saved_id) + "#feed")


@search_pages.route("/themes/<int:saved_id>/delete", methods=["POST"])
@verified_required
def delete_theme(saved_id: int):
    viewer = _viewer()
    name = saved.get_theme(viewer, saved_id).name
    saved.delete(viewer, saved_id)
    flash(f"Deleted the theme “{name}” and its feed.", "success")
    return redirect(url_for("search_pages.themes"))


# Atom feeds -------------------------------------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)  # write <feed xmlns="…">, not <ns0:feed>
# Characters XML 1.0 cannot carry at all (a title could hold a stray control character).
_NOT_XML = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def _text(value: str) -> str:
    return value.translate(_NOT_XML)


def _stamp(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def _element(parent, tag: str, text: str | None = None, **attributes):
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = _text(text)
    return element


def atom_feed(theme, entries: list[dict]) -> bytes:
    root = request.url_root.rstrip("/")
    # ids are permanent names, so they come from the configured address, never from the
    # Host header a request happened to carry
    base = current_app.config["BASE_URL"]
    feed = ET.Element(f"{{{ATOM}}}feed")
    host = urlsplit(base).hostname
    _element(feed, "id", f"tag:{host},{theme.created_at:%Y-%m-%d}:themes/{theme.id}")
    _element(feed, "title", f"{current_app.config.get('SITE_NAME', 'kx')}: {theme.name}")
    newest = max((e["updated"] for e in entries), default=theme.created_at)
    _element(feed, "updated", _stamp(newest))
    _element(feed, "link", rel="self", href=request.base_url)
    criteria = saved.criteria_of(theme)
    _element(feed, "link", rel="alternate", type="text/html", href=root + _url(criteria))
    author = _element(feed, "author")
    _element(author, "name", "kx")
    for entry in entries:
        hit = entry["hit"]
        item = _element(feed, "entry")
        _element(item, "id", base + entry["url"])
        _element(item, "title", hit.title)
        _element(item, "link", rel="alternate", type="text/html", href=root + entry["url"])
        _element(item, "published", _stamp(entry["published"]))
        _element(item, "updated", _stamp(entry["updated"]))
        _element(item, "category", term=hit.type, label=saved.TYPE_LABELS.get(hit.type, hit.type))
        _element(item, "summary", entry["summary"], type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@search_pages.route("/feeds/<token>.atom")
@search_limit
def feed(token: str):
    """A theme's newest matches as its owner may see them now. The address is the only key,
    so it is unguessable, revocable and never cached by others."""
    theme = saved.feed_owner_search(token)
    body = atom_feed(theme, saved.feed_entries(theme))
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# Related items ------------------------------------------------------------------------------


@search_pages.app_template_global("related_items")
def related_items(item, limit: int = 5) -> list[dict]:
    """Items like ``item`` that the current viewer may see (for ``search/_related.html``)."""
    try:
        hits = services.related(item, _viewer(), limit=limit)
    except NotFound:
        return []
    except Exception:  # a detail page must not fail because the index does
        current_app.logger.exception("related items failed for %s %s", item.item_type, item.id)
        return []
    return [hit_view(hit) for hit in hits]
