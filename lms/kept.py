"""Values one process keeps between requests: the most recently used ones, up to a bound.

Published courses, rendered lesson pages, signed CSRF tokens and verified session cookies are
kept this way; each caller decides what a key names and when a kept value is still good.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import Flask, current_app

V = TypeVar("V")
T = TypeVar("T")


class KeptCopies(Generic[V]):
    """A bounded, thread-safe least-recently-used map; the bound is read at every insert."""

    def __init__(self):
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V, limit: int) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > limit:
                self._values.popitem(last=False)


def kept_by_app(name: str, create: Callable[[], T], app: Flask | None = None) -> T:
    """The application's (by default the current one's) one `name` store, made on first use.

    Two threads may make one at once; both then use the one stored first.
    """
    extensions = (app or current_app).extensions
    found = extensions.get(name)
    return found if found is not None else extensions.setdefault(name, create())
