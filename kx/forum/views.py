"""Forum pages: categories, threads and posts, the research-needs board, reports and the
moderators' tools, follows and notifications.

The services decide who may do what; these views turn their answers into pages: field
errors beside the fields with the text kept (422), ``Forbidden`` and ``NotFound`` into the
error pages. Posting (new threads and replies) is limited per member.
"""

import math

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from kx import taxonomy
from kx.accounts.forms import SelectChoice
from kx.accounts.views import staff_required
from kx.errors import Forbidden, Invalid, NotFound, ServiceError
from kx.extensions import db, limiter
from kx.forum import services
from kx.forum.forms import EditPostForm, MoveForm, NeedStatusForm, ReplyForm, ReportForm, ThreadForm
from kx.forum.models import (
    CATEGORIES,
    KINDS,
    NEED_STATUSES,
    REPORT_REASONS,
    Notification,
    Post,
    Report,
    Thread,
)
from kx.practice import services as practice_services
from kx.research import services as research_services
from kx.security import DatabaseIdConverter
from kx.web import apply_errors, page_number, redirect_next

forum = Blueprint("forum", __name__, url_prefix="/forum")

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25
POSTING_LIMIT = "10 per minute"
TOO_FAST = (
    "You are posting too quickly: at most 10 posts a minute. Wait a minute, then send "
    "it again; your text is kept below."
)
REPORTING_LIMIT = "10 per hour"
REPORTING_TOO_FAST = (
    "You have sent 10 reports in the last hour, the most one member can. The moderators "
    "have them all; if something else needs them now, wait a while and report it again."
)
NEED_SORTS = {"votes": "Most votes", "newest": "Newest first"}
NOTIFICATION_TEXT = {
    "reply": "replied in",
    "quote": "quoted you in",
    "new-thread": "started a new thread:",
    "report": "reported a post in",
    "report-burst": "sent more illegal-material reports than one member's may hide in a "
    "day; the post stays visible and the report waits, urgent, in",
}


def _viewer():
    return current_user._get_current_object()


def _moderator(viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_moderator)


def _member(viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_verified)


def _require_poster(viewer) -> None:
    if not viewer.is_verified:
        raise Forbidden(
            "Your account must be verified by a moderator before you can post in the forum. "
            "Until then you can read the public categories."
        )


