"""``/api/v1/forum``: categories, threads, posts, reports and research-need votes.

Every read goes through kx.forum.services: a category, thread or post the caller may not
read answers 404, exactly like one that does not exist, and hidden posts (by a moderator,
or at once by an illegal-material report) reach moderators only. Writes need a verified
account (403 otherwise); new threads and replies share the forum's posting limit with the
HTML forms (10 a minute per member, 429).
"""

from marshmallow import fields, validate

from kx import kinds
from kx.accounts.schemas import UserSummarySchema
from kx.api import api
from kx.api.core import PageQuerySchema, api_user, operation
from kx.api.practices import page_envelope
from kx.api.schemas import page_of
from kx.errors import Conflict, Forbidden, NotFound
from kx.forum import moderation, rules, services
from kx.forum.limits import posting_limit, reporting_limit
from kx.forum.models import CATEGORIES, KINDS, NEED_STATUSES, Post, Thread
from kx.forum.schemas import (
    CategorySchema,
    LinkSchema,
    PostSchema,
    PostUpdateSchema,
    ReplyCreateSchema,
    ReportCreateSchema,
    ReportSchema,
    ThreadCreateSchema,
    ThreadDetailSchema,
    ThreadSchema,
    VotesSchema,
)
from kx.schemas import dumper

TAGS = ("forum",)
SORTS = ("activity", "newest", "votes")
ILLEGAL_MATERIAL_GUIDANCE = (
    "The post is hidden from everyone but the moderators while they review it. Do not copy, "
    "save or share the material, not even as evidence. Report it to your national hotline "
    "(find yours through INHOPE, https://www.inhope.org) or to the police, as your "
    "procedures say."
)
QUEUED_GUIDANCE = (
    "The post stays visible until a moderator has looked at it: your illegal-material "
    "reports have already hidden as many unconfirmed posts in the last day as one member's "
    "reports can. Your report is at the top of the moderators' queue, marked urgent. Do not "
    "copy, save or share the material; report it to your national hotline (INHOPE, "
    "https://www.inhope.org) or to the police."
)


# --------------------------------------------------------------------------- helpers


def _require_verified(viewer) -> None:
    """403 for an unverified account before anything else is looked at."""
    if not rules.can_post(viewer):
        raise Forbidden("Your account must be verified by a moderator before you can post.")


def _require_changeable(viewer, post: Post, action: str) -> None:
    """``edit`` or ``delete``: the author or a moderator (403), on a post with text (409 for
    a research need's status change, or for editing a deleted post: states the request
    body cannot rule out)."""
    if not rules.can_change_post(post, viewer):
        raise Forbidden(f"Only the author or a moderator may {action} this post.")
    if post.event:
        done = {"edit": "edited", "delete": "deleted"}[action]
        raise Conflict(f"A research need's status change cannot be {done}.")
    if action == "edit" and post.deleted_at is not None:
        raise Conflict("A deleted post cannot be edited.")


def _check_links(viewer, links: list[dict]) -> list[dict]:
    """Each linked item must exist and be visible to ``viewer`` (404 otherwise)."""
    for link in links:
        kinds.KINDS[link["type"]].get(link["id"], viewer)
    return links


def thread_out(thread: Thread, viewer) -> dict:
    """The thread as ``ThreadSchema`` documents it, with the linked items ``viewer`` sees."""
    data = dumper(ThreadSchema, exclude=("links", "url")).dump(thread)
    data["links"] = dumper(LinkSchema, many=True).dump(
        [
            {"type": item.item_type, "id": item.id, "title": item.title, "url": kinds.url_of(item)}
            for item in services.linked_items(thread, viewer)
        ]
    )
    data["url"] = kinds.THREAD.url(thread)
    return data


def post_out(post: Post, viewer) -> dict:
    quoted = post.quote_of
    if quoted is not None and quoted.hidden and not rules.can_see_hidden(viewer):
        quoted = None  # a post hidden from the caller is not pointed at either
    return dumper(PostSchema).dump(
        {
            "id": post.id,
            "body": post.body,
            "body_html": post.body_html,
            "author": post.author,
            "created_at": post.created_at,
            "edited_at": post.edited_at,
            "hidden": post.hidden,
            "deleted": post.deleted_at is not None,
            "quote_of": quoted.id if quoted is not None else None,
            "event": post.event,
        }
    )


