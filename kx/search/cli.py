"""``flask --app kx search reindex|check``"""

import click
from flask.cli import AppGroup

from kx.search import documents, indexing

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def reindex_command():
    """Rebuild the index from the database into a fresh directory and swap it in."""
    total = documents.expected_count()
    with click.progressbar(length=total, label="Indexing") as bar:
        count = indexing.reindex(progress=bar.update)
    click.echo(f"Indexed {count} items.")


@search_cli.command("check")
def check_command():
    """Compare the index with the database; exit 1 on drift."""
    expected = documents.expected_count()
    problems = indexing.drift()
    indexed = len(indexing.backend().stamps())
    click.echo(f"database: {expected} searchable items; index: {indexed} documents")
    for kind, keys in problems.items():
        if keys:
            click.echo(f"{kind}: {' '.join(keys)}")
    if any(problems.values()):
        click.echo("Drift found: run `flask --app kx search reindex`.")
        raise SystemExit(1)
    click.echo("Index and database agree.")
