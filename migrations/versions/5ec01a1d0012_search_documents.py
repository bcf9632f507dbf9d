"""search documents: the PostgreSQL search backend's documents and words

Revision ID: 5ec01a1d0012
Revises: 5ec01a1d0013
Create Date: 2026-12-06 05:00:00.000000

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "5ec01a1d0012"
down_revision = "5ec01a1d0013"
branch_labels = None
depends_on = None

LIST = postgresql.ARRAY(sa.Text()).with_variant(sa.JSON(), "sqlite")


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        # English stems with accents folded first, as the Whoosh analyzer does
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS kx_english")
        op.execute("CREATE TEXT SEARCH CONFIGURATION kx_english (COPY = english)")
        op.execute(
            "ALTER TEXT SEARCH CONFIGURATION kx_english "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
        )
    op.create_table(
        "search_documents",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("domains", LIST, nullable=False),
        sa.Column("countries", LIST, nullable=False),
        sa.Column("sectors", LIST, nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("prevention_level", sa.String(length=40), nullable=False),
        sa.Column("study_design", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("published", sa.DateTime(), nullable=False),
        sa.Column("stamp", sa.String(length=40), nullable=False),
        sa.Column(
            "vector", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=False
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(
        "ix_search_documents_vector", "search_documents", ["vector"], postgresql_using="gin"
    )
    op.create_index("ix_search_documents_published", "search_documents", ["published"])
    op.create_table(
        "search_words",
        sa.Column(
            'word',
            sa.String(length=30).with_variant(sa.String(length=30, collation='C'), 'postgresql'),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("word"),
    )


def downgrade():
    op.drop_table("search_words")
    op.drop_index("ix_search_documents_published", table_name="search_documents")
    op.drop_index("ix_search_documents_vector", table_name="search_documents")
    op.drop_table("search_documents")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS kx_english")
