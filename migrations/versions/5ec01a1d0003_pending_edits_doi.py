"""pending edits of published items, DOI uniqueness

Revision ID: 5ec01a1d0003
Revises: 5ec01a1d0002
Create Date: 2026-12-05 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0003'
down_revision = '5ec01a1d0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='applied', nullable=False))
        batch_op.add_column(sa.Column('review_note', sa.String(length=2000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('identifier_warnings', sa.JSON(), nullable=True))
        batch_op.create_index('ix_revisions_status', ['status'], unique=False)

    with op.batch_alter_table('research', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_research_doi'), type_='unique')
        batch_op.create_index(batch_op.f('ix_research_doi'), ['doi'], unique=False)


def downgrade():
    # Summaries that share a DOI would break the unique constraint: keep the oldest's.
    op.execute(
        "UPDATE research SET doi = NULL WHERE doi IS NOT NULL AND id > "
        "(SELECT MIN(other.id) FROM research AS other WHERE other.doi = research.doi)"
    )
    with op.batch_alter_table('research', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_doi'))
        batch_op.create_unique_constraint(batch_op.f('uq_research_doi'), ['doi'])

    op.execute("DELETE FROM revisions WHERE status != 'applied'")
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_revisions_status')
        batch_op.drop_column('identifier_warnings')
        batch_op.drop_column('review_note')
        batch_op.drop_column('status')