def _int(value) -> int | None:
    """A database id from a form or query value, else None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= DatabaseIdConverter.MAX else None


# Rate limit: new threads and replies share one budget per member; only posts that went
# through count, so a refused or invalid submission does not use it up.


def _poster_key() -> str:
    if current_user.is_authenticated:
        return f"forum-post:user:{current_user.id}"
    return get_remote_address()


posting_limit = limiter.shared_limit(
    POSTING_LIMIT,
    scope="forum-post",
    key_func=_poster_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 302,
    error_message=TOO_FAST,
)


# Reports have a budget of their own per member, shared with the API the same way.


def _reporter_key() -> str:
    if current_user.is_authenticated:
        return f"forum-report:user:{current_user.id}"
    return get_remote_address()


reporting_limit = limiter.shared_limit(
    REPORTING_LIMIT,
    scope="forum-report",
    key_func=_reporter_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 302,
    error_message=REPORTING_TOO_FAST,
)


@forum.errorhandler(429)
def _too_fast(_exc):
    """Posting or reporting too fast: the form again, with the text kept and the reason
    above it."""
    try:
        if request.endpoint == "forum.report_post":
            post = services.get_post(request.view_args["post_id"], _viewer())
            form = ReportForm()
            form.form_errors.append(REPORTING_TOO_FAST)
            return render_template(
                "forum/report.html", form=form, post=post, reasons=REPORT_REASONS
            ), 429
        if request.endpoint == "forum.new_thread":
            viewer = _viewer()
            form = ThreadForm()
            form.set_categories(services.categories(viewer))
            form.form_errors.append(TOO_FAST)
            item = _linked_item(viewer, request.values)
            return render_template("forum/new.html", form=form, item=item), 429
        if request.endpoint == "forum.reply":
            thread = services.get_thread(request.view_args["thread_id"], _viewer())
            form = ReplyForm()
            form.form_errors.append(TOO_FAST)
            return _render_thread(thread, page=None, reply_form=form, status=429)
    except ServiceError:
        pass
    return render_template("errors/error.html", status=429, message=TOO_FAST), 429


# Template helpers: the header's unread count, and the threads about a record for the
# "Discuss this" partial (templates/forum/_discuss.html).


@forum.app_context_processor
def _notification_count():
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return services.unread_count(_viewer())
        except SQLAlchemyError:  # an error page after a database failure still renders
            return 0

    return {"unread_notifications": unread_notifications}


@forum.app_template_global("forum_threads_about")
def forum_threads_about(item) -> list[Thread]:
    return services.threads_about(item, _viewer())


@forum.app_template_global("forum_item_url")
def forum_item_url(item) -> str:
    """The detail page of a practice example or research summary."""
    if item.item_type == "practice":
        return url_for("practice.detail", practice_id=item.id)
    return url_for("research.detail", item_id=item.id)


@forum.app_template_global("forum_category")
def forum_category(slug: str) -> str:
    return CATEGORIES.get(slug, slug)


def author_name(user) -> str:
    return user.public_name if user is not None else "Former member"


def author_sector(user) -> str:
    if user is None or user.deleted_at is not None:
        return ""
    return taxonomy.label("sectors", user.sector)


@forum.app_template_global("forum_author")
def forum_author(user) -> str:
    """A post's or thread's author as "Name (Sector)"."""
    sector = author_sector(user)
    return f"{author_name(user)} ({sector})" if sector else author_name(user)


# Index and categories


def _category_stats(viewer) -> dict[str, tuple[int, object]]:
    rows = db.session.execute(
        select(Thread.category, func.count(Thread.id), func.max(Thread.last_post_at))
        .where(
            Thread.deleted_at.is_(None),
            Thread.category.in_(services.readable_categories(viewer)),
        )
        .group_by(Thread.category)
    )
    return {category: (count, latest) for category, count, latest in rows}


def _followed(viewer, target_type: str) -> set[str]:
    if not viewer.is_authenticated:
        return set()
    from kx.forum.models import Follow

    return set(
        db.session.scalars(
            select(Follow.target).where(
                Follow.user_id == viewer.id, Follow.target_type == target_type
            )
        )
    )


@forum.route("")
def index():
    viewer = _viewer()
    categories = services.categories(viewer)
    hidden_count = len(CATEGORIES) - len(categories)
    return render_template(
        "forum/index.html",
        categories=categories,
        stats=_category_stats(viewer),
        followed=_followed(viewer, "category"),
        hidden_count=hidden_count,
        member=_member(viewer),
        recent=db.session.scalars(services.thread_query(viewer, sort="newest").limit(5)).all(),
    )


def _readable_category(slug: str, viewer) -> dict:
    for category in services.categories(viewer):
        if category["slug"] == slug:
            return category
    raise NotFound("No such category, or it is for verified members only.")


def _post_counts(thread_ids: list[int], viewer) -> dict[int, int]:
    """Posts (not status changes) per thread that ``viewer`` sees."""
    if not thread_ids:
        return {}
    statement = (
        select(Post.thread_id, func.count(Post.id))
        .where(Post.thread_id.in_(thread_ids), Post.event == "")
        .group_by(Post.thread_id)
    )
    if not _moderator(viewer):
        statement = statement.where(Post.hidden.is_(False))
    return dict(db.session.execute(statement).all())


@forum.route("/<category>")
def category(category: str):
    viewer = _viewer()
    current = _readable_category(category, viewer)
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    pagination = db.paginate(
        services.thread_query(viewer, category=category, kind=kind),
        page=page_number(),
        per_page=THREADS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "forum/category.html",
        category=current,
        kind=kind,
        kinds=KINDS,
        pagination=pagination,
        counts=_post_counts([t.id for t in pagination.items], viewer),
        following=services.is_following(viewer, "category", category),
        member=_member(viewer),
        args={"kind": kind} if kind else {},
    )


# New thread


def _linked_item(viewer, values) -> object | None:
    """The practice or research item named by ``practice=`` or ``research=`` (404 if unseen)."""
    if values.get("practice"):
        practice_id = _int(values.get("practice"))
        if practice_id is None:
            raise NotFound("No such practice example.")
        return practice_services.get_practice(practice_id, viewer)
    if values.get("research"):
        research_id = _int(values.get("research"))
        if research_id is None:
            raise NotFound("No such research summary.")
        return research_services.get_research(research_id, viewer)
    return None


def _default_category(item, readable: list[str]) -> str:
    for domain in getattr(item, "domains", []) or []:
        if domain in readable:
            return domain
    return "cross-disciplinary" if "cross-disciplinary" in readable else ""


@forum.route("/new", methods=["GET", "POST"])
@posting_limit
@login_required
def new_thread():
    viewer = _viewer()
    readable = services.categories(viewer)
    slugs = [c["slug"] for c in readable]
    wanted = request.values.get("category", "")
    if wanted and wanted in CATEGORIES and wanted not in slugs:
        raise NotFound("No such category, or it is for verified members only.")
    _require_poster(viewer)
    item = _linked_item(viewer, request.values)
    form = ThreadForm()
    form.set_categories(readable)
    if request.method == "GET":
        form.category.data = wanted if wanted in slugs else _default_category(item, slugs)
        if item is not None:
            form[item.item_type].data = str(item.id)
            form.kind.data = "discussion"
    elif form.validate_on_submit():
        links = [{"type": item.item_type, "id": item.id}] if item is not None else []
        try:
            thread = services.create_thread(
                viewer,
                category=form.category.data or "",
                kind=form.kind.data or "",
                title=form.title.data or "",
                body=form.body.data or "",
                links=links,
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash("Your thread is open. You will be told about replies.", "success")
            return redirect(url_for("forum.thread", thread_id=thread.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/new.html", form=form, item=item), status


# Thread page


def _page_of(post: Post, posts: list[Post]) -> int:
    ids = [p.id for p in posts]
    index = ids.index(post.id) if post.id in ids else len(ids) - 1
    return max(index, 0) // POSTS_PER_PAGE + 1


def _post_url(post: Post, viewer) -> str:
    posts = services.visible_posts(post.thread, viewer)
    return url_for(
        "forum.thread",
        thread_id=post.thread_id,
        page=_page_of(post, posts),
        _anchor=f"post-{post.id}",
    )


def _research_choices(viewer) -> list:
    items = db.session.scalars(
        research_services.research_query(viewer, {"status": "published"}, sort="title")
    )
    return [SelectChoice("", "Choose a research summary")] + [
        SelectChoice(str(item.id), item.title if len(item.title) <= 120 else item.title[:119] + "…")
        for item in items
    ]


def _need_status_form(thread: Thread, viewer, form: NeedStatusForm | None = None):
    """The status form for the member who claimed the need, or a moderator."""
    if thread.kind != "research-need" or not _member(viewer):
        return None
    if not (_moderator(viewer) or thread.claimed_by_id == viewer.id):
        return None
    form = form or NeedStatusForm(status=thread.status)
    form.status.choices = [
        SelectChoice(slug, name) for slug, name in NEED_STATUSES.items() if slug != "claimed"
    ]
    form.research_id.choices = _research_choices(viewer)
    return form


def _render_thread(
    thread: Thread,
    page: int | None,
    reply_form: ReplyForm | None = None,
    status_form: NeedStatusForm | None = None,
    status: int = 200,
):
    """The thread page; ``page=None`` shows the last page (where a new reply goes)."""
    viewer = _viewer()
    posts = services.visible_posts(thread, viewer)
    pages = max(1, math.ceil(len(posts) / POSTS_PER_PAGE))
    page = pages if page is None else min(max(page, 1), pages)
    shown = posts[(page - 1) * POSTS_PER_PAGE : page * POSTS_PER_PAGE]
    can_reply = _member(viewer) and not thread.locked
    if can_reply and reply_form is None:
        reply_form = ReplyForm()
        reply_form.quote_of.data = request.args.get("quote", "")
    quoting = _quoting(reply_form, posts) if can_reply else None
    need = thread.kind == "research-need"
    voted = False
    if need and viewer.is_authenticated:
        from kx.forum.models import Vote

        voted = bool(
            db.session.scalar(
                select(Vote.id).where(Vote.thread_id == thread.id, Vote.user_id == viewer.id)
            )
        )
    move_form = None
    if _moderator(viewer):
        move_form = MoveForm(category=thread.category)
        move_form.category.choices = [
            SelectChoice(slug, name) for slug, name in CATEGORIES.items() if slug != thread.category
        ]
    return render_template(
        "forum/thread.html",
        thread=thread,
        category=CATEGORIES[thread.category],
        posts=shown,
        page=page,
        pages=pages,
        first_post_id=posts[0].id if posts else None,
        reply_form=reply_form if can_reply else None,
        quoting=quoting,
        linked=services.linked_items(thread, viewer),
        need=need,
        votes=services.votes_by_sector(thread) if need else {},
        voted=voted,
        status_form=_need_status_form(thread, viewer, status_form),
        can_claim=(
            need
            and thread.status == "open"
            and _member(viewer)
            and (viewer.sector == "academic" or _moderator(viewer))
        ),
        move_form=move_form,
        following=services.is_following(viewer, "thread", thread.id),
        quotes={p.id: services.shown_quote(p) for p in shown if p.quote_of_id},
        member=_member(viewer),
        moderator=_moderator(viewer),
        may_edit=lambda post: _may_edit(post, viewer),
        may_report=lambda post: _may_report(post, viewer),
        quotable=lambda post: can_reply and services.quotable(post),
        reasons=REPORT_REASONS,
        statuses=NEED_STATUSES,
    ), status


def _quoting(form: ReplyForm, posts: list[Post]) -> Post | None:
    """The post among ``posts`` that the reply form quotes, if it may be quoted; a quote of
    anything else is dropped from the form."""
    quote_id = _int(form.quote_of.data)
    quoted = next((p for p in posts if p.id == quote_id), None)
    if quoted is None or not services.quotable(quoted):
        form.quote_of.data = ""
        return None
    return quoted


def _may_edit(post: Post, viewer) -> bool:
    if not viewer.is_authenticated or post.event or post.deleted_at is not None:
        return False
    return post.author_id == viewer.id or _moderator(viewer)


def _may_report(post: Post, viewer) -> bool:
    return (
        _member(viewer)
        and post.author_id != viewer.id
        and not post.event
        and post.deleted_at is None
        and not post.hidden
    )


@forum.route("/threads/<int:thread_id>")
def thread(thread_id: int):
    return _render_thread(services.get_thread(thread_id, _viewer()), page=page_number())


@forum.route("/threads/<int:thread_id>/reply", methods=["POST"])
@posting_limit
@login_required
def reply(thread_id: int):
    viewer = _viewer()
    thread = services.get_thread(thread_id, viewer)
    _require_poster(viewer)
    form = ReplyForm()
    form.validate()
    quote = None
    if form.quote_of.data:
        quote_id = _int(form.quote_of.data)
        quote = db.session.get(Post, quote_id) if quote_id else None
        if quote is None or quote.thread_id != thread.id or not services.quotable(quote):
            quote = None
    try:
        post = services.reply(viewer, thread, form.body.data or "", quote_of=quote)
    except Invalid as exc:
        apply_errors(form, exc)
        return _render_thread(thread, page=None, reply_form=form, status=422)
    flash("Your reply is posted.", "success")
    return redirect(_post_url(post, viewer))


@forum.route("/threads/<int:thread_id>/vote", methods=["POST"])
@login_required
def vote(thread_id: int):
    viewer = _viewer()
    thread = services.get_thread(thread_id, viewer)
    if services.vote(viewer, thread):
        flash("Your vote is counted.", "success")
    else:
        flash("You have already voted for this research need; it counts once.", "info")
    return redirect_next(url_for("forum.thread", thread_id=thread.id))


@forum.route("/threads/<int:thread_id>/status", methods=["POST"])
@login_required
def need_status(thread_id: int):
    viewer = _viewer()
    thread = services.get_thread(thread_id, viewer)
    new_status = request.form.get("status", "")
    research = None
    research_id = _int(request.form.get("research_id"))
    if research_id is not None:
        try:
            research = research_services.get_research(research_id, viewer)
        except NotFound:
            research = None
    try:
        services.set_need_status(viewer, thread, new_status, research)
    except Invalid as exc:
        if new_status == "claimed":
            flash(exc.message, "error")
            return redirect(url_for("forum.thread", thread_id=thread.id))
        form = NeedStatusForm()
        form.status.choices = []
        apply_errors(form, exc)
        return _render_thread(thread, page=page_number(), status_form=form, status=422)
    flash(f"The research need is now marked {NEED_STATUSES[new_status].lower()}.", "success")
    return redirect(_post_url(thread.posts[-1], viewer))


@forum.route("/threads/<int:thread_id>/moderate", methods=["POST"])
@login_required
def moderate_thread(thread_id: int):
    viewer = _viewer()
    thread = services.get_thread(thread_id, viewer)
    action = request.form.get("action", "")
    try:
        services.moderate_thread(viewer, thread, action, request.form.get("category") or None)
    except Invalid as exc:
        flash(exc.message, "error")
        return redirect(url_for("forum.thread", thread_id=thread.id))
    messages = {
        "lock": "The thread is locked: it takes no more replies.",
        "unlock": "The thread is open for replies again.",
        "pin": "The thread is pinned to the top of its category.",
        "unpin": "The thread is no longer pinned.",
        "move": f"The thread is moved to {CATEGORIES.get(thread.category, '')}.",
        "delete": "The thread is deleted.",
    }
    flash(messages[action], "success")
    if action == "delete":
        return redirect(url_for("forum.category", category=thread.category))
    return redirect(url_for("forum.thread", thread_id=thread.id))


# Posts


def _own_post(post_id: int, viewer) -> Post:
    """A post that ``viewer`` may edit or delete: 404 if unseen, 403 if not theirs."""
    post = services.get_post(post_id, viewer)
    if post.event or post.deleted_at is not None:
        raise NotFound("This post was deleted.")
    if not _may_edit(post, viewer):
        raise Forbidden("Only the author or a moderator may change this post.")
    return post


@forum.route("/posts/<int:post_id>")
def post(post_id: int):
    """A post's permanent address: its thread at the right page."""
    viewer = _viewer()
    return redirect(_post_url(services.get_post(post_id, viewer), viewer))


