"""Practice example pages: the list with filters, the detail page with its evidence, the
form (with the anonymisation check) and the author's and moderators' actions."""

import hashlib
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from kx import taxonomy
from kx.accounts.forms import SelectChoice
from kx.errors import Conflict, Invalid
from kx.extensions import db
from kx.practice import services
from kx.practice.anonymisation import KIND_LABELS, check_fields
from kx.practice.forms import EvidenceLinkForm, PracticeForm
from kx.records import services as records
from kx.research import services as research_services
from kx.web import apply_errors, page_number

practice = Blueprint("practice", __name__)

PER_PAGE = 20
TEXT_FIELDS = ("title", "summary", "organisation", "target_population")
MARKDOWN_FIELDS = ("body", "outcomes", "implementation", "challenges")
LIST_FIELDS = ("domains", "countries", "stages", "restricted_sectors")
CHOICE_FIELDS = ("prevention_level", "evaluation_status", "visibility")
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
    "evidence": "Evidence level",
}
NO_EVIDENCE = "No linked evidence"
SORTS = {"newest": "Newest first", "title": "Title (A to Z)"}


def _viewer():
    return current_user._get_current_object()


def evidence_choices() -> dict[str, str]:
    """The evidence-level filter's options: each study design, then "no linked evidence"."""
    return {**taxonomy.STUDY_DESIGNS, "none": NO_EVIDENCE}


def evidence_label(level: str | None) -> str:
    return taxonomy.label("study_designs", level) if level else NO_EVIDENCE


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
    evidence = request.args.get("evidence", "")
    if evidence in evidence_choices():
        active["evidence"] = evidence
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
    if "evidence" in active:
        statement = research_services.filter_by_evidence_level(
            statement, viewer, active["evidence"]
        )
    pagination = db.paginate(
        statement, page=page_number(), per_page=PER_PAGE, error_out=False, count=True
    )
    levels = research_services.evidence_levels(pagination.items, viewer)
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
        levels=levels,
        active=active,
        shown=shown,
        sort=sort,
        sorts=SORTS,
        args=args,
        filters=FILTERS,
        filter_labels=FILTER_LABELS,
        evidence_choices=evidence_choices(),
        evidence_label=evidence_label,
    )


def _filter_value_label(name: str, value: str) -> str:
    if name == "evidence":
        return evidence_choices()[value]
    return taxonomy.label(FILTERS[name][0], value)


# Detail


def _link_form(practice_obj, viewer, form: EvidenceLinkForm | None = None, linked=()):
    """The "link research" form with the published research ``viewer`` may see."""
    if not (viewer.is_authenticated and viewer.is_verified):
        return None
    form = form or EvidenceLinkForm()
    linked_ids = {link.research_id for link in linked}
    options = [
        (str(item.id), _research_option(item))
        for item in db.session.scalars(
            research_services.research_query(viewer, {"status": "published"}, sort="title")
        )
        if item.id not in linked_ids
    ]
    form.research_id.choices = [SelectChoice("", "Choose a research summary")] + [
        SelectChoice(value, text) for value, text in options
    ]
    return form


def _research_option(item) -> str:
    authors = item.authors or []
    lead = authors[0].split(",")[0] if authors else ""
    if len(authors) > 1:
        lead += " et al."
    year = f" ({item.year})" if item.year else ""
    prefix = f"{lead}{year}: " if lead or year else ""
    text = prefix + item.title
    return text if len(text) <= 140 else text[:139] + "…"


def render_detail(practice_obj, link_form=None, review_form_errors=None, status: int = 200):
    viewer = _viewer()
    evidence = research_services.evidence_for_practice(practice_obj, viewer)
    form = _link_form(practice_obj, viewer, link_form, evidence)
    editable = records.can_edit(practice_obj, viewer)
    return render_template(
        "practice/detail.html",
        practice=practice_obj,
        evidence=evidence,
        level=research_services.evidence_level(practice_obj, viewer),
        evidence_label=evidence_label,
        link_form=form,
        editable=editable,
        pending_edit=records.pending_edit(practice_obj) if editable else None,
        kind_labels=KIND_LABELS,
        review_errors=review_form_errors or {},
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
    if not records.can_edit(item, _viewer()):
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
    item = _editable(practice_id)
    try:
        records.archive(item, _viewer())
    except Invalid as exc:
        flash(exc.message, "error")
    else:
        flash("Archived. It no longer appears in lists; you can submit it again later.", "info")
    return redirect(url_for("practice.detail", practice_id=practice_id))


@practice.route("/practices/<int:practice_id>/delete", methods=["POST"])
@login_required
def delete(practice_id: int):
    item = _editable(practice_id)
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm that you want to delete it for good.", "error")
        return redirect(url_for("practice.detail", practice_id=practice_id))
    title = item.title
    records.delete(item, _viewer())
    flash(f"“{title}” is deleted.", "info")
    return redirect(url_for("review.my_items"))


# Evidence links


@practice.route("/practices/<int:practice_id>/evidence", methods=["POST"])
@login_required
def link(practice_id: int):
    viewer = _viewer()
    item = services.get_practice(practice_id, viewer)
    form = _link_form(item, viewer, EvidenceLinkForm())
    if form is None:
        abort(403)
    if form.validate_on_submit():
        try:
            research_id = int(form.research_id.data or 0)
        except ValueError:
            research_id = 0
        try:
            if not research_id:
                raise Invalid(
                    "Choose a research summary.",
                    {"research_id": ["Choose a research summary from the list."]},
                )
            research = research_services.get_research(research_id, viewer)
            research_services.link_evidence(
                viewer, item, research, form.relation.data or "", form.note.data or ""
            )
        except (Invalid, Conflict) as exc:
            apply_errors(form, exc)
            return render_detail(item, form, status=exc.status)
        flash("The research is linked.", "success")
        return redirect(url_for("practice.detail", practice_id=practice_id) + "#evidence")
    return render_detail(item, form, status=422)


@practice.route("/practices/<int:practice_id>/evidence/<int:link_id>/delete", methods=["POST"])
@login_required
def unlink(practice_id: int, link_id: int):
    viewer = _viewer()
    services.get_practice(practice_id, viewer)
    evidence = research_services.get_link(link_id, viewer)
    if evidence.practice_id != practice_id:
        abort(404)
    research_services.unlink_evidence(viewer, evidence)
    flash("The evidence link is removed.", "info")
    return redirect(url_for("practice.detail", practice_id=practice_id) + "#evidence")
