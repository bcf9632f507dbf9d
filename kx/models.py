"""Every model, imported in one place so the metadata (and Alembic) sees every table."""

from kx.accounts.models import ApiToken, User, UserSession
from kx.audit import AuditEvent
from kx.evidence.models import EvidenceChange, EvidenceLink, EvidenceVersion, Finding
from kx.forum.models import (
    CategorySetting,
    Follow,
    Post,
    PostRevision,
    Report,
    Thread,
    ThreadLink,
    Vote,
)
from kx.mail.models import OutboxMessage
from kx.notifications.models import Notification
from kx.practice.models import Practice
from kx.records.models import ItemTerm, Revision
from kx.research.models import Research
from kx.search.models import SavedSearch, SearchOutbox

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CategorySetting",
    "EvidenceChange",
    "EvidenceLink",
    "EvidenceVersion",
    "Finding",
    "Follow",
    "ItemTerm",
    "Notification",
    "OutboxMessage",
    "Post",
    "PostRevision",
    "Practice",
    "Report",
    "Research",
    "Revision",
    "SavedSearch",
    "SearchOutbox",
    "Thread",
    "ThreadLink",
    "User",
    "UserSession",
    "Vote",
]
