"""Research summary forms: field shape only; the services decide what is acceptable."""

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kx import taxonomy
from kx.research.citations import ENTRY_TYPES

try:  # WTForms 3.3 deprecates (value, label) tuples; 3.4 removes them.
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - WTForms before 3.3

    def SelectChoice(value, label):
        return (value, label)


ENTRY_TYPE_LABELS = {
    "article": "Journal article",
    "book": "Book",
    "incollection": "Book chapter or conference paper",
    "report": "Report",
    "misc": "Other",
}
SORTS = {"newest": "Newest first", "year": "Year of publication", "title": "Title (A to Z)"}


def _choices(vocabulary: str, placeholder: str | None = None) -> list:
    choices = [SelectChoice(slug, name) for slug, name in taxonomy.choices(vocabulary)]
    return ([SelectChoice("", placeholder)] if placeholder else []) + choices


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (a fieldset in the template)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ResearchForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    authors = TextAreaField(
        "Authors",
        description='One author a line, as "Family, Given" (for example "Hanson, R. Karl"). '
        "An organisation goes on a line of its own without a comma.",
    )
    year = IntegerField("Year of publication", validators=[Optional()])
    entry_type = SelectField(
        "Kind of publication",
        choices=[SelectChoice(slug, ENTRY_TYPE_LABELS[slug]) for slug in ENTRY_TYPES],
        validate_choice=False,
        default="article",
    )
    venue = StringField(
        "Journal, book or publisher",
        validators=[Length(max=300)],
        description="The journal for an article, the book for a chapter, the publisher or "
        "institution for a book or report.",
    )
    volume = StringField("Volume", validators=[Length(max=32)])
    issue = StringField("Issue", validators=[Length(max=32)])
    pages = StringField("Pages", validators=[Length(max=32)], description="For example 45-66.")
    doi = StringField(
        "DOI",
        validators=[Length(max=255)],
        description="For example 10.1007/s10508-014-0270-x; a https://doi.org/ link works too.",
    )
    url = StringField(
        "Web address",
        validators=[Length(max=500)],
        description="Where the work can be read, if it has no DOI (http or https).",
    )
    study_design = SelectField(
        "Study design",
        choices=_choices("study_designs"),
        validate_choice=False,
        default="other",
    )
    sample_size = IntegerField(
        "Sample size",
        validators=[Optional(), NumberRange(min=0)],
        description="Number of participants or cases, if the study has one.",
    )
    countries = SelectMultipleField(
        "Countries studied",
        choices=_choices("countries"),
        validate_choice=False,
        description="Hold Ctrl (Cmd on a Mac) to choose several.",
    )
    domains = CheckboxListField("Domains", choices=_choices("domains"), validate_choice=False)
    summary = TextAreaField(
        "Plain-language summary",
        description="What was studied and how, for readers outside research. Markdown.",
    )
    key_findings = TextAreaField("Key findings", description="Markdown; a list works well.")
    implications = TextAreaField("Implications for practice", description="Markdown.")
    limitations = TextAreaField("Limitations", description="Markdown.")
    visibility = SelectField(
        "Who may read it",
        choices=_choices("visibilities"),
        validate_choice=False,
        default="public",
    )
    restricted_sectors = CheckboxListField(
        "Sectors that may read it",
        choices=_choices("sectors"),
        validate_choice=False,
        description="Only when restricted to sectors.",
    )

    def to_data(self) -> dict:
        """The fields as the research service takes them."""
        data = {
            "title": self.title.data.strip(),
            "authors": [
                line.strip() for line in (self.authors.data or "").splitlines() if line.strip()
            ],
            "year": self.year.data,
            "entry_type": self.entry_type.data,
            "doi": (self.doi.data or "").strip() or None,
            "study_design": self.study_design.data,
            "sample_size": self.sample_size.data,
            "countries": list(self.countries.data or []),
            "domains": list(self.domains.data or []),
            "visibility": self.visibility.data,
            "restricted_sectors": list(self.restricted_sectors.data or []),
        }
        for name in ("venue", "volume", "issue", "pages", "url"):
            data[name] = (getattr(self, name).data or "").strip()
        for name in ("summary", "key_findings", "implications", "limitations"):
            data[name] = getattr(self, name).data or ""
        return data


class ImportForm(FlaskForm):
    bibtex = TextAreaField(
        "BibTeX entries",
        validators=[DataRequired(message="Paste at least one BibTeX entry.")],
        description="Paste one or more entries, for example from Zotero, Google Scholar or a "
        ".bib file. Each becomes a draft summary of yours; entries that cannot be imported "
        "are listed with the reason.",
    )


class ResearchFilterForm(FlaskForm):
    """The list page's filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    domain = SelectField("Domain", choices=_choices("domains", "Any domain"), validate_choice=False)
    country = SelectField(
        "Country", choices=_choices("countries", "Any country"), validate_choice=False
    )
    study_design = SelectField(
        "Study design", choices=_choices("study_designs", "Any design"), validate_choice=False
    )
    year_from = IntegerField("Year from", validators=[Optional(), NumberRange(1900, 2100)])
    year_to = IntegerField("Year to", validators=[Optional(), NumberRange(1900, 2100)])
    sort = SelectField(
        "Sort by",
        choices=[SelectChoice(slug, name) for slug, name in SORTS.items()],
        validate_choice=False,
        default="newest",
    )
