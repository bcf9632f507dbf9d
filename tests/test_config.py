"""Settings from the environment: the base URL decides HTTPS, and a production start
refuses rate-limit counters that each worker would keep alone."""

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kx import create_app
from kx.extensions import db
from tests.support.browser import submit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


@pytest.fixture
def environment(app, monkeypatch):
    """``start(settings, **variables)`` -> an app on the test database built from these
    ``KX_*`` variables (and ``create_app`` settings, if any)."""
    for name in ("KX_BASE_URL", "KX_HTTPS"):
        monkeypatch.delenv(name, raising=False)
    made = []

    def start(settings: dict | None = None, **variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        names = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SEARCH_INDEX_DIR")
        made.append(create_app({**{n: app.config[n] for n in names}, **(settings or {})}))
        return made[-1]

    yield start
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def cookie_flags(response) -> dict[str, list[str]]:
    return {
        header.split("=", 1)[0]: [part.strip().lower() for part in header.split(";")[1:]]
        for header in response.headers.getlist("Set-Cookie")
    }


def test_the_base_url_defaults_to_the_development_server(environment):
    app = environment()
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    assert not app.config["HTTPS"]


def test_an_https_base_url_turns_on_https_without_kx_https(environment, make_user, caplog):
    caplog.set_level(logging.WARNING)
    app = environment(KX_BASE_URL="https://kx.example.org/")
    assert app.config["BASE_URL"] == "https://kx.example.org"
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    browser = app.test_client()
    browser.environ_base["HTTP_REFERER"] = "https://localhost/"  # as a browser sends it
    user = make_user()

    response = submit(
        browser, "/login", {"email": user.email, "password": user.password, "remember": "y"}
    )

    assert response.status_code == 302
    flags = cookie_flags(response)
    for name in ("session", "remember_token", "kx_device"):
        assert "secure" in flags[name], name
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert not caplog.records  # nothing disagrees


@pytest.mark.parametrize(
    ("base_url", "flag", "https"),
    [("https://kx.example.org", "0", True), ("http://kx.example.org", "1", True)],
)
def test_kx_https_disagreeing_with_the_base_url_is_logged(
    environment, caplog, base_url, flag, https
):
    caplog.set_level(logging.WARNING)
    app = environment(KX_BASE_URL=base_url, KX_HTTPS=flag)
    assert app.config["HTTPS"] is https
    assert app.config["SESSION_COOKIE_SECURE"] is https
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "KX_HTTPS" in record.getMessage()
    assert f"KX_BASE_URL={base_url}" in record.getMessage()


@pytest.mark.parametrize(
    ("base_url", "flag"), [("https://kx.example.org", "1"), ("http://localhost:5000", "0")]
)
def test_agreeing_settings_are_not_logged(environment, caplog, base_url, flag):
    caplog.set_level(logging.WARNING)
    environment(KX_BASE_URL=base_url, KX_HTTPS=flag)
    assert not caplog.records


@pytest.mark.parametrize("base_url", ["kx.example.org", "ftp://kx.example.org", "https://", "/"])
def test_a_base_url_that_is_not_absolute_http_refuses_to_start(environment, base_url):
    with pytest.raises(RuntimeError, match="KX_BASE_URL"):
        environment(KX_BASE_URL=base_url)


def test_an_https_base_url_given_as_a_setting_turns_on_https_too(app, environment):
    https = environment({"BASE_URL": "https://kx.example.org"})
    assert https.config["SESSION_COOKIE_SECURE"]
    assert https.config["REMEMBER_COOKIE_SECURE"]
    response = https.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers


# The production server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(database_url, tmp_path, **variables) -> subprocess.Popen:
    """``gunicorn -c gunicorn.conf.py`` with these variables and none of ours besides."""
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith("KX_") and k != "WEB_CONCURRENCY"
    }
    env = {
        **inherited,
        "KX_SECRET_KEY": "gunicorn test key",
        "KX_DATABASE_URL": database_url,
        "KX_SEARCH_INDEX_DIR": str(tmp_path / "index"),
        **variables,
    }
    return subprocess.Popen(  # noqa: S603  (our own gunicorn, no shell)
        [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_gunicorn_refuses_several_workers_counting_rate_limits_alone(database_url, tmp_path):
    server = gunicorn(database_url, tmp_path, KX_BIND=f"127.0.0.1:{free_port()}")
    _out, err = server.communicate(timeout=30)
    assert server.returncode != 0
    assert "KX_RATELIMIT_STORAGE_URI" in err
    assert "2 worker processes" in err


def test_gunicorn_serves_with_shared_rate_limits(database_url, tmp_path):
    port = free_port()
    server = gunicorn(
        database_url,
        tmp_path,
        KX_BIND=f"127.0.0.1:{port}",
        KX_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        WEB_CONCURRENCY="2",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[1]
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=2) as page:  # noqa: S310
                    assert page.status == 200
                    assert re.search(r'name="csrf_token"', page.read().decode())
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.communicate(timeout=30)
