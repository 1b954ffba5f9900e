"""`flask accounts ...`: create administrators and the demo accounts `make run` offers."""

from __future__ import annotations

import secrets

import click
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.accounts.forms import ACCOUNT_MESSAGES, PASSWORD_MESSAGES
from lms.accounts.models import ROLE_NAMES, ROLES, User
from lms.accounts.passwords import password_problem
from lms.accounts.service import AccountError, create_user
from lms.extensions import db
from lms.i18n import CommandError, CommandGroup

accounts_cli = CommandGroup("accounts", help="Manage accounts.")

DEMO_ACCOUNTS = (
    ("admin", "13800000001", "管理员演示"),
    ("instructor", "13800000002", "老师演示"),
    ("trainee", "13800000003", "学员演示"),
)


def _readable_password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


@accounts_cli.command("demo")
def demo_command() -> None:
    """Create an administrator, an instructor and a trainee when the database has no accounts yet."""
    if db.session.scalar(select(func.count(User.id))):
        click.echo(_("Accounts exist already; no demo accounts were created."))
        return
    lines = []
    for role, phone, name in DEMO_ACCOUNTS:
        password = _readable_password()
        create_user(phone, name, password, role=role, village="演示村")
        lines.append("  " + _("%(role)s: phone %(phone)s, password %(password)s",
                              role=ROLE_NAMES[role], phone=phone, password=password))
    db.session.commit()
    click.echo(_("Demo accounts (shown only this once; write them down):"))
    click.echo("\n".join(lines))


@accounts_cli.command("create")
@click.option("--phone", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@click.password_option()
def create_command(phone: str, name: str, role: str, password: str) -> None:
    """Create an account (an administrator by default)."""
    problem = password_problem(password)
    if problem:
        raise CommandError(_("Password refused: %(reason)s", reason=PASSWORD_MESSAGES[problem]))
    try:
        user = create_user(phone, name, password, role=role)
    except AccountError as error:
        raise CommandError(str(ACCOUNT_MESSAGES[error.code])) from None
    db.session.commit()
    click.echo(_("Created the account of %(name)s (%(phone)s), %(role)s.", name=user.display_name, phone=user.phone,
                 role=ROLE_NAMES[role]))


@accounts_cli.command("villages")
@click.argument("source", type=click.File("r", encoding="utf-8-sig"))
def villages_command(source) -> None:
    """Load the county's villages (a UTF-8 text file, one village per line); registration offers them."""
    from lms.accounts.villages import parse_villages, replace_villages

    try:
        names = parse_villages(source.read())
    except UnicodeDecodeError:
        raise CommandError(_("The file is not UTF-8 text. Save it as UTF-8 and try again.")) from None
    if not names:
        raise CommandError(_("The file holds no village names; the list was left as it was."))
    count = replace_villages(None, names)
    db.session.commit()
    click.echo(_("%(count)s villages loaded; registration now offers them.", count=count))
