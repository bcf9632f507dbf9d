"""sector change requests and erasure

Revision ID: 5ec01a1d0001
Revises: 7ad5f1913352
Create Date: 2026-12-05 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0001'
down_revision = '7ad5f1913352'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sector_change_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.String(length=1000), nullable=False),
    sa.Column('outcome_seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_sector_change_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sector_change_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sector_change_requests'))
    )
    with op.batch_alter_table('sector_change_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sector_change_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sector_change_requests_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_sector_change_requests_pending', ['user_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    # A deleted account keeps no sector, country or sign-up date.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('sector', existing_type=sa.String(length=32), nullable=True)
        batch_op.alter_column('country', existing_type=sa.String(length=2), nullable=True)
        batch_op.alter_column('created_at', existing_type=sa.DateTime(), nullable=True)

    # Feed addresses end with the owner's sessions; existing ones stay valid until then.
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_session_version', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE saved_searches SET feed_session_version = "
        "(SELECT session_version FROM users WHERE users.id = saved_searches.user_id)"
    )
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.alter_column('feed_session_version', existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.drop_column('feed_session_version')

    op.execute("UPDATE users SET sector = 'other' WHERE sector IS NULL")
    op.execute("UPDATE users SET country = '' WHERE country IS NULL")
    op.execute("UPDATE users SET created_at = deleted_at WHERE created_at IS NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('country', existing_type=sa.String(length=2), nullable=False)
        batch_op.alter_column('sector', existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table('sector_change_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_sector_change_requests_pending', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_sector_change_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_sector_change_requests_status'))

    op.drop_table('sector_change_requests')
