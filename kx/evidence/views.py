"""Evidence pages: linking research and practice from either end's page and changing a
link's findings (the gap map's pages are in kx.evidence.map_views).

Thin: input -> ``kx.evidence.services`` -> redirect, or the page the form was on again
with its errors beside the fields.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from kx.errors import Conflict, Forbidden, Invalid, ServiceError
from kx.evidence import services
from kx.evidence.forms import LinkEditForm, PracticeLinkForm
from kx.evidence.panels import research_link_form
from kx.evidence.schemas import MAX_FINDINGS
from kx.practice import services as practices
from kx.practice.views import render_detail as practice_page
from kx.records.rules import can_edit_link
from kx.research import services as research_services
from kx.research.views import render_detail as research_page
from kx.security import safe_next
from kx.web import apply_errors

evidence = Blueprint("evidence", __name__)


def _viewer():
    return current_user._get_current_object()


def show_errors(form, exc: ServiceError, rows) -> None:
    """A service's messages beside the fields, a finding's beside the fields of ``rows``
    (the finding subforms in the order their findings were sent)."""
    fields = dict(exc.fields)
    findings = fields.pop("findings", None)
    if isinstance(findings, dict):
        for index, messages in findings.items():
            row = rows[int(index)]
            for name, texts in messages.items():
                if name in row.form:
                    row[name].errors = [*row[name].errors, *texts]
                else:
                    form.form_errors.extend(texts)
    elif findings:
        form.form_errors.extend(findings)
    if fields or findings is None:
        apply_errors(form, ServiceError(exc.message, fields))


def _first_finding(form) -> list[dict]:
    values = form.finding.form.values()
    return [values] if values else []


# --------------------------------------------------------------------------- on a practice


@evidence.route("/practices/<int:practice_id>/evidence", methods=["POST"])
@login_required
def link_research(practice_id: int):
    viewer = _viewer()
    item = practices.get_practice(practice_id, viewer)
    form = research_link_form(viewer)
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
            services.link_evidence(
                viewer,
                item,
                research,
                form.relation.data or "",
                form.note.data or "",
                _first_finding(form),
            )
        except (Invalid, Conflict) as exc:
            show_errors(form, exc, [form.finding])
            return practice_page(item, form, status=exc.status)
        flash("The research is linked.", "success")
        return redirect(url_for("practice.detail", practice_id=practice_id) + "#evidence")
    return practice_page(item, form, status=422)


@evidence.route("/practices/<int:practice_id>/evidence/<int:link_id>/delete", methods=["POST"])
@login_required
def unlink_research(practice_id: int, link_id: int):
    viewer = _viewer()
    practices.get_practice(practice_id, viewer)
    link = services.get_link(link_id, viewer)
    if link.practice_id != practice_id:
        abort(404)
    services.unlink_evidence(viewer, link)
    flash("The evidence link is removed.", "info")
    return redirect(url_for("practice.detail", practice_id=practice_id) + "#evidence")


# --------------------------------------------------------------------------- on a summary


@evidence.route("/research/<int:item_id>/evidence", methods=["POST"])
@login_required
def link_practice(item_id: int):
    viewer = _viewer()
    item = research_services.get_research(item_id, viewer)
    if not viewer.is_verified:
        raise Forbidden("Only verified members may link evidence.")
    form = PracticeLinkForm()
    form.practice_id.choices = []
    if not form.validate_on_submit():
        return research_page(item, form, 422)
    raw = form.practice_id.data or ""
    if not raw.isdigit():
        form.practice_id.errors.append("Choose a practice example.")
        return research_page(item, form, 422)
    practice = practices.get_practice(int(raw), viewer)
    try:
        services.link_evidence(
            viewer,
            practice,
            item,
            form.relation.data,
            form.note.data or "",
            _first_finding(form),
        )
    except (Invalid, Conflict) as exc:
        if "research_id" in exc.fields:  # already linked: say so beside the practice
            exc.fields["practice_id"] = exc.fields.pop("research_id")
        show_errors(form, exc, [form.finding])
        return research_page(item, form, exc.status)
    flash(f"Linked to “{practice.title}”.", "success")
    return redirect(url_for("research.detail", item_id=item.id) + "#practices")


@evidence.route("/research/<int:item_id>/evidence/<int:link_id>/delete", methods=["POST"])
@login_required
def unlink_practice(item_id: int, link_id: int):
    viewer = _viewer()
    link = services.get_link(link_id, viewer)
    if link.research_id != item_id:
        abort(404)
    services.unlink_evidence(viewer, link)
    flash("The link was removed.", "success")
    return redirect(url_for("research.detail", item_id=item_id) + "#practices")


# --------------------------------------------------------------------------- a link


def _problems(form: LinkEditForm) -> list[tuple[str | None, str]]:
    """Every message on the form with the id of the field it is about, for the summary."""
    found = [(None, message) for message in form.form_errors]
    for field in (form.relation, form.note):
        found += [(field.id, f"{field.label.text}: {message}") for message in field.errors]
    for number, row in enumerate(form.findings, 1):
        for field in row.form:
            found += [
                (field.id, f"Finding {number}, {field.label.text}: {message}")
                for message in field.errors
            ]
    return found


def _edit_page(link, form: LinkEditForm, back: str, status: int = 200):
    return render_template(
        "evidence/link_edit.html",
        link=link,
        form=form,
        back=back,
        problems=_problems(form),
        max_findings=MAX_FINDINGS,
    ), status


@evidence.route("/evidence/<int:link_id>/edit", methods=["GET", "POST"])
@login_required
def edit_link(link_id: int):
    viewer = _viewer()
    link = services.get_link(link_id, viewer)
    if not can_edit_link(link, viewer):
        raise Forbidden("Only the member who made the link or a moderator may change it.")
    default = url_for("practice.detail", practice_id=link.practice_id) + "#evidence"
    back = safe_next(request.values.get("next"), default)
    if request.method == "GET":
        findings = [finding.as_dict() for finding in link.findings]
        form = LinkEditForm(
            data={"relation": link.relation, "note": link.note, "findings": findings}
        )
    else:
        form = LinkEditForm()
        if not form.validate():
            return _edit_page(link, form, back, 422)
    if request.method == "GET" or request.form.get("action") == "add":
        if len(form.findings) < MAX_FINDINGS:
            form.findings.append_entry()
        elif request.method == "POST":
            form.form_errors.append(f"A link carries at most {MAX_FINDINGS} findings.")
        return _edit_page(link, form, back)
    rows = [row for row in form.findings if not row.remove.data and row.form.values()]
    try:
        services.update_link(
            viewer,
            link,
            relation=form.relation.data or "",
            note=form.note.data or "",
            findings=[row.form.values() for row in rows],
        )
    except Invalid as exc:
        show_errors(form, exc, rows)
        return _edit_page(link, form, back, exc.status)
    flash("The evidence link is saved.", "success")
    return redirect(back)


from kx.evidence import map_views  # noqa: E402, F401  (registers the gap map's routes)
