"""The dashboard's safety rules: token, allowed hosts, CSRF and response headers.

- With a token, every request must carry it: header ``X-Ax-Token`` or query parameter
  ``token``, compared in constant time (:func:`hmac.compare_digest`).
- Without a token (loopback only, see :class:`~ax.dashboard.options.DashboardOptions`),
  the ``Host`` header must name the loopback interface, so that a web page elsewhere
  cannot reach the dashboard through DNS rebinding.
- Writes (only with ``--allow-actions``) are ``POST`` requests with a JSON body and the
  header ``X-Ax-CSRF`` set to the token the server put into its own pages; a form posted
  by another site can set neither.
- Every response forbids inline script (``Content-Security-Policy``), sniffing and
  framing; data is put into pages as JSON with ``<``, ``>`` and ``&`` escaped and
  rendered with ``textContent``.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any, Iterable, Optional

TOKEN_HEADER = "x-ax-token"
TOKEN_QUERY = "token"
CSRF_HEADER = "x-ax-csrf"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
    # plotly.js adds <style> elements and style attributes when it draws.
    "style-src 'self' 'unsafe-inline'; font-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def new_secret() -> str:
    """A fresh random secret (the CSRF token of one server run)."""
    return secrets.token_urlsafe(32)


def same_secret(given: Optional[str], expected: str) -> bool:
    """Constant-time comparison of a secret sent by a client with the expected one."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def token_of(headers: Any, query: Any) -> Optional[str]:
    """The token a request carries (header first, then query parameter), or None."""
    value = headers.get(TOKEN_HEADER)
    if value is None:
        value = query.get(TOKEN_QUERY)
    return None if value is None else str(value)


def host_allowed(host_header: Optional[str], allowed: Iterable[str]) -> bool:
    """Whether the request's ``Host`` (without the port) is one of ``allowed``."""
    if not host_header:
        return False
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8080
        host = host.split("]")[0] + "]"
    elif host.count(":") == 1:
        host = host.split(":")[0]
    return host in {h.lower() for h in allowed}


def json_for_html(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script type="application/json">`` element:
    ``<``, ``>`` and ``&`` (and U+2028/2029) are written as ``\\uXXXX`` escapes."""
    return escape_json_text(json.dumps(value, allow_nan=False, separators=(",", ":")))


def escape_json_text(text: str) -> str:
    """Escape ``<``, ``>``, ``&``, U+2028 and U+2029 in JSON text (same JSON value)."""
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CSRF_HEADER",
    "LOOPBACK_HOSTS",
    "SECURITY_HEADERS",
    "TOKEN_HEADER",
    "TOKEN_QUERY",
    "escape_json_text",
    "host_allowed",
    "json_for_html",
    "new_secret",
    "same_secret",
    "token_of",
]
