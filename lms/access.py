"""Who may do what: the one place every route states its rule.

Each view is wrapped in exactly one of `public`, `signed_in` or `role_required(...)`; the
decorator records the rule on the function so the test suite can walk every route and check
that none was forgotten. Objects reached by id are loaded through `owned_or_404`-style helpers
in each feature, which answer 404 rather than revealing that someone else's record exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user, login_required

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
SIGNED_IN = "signed_in"


def public(view: F) -> F:
    """Anyone, signed in or not."""
    view.access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def signed_in(view: F) -> F:
    """Any signed-in account; anonymous visitors are sent to the sign-in page."""
    wrapped = login_required(view)
    wrapped.access_rule = SIGNED_IN  # type: ignore[attr-defined]
    return wrapped


def role_required(*roles: str) -> Callable[[F], F]:
    """Only these roles (administrators always pass); others get 403."""
    allowed = frozenset(roles) | {"admin"}

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped = login_required(guarded)
        wrapped.access_rule = "role:" + ",".join(sorted(allowed))  # type: ignore[attr-defined]
        return wrapped

    return decorate


def has_role(user, *roles: str) -> bool:
    return bool(user.is_authenticated and (user.role in roles or user.role == "admin"))
