"""Password hashing (argon2id) and the NIST SP 800-63B / ASVS acceptance rules."""

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256  # well above the 64 NIST asks for; bounds hashing work per request

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile
# A valid hash to verify against when the account does not exist, so timing does not
# tell which e-mail addresses are registered.
_DUMMY_HASH = _hasher.hash("not a real password, used for constant-time misses")


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common leaked passwords shipped with zxcvbn, lower-cased."""
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher.hash(normalise(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; also spends the same time when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, normalise(password)) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str, email: str = "", site_name: str = "kx") -> list[str]:
    """Reasons to refuse ``password``; empty when it is acceptable."""
    password = normalise(password)
    lowered = password.casefold()
    local_part = email.partition("@")[0].casefold()
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if lowered in common_passwords():
        problems.append("This password is on a list of commonly used passwords.")
    if len(local_part) >= 3 and local_part in lowered:
        problems.append("Do not use your e-mail address in your password.")
    if site_name.casefold() in lowered:
        problems.append(f"Do not use the site name ({site_name}) in your password.")
    return problems
