"""Research summary pages, citation downloads and BibTeX import (the evidence links' routes
and the gap map are in kx.evidence.views).

Thin: input -> ``kx.research.services`` -> render or redirect. Every list, export and
count comes from a service that applies the viewer's visibility in the query.
"""

from types import SimpleNamespace

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from kx import exports, taxonomy
from kx.editing import preview_requested, show_previews
from kx.errors import Conflict, Forbidden, Invalid, ServiceError
from kx.evidence.panels import research_panel
from kx.extensions import db, limiter
from kx.records import rules
from kx.records import services as records
from kx.records import views as record_pages
from kx.research import services
from kx.research.citations import split_author
from kx.research.forms import (
    SORTS,
    ImportForm,
    ResearchFilterForm,
    ResearchForm,
)
from kx.research.models import Research
from kx.web import apply_errors, page_number

research = Blueprint("research", __name__)

PER_PAGE = 20
EXPORT_LIMIT = 5000
FILTER_ARGS = ("domain", "country", "study_design", "year_from", "year_to", "sort")


def _viewer():
    return current_user._get_current_object()


def _flat(exc: ServiceError) -> ServiceError:
    """``exc`` with nested messages (a list field's ``{index: [...]}``) as plain strings."""

    def flatten(messages) -> list[str]:
        if isinstance(messages, dict):
            return [m for value in messages.values() for m in flatten(value)]
        if isinstance(messages, list | tuple):
            return [m for value in messages for m in flatten(value)]
        return [str(messages)]

    exc.fields = {name: flatten(messages) for name, messages in exc.fields.items()}
    return exc


# --------------------------------------------------------------------------- list


def _list_filters(form: ResearchFilterForm) -> tuple[dict, dict]:
    """The service filters and the query arguments (for links) the filter form asks for.

    Values that are not valid (an unknown slug, a year that is not a number) are ignored;
    a bad year also shows an error beside its field.
    """
    form.validate()
    filters: dict = {"status": "published"}
    args: dict = {}
    if form.domain.data in taxonomy.DOMAINS:
        filters["domains"] = [form.domain.data]
        args["domain"] = form.domain.data
    if form.country.data in taxonomy.countries():
        filters["countries"] = [form.country.data]
        args["country"] = form.country.data
    if form.study_design.data in taxonomy.STUDY_DESIGNS:
        filters["study_design"] = form.study_design.data
        args["study_design"] = form.study_design.data
    for name in ("year_from", "year_to"):
        field = getattr(form, name)
        if field.data is not None and not field.errors:
            filters[name] = field.data
            args[name] = field.data
    sort = form.sort.data if form.sort.data in SORTS else "newest"
    if sort != "newest":
        args["sort"] = sort
    return filters, args


def _filter_form() -> ResearchFilterForm:
    return ResearchFilterForm(formdata=request.args if request.args else None)


@research.route("/research")
def index():
    form = _filter_form()
    filters, args = _list_filters(form)
    statement = services.research_query(_viewer(), filters, args.get("sort", "newest"))
    if request.args.get("format") == "csv":
        return exports.records_csv(statement, _viewer(), _page_url)
    page = db.paginate(statement, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "research/list.html",
        form=form,
        page=page,
        args=args,
        filtered=any(name != "sort" for name in args),
        short_reference=short_reference,
        formats=services.CITATION_FORMATS,
    )


def _page_url(item_id: int) -> str:
    return url_for("research.detail", item_id=item_id, _external=True)


def _initials(given: str) -> str:
    words = [w for w in given.replace(".", " ").split() if w]
    return " ".join("-".join(f"{part[0].upper()}." for part in w.split("-") if part) for w in words)


def short_reference(item: Research) -> dict:
    """Authors (APA style, "et al." after three), year and venue for a list row."""
    names = []
    for author in item.authors or []:
        family, given, _suffix = split_author(author)
        names.append(f"{family}, {_initials(given)}" if given else family)
    if len(names) > 3:
        authors = f"{names[0]} et al."
    elif len(names) > 1:
        authors = ", ".join(names[:-1]) + f", & {names[-1]}"
    else:
        authors = "".join(names)
    return {
        "authors": authors,
        "year": str(item.year) if item.year else "n.d.",
        "venue": item.venue,
    }


