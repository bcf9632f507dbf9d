"""search documents: their facet values in one column, so that a search counts its matches'
facets with one grouping

Revision ID: 5ec01a1d0018
Revises: 5ec01a1d0017
Create Date: 2026-12-06 20:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5ec01a1d0018"
down_revision = "5ec01a1d0017"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "search_documents",
        sa.Column("facet_key", sa.Text(), nullable=False, server_default=""),
    )
    if op.get_bind().dialect.name == "postgresql":
        # kx.search.postgres.store.facet_key at this revision: the facets in the order
        # type, domains, countries, prevention level, study design, joined by U+001F, the
        # values of one facet by U+001E
        op.execute(
            "UPDATE search_documents SET facet_key = concat_ws(chr(31), type,"
            " array_to_string(domains, chr(30)), array_to_string(countries, chr(30)),"
            " prevention_level, study_design)"
        )
    with op.batch_alter_table("search_documents") as batch:
        batch.alter_column("facet_key", server_default=None)


def downgrade():
    with op.batch_alter_table("search_documents") as batch:
        batch.drop_column("facet_key")
