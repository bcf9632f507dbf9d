"""Practice forms: field shape only; kx.practice.services decides what is acceptable."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length

from kx import taxonomy
from kx.accounts.forms import SelectChoice
from kx.practice.schemas import MAX_MARKDOWN

MARKDOWN_HELP = "Markdown: **bold**, *italic*, lists, links. Images are not shown."
SEVERAL = "Hold Ctrl (Cmd on a Mac) to choose several."


def _choices(vocabulary: str, placeholder: str | None = None) -> list:
    choices = [SelectChoice("", placeholder)] if placeholder is not None else []
    return choices + [SelectChoice(slug, name) for slug, name in taxonomy.choices(vocabulary)]


def _select(label: str, vocabulary: str, placeholder: str | None = None, **kwargs) -> SelectField:
    # validate_choice=False: the service checks each value and says what is wrong beside
    # the field, together with the other fields' messages.
    return SelectField(
        label, choices=_choices(vocabulary, placeholder), validate_choice=False, **kwargs
    )


def _multi(label: str, vocabulary: str, description: str = SEVERAL) -> SelectMultipleField:
    return SelectMultipleField(
        label, choices=_choices(vocabulary), validate_choice=False, description=description
    )


def _markdown(label: str, description: str = MARKDOWN_HELP) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=MAX_MARKDOWN)], description=description)


class PracticeForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[Length(max=200)],
        description="What the practice is, in a few words (no names of people or places).",
    )
    summary = TextAreaField(
        "Summary",
        validators=[Length(max=1000)],
        description="Two or three plain sentences shown in lists (up to 1,000 characters).",
    )
    body = _markdown(
        "What was done", "The approach, who it is for and how it works. " + MARKDOWN_HELP
    )
    outcomes = _markdown("Outcomes", "What changed, and how you know. " + MARKDOWN_HELP)
    implementation = _markdown(
        "Implementation", "Resources, staffing, cost and partners. " + MARKDOWN_HELP
    )
    challenges = _markdown(
        "Challenges", "What was hard and what you would change. " + MARKDOWN_HELP
    )
    domains = _multi("Domains", "domains", "At least one. " + SEVERAL)
    countries = _multi("Countries", "countries", "Where it runs. " + SEVERAL)
    organisation = StringField(
        "Organisation",
        validators=[Length(max=200)],
        description="The kind of organisation is enough (e.g. a regional police force).",
    )
    prevention_level = _select("Prevention level", "prevention_levels", "Not specified")
    stages = _multi("Offending-timeline stages", "stages")
    target_population = StringField(
        "Target population",
        validators=[Length(max=500)],
        description="Who the practice serves, e.g. adults worried about their sexual thoughts.",
    )
    evaluation_status = _select("Evaluation", "evaluation_statuses", default="none")
    visibility = RadioField(
        "Who may read it",
        choices=_choices("visibilities"),
        validate_choice=False,
        default="public",
    )
    restricted_sectors = _multi(
        "Sectors that may read it", "sectors", "Only for restricted items. " + SEVERAL
    )
    anonymised_confirmed = BooleanField(
        "I confirm this example is anonymised: it names no person, victim, offender, "
        "place of residence or case, and contains no contact details, dates or reference "
        "numbers that could identify anyone."
    )
