"""Curation commands for librarians: new records, import and export, speaker merges, topic review."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