def thread_detail_out(thread: Thread, viewer) -> dict:
    data = thread_out(thread, viewer)
    data["posts"] = [post_out(post, viewer) for post in services.visible_posts(thread, viewer)]
    data["votes"] = votes_out(thread) if thread.kind == "research-need" else None
    claimer = thread.claimed_by
    data["claimed_by"] = dumper(UserSummarySchema).dump(claimer) if claimer is not None else None
    return data


def votes_out(thread: Thread) -> dict:
    by_sector = services.votes_by_sector(thread)
    return dumper(VotesSchema).dump({"total": sum(by_sector.values()), "by_sector": by_sector})


# --------------------------------------------------------------------------- schemas


class ThreadQuerySchema(PageQuerySchema):
    category = fields.Str(
        validate=validate.OneOf(list(CATEGORIES)),
        metadata={"description": "A category slug; 404 if it is one you may not read."},
    )
    kind = fields.Str(validate=validate.OneOf(list(KINDS)))
    status = fields.Str(
        validate=validate.OneOf(list(NEED_STATUSES)),
        metadata={"description": "A research need's status."},
    )
    sort = fields.Str(
        load_default="activity",
        validate=validate.OneOf(SORTS),
        metadata={
            "description": "`activity` (pinned first, then latest post), `newest` or `votes`."
        },
    )


# --------------------------------------------------------------------------- endpoints


@api.get("/forum/categories")
@operation(
    summary="List forum categories",
    query=PageQuerySchema,
    response=page_of(CategorySchema),
    tags=TAGS,
)
def list_categories(query):
    """Only the categories you may read: public ones for everyone, members-only ones for
    verified members."""
    readable = services.categories(api_user())
    page, per_page = query["page"], query["per_page"]
    return {
        "items": dumper(CategorySchema, many=True).dump(
            readable[(page - 1) * per_page : page * per_page]
        ),
        "page": page,
        "per_page": per_page,
        "total": len(readable),
    }


@api.get("/forum/threads")
@operation(
    summary="List forum threads",
    query=ThreadQuerySchema,
    response=page_of(ThreadSchema),
    errors=(404,),
    tags=TAGS,
)
def list_threads(query):
    """Threads in the categories you may read. Filtering on a category you may not read
    answers 404."""
    viewer = api_user()
    category = query.get("category")
    if category and category not in services.readable_categories(viewer):
        raise NotFound("No such category, or it is for verified members only.")
    statement = services.thread_query(
        viewer,
        category=category,
        kind=query.get("kind"),
        status=query.get("status"),
        sort=query["sort"],
    )
    return page_envelope(
        statement, query["page"], query["per_page"], lambda thread: thread_out(thread, viewer)
    )


@api.post("/forum/threads")
@posting_limit
@operation(
    summary="Open a forum thread",
    body=ThreadCreateSchema,
    response=ThreadSchema,
    status=201,
    auth=True,
    errors=(403, 404, 429),
    tags=TAGS,
)
def create_thread(body):
    """Verified members (403 otherwise). The body becomes the first post. Each link must be
    a practice example or research summary you may see (404 otherwise). At most 10 posts
    (threads and replies) a minute (429)."""
    viewer = api_user()
    _require_verified(viewer)
    thread = services.create_thread(
        viewer,
        category=body["category"],
        kind=body["kind"],
        title=body["title"],
        body=body["body"],
        links=_check_links(viewer, body["links"]),
    )
    return thread_out(thread, viewer), 201


@api.get("/forum/threads/<int:thread_id>")
@operation(summary="Read a forum thread", response=ThreadDetailSchema, tags=TAGS)
def get_thread(thread_id: int):
    """With its posts, oldest first. Posts hidden pending review appear for moderators only
    (with `hidden: true`); a deleted post keeps its place with an empty body."""
    viewer = api_user()
    return thread_detail_out(services.get_thread(thread_id, viewer), viewer)


