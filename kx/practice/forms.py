"""Practice forms: field shape only; kx.practice.services decides what is acceptable."""

from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from kx.records.forms import CheckboxListField, RecordForm, choices, markdown, select, text
from kx.records.schemas import MAX_MARKDOWN

MARKDOWN_HELP = "Markdown: **bold**, *italic*, lists, links. Images are not shown."


def _markdown(label: str, description: str = MARKDOWN_HELP) -> TextAreaField:
    return markdown(label, validators=[Length(max=MAX_MARKDOWN)], description=description)


def _strength(section: str) -> SelectField:
    return select(
        f"Strength of the evidence on {section}",
        "evidence_strengths",
        "Not given",
        description="How well studied this is: strong (several good studies), moderate, "
        "limited (one study or weak designs) or not yet tested.",
    )


class PracticeForm(RecordForm):
    title = text(
        "Title", 200, "What the practice is, in a few words (no names of people or places)."
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
    mechanism = _markdown(
        "Mechanism",
        "How and why the practice brings about its effect: what changes in the people it "
        "serves. " + MARKDOWN_HELP,
    )
    mechanism_strength = _strength("mechanism")
    moderators = _markdown(
        "Moderators",
        "Where and for whom it works best or not at all (setting, group, timing). " + MARKDOWN_HELP,
    )
    moderators_strength = _strength("moderators")
    implementation_strength = _strength("implementation")
    economic_cost = _markdown(
        "Economic cost",
        "What it costs to run (staff, money, time) and any savings it brings. " + MARKDOWN_HELP,
    )
    economic_cost_strength = _strength("economic cost")
    organisation = text(
        "Organisation", 200, "The kind of organisation is enough (e.g. a regional police force)."
    )
    prevention_level = select("Prevention level", "prevention_levels", "Not specified")
    stages = CheckboxListField(
        "Offending-timeline stages",
        choices=choices("stages"),
        validate_choice=False,
        description="Tick every stage the practice works at.",
    )
    target_population = text(
        "Target population",
        500,
        "Who the practice serves, e.g. adults worried about their sexual thoughts.",
    )
    evaluation_status = select("Evaluation", "evaluation_statuses", default="none")
    start_year = IntegerField(
        "Year it started", [Optional()], description="Four digits, e.g. 2019. Optional."
    )
    end_year = IntegerField(
        "Year it ended", [Optional()], description="Leave empty while it still runs."
    )
    anonymised_confirmed = BooleanField(
        "I confirm this example is anonymised: it names no person, victim, offender, "
        "place of residence or case, and contains no contact details, dates or reference "
        "numbers that could identify anyone."
    )
