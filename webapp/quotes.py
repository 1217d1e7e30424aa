"""Quote search pages and API (filled in by the quotes work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("quotes", __name__)
