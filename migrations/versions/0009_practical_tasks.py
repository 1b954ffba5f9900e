"""practical tasks

A course item may be a practical task (`NN-slug.task.md`): its settings (what to send, how it is
reviewed, the pass level) and its rubric per language are kept with the item, as a quiz keeps its
questions. Trainees' work is kept per version (`task_submission`); its photos once each, by the
SHA-256 of their re-encoded bytes (`task_photo`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('rubric', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('course_item', schema=None) as batch_op:
        batch_op.alter_column('task', server_default=None)
        batch_op.alter_column('rubric', server_default=None)
    op.create_table('task_photo',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('mimetype', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_task_photo'))
    )
    op.create_table('task_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['course_item.id'], name=op.f('fk_task_submission_item_id_course_item')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_task_submission_reviewer_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_task_submission_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_submission')),
    sa.UniqueConstraint('user_id', 'item_id', 'version', name=op.f('uq_task_submission_user_id_item_id_version'))
    )
    with op.batch_alter_table('task_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_submission_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_submission_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_submission_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('task_submission')
    op.drop_table('task_photo')
    with op.batch_alter_table('course_item', schema=None) as batch_op:
        batch_op.drop_column('rubric')
        batch_op.drop_column('task')