@forum.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    viewer = _viewer()
    post = _own_post(post_id, viewer)
    form = EditPostForm(body=post.body)
    if form.validate_on_submit():
        try:
            services.edit_post(viewer, post, form.body.data or "")
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash("Your changes are saved.", "success")
            return redirect(_post_url(post, viewer))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/edit.html", form=form, post=post), status


@forum.route("/posts/<int:post_id>/delete", methods=["POST"])
@login_required
def delete_post(post_id: int):
    viewer = _viewer()
    post = _own_post(post_id, viewer)
    services.delete_post(viewer, post)
    flash("The post is deleted.", "success")
    return redirect(_post_url(post, viewer))


@forum.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@reporting_limit
@login_required
def report_post(post_id: int):
    viewer = _viewer()
    post = services.get_post(post_id, viewer)
    if post.event or post.deleted_at is not None:
        raise NotFound("This post was deleted.")
    _require_poster(viewer)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            report = services.report_post(viewer, post, form.reason.data or "", form.note.data)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            if report.reason == services.ILLEGAL:
                queued = {"queued": 1} if report.urgent else {}
                return redirect(url_for("forum.report_guidance", thread=post.thread_id, **queued))
            flash("Thank you. The moderators will look at this post.", "success")
            return redirect(_post_url(post, viewer))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "forum/report.html", form=form, post=post, reasons=REPORT_REASONS
    ), status


