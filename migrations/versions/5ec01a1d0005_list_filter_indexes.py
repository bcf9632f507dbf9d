"""list filter indexes

Revision ID: 5ec01a1d0005
Revises: 5ec01a1d0004
Create Date: 2026-12-05 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0005'
down_revision = '5ec01a1d0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.create_index('ix_practices_status_published', ['status', 'published_at', 'created_at'], unique=False)
        batch_op.create_index('ix_practices_author_status', ['author_id', 'status', 'updated_at'], unique=False)

    with op.batch_alter_table('research', schema=None) as batch_op:
        batch_op.create_index('ix_research_status_published', ['status', 'published_at', 'created_at'], unique=False)
        batch_op.create_index('ix_research_author_status', ['author_id', 'status', 'updated_at'], unique=False)

    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_links_practice_relation', ['practice_id', 'relation', 'research_id'], unique=False)
        batch_op.create_index('ix_evidence_links_research_relation', ['research_id', 'relation', 'practice_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_links_research_relation')
        batch_op.drop_index('ix_evidence_links_practice_relation')

    with op.batch_alter_table('research', schema=None) as batch_op:
        batch_op.drop_index('ix_research_author_status')
        batch_op.drop_index('ix_research_status_published')

    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.drop_index('ix_practices_author_status')
        batch_op.drop_index('ix_practices_status_published')
