"""sign-ins and workshop invitations

Sign-ins are kept on the server (`sign_in`), replacing the per-user session token: every open
session ends with this upgrade, and people sign in once more. Trainee lists no longer add
existing accounts: they invite them (`cohort_invitation`). Each membership says how it came
about; memberships that an older list made for an account it had not created are marked
`legacy` from the audit log, so their instructors cannot hand out credentials for them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:39:01.235627

"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('device', sa.String(length=40), nullable=False),
    sa.Column('browser', sa.String(length=40), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sign_in_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_token_hash'))
    )
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_user_id'), ['user_id'], unique=False)

    op.create_table('cohort_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_cohort_invitation_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], name=op.f('fk_cohort_invitation_invited_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cohort_invitation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_invitation')),
    sa.UniqueConstraint('cohort_id', 'user_id', name=op.f('uq_cohort_invitation_cohort_id_user_id'))
    )
    with op.batch_alter_table('cohort_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_invitation_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_invitation_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('cohort_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_via', sa.String(length=16), nullable=False, server_default='code'))

    with op.batch_alter_table('trainee_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcomes', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pending_invitations', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_foreign_key(batch_op.f('fk_user_created_by_id_user'), 'user', ['created_by_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_column('session_token')

    _mark_memberships_made_by_older_lists()


def _mark_memberships_made_by_older_lists():
    """From the audit log of each confirmed list: accounts it made were made by its importer (and
    joined by import); accounts it only added joined in a way no instructor may rely on."""
    connection = op.get_bind()
    audit = sa.table("audit_event", sa.column("at", sa.DateTime(timezone=True)), sa.column("actor_id", sa.Integer),
                     sa.column("action", sa.String), sa.column("details", sa.JSON))
    member = sa.table("cohort_member", sa.column("cohort_id", sa.Integer), sa.column("user_id", sa.Integer),
                      sa.column("joined_at", sa.DateTime(timezone=True)), sa.column("joined_via", sa.String))
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("role", sa.String),
                    sa.column("created_by_id", sa.Integer))
    teaches = sa.table("cohort_instructor", sa.column("cohort_id", sa.Integer), sa.column("user_id", sa.Integer))
    events = connection.execute(sa.select(audit.c.at, audit.c.actor_id, audit.c.details)
                                .where(audit.c.action == "accounts.imported")).all()
    for at, actor_id, details in events:
        details = details or {}
        # The list's rows were added in the same transaction, to workshops its importer managed.
        window = [member.c.joined_at >= at - timedelta(minutes=1), member.c.joined_at <= at + timedelta(minutes=1)]
        role = connection.scalar(sa.select(user.c.role).where(user.c.id == actor_id))
        if role != "admin":
            window.append(member.c.cohort_id.in_(sa.select(teaches.c.cohort_id).where(teaches.c.user_id == actor_id)))
        for user_id in details.get("created") or []:
            connection.execute(sa.update(user).where(user.c.id == user_id).values(created_by_id=actor_id))
            connection.execute(sa.update(member).where(member.c.user_id == user_id, *window)
                               .values(joined_via="import"))
        for user_id in details.get("joined") or []:
            connection.execute(sa.update(member).where(member.c.user_id == user_id, *window)
                               .values(joined_via="legacy"))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.VARCHAR(length=32), nullable=False, server_default='ended'))
        batch_op.drop_constraint(batch_op.f('fk_user_created_by_id_user'), type_='foreignkey')
        batch_op.drop_column('pending_invitations')
        batch_op.drop_column('created_by_id')

    with op.batch_alter_table('trainee_import', schema=None) as batch_op:
        batch_op.drop_column('outcomes')

    with op.batch_alter_table('cohort_member', schema=None) as batch_op:
        batch_op.drop_column('joined_via')

    with op.batch_alter_table('cohort_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_invitation_user_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_invitation_cohort_id'))

    op.drop_table('cohort_invitation')
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_user_id'))

    op.drop_table('sign_in')