@forum.route("/report-guidance")
@login_required
def report_guidance():
    thread_id = _int(request.args.get("thread"))
    thread = None
    if thread_id is not None:
        try:
            thread = services.get_thread(thread_id, _viewer())
        except NotFound:
            thread = None
    return render_template(
        "forum/report_guidance.html",
        thread=thread,
        queued=bool(request.args.get("queued")),
        hides_per_day=services.HIDES_PER_DAY,
    )


@forum.route("/posts/<int:post_id>/moderate", methods=["POST"])
@login_required
def moderate_post(post_id: int):
    viewer = _viewer()
    post = services.get_post(post_id, viewer)
    action = request.form.get("action", "")
    services.moderate_post(viewer, post, action)
    flash("The post is hidden." if action == "hide" else "The post is visible again.", "success")
    return redirect_next(_post_url(post, viewer))


# Research-needs board


@forum.route("/research-needs")
def research_needs():
    viewer = _viewer()
    domain = request.args.get("domain", "")
    domain = domain if domain in CATEGORIES else ""
    need_status = request.args.get("status", "")
    need_status = need_status if need_status in NEED_STATUSES else ""
    sort = request.args.get("sort") if request.args.get("sort") in NEED_SORTS else "votes"
    readable = services.readable_categories(viewer)
    pagination = db.paginate(
        services.thread_query(
            viewer,
            category=domain or None,
            kind="research-need",
            status=need_status or None,
            sort=sort,
        ),
        page=page_number(),
        per_page=THREADS_PER_PAGE,
        error_out=False,
    )
    args = {k: v for k, v in (("domain", domain), ("status", need_status)) if v} | (
        {"sort": sort} if sort != "votes" else {}
    )
    return render_template(
        "forum/research_needs.html",
        pagination=pagination,
        votes={t.id: services.votes_by_sector(t) for t in pagination.items},
        domains={slug: CATEGORIES[slug] for slug in CATEGORIES if slug in readable},
        statuses=NEED_STATUSES,
        sorts=NEED_SORTS,
        domain=domain,
        need_status=need_status,
        sort=sort,
        args=args,
        member=_member(viewer),
    )


