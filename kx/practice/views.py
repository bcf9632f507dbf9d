"""Practice example pages: the list with filters, the detail page with its evidence, the
form (with the anonymisation check) and the author's and moderators' actions (the
evidence links' own routes are in kx.evidence.views)."""

import hashlib
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from kx import exports, taxonomy
from kx.anonymisation import check_fields
from kx.editing import preview_requested, show_previews
from kx.errors import Conflict, Invalid
from kx.evidence import services as evidence_services
from kx.evidence.glance import at_a_glance
from kx.evidence.panels import evidence_choices, practice_panel
from kx.extensions import db
from kx.practice import services
from kx.practice.forms import PracticeForm
from kx.practice.models import Practice
from kx.records import rules
from kx.records import services as records
from kx.records import views as record_pages
from kx.web import apply_errors, page_number

practice = Blueprint("practice", __name__)

PER_PAGE = 20
TEXT_FIELDS = ("title", "summary", "organisation", "target_population")
MARKDOWN_FIELDS = Practice.markdown_fields
LIST_FIELDS = ("domains", "countries", "stages", "restricted_sectors")
CHOICE_FIELDS = ("prevention_level", "evaluation_status", "visibility")
YEAR_FIELDS = ("start_year", "end_year")
#: how strong the evidence behind each EMMIE section is; empty: not given
STRENGTH_FIELDS = tuple(f"{name}_strength" for name in Practice.emmie_sections)
#: query parameter -> (vocabulary, key of practice_query's filters)
FILTERS = {
    "domain": ("domains", "domains"),
    "country": ("countries", "countries"),
    "prevention_level": ("prevention_levels", "prevention_level"),
    "stage": ("stages", "stages"),
    "evaluation_status": ("evaluation_statuses", "evaluation_status"),
}
FILTER_LABELS = {
    "domain": "Domain",
    "country": "Country",
    "prevention_level": "Prevention level",
    "stage": "Stage",
    "evaluation_status": "Evaluation",
    "evidence_level": "Evidence level",
}
SORTS = {"newest": "Newest first", "title": "Title (A to Z)"}


def _viewer():
    return current_user._get_current_object()


# List


def _active_filters() -> dict[str, str]:
    """The list's valid filter parameters (unknown values are ignored, not shown)."""
    active = {}
    for name, (vocabulary, _key) in FILTERS.items():
        value = request.args.get(name, "").strip()
        if name == "country":
            value = value.upper()
        if value and value in taxonomy.vocabulary(vocabulary):
            active[name] = value
    evidence_level = request.args.get("evidence_level", "")
    if evidence_level in evidence_choices():
        active["evidence_level"] = evidence_level
    return active


@practice.route("/practices")
def index():
    viewer = _viewer()
    active = _active_filters()
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "newest"
    filters = {"status": "published"}
    for name, (_vocabulary, key) in FILTERS.items():
        if name in active:
            filters[key] = active[name]
    statement = services.practice_query(viewer, filters, sort)
    if "evidence_level" in active:
        statement = evidence_services.filter_by_evidence_level(
            statement, viewer, active["evidence_level"]
        )
    if request.args.get("format") == "csv":
        return exports.records_csv(statement, viewer, _page_url, evidence_services.ratings_for)
    pagination = db.paginate(
        statement, page=page_number(), per_page=PER_PAGE, error_out=False, count=True
    )
    ratings = evidence_services.ratings_for(pagination.items, viewer)
    shown = [
        {
            "name": name,
            "label": FILTER_LABELS[name],
            "value": _filter_value_label(name, value),
            "remove": url_for(
                "practice.index",
                **{k: v for k, v in active.items() if k != name},
                **({"sort": sort} if sort != "newest" else {}),
            ),
        }
        for name, value in active.items()
    ]
    args = {**active, **({"sort": sort} if sort != "newest" else {})}
    return render_template(
        "practice/index.html",
        pagination=pagination,
        ratings=ratings,
        active=active,
        shown=shown,
        sort=sort,
        sorts=SORTS,
        args=args,
        filters=FILTERS,
        filter_labels=FILTER_LABELS,
        evidence_choices=evidence_choices(),
    )


def _page_url(practice_id: int) -> str:
    return url_for("practice.detail", practice_id=practice_id, _external=True)


def _filter_value_label(name: str, value: str) -> str:
    if name == "evidence_level":
        return evidence_choices()[value]
    return taxonomy.label(FILTERS[name][0], value)


# Detail


def render_detail(practice_obj, link_form=None, status: int = 200):
    """The practice page; ``link_form`` is an evidence link form sent back with its errors."""
    viewer = _viewer()
    editable = rules.can_edit(practice_obj, viewer)
    panel = practice_panel(practice_obj, viewer, link_form)
    return render_template(
        "practice/detail.html",
        item=practice_obj,
        practice=practice_obj,
        **panel,
        glance=at_a_glance(practice_obj, viewer, panel["evidence"]),
        editable=editable,
        pending_edit=records.pending_edit(practice_obj) if editable else None,
    ), status


@practice.route("/practices/<int:practice_id>")
def detail(practice_id: int):
    return render_detail(services.get_practice(practice_id, _viewer()))


# Writing


def _form_data(form: PracticeForm) -> dict:
    """The form's values in the service's shape."""
    data = {name: (form[name].data or "").strip() for name in TEXT_FIELDS}
    data.update({name: (form[name].data or "").rstrip() for name in MARKDOWN_FIELDS})
    data.update({name: list(form[name].data or []) for name in LIST_FIELDS})
    data.update({name: form[name].data or "" for name in CHOICE_FIELDS})
    data.update({name: form[name].data or None for name in STRENGTH_FIELDS})
    data.update({name: form[name].data for name in YEAR_FIELDS})
    data["prevention_level"] = data["prevention_level"] or None
    data["evaluation_status"] = data["evaluation_status"] or "none"
    data["visibility"] = data["visibility"] or "public"
    if data["visibility"] != "restricted":
        data["restricted_sectors"] = []
    return data


