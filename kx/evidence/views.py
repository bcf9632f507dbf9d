"""Evidence pages: linking research and practice from either end's page, and the gap map.

Thin: input -> ``kx.evidence.services`` -> redirect, or the page the form was on again
with its errors beside the fields.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from kx.errors import Conflict, Forbidden, Invalid
from kx.evidence import services
from kx.evidence.forms import PracticeLinkForm
from kx.evidence.panels import research_link_form
from kx.practice import services as practices
from kx.practice.views import render_detail as practice_page
from kx.research import services as research_services
from kx.research.views import render_detail as research_page
from kx.web import apply_errors

evidence = Blueprint("evidence", __name__)


def _viewer():
    return current_user._get_current_object()


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
                viewer, item, research, form.relation.data or "", form.note.data or ""
            )
        except (Invalid, Conflict) as exc:
            apply_errors(form, exc)
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
        services.link_evidence(viewer, practice, item, form.relation.data, form.note.data or "")
    except (Invalid, Conflict) as exc:
        if "research_id" in exc.fields:  # already linked: say so beside the practice
            exc.fields["practice_id"] = exc.fields.pop("research_id")
        apply_errors(form, exc)
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


# --------------------------------------------------------------------------- gap map


def _shade(count: int, peak: int) -> str:
    """A CSS class by magnitude (the number is always shown as text too)."""
    if count == 0:
        return "gap-0"
    if peak <= 1:
        return "gap-3"
    share = count / peak
    return "gap-1" if share <= 1 / 3 else "gap-2" if share <= 2 / 3 else "gap-3"


@evidence.route("/gap-map")
def gap_map():
    data = services.gap_map(_viewer())
    peak = max((n for row in data["cells"].values() for n in row.values()), default=0)
    totals = {d: sum(data["cells"][d].values()) for d in data["rows"]}
    column_totals = {s: sum(data["cells"][d][s] for d in data["rows"]) for s in data["columns"]}
    return render_template(
        "evidence/gap_map.html",
        data=data,
        peak=peak,
        shade=_shade,
        totals=totals,
        column_totals=column_totals,
    )