# Follows


@forum.route("/follow", methods=["POST"])
@login_required
def follow():
    viewer = _viewer()
    target_type = request.form.get("target_type", "")
    target = request.form.get("target", "")
    if target_type == "thread" and _int(target) is None:
        raise NotFound("No such thread.")
    if request.form.get("action") == "unfollow":
        services.unfollow(viewer, target_type, target)
        flash("You no longer follow this.", "success")
    else:
        try:
            services.follow(viewer, target_type, target)
        except Invalid as exc:
            flash(exc.message, "error")
        else:
            flash("You follow this now: new posts will appear in your notifications.", "success")
    return redirect_next(url_for("forum.index"))


# Moderation


@forum.route("/moderation")
@staff_required
def moderation():
    visibilities = services.category_visibilities()
    return render_template(
        "forum/moderation.html",
        reports=services.open_reports(),
        hides_per_day=services.HIDES_PER_DAY,
        reasons=REPORT_REASONS,
        categories=[
            {"slug": slug, "name": name, "visibility": visibilities[slug]}
            for slug, name in CATEGORIES.items()
        ],
    )


@forum.route("/reports/<int:report_id>/resolve", methods=["POST"])
@staff_required
def resolve_report(report_id: int):
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound("No such report.")
    if report.resolved_at is not None:
        flash("This report was already closed.", "info")
        return redirect(url_for("forum.moderation"))
    resolution = request.form.get("resolution", "")
    closed = services.resolve_report(_viewer(), report, resolution)
    message = {
        "dismiss": "Report dismissed.",
        "hide": "Report closed: the post is hidden.",
        "delete": "Report closed: the post is deleted.",
    }[resolution]
    if closed > 1:
        others = closed - 1
        message += f" {others} other report{'' if others == 1 else 's'} on it closed too."
    flash(message, "success")
    return redirect(url_for("forum.moderation"))


