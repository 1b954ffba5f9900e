"""All configuration in one place: defaults, then the environment, then a test mapping."""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Interface languages: Simplified Chinese first, English second.
LANGUAGES = ("zh", "en")
HTML_LANG = {"zh": "zh-Hans", "en": "en"}


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_json(name: str, default):
    """A JSON value from the environment (for lists such as the certificate signatories)."""
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return json.loads(value)
    except ValueError as error:
        raise ValueError(f"{name} must be JSON: {error}") from error


# Who signs certificates: one line each, printed above a line for the signature.
DEFAULT_SIGNATORIES = [{"title": "培训中心负责人", "title_en": "Head of the Training Centre", "name": ""}]


def load_secret_key(instance_path: Path) -> str:
    """Use SECRET_KEY from the environment, else a key generated once and kept (mode 0600)."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def build_config(instance_path: Path) -> dict:
    """Defaults overridden by environment variables. Tests pass a mapping on top of this."""
    https = _env_bool("LMS_HTTPS")
    return {
        "SECRET_KEY": None,  # filled lazily by create_app so tests never touch the instance folder
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance_path / 'cunke.sqlite3'}"
        ),
        "LMS_COURSES_DIR": os.environ.get("LMS_COURSES_DIR", str(PROJECT_ROOT / "courses")),
        "LMS_TIMEZONE": os.environ.get("LMS_TIMEZONE", "Asia/Shanghai"),
        "LMS_ORG_NAME": os.environ.get("LMS_ORG_NAME", "县电子商务培训中心"),
        "LMS_ORG_NAME_EN": os.environ.get("LMS_ORG_NAME_EN", "County E-commerce Training Centre"),
        # Certificates: the site address printed in their QR codes (needed to render outside a request),
        # signatory lines, an optional seal image (PNG or SVG) and font files overriding fontconfig's choice.
        "LMS_PUBLIC_URL": os.environ.get("LMS_PUBLIC_URL", ""),
        "LMS_SIGNATORIES": _env_json("LMS_SIGNATORIES", [dict(line) for line in DEFAULT_SIGNATORIES]),
        "LMS_SEAL_IMAGE": os.environ.get("LMS_SEAL_IMAGE", ""),
        "LMS_CJK_FONT": os.environ.get("LMS_CJK_FONT", ""),
        "LMS_CJK_FONT_BOLD": os.environ.get("LMS_CJK_FONT_BOLD", ""),
        "LMS_TRUSTED_PROXIES": int(os.environ.get("LMS_TRUSTED_PROXIES", "0")),
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("LMS_TIMEZONE", "Asia/Shanghai"),
        # Compiled at start-up when missing (lms/i18n.py, ensure_compiled_catalogs).
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("LMS_MAX_UPLOAD_BYTES", str(16 * 1024 * 1024))),
        # "Keep me signed in" lasts this long (lms/accounts/sign_ins.py); other sign-ins end with the browser.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open during a long lesson must still submit
        # Counters shared by every worker, in the application's database (lms/rate_limits.py);
        # redis://… for several app servers.
        "RATELIMIT_STORAGE_URI": os.environ.get("LMS_RATELIMIT_STORAGE_URI", "database://"),
        # Off only for load tests and benchmarks, which sign in hundreds of trainees from one address.
        "RATELIMIT_ENABLED": _env_bool("LMS_RATELIMIT_ENABLED", True),
        # If the store goes away, each worker keeps limiting on its own instead of failing sign-ins.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "SEND_FILE_MAX_AGE_DEFAULT": 0,
    }
