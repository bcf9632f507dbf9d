"""The record pages every kind routes the same way (archive, delete); each kind's blueprint
declares the route and hands over the item it found for an editor."""

from flask import flash, redirect, render_template, request, url_for

from kx.errors import Invalid
from kx.records import services


def archive_item(item, viewer, back: str):
    """Archive ``item`` and go ``back`` to its page, saying what happened."""
    try:
        services.archive(item, viewer)
    except Invalid as exc:
        flash(exc.message, "error")
    else:
        flash(
            "Archived: it no longer appears in lists. You and the moderators can still see "
            "it, and you can submit it again later.",
            "info",
        )
    return redirect(back)


def delete_item(item, viewer, noun: str, back: str):
    """GET: ask to confirm (``back`` cancels); POST: delete ``item`` and go to the member's
    items."""
    if request.method == "GET":
        return render_template(
            "records/delete.html", item=item, noun=noun, action=request.path, back=back
        )
    title = item.title
    services.delete(item, viewer)
    flash(f"“{title}” is deleted.", "info")
    return redirect(url_for("review.my_items"))
