"""Evidence link forms, one for each end: field shape only; kx.evidence.services decides
what is acceptable."""

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from kx import taxonomy
from kx.accounts.forms import SelectChoice


def _relations() -> list:
    return [SelectChoice("", "Choose a relation")] + [
        SelectChoice(slug, name) for slug, name in taxonomy.choices("evidence_relations")
    ]


class ResearchLinkForm(FlaskForm):
    """Link a research summary to the practice on the page."""

    research_id = SelectField("Research summary", validate_choice=False)
    relation = SelectField("How it relates", choices=_relations(), validate_choice=False)
    note = TextAreaField(
        "Note",
        validators=[Length(max=2000)],
        description="Optional: what the research found about this practice.",
    )


class PracticeLinkForm(FlaskForm):
    """Link the research summary on the page to a practice example."""

    practice_id = SelectField("Practice example", coerce=str, validate_choice=False)
    relation = SelectField(
        "How this research relates to it", choices=_relations(), validate_choice=False
    )
    note = TextAreaField(
        "Note",
        validators=[Length(max=2000)],
        description="Optional: what the research shows about this practice.",
    )
