"""The rotating check-in code: an HMAC of (session id, 30-second window) with the app's secret.

The projector shows the current window's code as a QR link and as a short code to type. A code
stays valid for the window after its own (the grace), so a trainee who scanned at second 29 is
not refused at second 31; after that a code sent to a friend at home no longer works.
Pure functions: the caller passes the secret and the time.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import datetime

WINDOW_SECONDS = 30
GRACE_WINDOWS = 1  # the previous window's code is still accepted
CODE_LENGTH = 5
# No 0/O, 1/I/L: letters a trainee reads off a projector across a hall and types on a phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def window_of(moment: datetime) -> int:
    return int(moment.timestamp()) // WINDOW_SECONDS


def seconds_left(moment: datetime) -> int:
    """Seconds until the next code."""
    return WINDOW_SECONDS - int(moment.timestamp()) % WINDOW_SECONDS


def code_for(secret: str | bytes, session_id: int, window: int) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"attendance:{session_id}:{window}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def current_code(secret: str | bytes, session_id: int, moment: datetime) -> str:
    return code_for(secret, session_id, window_of(moment))


def normalise(typed: str) -> str:
    """What a trainee typed, as the code is written: full-width letters (a Chinese keyboard's)
    made plain, upper case, no spaces or dashes."""
    return "".join(unicodedata.normalize("NFKC", typed).split()).replace("-", "").upper()


def code_is_valid(secret: str | bytes, session_id: int, typed: str, moment: datetime) -> bool:
    """The current window's code, or the previous one's within the grace."""
    typed = normalise(typed)
    if len(typed) != CODE_LENGTH:
        return False
    now = window_of(moment)
    return any(hmac.compare_digest(typed, code_for(secret, session_id, now - back))
               for back in range(GRACE_WINDOWS + 1))