@api.post("/forum/threads/<int:thread_id>/posts")
@posting_limit
@operation(
    summary="Reply in a forum thread",
    body=ReplyCreateSchema,
    response=PostSchema,
    status=201,
    auth=True,
    errors=(403, 429),
    tags=TAGS,
)
def create_post(thread_id: int, body):
    """Verified members (403 otherwise); a locked thread takes no replies (403). `quote_of`
    must be a post of this thread that you may see (404 otherwise). At most 10 posts a
    minute (429)."""
    viewer = api_user()
    thread = services.get_thread(thread_id, viewer)
    _require_verified(viewer)
    quote = None
    if body["quote_of"] is not None:
        quote = services.get_post(body["quote_of"], viewer)
        if quote.thread_id != thread.id:
            raise NotFound("No such post in this thread to quote.")
    post = services.reply(viewer, thread, body["body"], quote_of=quote)
    return post_out(post, viewer), 201


@api.patch("/forum/posts/<int:post_id>")
@operation(
    summary="Edit a forum post",
    body=PostUpdateSchema,
    response=PostSchema,
    auth=True,
    errors=(403,),
    tags=TAGS,
)
def update_post(post_id: int, body):
    """The author or a moderator (403 for others who may see it). The previous text is kept
    for moderators. A deleted post or a research need's status change cannot be edited
    (409)."""
    viewer = api_user()
    post = services.get_post(post_id, viewer)
    _require_changeable(viewer, post, "edit")
    return post_out(services.edit_post(viewer, post, body["body"]), viewer)


@api.delete("/forum/posts/<int:post_id>")
@operation(summary="Delete a forum post", status=204, auth=True, errors=(403,), tags=TAGS)
def delete_post(post_id: int):
    """The author or a moderator (403 for others who may see it). The post keeps its place
    in the thread with an empty body ("deleted by author" or "by a moderator"); deleting it
    again changes nothing. A research need's status change cannot be deleted (409)."""
    viewer = api_user()
    post = services.get_post(post_id, viewer)
    _require_changeable(viewer, post, "delete")
    services.delete_post(viewer, post)
    return "", 204


@api.post("/forum/posts/<int:post_id>/reports")
@reporting_limit
@operation(
    summary="Report a forum post",
    body=ReportCreateSchema,
    response=ReportSchema,
    status=201,
    auth=True,
    errors=(403, 409, 429),
    tags=TAGS,
)
def report_post(post_id: int, body):
    """Verified members (403 otherwise), not on their own posts (403). `illegal-material`
    hides the post from everyone but the moderators at once, and `guidance` says what to do
    next; once a member's reports have hidden 3 posts in a day that no moderator has
    confirmed, further ones leave the post visible and wait, `urgent`, at the top of the
    moderators' queue. The same open report again (same post, same reason) answers 409, and
    so does a report on a deleted post or a status change. At most 10 reports an hour, shared
    with the HTML form (429)."""
    viewer = api_user()
    post = services.get_post(post_id, viewer)
    _require_verified(viewer)
    if post.author_id == viewer.id:
        raise Forbidden("You cannot report your own post.")
    if post.event or post.deleted_at is not None:
        raise Conflict("Only a post with text can be reported.")
    if moderation.open_report(viewer, post, body["reason"]) is not None:
        raise Conflict("You have already reported this post for this reason.")
    report = moderation.report_post(viewer, post, body["reason"], body["note"])
    guidance = ""
    if report.reason == moderation.ILLEGAL:
        guidance = QUEUED_GUIDANCE if report.urgent else ILLEGAL_MATERIAL_GUIDANCE
    return ReportSchema().dump(
        {
            "id": report.id,
            "post_id": report.post_id,
            "reason": report.reason,
            "note": report.note,
            "created_at": report.created_at,
            "post_hidden": post.hidden,
            "urgent": report.urgent,
            "guidance": guidance,
        }
    ), 201


@api.post("/forum/threads/<int:thread_id>/votes")
@operation(
    summary="Vote for a research need",
    response=VotesSchema,
    status=201,
    auth=True,
    errors=(403, 409),
    tags=TAGS,
)
def vote(thread_id: int):
    """Verified members (403 otherwise), once per need: a second vote changes nothing and
    answers 409. Only research needs take votes (409 for other threads). The answer counts
    the need's votes by the voters' sectors."""
    viewer = api_user()
    thread = services.get_thread(thread_id, viewer)
    _require_verified(viewer)
    if thread.kind != "research-need":
        raise Conflict("Only research needs take votes.")
    if not services.vote(viewer, thread):
        raise Conflict("You have already voted for this research need.")
    return votes_out(thread), 201
