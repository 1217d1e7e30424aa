"""`confarchive serve --trusted-proxy`: the session cookie is Secure when the proxy says the request came over HTTPS,
and the same header from anyone else is ignored."""

from __future__ import annotations

import http.client
import os
import subprocess
import time

import pytest

from tests.load.harness import HOST, confarchive_command, free_port

pytestmark = pytest.mark.server
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def session_cookie(port: int, headers: dict) -> str:
    connection = http.client.HTTPConnection(HOST, port, timeout=20)
    try:
        connection.request("GET", "/curate/login", headers=headers)
        response = connection.getresponse()
        response.read()
        return next(v for k, v in response.getheaders() if k.lower() == "set-cookie" and v.startswith("session="))
    finally:
        connection.close()


def serve(index_dir, users, trusted: str):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFARCHIVE_", "FLASK_"))}
    env["CONFARCHIVE_USERS"] = str(users)
    process = subprocess.Popen(confarchive_command("serve", "--host", HOST, "--port", port, "--index", index_dir,
                                                   "--trusted-proxy", trusted),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                               env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            session_cookie(port, {})
            return process, port
        except (OSError, StopIteration):
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("confarchive serve did not start")


@pytest.mark.parametrize("trusted, secure", [("127.0.0.1", True), ("192.0.2.1", False)])
def test_forwarded_https_marks_the_cookie_secure_only_from_the_trusted_proxy(index_dir, tmp_path, trusted, secure):
    process, port = serve(index_dir, tmp_path / "users.json", trusted)
    try:
        assert "Secure" not in session_cookie(port, {})
        forwarded = session_cookie(port, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        assert ("Secure" in forwarded) is secure
        assert "HttpOnly" in forwarded and "SameSite=Lax" in forwarded
    finally:
        process.terminate()
        process.wait(timeout=15)
