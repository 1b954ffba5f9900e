"""Protections applied to every response, and the one check for where a redirect may go."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def safe_next(target: str | None, default: str) -> str:
    """Only paths on this site: `//evil.example` and `https://...` fall back to the default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in "\\\r\n\t"):
        return default
    return target


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def add_security_headers(response: Response) -> Response:
    """Every response gets these, unless its view chose its own (a sandboxed preview's CSP)."""
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend((name, value) for name, value in SECURITY_HEADERS if name.lower() not in present)
    return response


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
