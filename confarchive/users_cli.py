"""`confarchive users add | list | remove`: librarian accounts for the web editor."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.users import UserError, UserStore

users_file_option = click.option("--users-file", type=click.Path(dir_okay=False),
                                 help="Account file (default: $CONFARCHIVE_USERS or instance/users.json).")


def _store(users_file: str | None) -> UserStore:
    """The account file: the option, else the one the web app reads by default."""
    from webapp.curation import default_users_file

    return UserStore(Path(users_file) if users_file else default_users_file())


@click.group()
def users():
    """Manage librarian accounts for the web editor."""


@users.command("add")
@click.argument("name")
@users_file_option
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def add(name, users_file, password_stdin):
    """Create an account; asks for the password twice (not shown)."""
    store = _store(users_file)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    try:
        store.add(name, password)
    except UserError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Added librarian account '{name}' to {store.path}")


@users.command("list")
@users_file_option
def list_users(users_file):
    """Print every account name."""
    store = _store(users_file)
    try:
        names = store.names()
    except UserError as exc:
        raise click.ClickException(str(exc))
    for name in names:
        click.echo(name)
    if not names:
        click.echo(f"No accounts in {store.path}. Add one with `confarchive users add NAME`.", err=True)


@users.command("remove")
@click.argument("name")
@users_file_option
def remove(name, users_file):
    """Delete an account; its sessions end at their next request."""
    store = _store(users_file)
    try:
        store.remove(name)
    except UserError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Removed librarian account '{name}' from {store.path}")


@users.command("password")
@click.argument("name")
@users_file_option
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of standard input.")
def password(name, users_file, password_stdin):
    """Change an account's password; every session of the account ends."""
    store = _store(users_file)
    if password_stdin:
        new = sys.stdin.readline().rstrip("\r\n")
    else:
        new = click.prompt("New password", hide_input=True, confirmation_prompt="Repeat the password")
    try:
        store.set_password(name, new)
    except UserError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Changed the password of '{name}'; its sessions have ended.")


@users.command("sign-out")
@click.argument("name")
@users_file_option
def sign_out(name, users_file):
    """End every session of an account (a lost laptop, a cookie that may have been copied)."""
    store = _store(users_file)
    try:
        store.end_sessions(name)
    except UserError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Ended every session of '{name}'.")
