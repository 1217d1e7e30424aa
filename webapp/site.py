"""The site's canonical address, from configuration only (never the request's Host header)."""

from __future__ import annotations

from flask import Flask, current_app, request

DEFAULT_BASE_URL = "http://127.0.0.1:5000"  # what `confarchive serve` listens on by default


def base_url() -> str:
    """BASE_URL (CONFARCHIVE_BASE_URL, `serve --base-url`), else the documented local default."""
    config = current_app.config
    return (config.get("BASE_URL") or config.get("PUBLIC_URL") or DEFAULT_BASE_URL).rstrip("/")


def canonical_url(path: str | None = None) -> str:
    """This page's (or path's) absolute address under the configured base URL."""
    return base_url() + (path if path is not None else request.path)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(canonical_url=canonical_url, base_url=base_url)
