"""Evidence link forms, one for each end, the form that changes a link, and a finding's
fields: field shape only; kx.evidence.services (with kx.evidence.schemas.FindingSchema)
decides what is acceptable."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length

from kx import taxonomy
from kx.accounts.forms import SelectChoice
from kx.evidence.schemas import MAX_FINDINGS

NUMBER_FIELDS = ("effect_size", "ci_low", "ci_high", "sample_size", "follow_up_months")


def _relations() -> list:
    return [SelectChoice("", "Choose a relation")] + [
        SelectChoice(slug, name) for slug, name in taxonomy.choices("evidence_relations")
    ]


def _select(label: str, placeholder: str, vocabulary: str, **kwargs) -> SelectField:
    # validate_choice=False: FindingSchema says what is wrong, beside the field.
    return SelectField(
        label,
        choices=[SelectChoice("", placeholder)]
        + [SelectChoice(slug, name) for slug, name in taxonomy.choices(vocabulary)],
        validate_choice=False,
        **kwargs,
    )


def _number(label: str, kind: str = "decimal", **kwargs) -> StringField:
    return StringField(label, render_kw={"inputmode": kind, "autocomplete": "off"}, **kwargs)


def number_value(text: str | None):
    """Typed text as the number it spells (int or float), None when empty, else the text
    itself so that the schema says it is not a number."""
    text = (text or "").strip()
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


class FindingFields(Form):
    """What a study found for one outcome of the practice."""

    outcome = _select("Outcome", "Choose an outcome", "outcomes")
    direction = _select("What the study found", "Choose a result", "finding_directions")
    effect_measure = _select(
        "Effect measure", "No effect size", "effect_measures", description="Needed with a size."
    )
    effect_size = _number("Effect size", description="For example 0.62 or -0.3.")
    ci_low = _number("Confidence interval from", description="Give both ends or neither.")
    ci_high = _number("Confidence interval to")
    sample_size = _number("Participants (n)", "numeric")
    follow_up_months = _number("Follow-up in months", "numeric")
    note = TextAreaField("Note on this finding", validators=[Length(max=2000)])

    def values(self) -> dict | None:
        """The finding as the service takes it; None when every field is empty."""
        data = {
            "outcome": self.outcome.data or "",
            "direction": self.direction.data or "",
            "effect_measure": self.effect_measure.data or None,
            **{name: number_value(self[name].data) for name in NUMBER_FIELDS},
            "note": self.note.data or "",
        }
        typed = [value for value in data.values() if value not in ("", None)]
        return data if typed else None


class FindingRow(FindingFields):
    """A finding on the form that changes a link, which may be taken out."""

    remove = BooleanField("Remove this finding")


class ResearchLinkForm(FlaskForm):
    """Link a research summary to the practice on the page."""

    research_id = SelectField("Research summary", validate_choice=False)
    relation = SelectField("How it relates", choices=_relations(), validate_choice=False)
    note = TextAreaField(
        "Note",
        validators=[Length(max=2000)],
        description="Optional: what the research found about this practice.",
    )
    finding = FormField(FindingFields, "A first finding (optional)")


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
    finding = FormField(FindingFields, "A first finding (optional)")


class LinkEditForm(FlaskForm):
    """Change a link's relation, note and findings."""

    relation = SelectField("How it relates", choices=_relations(), validate_choice=False)
    note = TextAreaField("Note", validators=[Length(max=2000)])
    findings = FieldList(FormField(FindingRow), max_entries=MAX_FINDINGS)
