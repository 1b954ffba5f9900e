"""Password hashes: Argon2id at OWASP's listed minimum, and hashes made with earlier settings upgraded at sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.passwords import hash_password, needs_rehash, verify_password
from lms.accounts.service import authenticate
from lms.extensions import db

EARLIER = PasswordHasher()  # argon2-cffi's default: 64 MiB, 3 passes, 4 lanes, as Cunke used before


def test_new_hashes_are_argon2id_with_19_mib_2_passes_and_1_lane():
    parameters = extract_parameters(hash_password("folding-chairs-88"))
    assert parameters.type is Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19 * 1024, 2, 1)


def test_hashes_made_with_the_earlier_settings_still_verify():
    earlier = EARLIER.hash("folding-chairs-88")
    assert verify_password(earlier, "folding-chairs-88")
    assert not verify_password(earlier, "folding-chairs-89")
    assert needs_rehash(earlier) and not needs_rehash(hash_password("folding-chairs-88"))


def test_signing_in_upgrades_an_earlier_hash(app, trainee):
    trainee.password_hash = EARLIER.hash("folding-chairs-88")
    db.session.commit()
    assert authenticate(trainee.phone, "folding-chairs-88") is not None
    db.session.commit()
    stored = db.session.scalar(select(User.password_hash).where(User.id == trainee.id))
    assert extract_parameters(stored).memory_cost == 19 * 1024
    assert verify_password(stored, "folding-chairs-88")