def _download(text: str, fmt: str, filename: str) -> Response:
    content_type, extension = services.CITATION_FORMATS[fmt]
    response = Response(text, content_type=f"{content_type}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _format() -> str:
    fmt = request.args.get("format", "")
    if fmt not in services.CITATION_FORMATS:
        abort(400)
    return fmt


@research.route("/research/export")
def export():
    """The list as filtered, every page of it, in one citation format."""
    fmt = _format()
    filters, args = _list_filters(_filter_form())
    statement = services.research_query(_viewer(), filters, args.get("sort", "newest"))
    items = list(db.session.scalars(statement.limit(EXPORT_LIMIT)))
    return _download(services.cite(items, fmt), fmt, "kx-research")


# --------------------------------------------------------------------------- detail


def render_detail(item: Research, link_form=None, status: int = 200):
    """The summary's page; ``link_form`` is an evidence link form sent back with its errors."""
    viewer = _viewer()
    editable = rules.can_edit(item, viewer)
    return render_template(
        "research/detail.html",
        item=item,
        editable=editable,
        pending_edit=records.pending_edit(item) if editable else None,
        reference=services.reference(item),
        **research_panel(item, viewer, link_form),
    ), status


@research.route("/research/<int:item_id>")
def detail(item_id: int):
    return render_detail(services.get_research(item_id, _viewer()))


@research.route("/research/<int:item_id>/cite")
def cite(item_id: int):
    fmt = _format()
    item = services.get_research(item_id, _viewer())
    return _download(services.cite([item], fmt), fmt, f"kx-research-{item.id}")


# --------------------------------------------------------------------------- writing


def _save(form: ResearchForm, item: Research | None):
    """Save the form through the service: ``(redirect, 302)`` on success, else ``(None,
    status)`` with the service's messages beside the fields and everything typed kept."""
    if preview_requested():
        return None, 200 if show_previews(form, Research.markdown_fields) else 422
    action = request.form.get("action", "save")
    data = form.to_data()
    if action in ("draft", "submit"):
        data["submit"] = action == "submit"
    was_published = bool(item and item.is_published)
    try:
        saved = services.save_research(_viewer(), data, item)
    except (Invalid, Conflict) as exc:
        apply_errors(form, _flat(exc))
        return None, exc.status
    except Forbidden as exc:  # an unverified member submitting: keep what was typed
        form.form_errors.append(exc.message)
        return None, exc.status
    if was_published and records.pending_edit(saved) is not None:
        flash(PENDING_EDIT_SAVED, "success")
        return redirect(url_for("research.detail", item_id=saved.id)), 302
    flash(_saved_message(saved), "success")
    if saved.identifier_warnings:
        flash(
            "Possible identifying details were found: check the list below and remove any "
            "that could identify a person.",
            "warning",
        )
    return redirect(url_for("research.detail", item_id=saved.id)), 302


PENDING_EDIT_SAVED = (
    "Saved. A moderator will review your changes before they are shown; until then "
    "everyone sees the published version."
)


def _saved_message(item: Research) -> str:
    return {
        "draft": "Saved as a draft. Only you and the moderators can see it.",
        "pending": "Sent for review. A moderator will check it before it is published.",
        "published": "Saved and published.",
    }.get(item.status, "Saved.")


@research.route("/research/new", methods=["GET", "POST"])
@login_required
def new():
    form = ResearchForm()
    status = 200
    if form.validate_on_submit():
        response, status = _save(form, None)
        if response is not None:
            return response
    elif form.is_submitted():
        status = 422
    return render_template("research/form.html", form=form, item=None), status


def _editable(item_id: int) -> Research:
    item = services.get_research(item_id, _viewer())
    if not rules.can_edit(item, _viewer()):
        raise Forbidden("Only the author or a moderator may change this.")
    return item


@research.route("/research/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):
    item = _editable(item_id)
    # the author goes on with their edit waiting for review, if there is one
    values = SimpleNamespace(**records.editing_values(item, _viewer()))
    form = ResearchForm(obj=values)
    if request.method == "GET":
        form.authors.data = "\n".join(values.authors or [])
        form.countries.data = values.countries
        form.domains.data = values.domains
        form.restricted_sectors.data = values.restricted_sectors
        form.doi.data = values.doi or ""
    status = 200
    if form.validate_on_submit():
        response, status = _save(form, item)
        if response is not None:
            return response
    elif form.is_submitted():
        status = 422
    return render_template("research/form.html", form=form, item=item), status


@research.route("/research/<int:item_id>/submit", methods=["POST"])
@login_required
def submit_for_review(item_id: int):
    """Send a draft (or a rejected summary) for review as it stands."""
    item = _editable(item_id)
    try:
        saved = services.save_research(_viewer(), {"submit": True}, item)
    except Invalid as exc:
        flash(exc.message, "error")
    else:
        flash(_saved_message(saved), "success")
    return redirect(url_for("research.detail", item_id=item.id))


@research.route("/research/<int:item_id>/archive", methods=["POST"])
@login_required
def archive(item_id: int):
    back = url_for("research.detail", item_id=item_id)
    return record_pages.archive_item(_editable(item_id), _viewer(), back)


@research.route("/research/<int:item_id>/delete", methods=["GET", "POST"])
@login_required
def delete(item_id: int):
    back = url_for("research.detail", item_id=item_id)
    return record_pages.delete_item(_editable(item_id), _viewer(), "summary", back)


def _importer_key() -> str:
    """The member, with the same key as the API (kx.api.research): one budget each."""
    if current_user.is_authenticated:
        return f"research-import:user:{current_user.id}"
    return get_remote_address()


@research.route("/research/import", methods=["GET", "POST"])
@login_required
@limiter.shared_limit(
    services.IMPORT_LIMIT,
    scope="research-import",
    key_func=_importer_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 200,
)
def import_bibtex():
    form = ImportForm()
    created, skipped, notes = None, None, None
    if form.validate_on_submit():
        upload = form.bibfile.data
        text = services.read_bib_file(upload.read()) if upload else form.bibtex.data or ""
        try:
            ids, skipped, notes = services.import_bibtex(_viewer(), text)
        except Invalid as exc:
            if upload:  # the file's problem is told beside the file field
                exc.fields = {"bibfile": exc.fields.pop("bibtex", [])} | exc.fields
            apply_errors(form, exc)
        else:
            created = [db.session.get(Research, item_id) for item_id in ids]
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "research/import.html", form=form, created=created, skipped=skipped, notes=notes
    ), status