def _findings(data: dict) -> list:
    return check_fields({name: data.get(name) or "" for name in services.CHECKED_FIELDS})


def _digest(finding) -> str:
    key = f"{finding.kind}\x1f{finding.field}\x1f{finding.text}".encode()
    return hashlib.sha256(key).hexdigest()[:16]


def _seen_value(findings) -> str:
    return " ".join(sorted({_digest(f) for f in findings}))


def _unseen(findings) -> list:
    """Findings the author has not been shown on the page they submitted from."""
    seen = set(request.form.get("seen_warnings", "").split())
    return [f for f in findings if _digest(f) not in seen]


def _render_form(form, practice_obj, findings, checked: bool = False, status: int = 200):
    by_field: dict[str, list] = {}
    for finding in findings:
        by_field.setdefault(finding.field, []).append(finding)
    return render_template(
        "practice/form.html",
        form=form,
        practice=practice_obj,
        findings=findings,
        findings_by_field=by_field,
        checked=checked,
        seen=_seen_value(findings),
    ), status


def _save(form: PracticeForm, practice_obj=None):
    """Handle a POST of the practice form: check, save a draft or changes, or submit."""
    viewer = _viewer()
    action = request.form.get("action", "draft")
    data = _form_data(form)
    findings = _findings(data)
    if action == "check":
        return _render_form(form, practice_obj, findings, checked=True)
    if preview_requested():
        shown = show_previews(form, MARKDOWN_FIELDS)
        return _render_form(form, practice_obj, findings, status=200 if shown else 422)
    if action == "submit":
        if not viewer.is_verified:
            form.form_errors.append(
                "Your account is awaiting verification by a moderator, so you cannot submit "
                "for review yet. Save this as a draft now and submit it once you are verified."
            )
            return _render_form(form, practice_obj, findings, status=403)
        if _unseen(findings):
            form.form_errors.append(
                "The anonymisation check found possible identifiers you had not seen yet. "
                "Nothing was submitted: read them below, remove what identifies anyone, and "
                "submit again."
            )
            if not form.anonymised_confirmed.data:
                form.anonymised_confirmed.errors = [
                    "Confirm that the example is anonymised before you submit it."
                ]
            return _render_form(form, practice_obj, findings, checked=True, status=422)
        data.update(submit=True, anonymised_confirmed=bool(form.anonymised_confirmed.data))
    elif action == "save" and practice_obj is not None and practice_obj.is_published:
        pass  # keep the status (a published item stays published unless new findings)
    else:
        data["submit"] = False
    was_published = bool(practice_obj and practice_obj.is_published)
    try:
        saved = services.save_practice(viewer, data, practice_obj)
    except (Invalid, Conflict) as exc:
        apply_errors(form, _in_form_words(exc, data))
        return _render_form(form, practice_obj, findings, status=422)
    waiting = was_published and records.pending_edit(saved) is not None
    flash(_saved_message(saved, was_published, waiting), "success")
    return redirect(url_for("practice.detail", practice_id=saved.id))


def _in_form_words(exc: Invalid | Conflict, data: dict) -> Invalid | Conflict:
    """The service's field messages, with an empty title asked for as missing rather than
    as a length rule (``load`` already gives one list of messages per field)."""
    if "title" not in exc.fields or data.get("title"):
        return exc
    return type(exc)(exc.message, {**exc.fields, "title": ["Give the example a title."]})


def _saved_message(saved, was_published: bool, waiting: bool) -> str:
    if waiting:
        return (
            "Saved. A moderator will review your changes before they are shown; until then "
            "everyone sees the published version."
        )
    if saved.status == "published":
        return "Saved and published." if not was_published else "Your changes are published."
    if saved.status == "pending":
        return "Submitted for review. A moderator will check it before it is published."
    return "Draft saved. Only you and the moderators can see it."


@practice.route("/practices/new", methods=["GET", "POST"])
@login_required
def new():
    form = PracticeForm()
    if form.validate_on_submit():
        return _save(form)
    if form.is_submitted():  # field-level errors (e.g. too long) or an expired token
        return _render_form(form, None, _findings(_form_data(form)), status=422)
    return _render_form(form, None, [])


def _editable(practice_id: int):
    item = services.get_practice(practice_id, _viewer())
    if not rules.can_edit(item, _viewer()):
        abort(403)
    return item


@practice.route("/practices/<int:practice_id>/edit", methods=["GET", "POST"])
@login_required
def edit(practice_id: int):
    item = _editable(practice_id)
    # the author goes on with their changes waiting for review, if there are any
    form = PracticeForm(obj=SimpleNamespace(**records.editing_values(item, _viewer())))
    if form.validate_on_submit():
        return _save(form, item)
    if form.is_submitted():
        return _render_form(form, item, _findings(_form_data(form)), status=422)
    form.anonymised_confirmed.data = False
    return _render_form(form, item, _findings(_form_data(form)))


@practice.route("/practices/<int:practice_id>/archive", methods=["POST"])
@login_required
def archive(practice_id: int):
    back = url_for("practice.detail", practice_id=practice_id)
    return record_pages.archive_item(_editable(practice_id), _viewer(), back)


@practice.route("/practices/<int:practice_id>/delete", methods=["GET", "POST"])
@login_required
def delete(practice_id: int):
    back = url_for("practice.detail", practice_id=practice_id)
    return record_pages.delete_item(_editable(practice_id), _viewer(), "practice example", back)
