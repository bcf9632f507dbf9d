"""search documents: a small title-and-tags vector to rank by, and a GIN index without a
pending list

Revision ID: 5ec01a1d0016
Revises: 5ec01a1d0012
Create Date: 2026-12-06 08:40:00.000000

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "5ec01a1d0016"
down_revision = "5ec01a1d0012"
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    # title A and tags B only: short enough to stay in the row, so that choosing which
    # matches to rank never reads the whole document's vector
    op.add_column(
        "search_documents",
        sa.Column(
            "head",
            postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"),
            nullable=False,
            server_default="",
        ),
    )
    if postgres:
        op.execute(
            "UPDATE search_documents SET head ="
            " setweight(to_tsvector('kx_english', title), 'A')"
            " || setweight(to_tsvector('kx_english', tags), 'B')"
        )
        # every search would otherwise scan the whole pending list of unmerged entries
        op.execute("ALTER INDEX ix_search_documents_vector SET (fastupdate = off)")
    with op.batch_alter_table("search_documents") as batch:
        batch.alter_column("head", server_default=None)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_search_documents_vector RESET (fastupdate)")
    with op.batch_alter_table("search_documents") as batch:
        batch.drop_column("head")