@forum.route("/categories/<category>/visibility", methods=["POST"])
@staff_required
def category_visibility(category: str):
    visibility = request.form.get("visibility", "")
    services.set_category_visibility(_viewer(), category, visibility)
    flash(
        f"{CATEGORIES[category]} is now "
        + ("public." if visibility == "public" else "for verified members only."),
        "success",
    )
    return redirect(url_for("forum.moderation"))


# Notifications live at /notifications, outside the /forum prefix.


@login_required
def notifications():
    viewer = _viewer()
    items = services.notifications(viewer)
    readable = set(services.readable_categories(viewer))
    rows = []
    for item in items:
        thread = item.thread
        visible = thread is not None and thread.deleted_at is None and thread.category in readable
        rows.append(
            {
                "id": item.id,
                # as in the header: nothing waits to be read in a thread they can no longer see
                "unread": item.read_at is None and visible,
                "actor": author_name(item.actor),
                "text": NOTIFICATION_TEXT.get(item.kind, "posted in"),
                "thread": thread if visible else None,
                "url": _notification_url(item, viewer) if visible else None,
                "created_at": item.created_at,
            }
        )
    return render_template(
        "forum/notifications.html", rows=rows, unread=services.unread_count(viewer)
    )


def _notification_url(item: Notification, viewer) -> str:
    post = db.session.get(Post, item.post_id) if item.post_id is not None else None
    if post is not None and (not post.hidden or _moderator(viewer)):
        return url_for("forum.post", post_id=post.id)
    return url_for("forum.thread", thread_id=item.thread_id)


@login_required
def mark_notifications_read():
    viewer = _viewer()
    if request.form.get("all"):
        count = services.mark_read(viewer)
    else:
        notification_id = _int(request.form.get("notification"))
        count = services.mark_read(viewer, [notification_id] if notification_id else [])
    if count:
        flash(
            "Notification marked read." if count == 1 else f"{count} notifications marked read.",
            "success",
        )
    return redirect_next(url_for("forum.notifications"))


@forum.record_once
def _notification_routes(state) -> None:
    state.app.add_url_rule("/notifications", "forum.notifications", notifications)
    state.app.add_url_rule(
        "/notifications/read",
        "forum.mark_notifications_read",
        mark_notifications_read,
        methods=["POST"],
    )
