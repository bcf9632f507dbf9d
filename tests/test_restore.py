"""A backup made as docs/deploying.md says restores into a working site: the database
copied while kx runs (SQLite's online backup, or ``pg_dump``), put back into an empty
database, upgraded, the index rebuilt from it, and then members sign in and find what
they wrote. Runs on whichever database the suite runs on."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import make_url

from kx import create_app
from kx.extensions import db
from tests.support.database import driver_url
from tests.support.practice import add_practice

FLASK = Path(sys.executable).parent / "flask"
TITLE = "Restored circles of support in a rural county"


def backup_and_restore(url: str, tmp_path: Path) -> str:
    """The URL of a new database restored from a backup of ``url``."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        restored = tmp_path / "restored.db"
        with sqlite3.connect(parsed.database) as live, sqlite3.connect(restored) as copy:
            live.backup(copy)
        return f"sqlite:///{restored}"
    dump = tmp_path / "kx.dump"
    server = ["-h", parsed.host, "-p", str(parsed.port or 5432), "-U", parsed.username]
    subprocess.run(["pg_dump", *server, "-Fc", "-d", parsed.database, "-f", str(dump)], check=True)  # noqa: S603, S607
    name = f"{parsed.database}_restored"
    subprocess.run(["dropdb", *server, "--if-exists", "--force", name], check=True)  # noqa: S603, S607
    subprocess.run(["createdb", *server, name], check=True)  # noqa: S603, S607
    subprocess.run(["pg_restore", *server, "-d", name, str(dump)], check=True)  # noqa: S603, S607
    return parsed.set(database=name).render_as_string(hide_password=False)


def flask(url: str, index: Path, *command: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KX_")}
    env.update(KX_DATABASE_URL=url, KX_SEARCH_INDEX_DIR=str(index), KX_SECRET_KEY="restore")
    return subprocess.run(  # noqa: S603 (our own flask)
        [str(FLASK), "--app", "kx", *command], env=env, capture_output=True, text=True
    )


def test_a_backup_restores_into_a_site_that_finds_what_members_wrote(
    app, database_url, make_user, login, tmp_path
):
    author = make_user()
    add_practice(app, author, title=TITLE, submit=True, approve_by=make_user(role="moderator"))

    restored = backup_and_restore(database_url, tmp_path)
    index = tmp_path / "restored-index"
    for command in (("db", "upgrade"), ("search", "reindex"), ("search", "check")):
        done = flask(restored, index, *command)
        assert done.returncode == 0, (command, done.stdout, done.stderr)

    site = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "restore",
            "SQLALCHEMY_DATABASE_URI": driver_url(restored),
            "SEARCH_INDEX_DIR": str(index),
        }
    )
    client = site.test_client()
    login(client, author)
    assert TITLE in client.get("/search?q=restored circles").get_data(as_text=True)
    with site.app_context():
        db.engine.dispose()
