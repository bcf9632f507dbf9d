"""Forum pages: categories, threads and posts, the research-needs board and follows (reports
and the moderators' pages are in kx.forum.moderation_views, on the same blueprint).

The rules (kx.forum.rules) say who may do what and the services enforce them; these views
turn their answers into pages: field errors beside the fields with the text kept (422),
``Forbidden`` and ``NotFound`` into the error pages. Posting (new threads and replies) and
reporting are limited per member (kx.forum.limits).
"""

import math

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from kx import taxonomy
from kx.accounts.forms import SelectChoice
from kx.editing import preview_requested, show_previews
from kx.errors import Forbidden, Invalid, NotFound, ServiceError
from kx.extensions import db
from kx.forum import rules, services
from kx.forum.forms import EditPostForm, MoveForm, NeedStatusForm, ReplyForm, ReportForm, ThreadForm
from kx.forum.limits import REPORTING_TOO_FAST, TOO_FAST, posting_limit
from kx.forum.models import CATEGORIES, KINDS, NEED_STATUSES, REPORT_REASONS, Post, Thread
from kx.practice import services as practice_services
from kx.research import services as research_services
from kx.web import apply_errors, database_id, page_number, redirect_next

forum = Blueprint("forum", __name__, url_prefix="/forum")

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25
NEED_SORTS = {"votes": "Most votes", "newest": "Newest first"}


def _viewer():
    return current_user._get_current_object()


def require_poster(viewer) -> None:
    """403, in the forum's words, for a viewer who may not post, before any form is read."""
    if not rules.can_post(viewer):
        raise Forbidden(
            "Your account must be verified by a moderator before you can post in the forum. "
            "Until then you can read the public categories."
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


# Template helpers: the threads about a record for the "Discuss this" partial
# (templates/forum/_discuss.html).


@forum.app_template_global("forum_threads_about")
def forum_threads_about(item) -> list[Thread]:
    return services.threads_about(item, _viewer())


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


@forum.route("")
def index():
    viewer = _viewer()
    categories = services.categories(viewer)
    hidden_count = len(CATEGORIES) - len(categories)
    return render_template(
        "forum/index.html",
        categories=categories,
        stats=services.category_stats(viewer),
        followed=services.followed(viewer, "category"),
        hidden_count=hidden_count,
        recent=services.recent_threads(viewer),
    )


def _readable_category(slug: str, viewer) -> dict:
    for category in services.categories(viewer):
        if category["slug"] == slug:
            return category
    raise NotFound("No such category, or it is for verified members only.")


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
        counts=services.post_counts([t.id for t in pagination.items], viewer),
        following=services.is_following(viewer, "category", category),
        args={"kind": kind} if kind else {},
    )


# New thread


def _linked_item(viewer, values) -> object | None:
    """The practice or research item named by ``practice=`` or ``research=`` (404 if unseen)."""
    if values.get("practice"):
        practice_id = database_id(values.get("practice"))
        if practice_id is None:
            raise NotFound("No such practice example.")
        return practice_services.get_practice(practice_id, viewer)
    if values.get("research"):
        research_id = database_id(values.get("research"))
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
    require_poster(viewer)
    item = _linked_item(viewer, request.values)
    form = ThreadForm()
    form.set_categories(readable)
    if request.method == "GET":
        form.category.data = wanted if wanted in slugs else _default_category(item, slugs)
        if item is not None:
            form[item.item_type].data = str(item.id)
            form.kind.data = "discussion"
    elif preview_requested():
        form.validate()
        show_previews(form, ["body"])
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


def post_url(post: Post, viewer) -> str:
    posts = services.visible_posts(post.thread, viewer)
    return url_for(
        "forum.thread",
        thread_id=post.thread_id,
        page=_page_of(post, posts),
        _anchor=f"post-{post.id}",
    )


def _research_choices(viewer) -> list:
    items = services.addressable_research(viewer)
    return [SelectChoice("", "Choose a research summary")] + [
        SelectChoice(str(item.id), item.title if len(item.title) <= 120 else item.title[:119] + "…")
        for item in items
    ]


