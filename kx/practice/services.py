"""Writing, listing and reviewing practice examples; the only code here that commits."""

from sqlalchemy import select

from kx.accounts import services as accounts
from kx.anonymisation import identifier_warnings
from kx.errors import Conflict
from kx.extensions import db
from kx.practice.models import Practice
from kx.practice.schemas import PracticeInputSchema
from kx.records import services as records
from kx.records.listing import list_query

CHECKED_FIELDS = (
    "title",
    "summary",
    *Practice.markdown_fields,
    "organisation",
    "target_population",
)
REQUIRED_ON_CREATE = ("title", "domains")


def get_practice(practice_id: int, viewer) -> Practice:
    """The practice if ``viewer`` may see it; otherwise ``NotFound``."""
    return records.get_record(Practice, practice_id, viewer, "No such practice example.")


def practice_query(viewer, filters: dict | None = None, sort: str = "newest"):
    """``select(Practice)`` of what ``viewer`` may see, filtered and sorted."""
    return list_query(
        Practice,
        viewer,
        filters,
        sort,
        terms=("domains", "countries", "stages"),
        columns=("prevention_level", "evaluation_status", "status"),
    )


def _check_years(data: dict, practice: Practice | None, actor) -> None:
    """The end year is not before the start year, also when only one of them changes: a
    ``Conflict`` (409) between the two values, as the API's schema cannot say it."""
    values = {**(records.editing_values(practice, actor) if practice else {}), **data}
    start, end = values.get("start_year"), values.get("end_year")
    if start is not None and end is not None and end < start:
        message = f"The end year cannot be before the start year ({start})."
        raise Conflict("The end year is before the start year.", {"end_year": [message]})


SAVE_HOOKS = records.SaveHooks(
    model=Practice,
    input_schema=PracticeInputSchema,
    sign_in="Sign in to write practice examples.",
    required=REQUIRED_ON_CREATE,
    checked_fields=CHECKED_FIELDS,
    confirm=(
        "anonymised_confirmed",
        "Confirm that the example is anonymised before you submit it.",
    ),
    check_conflicts=_check_years,
)


def save_practice(actor, data: dict, practice: Practice | None = None) -> Practice:
    """Create (no ``practice``) or update a practice example; ``submit`` needs
    ``anonymised_confirmed``. The rest as ``records.save_record``."""
    return records.save_record(SAVE_HOOKS, actor, data, practice)


def _export(user) -> list[dict]:
    from kx.practice.schemas import PracticeSchema

    items = db.session.scalars(select(Practice).where(Practice.author_id == user.id))
    fields = [f for f in PracticeSchema().fields if f not in ("evidence", "evidence_level", "url")]
    return PracticeSchema(only=fields).dump(items, many=True)


accounts.register_export("practice_examples", _export)
records.IDENTIFIER_CHECKS["practice"] = lambda values: identifier_warnings(values, CHECKED_FIELDS)
accounts.register_erasure(lambda user: records.erase_unpublished(Practice, user))
