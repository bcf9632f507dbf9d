"""What members are notified about: each notification kind, the topic whose mail preference
governs it, and the topics with their defaults (documented in docs/architecture.md)."""

from dataclasses import dataclass

IMMEDIATELY, DAILY, WEEKLY, OFF = "immediately", "daily", "weekly", "off"
SETTINGS = {
    IMMEDIATELY: "Immediately",
    DAILY: "Daily summary",
    WEEKLY: "Weekly summary",
    OFF: "Off (no e-mail)",
}
PERIODS = (DAILY, WEEKLY)


@dataclass(frozen=True)
class Topic:
    label: str
    description: str
    default: str


TOPICS: dict[str, Topic] = {
    "decisions": Topic(
        "Decisions on your submissions",
        "A moderator approved or sent back your practice example, research summary or changes.",
        IMMEDIATELY,
    ),
    "account": Topic("Your account", "Your account was verified.", IMMEDIATELY),
    "mentions": Topic(
        "Mentions and quotes",
        "Someone mentioned you (@ and your name) in a post or quoted one of your posts.",
        IMMEDIATELY,
    ),
    "replies": Topic(
        "Replies and new threads",
        "Replies in threads you started or follow, new threads in categories you follow.",
        DAILY,
    ),
    "evidence": Topic(
        "Evidence linked to your practice",
        "Someone linked research to your practice example.",
        DAILY,
    ),
    "ratings": Topic(
        "Rating changes",
        "A finding changed the evidence rating of your practice example.",
        DAILY,
    ),
    "research-needs": Topic(
        "Research needs you voted for",
        "A research need you voted for was claimed or addressed.",
        DAILY,
    ),
    "reports": Topic(
        "Reports (moderators)", "Members reported posts for moderators to review.", IMMEDIATELY
    ),
}


@dataclass(frozen=True)
class Kind:
    topic: str
    #: the sentence's verb phrase: "<actor> <verb> <title>"
    verb: str
    #: whether the sentence starts with who did it
    names_actor: bool = True
    #: what the notification's ``text`` is, when the kind stores one
    detail: str = ""


KINDS: dict[str, Kind] = {
    "reply": Kind("replies", "replied in"),
    "quote": Kind("mentions", "quoted you in"),
    "mention": Kind("mentions", "mentioned you in"),
    "new-thread": Kind("replies", "started a new thread:"),
    "report": Kind("reports", "reported a post in"),
    "report-burst": Kind(
        "reports",
        "sent more illegal-material reports than one member's may hide in a day; the post "
        "stays visible and the report waits, urgent, in",
    ),
    "approved": Kind("decisions", "A moderator approved", names_actor=False),
    "sent-back": Kind(
        "decisions", "A moderator sent back", names_actor=False, detail="The moderator's reason"
    ),
    "changes-approved": Kind(
        "decisions", "A moderator approved your changes to", names_actor=False
    ),
    "changes-sent-back": Kind(
        "decisions",
        "A moderator sent back your changes to",
        names_actor=False,
        detail="The moderator's reason",
    ),
    "verified": Kind("account", "A moderator verified your account", names_actor=False),
    "evidence-linked": Kind("evidence", "linked research evidence to"),
    "rating-changed": Kind(
        "ratings", "The evidence rating changed for", names_actor=False, detail="Rating"
    ),
    "need-claimed": Kind("research-needs", "claimed the research need"),
    "need-addressed": Kind("research-needs", "marked as addressed the research need"),
}


def topic_of(kind: str) -> str:
    return KINDS[kind].topic if kind in KINDS else "replies"
