"""The outbox on a real SMTP server: a message goes out after the commit that queued it,
carries what mail clients need, survives an outage, is retried with backoff and is never
sent twice by two senders at once."""

import threading
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from kx.database import transaction, utcnow
from kx.extensions import db
from kx.mail import deliver_due, delivery, queue_mail
from kx.mail.models import OutboxMessage
from kx.mail.outbox import sanitise_html
from tests.support.smtp import html_of, text_of

READER = SimpleNamespace(id=None, email="reader@example.org", display_name="Rea Der")


def queue(app, to: str = READER.email, template: str = "test", subject: str = "Hello") -> int:
    with app.app_context(), transaction():
        return queue_mail(SimpleNamespace(id=None, email=to), template, subject).id


def outbox(app) -> list[SimpleNamespace]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        columns = [c.key for c in OutboxMessage.__table__.columns]
        return [SimpleNamespace(**{c: getattr(r, c) for c in columns}) for r in rows]


def wait_until(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def held(monkeypatch):
    """No sending after commits: the test calls ``deliver_due`` itself."""
    monkeypatch.setattr(delivery, "deliver_soon", lambda app: None)


def test_a_queued_message_goes_out_after_the_commit_with_what_clients_need(mail_app, smtp):
    message_id = queue(mail_app, subject="Hello there")
    [message] = smtp.wait_for(1)
    wait_until(lambda: outbox(mail_app)[0].status == "sent")
    [row] = outbox(mail_app)
    assert row.id == message_id and row.attempts == 0
    assert message["Message-ID"] == row.message_id and row.message_id.endswith("@127.0.0.1>")
    assert message["From"] == mail_app.config["MAIL_FROM"]
    assert message["To"] == READER.email
    assert message["Subject"] == "[kx] Hello there"
    assert abs(parsedate_to_datetime(message["Date"]).replace(tzinfo=None) - utcnow()) < (
        timedelta(minutes=1)
    )
    assert "mail from kx reaches this address" in text_of(message)
    assert mail_app.config["BASE_URL"] in text_of(message)
    assert row.body_text == "" and row.body_html is None  # a sent body is not kept


def test_a_message_with_an_html_part_keeps_plain_text_first(mail_app, smtp, make_user):
    user = make_user(verified=False, display_name="<script>alert(1)</script> Ann")
    [message] = smtp.wait_for(1)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert "Confirm your e-mail address" in message["Subject"]
    assert user.email in text_of(message)
    assert "<script>" not in html_of(message) and "&lt;script&gt;" in html_of(message)


def test_html_is_sanitised_to_text_structure_and_links():
    html = sanitise_html(
        '<p onclick="steal()">Hi <img src="https://tracker.example/p.gif">'
        '<a href="javascript:steal()">bad</a> <a href="https://kx.example.org/x">good</a>'
        "<style>p{}</style><script>steal()</script></p>"
    )
    assert "onclick" not in html and "<img" not in html and "javascript:" not in html
    assert "<script" not in html and "<style" not in html
    assert '<a href="https://kx.example.org/x">good</a>' in html


def test_a_rolled_back_change_queues_and_sends_nothing(mail_app, smtp):
    with pytest.raises(RuntimeError), mail_app.app_context(), transaction():
        queue_mail(READER, "test", "Never")
        raise RuntimeError("the change fails")
    queue(mail_app, to="later@example.org")  # a later message proves the sender ran
    smtp.wait_for(1)
    time.sleep(0.2)
    assert [m["To"] for m in smtp.messages] == ["later@example.org"]
    assert [row.recipient for row in outbox(mail_app)] == ["later@example.org"]


def test_queueing_outside_a_transaction_is_a_programming_error(app):
    with app.app_context(), pytest.raises(RuntimeError, match="transaction"):
        queue_mail(READER, "test", "Nowhere")


def test_mail_waits_through_an_smtp_outage_and_goes_out_when_it_ends(mail_app, smtp, client):
    smtp.stop()
    queue(mail_app)
    wait_until(lambda: outbox(mail_app)[0].attempts >= 1)
    [row] = outbox(mail_app)
    assert row.status == "pending" and "Connection" in row.last_error
    assert row.body_text  # nothing is lost

    smtp.start()
    assert client.get("/").status_code == 200  # any request looks for waiting mail
    [message] = smtp.wait_for(1)
    assert message["Message-ID"] == row.message_id
    wait_until(lambda: outbox(mail_app)[0].status == "sent")


def test_failures_back_off_exponentially_up_to_a_ceiling(mail_app, smtp, held):
    mail_app.config.update(MAIL_RETRY_SECONDS=30, MAIL_RETRY_MAX_SECONDS=100)
    smtp.stop()
    queue(mail_app)
    waits = []
    for _attempt in range(4):
        with mail_app.app_context():
            before = utcnow()
            assert deliver_due() == 0
            assert deliver_due() == 0  # not due again yet: nothing is tried
            row = db.session.scalar(select(OutboxMessage))
            waits.append(round((row.next_attempt_at - before).total_seconds() / 10) * 10)
            row.next_attempt_at = before  # as if the wait were over
            db.session.commit()
    assert waits == [30, 60, 100, 100]
    assert outbox(mail_app)[0].attempts == 4

    smtp.start()
    with mail_app.app_context():
        assert deliver_due() == 1
    assert len(smtp.wait_for(1)) == 1


def test_a_message_claimed_by_another_sender_waits_for_its_lease(mail_app, smtp, held):
    queue(mail_app)
    with mail_app.app_context():
        db.session.execute(
            update(OutboxMessage).values(claimed_until=utcnow() + timedelta(minutes=5))
        )
        db.session.commit()
        assert deliver_due() == 0  # another worker holds it
        db.session.execute(
            update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert deliver_due() == 1  # that worker died: its lease ran out
    assert len(smtp.wait_for(1)) == 1


def test_concurrent_senders_never_send_a_message_twice(mail_app, smtp, held):
    for n in range(30):
        queue(mail_app, to=f"reader{n}@example.org")
    start = threading.Barrier(4)
    sent = []

    def sender():
        with mail_app.app_context():
            start.wait()
            sent.append(deliver_due(limit=30))

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(sent) == 30
    messages = smtp.wait_for(30)
    time.sleep(0.2)
    assert len(smtp.messages) == 30
    assert len({m["Message-ID"] for m in messages}) == 30
    assert {row.status for row in outbox(mail_app)} == {"sent"}


def test_a_recipient_refused_for_good_is_not_retried_and_spares_the_rest(mail_app, smtp, held):
    queue(mail_app, to="refused@example.org")
    queue(mail_app, to="reader@example.org")
    with mail_app.app_context():
        assert deliver_due() == 1
        assert deliver_due() == 0
    refused, accepted = outbox(mail_app)
    assert (refused.status, refused.attempts) == ("failed", 1) and "550" in refused.last_error
    assert accepted.status == "sent"
    assert [m["To"] for m in smtp.wait_for(1)] == ["reader@example.org"]


def test_without_an_smtp_server_each_message_is_an_eml_file(app):
    queue(app, subject="On disk")
    directory = Path(app.config["MAIL_DIR"])
    wait_until(lambda: list(directory.glob("*.eml")))
    [path] = directory.glob("*.eml")
    text = path.read_text()
    assert "Subject: [kx] On disk" in text and "Message-ID: <" in text
    assert "To: reader@example.org" in text


def test_the_deliver_command_sends_what_waited(mail_app, smtp, held):
    smtp.stop()
    queue(mail_app)
    queue(mail_app, to="second@example.org")
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0 and "Sent 0 message(s); 2 waiting" in result.output
    smtp.start()
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0 and "Sent 2 message(s); 0 waiting" in result.output
    assert len(smtp.wait_for(2)) == 2


def test_the_test_command_says_whether_the_server_took_the_message(mail_app, smtp):
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "test", "ops@example.org"])
    assert result.exit_code == 0, result.output
    assert smtp.wait_for(1)[0]["To"] == "ops@example.org"
    smtp.stop()
    result = runner.invoke(args=["mail", "test", "ops@example.org"])
    assert result.exit_code == 1 and "Not sent" in result.output
