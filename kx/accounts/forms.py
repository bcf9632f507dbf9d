"""Account forms: field shape only; the services decide what is acceptable."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from kx import taxonomy
from kx.accounts.passwords import MAX_LENGTH, MIN_LENGTH

try:  # WTForms 3.3 deprecates (value, label) tuples; 3.4 removes them.
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - WTForms before 3.3

    def SelectChoice(value, label):
        return (value, label)


#: The rules of kx.accounts.passwords.password_problems, told before the first attempt.
PASSWORD_RULES = (
    f"At least {MIN_LENGTH} characters (up to {MAX_LENGTH}); not a commonly used password; "
    "not containing your e-mail address or the site name. A few unrelated words make a "
    "strong password."
)


def _select(label: str, placeholder: str, vocabulary: str, description: str = "") -> SelectField:
    # validate_choice=False: the service checks the value and says what to do about it,
    # beside the field, together with the other fields' messages.
    return SelectField(
        label,
        choices=[SelectChoice("", placeholder)]
        + [SelectChoice(slug, name) for slug, name in taxonomy.choices(vocabulary)],
        validate_choice=False,
        description=description,
    )


def _sector_field() -> SelectField:
    return _select("Sector", "Choose your sector", "sectors")


def _country_field() -> SelectField:
    return _select("Country you work in", "Choose a country", "countries")


class RegistrationForm(FlaskForm):
    email = EmailField("Work e-mail address", validators=[DataRequired(), Length(max=254)])
    display_name = StringField(
        "Display name",
        validators=[DataRequired(), Length(max=80)],
        description="Shown beside what you write. Your e-mail address is never shown.",
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=PASSWORD_RULES,
    )
    sector = _sector_field()
    country = _country_field()
    organisation = StringField("Organisation", validators=[Length(max=200)])
    bio = TextAreaField(
        "Short bio",
        validators=[Length(max=1000)],
        description="Your role and interests, so members from other disciplines know you.",
    )


class LoginForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField(
        "Stay signed in after closing the browser",
        description="Keeps you signed in when you close the browser: use it only on a "
        "device no one else uses. You are still signed out after an hour without activity.",
    )


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80)])
    sector = _select(
        "Sector",
        "Choose your sector",
        "sectors",
        "What you may read depends on your sector, so a moderator checks a change first.",
    )
    sector_reason = TextAreaField(
        "Why your sector changes (for the moderator)",
        validators=[Length(max=500)],
        description="Only when you change your sector: your new role or organisation, say.",
    )
    country = _country_field()
    organisation = StringField("Organisation", validators=[Length(max=200)])
    bio = TextAreaField("Short bio", validators=[Length(max=1000)])


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=PASSWORD_RULES + " Changing it signs you out everywhere else.",
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired()])
    confirm = BooleanField(
        "I understand that my personal data will be erased and cannot be restored.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )


class DeclineSectorForm(FlaskForm):
    note = TextAreaField(
        "Reason for declining",
        validators=[Length(max=1000)],
        description="Shown to the member.",
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired(), Length(max=254)],
        description="The address you registered with.",
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=PASSWORD_RULES + " Setting it signs you out everywhere.",
    )


class AddressForm(FlaskForm):
    new_email = EmailField(
        "New e-mail address",
        validators=[DataRequired(), Length(max=254)],
        description="We send a link there; your address changes when you follow it.",
    )
    password = PasswordField("Your password", validators=[DataRequired()])
