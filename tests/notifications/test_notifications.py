"""Notifications that matter: decisions, verification, evidence and ratings, research needs,
replies; mail at once or in summaries, preferences, one-click unsubscribe, and never a word
about what the recipient can no longer see."""

import re

import pytest

from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.evidence import services as evidence
from kx.extensions import db
from kx.forum import moderation
from kx.forum import services as forum
from kx.forum.models import Thread
from kx.notifications import services as notifications
from kx.practice.models import Practice
from kx.research.models import Research
from tests.support.browser import submit
from tests.support.search import Kx
from tests.support.smtp import text_of


@pytest.fixture
def people(make_user):
    return {
        "author": make_user(sector="law-enforcement", display_name="Alex Author"),
        "other": make_user(sector="treatment", display_name="Olive Other"),
        "academic": make_user(sector="academic", display_name="Ada Academic"),
        "moderator": make_user(role="moderator", sector="policy"),
    }


@pytest.fixture
def kx(app, people):
    return Kx(app, {name: person.id for name, person in people.items()})


def kinds_for(kx, name) -> list[str]:
    with kx.app.app_context():
        return [n.kind for n in reversed(notifications.notifications(kx.user(name)))]


@pytest.fixture
def signed_in(app, people, login):
    def open_as(name):
        client = app.test_client()
        login(client, people[name])
        return client

    return open_as


def test_a_decision_is_mailed_at_once_and_opening_the_item_reads_it(mail_app, smtp, kx, signed_in):
    sent_back = kx.practice("Helpline pilot", body="How it works.", by="author")
    kx.review("practice", sent_back, "reject", reason="Please remove the name of the town.")
    approved = kx.practice("Circles of support", body="How it works.", by="author")
    kx.review("practice", approved, "approve")
    first, second = smtp.wait_for(2)
    base = mail_app.config["BASE_URL"]
    with mail_app.app_context():
        address = kx.user("author").email
    assert first["To"] == second["To"] == address
    assert "A moderator sent back your practice example “Helpline pilot”" in first["Subject"]
    body = text_of(first)
    assert "Please remove the name of the town." in body and f"{base}/practices/{sent_back}" in body
    assert re.fullmatch(
        rf"<{re.escape(base)}/notifications/unsubscribe/\S+>", first["List-Unsubscribe"].strip()
    )
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "approved your practice example “Circles of support”" in second["Subject"]

    author = signed_in("author")
    page = author.get("/notifications").get_data(as_text=True)
    assert "2 unread" in page and "reason: Please remove the name of the town." in page
    assert author.get(f"/practices/{sent_back}").status_code == 200
    assert "1 unread" in author.get("/notifications").get_data(as_text=True)


def test_verification_mail_unsubscribes_in_one_click_without_signing_in(
    mail_app, smtp, kx, make_user
):
    newcomer = make_user(verified=False, display_name="Nia New")
    with mail_app.app_context():
        accounts.verify_user(kx.user("moderator"), db.session.get(User, newcomer.id))
    (message,) = [m for m in smtp.wait_for(2) if "verified your account" in m["Subject"]]
    path = message["List-Unsubscribe"].strip().strip("<>").removeprefix(mail_app.config["BASE_URL"])
    visitor = mail_app.test_client()
    confirm = visitor.get(path)
    assert confirm.status_code == 200
    assert "Your account" in confirm.get_data(as_text=True) and 'method="post"' in confirm.get_data(
        as_text=True
    )
    # a mail client's one-click POST carries no session and no CSRF token
    done = visitor.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and "Unsubscribed" in done.get_data(as_text=True)
    assert visitor.post(path[:-3] + "xyz").status_code == 404
    with mail_app.app_context():
        settings = notifications.preferences(db.session.get(User, newcomer.id))
    assert settings["account"] == "off" and settings["decisions"] == "immediately"


