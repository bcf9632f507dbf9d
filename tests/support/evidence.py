"""Evidence as the tests build it: practices and research of any status and visibility
written through the services, and links with findings."""

from kx.accounts.models import User
from kx.database import transaction
from kx.evidence.models import EvidenceLink, Finding
from kx.extensions import db
from kx.practice import services as practice_services
from kx.records import services as records
from kx.research import services as research_services
from kx.research.models import Research


def add_research(app, author, title, design, visibility="public", status="published", **extra):
    with app.app_context():
        user = db.session.get(User, author.id)
        data = {
            "title": title,
            "domains": ["treatment"],
            "study_design": design,
            "visibility": visibility,
            "restricted_sectors": extra.get("sectors", []),
        }
        item = research_services.save_research(user, data)
        with transaction():
            records.set_status(item, status)
            db.session.get(Research, item.id).risk_of_bias = extra.get("risk")
        return item.id


def add_practice(app, author, title, visibility="public", status="published", **fields):
    with app.app_context():
        user = db.session.get(User, author.id)
        data = {
            "title": title,
            "visibility": visibility,
            "restricted_sectors": fields.pop("sectors", []),
            "body": "How the service works.",
            **fields,
        }
        item = practice_services.save_practice(user, data)
        with transaction():
            records.set_status(item, status)
        return item.id


def add_link(app, research_id, practice_id, relation, *findings):
    with app.app_context(), transaction():
        db.session.add(
            EvidenceLink(
                research_id=research_id,
                practice_id=practice_id,
                relation=relation,
                findings=[
                    Finding(position=n, outcome=outcome, direction=direction)
                    for n, (outcome, direction) in enumerate(findings)
                ],
            )
        )
