"""certificates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 03:37:20.247464

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('issue_number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('holder_name', sa.String(length=80), nullable=False),
    sa.Column('course_titles', sa.JSON(), nullable=False),
    sa.Column('course_language', sa.String(length=8), nullable=False),
    sa.Column('track_names', sa.JSON(), nullable=False),
    sa.Column('specialty_names', sa.JSON(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('org_name', sa.String(length=200), nullable=False),
    sa.Column('org_name_en', sa.String(length=200), nullable=False),
    sa.Column('signatories', sa.JSON(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=False),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('render_claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_certificate_course_id_course')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_certificate_revoked_by_id_user')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificate.id'], name=op.f('fk_certificate_superseded_by_id_certificate')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_certificate_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_certificate_code')),
    sa.UniqueConstraint('user_id', 'course_id', 'issue_number', name=op.f('uq_certificate_user_id_course_id_issue_number'))
    )
    op.create_index(op.f('ix_certificate_course_id'), 'certificate', ['course_id'], unique=False)
    op.create_index(op.f('ix_certificate_state'), 'certificate', ['state'], unique=False)
    op.create_index(op.f('ix_certificate_user_id'), 'certificate', ['user_id'], unique=False)

    op.create_table('certificate_pdf',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_certificate_pdf_certificate_id_certificate'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_certificate_pdf'))
    )


def downgrade():
    op.drop_table('certificate_pdf')
    op.drop_index(op.f('ix_certificate_user_id'), table_name='certificate')
    op.drop_index(op.f('ix_certificate_state'), table_name='certificate')
    op.drop_index(op.f('ix_certificate_course_id'), table_name='certificate')

    op.drop_table('certificate')
