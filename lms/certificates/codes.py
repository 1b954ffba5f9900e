"""Verification codes: unguessable, short enough to type from paper, nothing to misread.

Fifteen symbols from a 31-letter alphabet without 0/O, 1/I/L: log2(31) × 15 ≈ 74 bits from
`secrets`. Printed and shown as three groups of five (K7QM3-XHP9T-WDR2F); typed codes are
read leniently (any case, spaces or dashes anywhere).
"""

from __future__ import annotations

import math
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 15
GROUP = 5
BITS = LENGTH * math.log2(len(ALPHABET))
_SEPARATORS = re.compile(r"[\s\-_.·]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[start:start + GROUP] for start in range(0, len(code), GROUP))


def normalize_code(typed: str | None) -> str | None:
    """The stored form of a typed or scanned code, or None when it cannot be one."""
    if not typed:
        return None
    code = _SEPARATORS.sub("", typed).upper()
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code
