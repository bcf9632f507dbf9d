"""research sorted by year: an index walked in the list's order

Revision ID: 5ec01a1d0017
Revises: 5ec01a1d0012
Create Date: 2026-12-06 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5ec01a1d0017'
down_revision = '5ec01a1d0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('research', schema=None) as batch_op:
        batch_op.create_index(
            'ix_research_status_year',
            ['status', 'year', 'id', 'visibility', 'author_id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('research', schema=None) as batch_op:
        batch_op.drop_index('ix_research_status_year')
