"""How `confarchive serve` runs waitress, so that slow or idle clients cannot take the server down.

waitress reads requests and writes responses in one asynchronous loop and hands only complete
requests to its worker threads, so a client that trickles its request in, or never reads the
answer, holds a socket but no thread. What it needs is room for those sockets and a deadline for
the idle ones; the figures are explained in docs/security.md.
"""

from __future__ import annotations

from indexer import MAX_BODY_BYTES

CONNECTION_LIMIT = 1000      # open sockets before waitress stops accepting (its default, 100, fell to 101 idle ones)
CHANNEL_TIMEOUT = 30         # seconds a socket may stay idle (default 120)
MAX_HEADER_BYTES = 64 * 1024  # request line and headers (default 256 KB): 20 filters need under 2 KB
PROXY_HEADERS = {"x-forwarded-for", "x-forwarded-proto"}


def waitress_settings(threads: int, connection_limit: int = CONNECTION_LIMIT, channel_timeout: int = CHANNEL_TIMEOUT,
                      trusted_proxy: str | None = None) -> dict:
    """Keyword arguments for waitress.serve.

    With trusted_proxy (the address of a reverse proxy, or '*'), waitress takes the client's address and
    the scheme (https) from that proxy's X-Forwarded-For and X-Forwarded-Proto, and drops those headers
    from anyone else; the session cookie is then marked Secure on https requests.
    """
    settings = {"threads": threads, "connection_limit": connection_limit, "channel_timeout": channel_timeout,
                "cleanup_interval": max(1, min(30, channel_timeout // 2)), "asyncore_use_poll": True,
                "max_request_header_size": MAX_HEADER_BYTES, "max_request_body_size": MAX_BODY_BYTES,
                "ident": "confarchive"}
    if trusted_proxy:
        settings.update(trusted_proxy=trusted_proxy, trusted_proxy_count=1, trusted_proxy_headers=PROXY_HEADERS,
                        clear_untrusted_proxy_headers=True)
    return settings
