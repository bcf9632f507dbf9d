"""job queue: procrastinate's tables and functions (PostgreSQL only)

The schema is the one the installed procrastinate ships (pinned to 3.10.x in
pyproject.toml); a later procrastinate release brings its own migration files, applied by
a new revision here. On SQLite nothing changes: jobs run inside the process there.

Revision ID: 5ec01a1d0014
Revises: 5ec01a1d0011
Create Date: 2026-12-06 05:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
from importlib.resources import files


# revision identifiers, used by Alembic.
revision = '5ec01a1d0014'
down_revision = '5ec01a1d0011'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = files("procrastinate.sql").joinpath("schema.sql").read_text()
    # many statements and literal '%' signs: passed to the driver as they are, no parameters
    with op.get_bind().connection.dbapi_connection.cursor() as cursor:
        cursor.execute(schema)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    bind = op.get_bind()
    ours = {"pattern": "procrastinate\\_%"}
    for (name,) in bind.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename LIKE :pattern"
    ), ours).all():
        bind.exec_driver_sql(f'DROP TABLE "{name}" CASCADE')
    for (signature,) in bind.execute(sa.text(
        "SELECT p.oid::regprocedure::text FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE :pattern"
    ), ours).all():
        bind.exec_driver_sql(f"DROP FUNCTION {signature} CASCADE")
    for (name,) in bind.execute(sa.text(
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = current_schema() AND t.typname LIKE :pattern "
        "AND t.typtype IN ('e', 'c')"
    ), ours).all():
        bind.exec_driver_sql(f'DROP TYPE "{name}" CASCADE')
