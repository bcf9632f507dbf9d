"""``KX_MAIL_URL``: every way of writing it that kx accepts, and a start refused, naming
the variable, for one it cannot use."""

import pytest

from kx import create_app
from kx.extensions import db
from kx.mail.settings import MailUrlError, mailman_settings


def _settings(url: str) -> dict:
    return mailman_settings(url, "/srv/kx/instance/mail", "kx <no-reply@kx.example.org>")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://mailer:s%40cret@mail.example.org:587?starttls=1",
            {"MAIL_SERVER": "mail.example.org", "MAIL_PORT": 587, "MAIL_USERNAME": "mailer",
             "MAIL_PASSWORD": "s@cret", "MAIL_USE_TLS": True, "MAIL_USE_SSL": False},
        ),
        (
            "smtps://mailer:pw@mail.example.org",
            {"MAIL_PORT": 465, "MAIL_USE_TLS": False, "MAIL_USE_SSL": True},
        ),
        (
            "smtp://127.0.0.1",
            {"MAIL_PORT": 25, "MAIL_USERNAME": None, "MAIL_PASSWORD": None, "MAIL_USE_TLS": False},
        ),
        ("smtp://relay:2525?timeout=5", {"MAIL_PORT": 2525, "MAIL_TIMEOUT": 5}),
    ],
)  # fmt: skip
def test_smtp_urls_are_read_as_written(url, expected):
    settings = _settings(url)
    assert settings["MAIL_BACKEND"] == "smtp"
    assert {key: settings[key] for key in expected} == expected


def test_without_a_url_messages_go_to_files():
    settings = _settings("")
    assert settings["MAIL_BACKEND"].endswith("EmlFileEmailBackend")
    assert settings["MAIL_FILE_PATH"] == "/srv/kx/instance/mail"


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.org",
        "mail.example.org:25",
        "smtp://",
        "smtp://user:pw@mail.example.org:notaport",
        "smtp://mail.example.org:99999",
        "smtp://mail.example.org/inbox",
        "smtp://mail.example.org?starttls=maybe",
        "smtp://mail.example.org?tls=1",
        "smtps://mail.example.org?starttls=1",
        "smtp://mail.example.org?timeout=0",
    ],
)
def test_a_malformed_url_is_refused_naming_the_variable(url):
    with pytest.raises(MailUrlError, match="KX_MAIL_URL"):
        _settings(url)


def test_the_refusal_never_shows_the_password():
    with pytest.raises(MailUrlError) as refused:
        _settings("smtp://mailer:hunter2-secret@mail.example.org/x")
    assert "hunter2-secret" not in str(refused.value)


def test_the_app_refuses_to_start_with_a_malformed_url(app, monkeypatch):
    monkeypatch.setenv("KX_MAIL_URL", "smtp//mail.example.org")
    config = {n: app.config[n] for n in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")}
    with pytest.raises(RuntimeError, match="KX_MAIL_URL"):
        create_app(config)


def test_the_app_starts_with_a_good_url_and_sender(app, monkeypatch):
    monkeypatch.setenv("KX_MAIL_URL", "smtp://mail.example.org:587?starttls=1")
    monkeypatch.setenv("KX_MAIL_FROM", "Knowledge exchange <kx@example.org>")
    config = {n: app.config[n] for n in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")}
    other = create_app(config)
    try:
        assert other.config["MAIL_SERVER"] == "mail.example.org"
        assert other.config["MAIL_FROM"] == "Knowledge exchange <kx@example.org>"
    finally:
        with other.app_context():
            db.engine.dispose()
