"""Flask extensions, created unbound here and bound to an app in create_app."""

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names keep Alembic diffs stable across databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UnprotectedSessionsLoginManager(LoginManager):
    """Flask-Login for sessions without its session protection (lms/accounts/loader.py says why).

    With protection off, Flask-Login still hashes the visitor's address and browser on every
    request before it looks at the setting: about 15 µs of a lesson page, for nothing.
    """

    def _session_protection_failed(self) -> bool:
        if current_app.config.get("SESSION_PROTECTION", self.session_protection):
            return super()._session_protection_failed()
        return False  # off: nothing can fail, so nothing to hash


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = UnprotectedSessionsLoginManager()
csrf = CSRFProtect()
babel = Babel()
class ViewLimiter(Limiter):
    """Flask-Limiter without its before-every-request check while only views declare limits.

    That check applies default, application-wide and blueprint limits; Cunke sets none (its limits
    sit on the sign-in, registration, join and verification views, which check their own when
    called), yet the check cost about a tenth of a lesson page. As soon as such a limit is
    configured, the check runs again as usual.
    """

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not self._limits_beyond_views():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def _limits_beyond_views(self) -> bool:
        manager = self.limit_manager
        return bool(manager.default_limits or manager.application_limits or manager._blueprint_limits
                    or self._meta_limits)


limiter = ViewLimiter(key_func=get_remote_address, default_limits=[])
