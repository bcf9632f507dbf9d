"""``flask --app kx search reindex|check`` and the installed Whoosh distribution."""

from importlib import metadata
from pathlib import Path

import pytest

from kx.extensions import db
from kx.practice.models import Practice
from kx.search import documents, indexing

TEXT = "A confidential helpline offers anonymous advice to adults worried about their thoughts."


@pytest.fixture
def three(kx):
    ids = [kx.practice(f"Helpline {n}", TEXT) for n in range(2)]
    ids.append(kx.research("Helpline study", TEXT))
    kx.practice("Draft helpline", TEXT, submit=False)
    return ids


def run(kx, *args):
    return kx.app.test_cli_runner().invoke(args=["search", *args])


def test_reindex_prints_progress_and_the_count(kx, three):
    result = run(kx, "reindex")

    assert result.exit_code == 0, result.output
    assert "Indexing" in result.output
    assert "Indexed 3 items." in result.output
    assert kx.search("helpline", "moderator").total == 3


def test_reindex_of_an_empty_database(kx):
    result = run(kx, "reindex")

    assert result.exit_code == 0, result.output
    assert "Indexed 0 items." in result.output


def test_check_exits_0_when_index_and_database_agree(kx, three):
    result = run(kx, "check")

    assert result.exit_code == 0, result.output
    assert "database: 3 searchable items; index: 3 documents" in result.output
    assert "Index and database agree." in result.output


@pytest.mark.whoosh_only(reason="the outbox feeds Whoosh; PostgreSQL has no rows waiting")
def test_check_applies_waiting_outbox_rows_first(kx, three, monkeypatch):
    monkeypatch.setattr(indexing, "apply_outbox", lambda timeout=None: 0)
    item = kx.practice("Waiting helpline", TEXT)  # committed; its index write never ran
    monkeypatch.undo()
    assert kx.outbox() == {f"practice:{item}"}

    result = run(kx, "check")

    assert result.exit_code == 0, result.output
    assert kx.outbox() == set()


def test_check_lists_a_missing_document_and_exits_non_zero(kx, three):
    with kx.app.app_context():
        indexing.backend().index([], [f"practice:{three[0]}"])

    result = run(kx, "check")

    assert result.exit_code == 1, result.output
    assert "index: 2 documents" in result.output
    assert f"missing: practice:{three[0]}" in result.output
    assert "Drift found" in result.output


def test_check_lists_a_stale_document(kx, three):
    with kx.app.app_context():
        item = db.session.get(Practice, three[1])
        stale = documents.MAPPINGS["practice"].to_document(item)
        stale["title"], stale["stamp"] = "An old title", "an old stamp"
        indexing.backend().index([stale], [])

    result = run(kx, "check")

    assert result.exit_code == 1, result.output
    assert f"stale: practice:{three[1]}" in result.output
    assert "missing" not in result.output


def test_check_lists_an_extra_document(kx, three):
    with kx.app.app_context():
        item = db.session.get(Practice, three[0])
        ghost = documents.MAPPINGS["practice"].to_document(item)
        ghost["key"], ghost["id"] = "practice:999999", 999999
        indexing.backend().index([ghost], [])

    result = run(kx, "check")

    assert result.exit_code == 1, result.output
    assert "extra: practice:999999" in result.output


def test_reindex_repairs_what_check_found(kx, three):
    with kx.app.app_context():
        indexing.backend().index([], [f"practice:{three[0]}", f"research:{three[2]}"])
    assert run(kx, "check").exit_code == 1

    assert run(kx, "reindex").exit_code == 0

    result = run(kx, "check")
    assert result.exit_code == 0, result.output


@pytest.mark.whoosh_only(reason="the Whoosh distribution installed")
def test_whoosh_reloaded_is_installed_and_upstream_whoosh_is_not():
    """Both distributions install the ``whoosh`` package and overwrite each other's files;
    flask-whooshee and Flask-WhooshAlchemy(3) would pull upstream Whoosh back in."""
    reloaded = metadata.distribution("whoosh-reloaded")
    assert reloaded.version.startswith("2.7.")
    for name in ("whoosh", "flask-whooshee", "flask-whooshalchemy", "flask-whooshalchemy3"):
        with pytest.raises(metadata.PackageNotFoundError):
            metadata.distribution(name)
    assert metadata.packages_distributions()["whoosh"] == [reloaded.metadata["Name"]]

    import whoosh

    files = {Path(reloaded.locate_file(file)).resolve() for file in reloaded.files}
    assert Path(whoosh.__file__).resolve() in files
