"""Research summary forms: field shape only; the services decide what is acceptable."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kx.accounts.forms import SelectChoice
from kx.records.forms import RecordForm, markdown, select, text
from kx.research.citations import ENTRY_TYPES

ENTRY_TYPE_LABELS = {
    "article": "Journal article",
    "book": "Book",
    "incollection": "Book chapter or conference paper",
    "report": "Report",
    "misc": "Other",
}
SORTS = {"newest": "Newest first", "year": "Year of publication", "title": "Title (A to Z)"}


class ResearchForm(RecordForm):
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
    venue = text(
        "Journal, book or publisher",
        300,
        "The journal for an article, the book for a chapter, the publisher or institution "
        "for a book or report.",
    )
    volume = text("Volume", 32)
    issue = text("Issue", 32)
    pages = text("Pages", 32, "For example 45-66.")
    doi = text(
        "DOI", 255, "For example 10.1007/s10508-014-0270-x; a https://doi.org/ link works too."
    )
    url = text("Web address", 500, "Where the work can be read, if it has no DOI (http or https).")
    study_design = select("Study design", "study_designs", default="other")
    risk_of_bias = select(
        "Risk of bias",
        "risks_of_bias",
        "Not assessed",
        description="How far the study's design and conduct could have skewed its results "
        "(for example with RoB 2 or ROBINS-I). A high risk lowers the weight of its findings "
        "in favour of a practice.",
    )
    sample_size = IntegerField(
        "Sample size",
        validators=[Optional(), NumberRange(min=0)],
        description="Number of participants or cases, if the study has one.",
    )
    summary = markdown(
        "Plain-language summary",
        description="What was studied and how, for readers outside research. Markdown.",
    )
    key_findings = markdown("Key findings", description="Markdown; a list works well.")
    implications = markdown("Implications for practice", description="Markdown.")
    limitations = markdown("Limitations", description="Markdown.")

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
            "risk_of_bias": self.risk_of_bias.data or None,
            "sample_size": self.sample_size.data,
            "countries": list(self.countries.data or []),
            "domains": list(self.domains.data or []),
            "visibility": self.visibility.data,
            "restricted_sectors": self.chosen_sectors(),
        }
        for name in ("venue", "volume", "issue", "pages", "url"):
            data[name] = (getattr(self, name).data or "").strip()
        for name in ("summary", "key_findings", "implications", "limitations"):
            data[name] = getattr(self, name).data or ""
        return data


class ImportForm(FlaskForm):
    """Paste entries or upload a .bib file; the view reads whichever was given."""

    bibfile = FileField(
        "A .bib file",
        description="For example exported from Zotero, Mendeley or EndNote (UTF-8 or Latin-1).",
        render_kw={"accept": ".bib,.bibtex,.txt,text/x-bibtex,text/plain"},
    )
    bibtex = TextAreaField(
        "Or paste BibTeX entries",
        description="One or more entries, for example from Google Scholar. Each becomes a "
        "draft summary of yours; entries already on kx, and those that cannot be imported, "
        "are listed with the reason.",
    )


class ResearchFilterForm(FlaskForm):
    """The list page's filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    domain = select("Domain", "domains", "Any domain")
    country = select("Country", "countries", "Any country")
    study_design = select("Study design", "study_designs", "Any design")
    year_from = IntegerField("Year from", validators=[Optional(), NumberRange(1900, 2100)])
    year_to = IntegerField("Year to", validators=[Optional(), NumberRange(1900, 2100)])
    sort = SelectField(
        "Sort by",
        choices=[SelectChoice(slug, name) for slug, name in SORTS.items()],
        validate_choice=False,
        default="newest",
    )
