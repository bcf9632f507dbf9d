"""The one way record lists are filtered and sorted; each kind adds only its own filters."""

from sqlalchemy import nulls_last, select

from kx.records.models import (
    PUBLISHED,
    Record,
    has_term,
    owned_by,
    sees_only_published,
    visible_to,
)


def list_query(
    model: type[Record],
    viewer,
    filters: dict | None = None,
    sort: str = "newest",
    terms: tuple[str, ...] = ("domains", "countries"),
    columns: tuple[str, ...] = ("status",),
    orders: dict | None = None,
):
    """``select(model)`` of what ``viewer`` may see, filtered and sorted.

    ``filters`` holds vocabulary ``terms`` (one or several slugs each), exact ``columns``
    and ``author="me"``; ``sort`` is ``newest``, ``title`` or a key of ``orders``
    (sort name -> columns to order by).
    """
    filters = filters or {}
    statement = select(model).where(visible_to(model, viewer))
    for field in terms:
        if filters.get(field):
            statement = statement.where(has_term(model, field, filters[field]))
    for column in columns:
        if filters.get(column):
            statement = statement.where(getattr(model, column) == filters[column])
    if filters.get("author") == "me":
        statement = statement.where(owned_by(model, viewer))
    if orders and sort in orders:
        return statement.order_by(*orders[sort])
    if sort == "title":
        return statement.order_by(model.title, model.id)
    # Published rows all have a date (``set_status``), so a list of them orders by it
    # plainly: PostgreSQL then walks the list index backwards and stops after a page, as
    # SQLite does either way. With NULLS LAST it sorted every row (24 ms at 20,000 items).
    newest = model.published_at.desc()
    if filters.get("status") != PUBLISHED and not sees_only_published(viewer):
        newest = nulls_last(newest)  # drafts, which have no date, after the rest
    return statement.order_by(newest, model.created_at.desc(), model.id.desc())
