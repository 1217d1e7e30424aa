"""Librarians' web editor: sign-in, edit forms, history (filled in by the curation work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("curation", __name__, url_prefix="/curate")
