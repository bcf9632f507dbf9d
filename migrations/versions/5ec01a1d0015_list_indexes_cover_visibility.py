"""list indexes cover visibility: a list's total is counted in the index

Revision ID: 5ec01a1d0015
Revises: 5ec01a1d0014
Create Date: 2026-12-06 06:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5ec01a1d0015'
down_revision = '5ec01a1d0014'
branch_labels = None
depends_on = None

NARROW = ['status', 'published_at', 'created_at']
COVERING = [*NARROW, 'id', 'visibility', 'author_id']


def _rebuild(columns):
    for table in ('practices', 'research'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_status_published')
            batch_op.create_index(f'ix_{table}_status_published', columns, unique=False)


def upgrade():
    _rebuild(COVERING)


def downgrade():
    _rebuild(NARROW)
