"""the county's villages, offered at registration

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('village',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village')),
    sa.UniqueConstraint('name', name=op.f('uq_village_name'))
    )


def downgrade():
    op.drop_table('village')
