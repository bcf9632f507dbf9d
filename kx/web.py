"""Small helpers shared by the HTML views of every package."""

from flask import redirect, request
from flask_wtf import FlaskForm

from kx.errors import ServiceError
from kx.security import DatabaseIdConverter, safe_next

#: The last page number a list serves: a larger one shows this (empty) page. Offsets stay
#: numbers every database takes (page 9223372036854775807 overflowed SQLite's integers).
MAX_PAGE = 1000


def page_number() -> int:
    """The ``page`` query argument, clamped to 1..MAX_PAGE; 1 when it is not a number."""
    try:
        number = int(request.args.get("page", ""))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def database_id(value) -> int | None:
    """A database id from a form or query value, else None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= DatabaseIdConverter.MAX else None


def apply_errors(form: FlaskForm, exc: ServiceError) -> None:
    """Show a service's field errors beside the form's fields (others above the form)."""
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)
    if not exc.fields:
        form.form_errors.append(exc.message)


def redirect_next(default: str):
    """Redirect to a local ``next`` from the query or form, else to ``default``."""
    return redirect(safe_next(request.values.get("next"), default))
