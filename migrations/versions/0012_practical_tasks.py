"""practical tasks

A course item may be a practical task (`NN-slug.task.md`): its settings (what to send, how it is
reviewed, the pass level) and its rubric per language are kept with the item, as a quiz keeps its
questions.

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-04 20:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('rubric', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('course_item', schema=None) as batch_op:
        batch_op.alter_column('task', server_default=None)
        batch_op.alter_column('rubric', server_default=None)


def downgrade():
    with op.batch_alter_table('course_item', schema=None) as batch_op:
        batch_op.drop_column('rubric')
        batch_op.drop_column('task')
