"""kx: knowledge exchange on preventing and managing online child sexual offending."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides the defaults and ``KX_*`` environment variables."""
    from flask import Flask

    from kx.config import instance_path

    app = Flask(
        __name__,
        instance_path=instance_path(),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    register_config(app, config or {})
    register_extensions(app)
    register_security(app)
    register_errors(app)
    register_templates(app)
    register_blueprints(app)
    register_notification_targets(app)
    register_search(app)
    register_evidence_cache(app)
    register_mail(app)
    register_worker(app)
    register_commands(app)
    return app


def register_config(app: Flask, overrides: dict) -> None:
    from kx import config

    app.config.from_mapping(config.load(Path(app.instance_path)))
    app.config.from_mapping(overrides)


def register_extensions(app: Flask) -> None:
    from kx import models  # noqa: F401  (every table in the metadata, for Alembic too)
    from kx.database import configure_sqlite, engine_options
    from kx.extensions import csrf, db, limiter, login_manager, migrate

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(uri))
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def register_security(app: Flask) -> None:
    from kx import security

    security.init_app(app)


def register_errors(app: Flask) -> None:
    from kx import errors

    errors.init_app(app)


def register_templates(app: Flask) -> None:
    from kx import templating
    from kx.research import metadata

    templating.init_app(app)
    metadata.init_app(app)


def register_blueprints(app: Flask) -> None:
    from kx.accounts.views import accounts, admin
    from kx.api import api
    from kx.digests.views import digests
    from kx.editing import editing
    from kx.evidence.views import evidence
    from kx.favicon import favicon
    from kx.forum.views import forum
    from kx.health import health
    from kx.home import home
    from kx.notifications.views import notifications
    from kx.practice.views import practice
    from kx.research.views import research
    from kx.review.views import review
    from kx.search.views import search_pages
    from kx.topics.views import topics

    for blueprint in (
        home,
        accounts,
        admin,
        practice,
        research,
        evidence,
        review,
        forum,
        notifications,
        digests,
        search_pages,
        topics,
        editing,
        api,
        health,
        favicon,
    ):
        app.register_blueprint(blueprint)


def register_notification_targets(app: Flask) -> None:
    """Notifications can be about any record kind; the kinds sit above the notifications
    package, so they are handed to it here."""
    from kx.kinds import KINDS
    from kx.notifications import targets

    for kind in KINDS.values():
        targets.register(
            kind.item_type,
            targets.Target(
                get=kind.get,
                query=kind.query,
                model=kind.model,
                endpoint=kind.endpoint,
                id_arg=kind.id_arg,
                singular=kind.singular,
            ),
        )


def register_search(app: Flask) -> None:
    from kx import search

    search.init_app(app)


def register_evidence_cache(app: Flask) -> None:
    from kx.evidence import versions

    versions.init_app(app)


def register_mail(app: Flask) -> None:
    from kx import mail

    mail.init_app(app)


def register_worker(app: Flask) -> None:
    from kx import worker

    worker.init_app(app)


def register_commands(app: Flask) -> None:
    from kx.accounts.cli import users_cli
    from kx.demo import demo_cli
    from kx.digests.cli import digests_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(digests_cli)
