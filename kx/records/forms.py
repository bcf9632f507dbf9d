"""What the practice and research forms share: vocabulary choices, a list of checkboxes,
and the base form with where an item applies and who may read it. Field shape only; the
services decide what is acceptable."""

from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Length

from kx import taxonomy
from kx.accounts.forms import SelectChoice


def choices(vocabulary: str, placeholder: str | None = None) -> list:
    """``vocabulary``'s slugs and names, after an empty ``placeholder`` if one is given."""
    head = [SelectChoice("", placeholder)] if placeholder is not None else []
    return head + [SelectChoice(slug, name) for slug, name in taxonomy.choices(vocabulary)]


def select(label: str, vocabulary: str, placeholder: str | None = None, **kwargs) -> SelectField:
    # validate_choice=False: the service checks each value and says what is wrong beside
    # the field, together with the other fields' messages.
    return SelectField(
        label, choices=choices(vocabulary, placeholder), validate_choice=False, **kwargs
    )


def text(label: str, max_length: int, description: str = "") -> StringField:
    """A line of text of at most ``max_length`` characters."""
    return StringField(label, validators=[Length(max=max_length)], description=description)


def markdown(label: str, **kwargs) -> TextAreaField:
    """A Markdown text: the form shows a Preview tab beside it (see kx.editing)."""
    return TextAreaField(label, render_kw={"data-markdown": ""}, **kwargs)


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (a fieldset in the template); it posts the
    same repeated name as a multiple select, so the views read it the same way."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RecordForm(FlaskForm):
    """The fields every record kind's form has; each kind adds its own."""

    domains = CheckboxListField("Domains", choices=choices("domains"), validate_choice=False)
    countries = CheckboxListField(
        "Countries",
        choices=choices("countries"),
        validate_choice=False,
        description="Where the work was done or applies. Tick as many as apply.",
    )
    visibility = RadioField(
        "Who may read it", choices=choices("visibilities"), validate_choice=False, default="public"
    )
    restricted_sectors = CheckboxListField(
        "Sectors that may read it",
        choices=choices("sectors"),
        validate_choice=False,
        description="Applies only when “Restricted” is chosen above: then only verified "
        "members of the sectors ticked here may read it.",
    )

    def chosen_sectors(self) -> list[str]:
        """The sectors ticked, when the item is restricted: the boxes stay in the form
        (hidden by the page's script) when another audience is chosen after ticking them."""
        if self.visibility.data != "restricted":
            return []
        return list(self.restricted_sectors.data or [])
