"""HTTP security headers set on every response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response
from flask import url_for

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response: Response) -> Response:
    """Add CSP, framing, referrer and sniffing protection to a response."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        # Pages can hold personal data; never let a shared proxy or the back button keep them.
        headers.setdefault("Cache-Control", "no-store")
    return response


def safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the start page (no open redirects).

    Browsers treat a backslash like a slash, so `/\\evil.example` would leave the site too.
    """
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("main.index")