def _need_status_form(thread: Thread, viewer, form: NeedStatusForm | None = None):
    """The status form for the member who claimed the need, or a moderator."""
    if not rules.can_update_need(thread, viewer):
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
    can_reply = rules.can_reply(thread, viewer)
    if can_reply and reply_form is None:
        reply_form = ReplyForm()
        reply_form.quote_of.data = request.args.get("quote", "")
    quoting = _quoting(reply_form, posts) if can_reply else None
    need = thread.kind == "research-need"
    move_form = None
    if rules.can_moderate(viewer):
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
        voted=need and services.has_voted(viewer, thread),
        status_form=_need_status_form(thread, viewer, status_form),
        move_form=move_form,
        following=services.is_following(viewer, "thread", thread.id),
        quotes={p.id: services.shown_quote(p) for p in shown if p.quote_of_id},
        quotable=lambda post: can_reply and services.quotable(post),
        reasons=REPORT_REASONS,
        statuses=NEED_STATUSES,
    ), status


def _quoting(form: ReplyForm, posts: list[Post]) -> Post | None:
    """The post among ``posts`` that the reply form quotes, if it may be quoted; a quote of
    anything else is dropped from the form."""
    quote_id = database_id(form.quote_of.data)
    quoted = next((p for p in posts if p.id == quote_id), None)
    if quoted is None or not services.quotable(quoted):
        form.quote_of.data = ""
        return None
    return quoted


@forum.route("/threads/<int:thread_id>")
def thread(thread_id: int):
    return _render_thread(services.get_thread(thread_id, _viewer()), page=page_number())


@forum.route("/threads/<int:thread_id>/reply", methods=["POST"])
@posting_limit
@login_required
def reply(thread_id: int):
    viewer = _viewer()
    thread = services.get_thread(thread_id, viewer)
    require_poster(viewer)
    form = ReplyForm()
    form.validate()
    if preview_requested():
        status = 200 if show_previews(form, ["body"]) else 422
        return _render_thread(thread, page=None, reply_form=form, status=status)
    quote = services.quotable_in(thread, database_id(form.quote_of.data))
    try:
        post = services.reply(viewer, thread, form.body.data or "", quote_of=quote)
    except Invalid as exc:
        apply_errors(form, exc)
        return _render_thread(thread, page=None, reply_form=form, status=422)
    flash("Your reply is posted.", "success")
    return redirect(post_url(post, viewer))


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
    research_id = database_id(request.form.get("research_id"))
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
    return redirect(post_url(thread.posts[-1], viewer))


# Posts


def _own_post(post_id: int, viewer) -> Post:
    """A post that ``viewer`` may edit or delete: 404 if unseen, 403 if not theirs."""
    post = services.get_post(post_id, viewer)
    if post.event or post.deleted_at is not None:
        raise NotFound("This post was deleted.")
    if not rules.can_edit_post(post, viewer):
        raise Forbidden("Only the author or a moderator may change this post.")
    return post


@forum.route("/posts/<int:post_id>")
def post(post_id: int):
    """A post's permanent address: its thread at the right page."""
    viewer = _viewer()
    return redirect(post_url(services.get_post(post_id, viewer), viewer))


@forum.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    viewer = _viewer()
    post = _own_post(post_id, viewer)
    form = EditPostForm(body=post.body)
    if form.is_submitted() and preview_requested():
        form.validate()
        show_previews(form, ["body"])
    elif form.validate_on_submit():
        try:
            services.edit_post(viewer, post, form.body.data or "")
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash("Your changes are saved.", "success")
            return redirect(post_url(post, viewer))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("forum/edit.html", form=form, post=post), status


@forum.route("/posts/<int:post_id>/delete", methods=["POST"])
@login_required
def delete_post(post_id: int):
    viewer = _viewer()
    post = _own_post(post_id, viewer)
    services.delete_post(viewer, post)
    flash("The post is deleted.", "success")
    return redirect(post_url(post, viewer))


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
    )


# Follows


@forum.route("/follow", methods=["POST"])
@login_required
def follow():
    viewer = _viewer()
    target_type = request.form.get("target_type", "")
    target = request.form.get("target", "")
    if target_type == "thread" and database_id(target) is None:
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


from kx.forum import moderation_views  # noqa: E402, F401  (registers its routes on ``forum``)
