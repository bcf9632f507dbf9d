"""notifications about records and the account, mail preferences and summaries, theme digests

Revision ID: 5ec01a1d0010
Revises: 5ec01a1d0009
Create Date: 2026-12-06 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0010'
down_revision = '5ec01a1d0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('item_type', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('item_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('text', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('mailed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'notification_preferences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=32), nullable=False),
        sa.Column('setting', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'topic'),
    )
    op.create_table(
        'notification_summaries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_notification_summaries_user_period',
        'notification_summaries',
        ['user_id', 'period'],
        unique=False,
    )
    with op.batch_alter_table('saved_searches') as batch:
        batch.add_column(sa.Column('feed_nonce', sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column('digest', sa.String(length=8), nullable=False, server_default='off')
        )
        batch.add_column(sa.Column('digest_from', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('digest_sent_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('saved_searches') as batch:
        batch.drop_column('digest_sent_at')
        batch.drop_column('digest_from')
        batch.drop_column('digest')
        batch.drop_column('feed_nonce')
    op.drop_index('ix_notification_summaries_user_period', table_name='notification_summaries')
    op.drop_table('notification_summaries')
    op.drop_table('notification_preferences')
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('mailed_at')
        batch.drop_column('text')
        batch.drop_column('item_type')
        batch.drop_column('item_id')
