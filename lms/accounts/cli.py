"""`flask accounts ...`: create administrators and the demo accounts `make run` offers."""

from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from lms.accounts.models import ROLES, User
from lms.accounts.passwords import password_problem
from lms.accounts.service import AccountError, create_user
from lms.extensions import db

accounts_cli = AppGroup("accounts", help="Manage accounts.")

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
        click.echo("Accounts exist already; no demo accounts created.")
        return
    lines = []
    for role, phone, name in DEMO_ACCOUNTS:
        password = _readable_password()
        create_user(phone, name, password, role=role, village="演示村")
        lines.append(f"  {role:<11} phone {phone}   password {password}")
    db.session.commit()
    click.echo("Demo accounts (shown only this once; write them down):")
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
        raise click.ClickException(f"password refused: {problem.replace('_', ' ')}")
    try:
        user = create_user(phone, name, password, role=role)
    except AccountError as error:
        raise click.ClickException(error.code.replace("_", " ")) from None
    db.session.commit()
    click.echo(f"Created {role} {user.display_name} ({user.phone}).")
