"""search documents made narrow, as every match of a broad query reads their rows: what a hit
shows moves to search_texts, and the facets are three columns grouped by in turn

Revision ID: 5ec01a1d0019
Revises: 5ec01a1d0018
Create Date: 2026-12-07 00:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "5ec01a1d0019"
down_revision = "5ec01a1d0018"
branch_labels = None
depends_on = None

VECTOR = postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite")
MOVED = ("item_id", "title", "text", "tags", "stamp", "head")
FACETS = ("facet_kind", "facet_domains", "facet_countries")


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "search_texts",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("stamp", sa.String(length=40), nullable=False),
        sa.Column("head", VECTOR, nullable=False),
        sa.ForeignKeyConstraint(
            ["key"],
            ["search_documents.key"],
            name=op.f("fk_search_texts_key_search_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_search_texts")),
    )
    if postgres:
        op.execute(
            f"INSERT INTO search_texts (key, {', '.join(MOVED)})"
            f" SELECT key, {', '.join(MOVED)} FROM search_documents"
        )
    op.create_index(
        "ix_search_texts_head",
        "search_texts",
        ["head"],
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
    )
    with op.batch_alter_table("search_documents") as batch:
        for column in FACETS:
            batch.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=""))
    if postgres:
        # kx.search.postgres.store.facet_columns at this revision: type, prevention level
        # and study design joined by U+001F, the domains and the countries by U+001E
        op.execute(
            "UPDATE search_documents SET"
            " facet_kind = concat_ws(chr(31), type, prevention_level, study_design),"
            " facet_domains = array_to_string(domains, chr(30)),"
            " facet_countries = array_to_string(countries, chr(30))"
        )
    with op.batch_alter_table("search_documents") as batch:
        for column in FACETS:
            batch.alter_column(column, server_default=None)
        for column in (*MOVED, "facet_key"):
            batch.drop_column(column)
    if postgres:
        # a dropped column keeps its place in every row until the row is written again:
        # rewritten now, the rows are as narrow as new ones (CLUSTER may run in a
        # transaction, VACUUM FULL may not)
        op.execute("CLUSTER search_documents USING pk_search_documents")
        op.execute("ALTER TABLE search_documents SET WITHOUT CLUSTER")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("search_documents") as batch:
        batch.add_column(sa.Column("item_id", sa.Integer(), nullable=False, server_default="0"))
        for column in ("title", "text", "tags", "facet_key"):
            batch.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("stamp", sa.String(length=40), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("head", VECTOR, nullable=False, server_default=""))
    if postgres:
        op.execute(
            f"UPDATE search_documents d SET {', '.join(f'{c} = t.{c}' for c in MOVED)},"
            " facet_key = concat_ws(chr(31), d.type, array_to_string(d.domains, chr(30)),"
            " array_to_string(d.countries, chr(30)), d.prevention_level, d.study_design)"
            " FROM search_texts t WHERE t.key = d.key"
        )
    with op.batch_alter_table("search_documents") as batch:
        for column in (*MOVED, "facet_key"):
            batch.alter_column(column, server_default=None)
        for column in FACETS:
            batch.drop_column(column)
    op.drop_index("ix_search_texts_head", table_name="search_texts")
    op.drop_table("search_texts")
