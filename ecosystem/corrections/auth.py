"""Staff accounts: bcrypt password hashes from Streamlit secrets or the environment, never plain passwords.

Accounts come from `[staff]` in .streamlit/secrets.toml (`alice = "$2b$12$…"`) or from the environment
variable STAFF_ACCOUNTS (`alice:$2b$12$…,bob:$2b$12$…`). Create a hash with `python -m ecosystem hash-password`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import bcrypt

# A hash of a random password: checking an unknown user costs the same time as checking a known one.
_DUMMY_HASH = bcrypt.hashpw(os.urandom(16), bcrypt.gensalt(rounds=12))


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise ValueError("12 characters at least")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def accounts_from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    accounts = {}
    for entry in environ.get("STAFF_ACCOUNTS", "").split(","):
        user, _, hashed = entry.strip().partition(":")
        if user and hashed:
            accounts[user] = hashed
    return accounts


def check_password(accounts: Mapping[str, str], user: str, password: str) -> bool:
    hashed = accounts.get(user)
    candidate = (hashed or "").encode() or _DUMMY_HASH
    try:
        valid = bcrypt.checkpw(password.encode(), candidate)
    except ValueError:  # a malformed hash in the configuration
        return False
    return valid and hashed is not None
