"""Where this callpulse is reached, for the commands that print or call it.

`make run` serves on HOST:PORT (both from the environment or the make command line, 127.0.0.1:8000
by default); `demo_logins` prints that address and `simulate_calls` sends its events there. Behind
a proxy or a tunnel, CALLPULSE_SERVER_URL says the address people actually use. No Django here:
the settings read it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = "8000"
# A server listening on every interface is reached on this machine through the loopback.
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1", "": DEFAULT_HOST}


def browse_url(host: str, port: str | int) -> str:
    """The URL to open for a server listening on host:port (`0.0.0.0` is opened as 127.0.0.1)."""
    host = ANY_ADDRESS.get(host.strip(), host.strip())
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{str(port).strip() or DEFAULT_PORT}"


def server_url(environ: Mapping[str, str] | None = None) -> str:
    """CALLPULSE_SERVER_URL if set, else http://HOST:PORT as `make run` serves it; no final /."""
    env = os.environ if environ is None else environ
    explicit = env.get("CALLPULSE_SERVER_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    return browse_url(env.get("HOST", DEFAULT_HOST), env.get("PORT", DEFAULT_PORT))
