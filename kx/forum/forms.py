"""Forum forms: field shape only; kx.forum.services decides what is acceptable (empty or
oversize text, unknown categories, who may do what), so its messages appear beside the
fields with the text kept."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from kx.accounts.forms import SelectChoice
from kx.forum.models import CATEGORIES, KINDS, NEED_STATUSES, REPORT_REASONS
from kx.forum.services import MAX_POST
from kx.records.forms import markdown

MARKDOWN_HELP = (
    f"Markdown: **bold**, *italic*, > quote, lists, links. Up to {MAX_POST:,} characters. "
    "Never include anything that could identify a child, a victim or a case."
)


def _choices(options: dict[str, str], placeholder: str | None = None) -> list:
    head = [SelectChoice("", placeholder)] if placeholder is not None else []
    return head + [SelectChoice(slug, name) for slug, name in options.items()]


class ThreadForm(FlaskForm):
    category = SelectField("Category", validate_choice=False)
    kind = RadioField(
        "Kind of thread",
        choices=_choices(KINDS),
        default="discussion",
        validate_choice=False,
        description="A research need is a question you would like research to answer; "
        "members vote for it and an academic member can claim it.",
    )
    title = StringField("Title", description="Up to 200 characters.")
    body = markdown("Message", description=MARKDOWN_HELP)
    practice = HiddenField()
    research = HiddenField()

    def set_categories(self, readable: list[dict]) -> None:
        self.category.choices = [SelectChoice("", "Choose a category")] + [
            SelectChoice(c["slug"], c["name"]) for c in readable
        ]


class ReplyForm(FlaskForm):
    body = markdown("Your reply", description=MARKDOWN_HELP)
    quote_of = HiddenField()


class EditPostForm(FlaskForm):
    body = markdown("Message", description=MARKDOWN_HELP)


class ReportForm(FlaskForm):
    reason = RadioField("Reason", choices=_choices(REPORT_REASONS), validate_choice=False)
    note = TextAreaField(
        "Note for the moderators",
        description="Optional: what is wrong with the post (up to 2,000 characters). "
        "Do not copy illegal material here.",
    )


class MoveForm(FlaskForm):
    category = SelectField("Move to category", choices=_choices(CATEGORIES), validate_choice=False)


class NeedStatusForm(FlaskForm):
    status = SelectField("New status", choices=_choices(NEED_STATUSES), validate_choice=False)
    research_id = SelectField(
        "Research summary that addresses it",
        validate_choice=False,
        description="Needed when you mark the need addressed.",
    )
