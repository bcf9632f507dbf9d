"""evidence version: what cached evidence aggregates are keyed by

Revision ID: 5ec01a1d0007
Revises: 5ec01a1d0006
Create Date: 2026-12-05 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0007'
down_revision = '5ec01a1d0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evidence_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('evidence_version')
