"""report limits

Revision ID: 5ec01a1d0004
Revises: 5ec01a1d0003
Create Date: 2026-12-05 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0004'
down_revision = '5ec01a1d0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hid_post', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_forum_reports_reporter_created', ['reporter_id', 'created_at'], unique=False)
    # every illegal-material report so far hid its post at once
    op.execute("UPDATE forum_reports SET hid_post = true WHERE reason = 'illegal-material'")


def downgrade():
    with op.batch_alter_table('forum_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_reports_reporter_created')
        batch_op.drop_column('urgent')
        batch_op.drop_column('hid_post')
