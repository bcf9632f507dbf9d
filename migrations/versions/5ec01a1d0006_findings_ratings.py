"""findings on evidence links, risk of bias, EMMIE sections

Revision ID: 5ec01a1d0006
Revises: 5ec01a1d0005
Create Date: 2026-12-05 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5ec01a1d0006'
down_revision = '5ec01a1d0005'
branch_labels = None
depends_on = None

EMMIE_TEXT = ('mechanism', 'mechanism_html', 'moderators', 'moderators_html', 'economic_cost', 'economic_cost_html')
EMMIE_STRENGTH = ('mechanism_strength', 'moderators_strength', 'implementation_strength', 'economic_cost_strength')


def upgrade():
    op.create_table(
        'evidence_findings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=32), nullable=False),
        sa.Column('direction', sa.String(length=16), nullable=False),
        sa.Column('effect_measure', sa.String(length=8), nullable=True),
        sa.Column('effect_size', sa.Float(), nullable=True),
        sa.Column('ci_low', sa.Float(), nullable=True),
        sa.Column('ci_high', sa.Float(), nullable=True),
        sa.Column('sample_size', sa.Integer(), nullable=True),
        sa.Column('follow_up_months', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['evidence_links.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('evidence_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_findings_link_id'), ['link_id'], unique=False)

    with op.batch_alter_table('research', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_of_bias', sa.String(length=16), nullable=True))

    with op.batch_alter_table('practices', schema=None) as batch_op:
        for name in EMMIE_TEXT:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=''))
        for name in EMMIE_STRENGTH:
            batch_op.add_column(sa.Column(name, sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('practices', schema=None) as batch_op:
        for name in EMMIE_STRENGTH + EMMIE_TEXT:
            batch_op.drop_column(name)

    with op.batch_alter_table('research', schema=None) as batch_op:
        batch_op.drop_column('risk_of_bias')

    with op.batch_alter_table('evidence_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_findings_link_id'))

    op.drop_table('evidence_findings')
