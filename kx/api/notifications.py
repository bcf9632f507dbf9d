"""``/api/v1/notifications`` and ``/api/v1/notification-preferences``: the caller's
notifications about what they may see now, marking them read, and their mail settings."""

from marshmallow import Schema, fields, validate

from kx.api import api
from kx.api.core import MAX_ID, PageQuerySchema, api_user, operation
from kx.api.records import StrictBool, StrictInt
from kx.api.schemas import page_of
from kx.extensions import db
from kx.notifications import services
from kx.notifications.catalogue import KINDS, SETTINGS, TOPICS

TAGS = ("notifications",)


class NotificationsQuerySchema(PageQuerySchema):
    unread = fields.Bool(load_default=False, metadata={"description": "Only unread ones"})


class NotificationSchema(Schema):
    id = fields.Int(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(list(KINDS)))
    created_at = fields.DateTime(required=True)
    read = fields.Bool(required=True)
    url = fields.Str(required=True, metadata={"description": "The HTML page it is about"})
    text = fields.Str(required=True, metadata={"description": "What happened, in words"})


class MarkReadSchema(Schema):
    ids = fields.List(
        StrictInt(validate=validate.Range(min=1, max=MAX_ID)),
        load_default=list,
        metadata={"description": "Notifications to mark read (yours; others change nothing)"},
    )
    all = StrictBool(load_default=False, metadata={"description": "true: mark every one"})


PreferencesSchema = Schema.from_dict(
    {
        topic: fields.Str(
            validate=validate.OneOf(list(SETTINGS)),
            metadata={"description": f"{info.label} (default {info.default})"},
        )
        for topic, info in TOPICS.items()
    },
    name="NotificationPreferencesSchema",
)


def _item(shown) -> dict:
    notification = shown.notification
    text = shown.sentence()
    if shown.detail:
        text += f". {shown.detail_label}: {shown.detail}"
    return {
        "id": notification.id,
        "kind": notification.kind,
        "created_at": notification.created_at.isoformat() + "Z",
        "read": notification.read_at is not None,
        "url": shown.url(),
        "text": text,
    }


@api.get("/notifications")
@operation(
    summary="List your notifications",
    query=NotificationsQuerySchema,
    response=page_of(NotificationSchema),
    auth=True,
    tags=TAGS,
)
def list_notifications(query):
    """Only notifications about what you may see now; newest first."""
    viewer = api_user()
    page = db.paginate(
        services.visible_query(viewer, query["unread"]),
        page=query["page"],
        per_page=query["per_page"],
        error_out=False,
    )
    shown = [services.present(item, viewer) for item in page.items]
    return {
        "items": [_item(item) for item in shown if item is not None],
        "page": query["page"],
        "per_page": query["per_page"],
        "total": page.total or 0,
    }


@api.post("/notifications/read")
@operation(
    summary="Mark notifications read",
    body=MarkReadSchema,
    status=204,
    auth=True,
    tags=TAGS,
)
def mark_read(body):
    """``{"ids": [...]}`` marks those of yours (others' ids change nothing);
    ``{"all": true}`` marks every one."""
    services.mark_read(api_user(), None if body["all"] else body["ids"])
    return "", 204


@api.get("/notification-preferences")
@operation(
    summary="Your notification e-mail settings",
    response=PreferencesSchema,
    auth=True,
    tags=TAGS,
)
def get_preferences():
    return services.preferences(api_user())


@api.put("/notification-preferences")
@operation(
    summary="Change your notification e-mail settings",
    body=PreferencesSchema,
    response=PreferencesSchema,
    auth=True,
    tags=TAGS,
)
def put_preferences(body):
    """Topics left out keep their setting."""
    return services.set_preferences(api_user(), body)
