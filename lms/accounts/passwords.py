"""Password hashing (Argon2id) and rules sized for people using a phone for the first time.

Argon2id with 19 MiB, 2 passes and 1 lane: the first of OWASP's listed configurations for
Argon2id (its minimum). It costs about 20 ms of CPU per check instead of about 170 ms for
argon2-cffi's default RFC 9106 low-memory profile (64 MiB, 3 passes, 4 lanes), so a hall of 100
trainees signing in within two seconds needs about 2 s of CPU on a 2-core server rather than
17 s, leaving the workers free for lesson pages sooner (docs/security.md, "Strong hashing").
Werkzeug's default scrypt (N=2^15) is below OWASP's minimum. A hash made with other settings
(earlier Cunke used the 64 MiB profile) still verifies and is made again with these at the next
sign-in.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 8
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_PASSES = 2
ARGON2_LANES = 1
_hasher = PasswordHasher(time_cost=ARGON2_PASSES, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_LANES)
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    words = {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}
    # Every run of one repeated digit or letter, and every ascending or descending digit run.
    digits = "0123456789"
    for length in range(MIN_PASSWORD_LENGTH, 13):
        words.update(ch * length for ch in digits + "abcdefghijklmnopqrstuvwxyz")
        doubled = digits * 3
        for start in range(10):
            words.add(doubled[start : start + length])
            words.add(doubled[::-1][start : start + length])
    return frozenset(words)


def password_problem(password: str, phone: str = "") -> str | None:
    """Why a password is too weak (a message id for translation), or None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "too_short"
    lowered = password.lower()
    if lowered in common_passwords():
        return "too_common"
    if phone and phone in password:
        return "contains_phone"
    return None
