"""practice years (start_year, end_year, both optional); research match keys for imports

Revision ID: 5ec01a1d0013
Revises: 5ec01a1d0015
Create Date: 2026-12-06 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0013'
down_revision = '5ec01a1d0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practices') as batch_op:
        batch_op.add_column(sa.Column('start_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('end_year', sa.Integer(), nullable=True))
    with op.batch_alter_table('research') as batch_op:
        batch_op.add_column(
            sa.Column('match_key', sa.String(length=400), nullable=False, server_default='')
        )
        batch_op.create_index('ix_research_match_key', ['match_key'], unique=False)
    # the key of every summary written before: an import compares new entries with it
    from kx.research.models import match_key

    research = sa.table(
        'research',
        sa.column('id', sa.Integer),
        sa.column('title', sa.String),
        sa.column('authors', sa.JSON),
        sa.column('year', sa.Integer),
        sa.column('match_key', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(research.c.id, research.c.title, research.c.authors, research.c.year)
    ).all()
    for row in rows:
        connection.execute(
            research.update()
            .where(research.c.id == row.id)
            .values(match_key=match_key(row.title, row.authors, row.year))
        )


def downgrade():
    with op.batch_alter_table('research') as batch_op:
        batch_op.drop_index('ix_research_match_key')
        batch_op.drop_column('match_key')
    with op.batch_alter_table('practices') as batch_op:
        batch_op.drop_column('end_year')
        batch_op.drop_column('start_year')
