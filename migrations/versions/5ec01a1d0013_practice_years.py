"""practice examples: the years the practice ran (start_year, end_year), both optional

Revision ID: 5ec01a1d0013
Revises: 5ec01a1d0011
Create Date: 2026-12-06 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0013'
down_revision = '5ec01a1d0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practices') as batch_op:
        batch_op.add_column(sa.Column('start_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('end_year', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('practices') as batch_op:
        batch_op.drop_column('end_year')
        batch_op.drop_column('start_year')
