"""The front page, which leads somewhere from the first visit, and the public page on how
kx rates what works. Every list on the front page is a few rows read through the owning
package's own visibility rules, so its cost does not grow with the corpus."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from kx.evidence import ratings, what_works
from kx.evidence import services as evidence
from kx.extensions import db
from kx.forum import services as forum
from kx.kinds import REVIEWED
from kx.notifications import services as notifications
from kx.practice import services as practices
from kx.practice.models import Practice
from kx.research import services as research
from kx.search import saved

home = Blueprint("home", __name__)

#: rows per list on the front page
SHOWN = 5
#: themes whose new items are counted (each count is a search)
THEMES_SHOWN = 3
GOOD = ("effective", "promising")


def newest_practices(viewer) -> list[Practice]:
    query = practices.practice_query(viewer, {"status": "published"}, "newest")
    return list(db.session.scalars(query.limit(SHOWN)))


def best_rated_practices(viewer) -> list[Practice]:
    """Practices rated effective, then promising, from the evidence ``viewer`` may see."""
    best = what_works.with_practices(what_works.tally(viewer, {}, SHOWN).best)
    return [practice for practice, rating in best if rating.overall in GOOD]


def recent_research(viewer) -> list:
    query = research.research_query(viewer, {"status": "published"}, "newest")
    return list(db.session.scalars(query.limit(SHOWN)))


def open_needs(viewer) -> list:
    query = forum.thread_query(viewer, kind="research-need", status="open", sort="newest")
    return list(db.session.scalars(query.limit(SHOWN)))


def own_items(viewer, status: str) -> list[tuple[str, object]]:
    """The member's newest items in ``status`` of every reviewed kind, ``(kind, item)``."""
    found = []
    for kind, info in REVIEWED.items():
        query = info.query(viewer, {"author": "me", "status": status}).order_by(None)
        latest = query.order_by(info.model.updated_at.desc()).limit(SHOWN)
        found += [(kind, item) for item in db.session.scalars(latest)]
    found.sort(key=lambda entry: entry[1].updated_at, reverse=True)
    return found[:SHOWN]


def waiting_for_review() -> int:
    """Submissions waiting for a moderator (the queue also holds edits of published items)."""
    return sum(
        db.session.scalar(
            select(func.count()).select_from(info.model).where(info.model.status == "pending")
        )
        or 0
        for info in REVIEWED.values()
    )


def theme_news(viewer) -> dict:
    themes = saved.themes_of(viewer)
    return {
        "total": len(themes),
        "rows": [
            {"theme": theme, "new": saved.new_matches(theme)} for theme in themes[:THEMES_SHOWN]
        ],
    }


def member_panels(viewer) -> dict:
    """What a signed-in member sees above the public lists."""
    panels = {
        "unread": notifications.unread_count(viewer),
        "notes": [
            shown
            for shown, _n in notifications.grouped(viewer, limit=SHOWN, unread=True)
            if shown is not None
        ],
        "drafts": own_items(viewer, "draft"),
        "pending": own_items(viewer, "pending"),
        "themes": theme_news(viewer) if viewer.is_verified else None,
        "queue": waiting_for_review() if viewer.is_moderator else None,
    }
    return panels


@home.route("/")
def index():
    viewer = current_user._get_current_object()
    best = best_rated_practices(viewer)
    newest = newest_practices(viewer)
    return render_template(
        "home.html",
        newest=newest,
        best=best,
        ratings=evidence.ratings_for([*best, *newest], viewer),
        research=recent_research(viewer),
        needs=open_needs(viewer),
        member=member_panels(viewer) if viewer.is_authenticated else None,
        cap=saved.NEW_CAP,
    )


@home.route("/methods")
def methods():
    return render_template("methods.html", strength=ratings.STRENGTH)
