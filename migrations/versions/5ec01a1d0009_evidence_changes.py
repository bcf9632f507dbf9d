"""evidence changes: which practices and studies each evidence version changed

Revision ID: 5ec01a1d0009
Revises: 5ec01a1d0008
Create Date: 2026-12-05 22:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0009'
down_revision = '5ec01a1d0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evidence_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=True),
        sa.Column('research_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_evidence_changes_version', 'evidence_changes', ['version'], unique=False
    )


def downgrade():
    op.drop_index('ix_evidence_changes_version', table_name='evidence_changes')
    op.drop_table('evidence_changes')