def test_evidence_and_rating_changes_reach_the_author_only_about_what_they_may_see(kx):
    practice = kx.practice("Circles of support", body="How it works.", by="author")
    kx.review("practice", practice, "approve")
    public = kx.research("A trial of circles", study_design="rct", visibility="public")
    hidden = kx.research(
        "A restricted trial",
        study_design="rct",
        visibility="restricted",
        restricted_sectors=["treatment"],
    )
    finding = [{"outcome": "sexual-reoffending", "direction": "positive"}]
    with kx.app.app_context():
        other, item = kx.user("other"), db.session.get(Practice, practice)
        evidence.link_evidence(
            other, item, db.session.get(Research, hidden), "evaluates", "", finding
        )
    assert kinds_for(kx, "author") == ["approved"]  # a study hidden from them changes nothing
    with kx.app.app_context():
        other, item = kx.user("other"), db.session.get(Practice, practice)
        evidence.link_evidence(
            other, item, db.session.get(Research, public), "evaluates", "", finding
        )
        shown = [
            notifications.present(n, kx.user("author"))
            for n in notifications.notifications(kx.user("author"))
        ]
        texts = [s.sentence() + s.detail for s in shown]
    assert kinds_for(kx, "author") == ["approved", "evidence-linked", "rating-changed"]
    assert (
        "Olive Other linked research evidence to your practice example “Circles of support”"
        in texts
    )
    assert any("from Insufficient evidence to" in text for text in texts)
    assert kinds_for(kx, "other") == []


def test_voters_hear_when_their_research_need_is_claimed_and_addressed(kx):
    research = kx.research("An answer", visibility="public")
    with kx.app.app_context():
        need = forum.create_thread(
            kx.user("author"),
            category="cross-disciplinary",
            kind="research-need",
            title="Does outreach work?",
            body="We need to know.",
        )
        forum.vote(kx.user("other"), need)
        forum.set_need_status(kx.user("academic"), need, "claimed")
        forum.set_need_status(
            kx.user("academic"),
            db.session.get(Thread, need.id),
            "addressed",
            db.session.get(Research, research),
        )
    assert kinds_for(kx, "other") == ["need-claimed", "need-addressed"]
    assert kinds_for(kx, "academic") == []


def test_daily_summary_groups_once_and_leaves_out_what_is_gone(mail_app, smtp, kx, signed_in):
    with mail_app.app_context():
        author = kx.user("author")
        kept = forum.create_thread(
            author,
            category="cross-disciplinary",
            kind="discussion",
            title="Still here",
            body="Thoughts?",
        )
        gone = forum.create_thread(
            author,
            category="cross-disciplinary",
            kind="discussion",
            title="Soon gone",
            body="Thoughts?",
        )
        kept_id, gone_id = kept.id, gone.id
        for name in ("other", "academic"):
            forum.reply(kx.user(name), db.session.get(Thread, kept_id), f"From {name}.")
        forum.reply(kx.user("other"), db.session.get(Thread, gone_id), "Gone soon.")
        moderation.moderate_thread(kx.user("moderator"), db.session.get(Thread, gone_id), "delete")
    page = signed_in("author").get("/notifications").get_data(as_text=True)
    assert "Ada Academic and Olive Other" in page and "(2 replies)" in page
    assert "Soon gone" not in page

    with mail_app.app_context():
        address = kx.user("author").email
        # the author, and the other member, who follows the thread they replied in
        assert notifications.send_summaries("daily") == 2
        assert notifications.send_summaries("daily") == 0  # nothing twice
        assert notifications.send_summaries("weekly") == 0  # replies are a daily topic
    smtp.wait_for(2)
    (message,) = smtp.to(address)
    body = text_of(message)
    assert "Your daily summary: 2 notifications" in message["Subject"]
    assert body.count("replied in “Still here”") == 2 and "Soon gone" not in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_preferences_page_shows_errors_beside_the_field_and_saves(app, kx, signed_in):
    client = signed_in("author")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'name="decisions"' in page and '<option selected value="immediately">' in page
    response = submit(
        client, "/notifications/preferences", {"decisions": "hourly", "replies": "weekly"}
    )
    assert response.status_code == 422
    assert re.search(r'<ul class="errors" id="decisions-errors">', response.get_data(as_text=True))
    values = {"decisions": "daily", "replies": "off"}
    assert submit(client, "/notifications/preferences", values).status_code == 302
    with app.app_context():
        settings = notifications.preferences(kx.user("author"))
    assert settings["decisions"] == "daily" and settings["replies"] == "off"
    assert settings["account"] == "immediately"
