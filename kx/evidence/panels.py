"""The evidence panels of practice and research pages: what
templates/evidence/_practice_evidence.html and _research_practices.html read (the links,
the evidence level and the form to add a link), and the evidence level's labels."""

from kx import taxonomy
from kx.accounts.forms import SelectChoice
from kx.evidence import services
from kx.evidence.forms import PracticeLinkForm, ResearchLinkForm
from kx.extensions import db
from kx.practice import services as practices
from kx.research import services as research_services

NO_EVIDENCE = "No linked evidence"


def evidence_choices() -> dict[str, str]:
    """The evidence-level filter's options: each study design, then "no linked evidence"."""
    return {**taxonomy.STUDY_DESIGNS, "none": NO_EVIDENCE}


def evidence_label(level: str | None) -> str:
    return taxonomy.label("study_designs", level) if level else NO_EVIDENCE


def research_link_form(viewer, form: ResearchLinkForm | None = None, linked=()):
    """The "link research" form with the published research ``viewer`` may see."""
    if not (viewer.is_authenticated and viewer.is_verified):
        return None
    form = form or ResearchLinkForm()
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


def practice_panel(practice, viewer, link_form: ResearchLinkForm | None = None) -> dict:
    """A practice page's evidence: its links, its level and the form to add one."""
    evidence = services.evidence_for_practice(practice, viewer)
    return {
        "evidence": evidence,
        "level": services.evidence_level(practice, viewer),
        "evidence_label": evidence_label,
        "link_form": research_link_form(viewer, link_form, evidence),
    }


def practice_link_form(item, viewer, form: PracticeLinkForm | None = None):
    """The "link to a practice" form for verified members, listing practices they may see."""
    if not (viewer.is_authenticated and viewer.is_verified and item.is_published):
        return None
    form = form or PracticeLinkForm()
    linked = {link.practice_id for link in item.links}
    statement = practices.practice_query(viewer, {"status": "published"}, sort="title")
    form.practice_id.choices = [("", "Choose a practice example")] + [
        (str(p.id), p.title) for p in db.session.scalars(statement) if p.id not in linked
    ]
    return form


def research_panel(item, viewer, link_form: PracticeLinkForm | None = None) -> dict:
    """A research page's linked practices and the form to add one."""
    return {
        "links": services.practices_for_research(item, viewer),
        "link_form": practice_link_form(item, viewer, link_form),
    }
