"""Librarian accounts for the web editor: a small JSON file of names and password hashes.

The file (by default `instance/users.json`) looks like
`{"version": 1, "users": {"alice": {"password": "scrypt:...", "created": "2025-09-08T10:00:00+00:00"}}}`.
Only hashes made by werkzeug's `generate_password_hash` (scrypt) are stored, never a password.
Each account also holds a `sessions` token: every sign-in records it, and every request checks it, so
signing out, changing the password or removing the account (which replace or delete it) ends every
session of that account on the server side, whatever cookies were copied.
Every change rewrites the file atomically (archive.writer.write_file), so a running server
reading it sees the old list or the new one. The file is read afresh on every check, so
accounts added or removed with `confarchive users` take effect without a restart.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from datetime import datetime, timezone
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from .writer import write_file

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
MIN_PASSWORD_LENGTH = 10
HASH_METHOD = "scrypt"
FORMAT_VERSION = 1
_CHANGING = threading.Lock()  # one read-modify-write of an account file at a time in this process
# Checked against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=HASH_METHOD)


def _token() -> str:
    return secrets.token_urlsafe(16)


class UserError(Exception):
    """An account could not be added, removed or read; the message says why."""


def check_name(name: str) -> str:
    """Return the name if it is a valid account name, else raise UserError."""
    if not NAME_PATTERN.match(name or ""):
        raise UserError(f"'{name}' is not a valid account name: use 1-32 lowercase letters, digits, '.', '_' "
                        "or '-', starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    """Return the password if it is long enough, else raise UserError."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


class UserStore:
    """The accounts in one JSON file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def _read(self) -> dict:
        text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        if not text.strip():
            return {}
        try:
            data = json.loads(text)
            users = data["users"]
        except (ValueError, KeyError, TypeError):
            raise UserError(f"{self.path} is not a valid account file; restore it or remove it and add the "
                            "accounts again") from None
        if not isinstance(users, dict):
            raise UserError(f"{self.path} is not a valid account file")
        return users

    def _write(self, users: dict) -> None:
        text = json.dumps({"version": FORMAT_VERSION, "users": users}, indent=2, sort_keys=True) + "\n"
        try:
            self._create_private()
            write_file(self.path, text)  # keeps the existing file's mode, 0600
        except OSError as exc:
            raise UserError(f"cannot write the account file {self.path}: {exc.strerror or exc}") from None

    def _create_private(self) -> None:
        """Create the file readable by its owner only, before any hash is written to it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass

    def names(self) -> list[str]:
        """Every account name, sorted."""
        return sorted(self._read())

    def exists(self, name: str) -> bool:
        return name in self._read()

    def add(self, name: str, password: str) -> None:
        """Create an account; refuse a taken name, a bad name or a short password."""
        with _CHANGING:
            users = self._read()
            check_name(name)
            if name in users:
                raise UserError(f"there is already an account called '{name}'")
            check_password(password)
            users[name] = {"password": generate_password_hash(password, method=HASH_METHOD),
                           "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "sessions": _token()}
            self._write(users)

    def set_password(self, name: str, password: str) -> None:
        """Change an account's password; every session of the account ends."""
        with _CHANGING:
            users = self._read()
            if name not in users:
                raise UserError(f"there is no account called '{name}'")
            check_password(password)
            users[name] = {**users[name], "password": generate_password_hash(password, method=HASH_METHOD),
                           "sessions": _token()}
            self._write(users)

    def session_token(self, name: str) -> str | None:
        """The token that the account's sessions must carry; None when there is no such account."""
        record = self._read().get(name)
        if not isinstance(record, dict):
            return None
        token = record.get("sessions")
        return token if isinstance(token, str) and token else ""

    def end_sessions(self, name: str) -> str:
        """Replace the account's session token, ending every session signed in with the old one; the new token."""
        with _CHANGING:
            users = self._read()
            if not isinstance(users.get(name), dict):
                raise UserError(f"there is no account called '{name}'")
            users[name] = {**users[name], "sessions": _token()}
            self._write(users)
            return users[name]["sessions"]

    def remove(self, name: str) -> None:
        """Delete an account; raise UserError when there is none by that name."""
        with _CHANGING:
            users = self._read()
            if name not in users:
                raise UserError(f"there is no account called '{name}'")
            del users[name]
            self._write(users)

    def verify(self, name: str, password: str) -> bool:
        """True when the name exists and the password matches its hash."""
        try:
            record = self._read().get(name)
        except UserError:
            record = None
        stored = record.get("password") if isinstance(record, dict) else None
        if not isinstance(stored, str):
            check_password_hash(_DUMMY_HASH, password)
            return False
        return check_password_hash(stored, password)
