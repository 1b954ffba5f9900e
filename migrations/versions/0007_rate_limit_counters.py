"""rate-limit counters shared by every worker

Flask-Limiter's counters move from each worker's memory into `rate_limit_counter`
(lms/rate_limits.py), so a limit holds across all of a server's workers. On PostgreSQL the
table is UNLOGGED: counters are disposable and need no write-ahead log. On SQLite the counters
live in a small file beside the database, which creates its own table; the table made here
stays empty there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE rate_limit_counter SET UNLOGGED')


def downgrade():
    op.drop_table('rate_limit_counter')
