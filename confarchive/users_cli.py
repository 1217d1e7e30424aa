"""`confarchive users`: librarian accounts for the web editor (filled in by the editor work)."""

from __future__ import annotations

import click


@click.group()
def users():
    """Manage librarian accounts for the web editor."""
