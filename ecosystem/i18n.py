"""Interface messages in French (default) and English, from data/messages.toml."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

MESSAGES_FILE = Path(__file__).resolve().parent.parent / "data" / "messages.toml"
DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    with open(MESSAGES_FILE, "rb") as handle:
        return tomllib.load(handle)


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The message `key` in `lang`, formatted with `values`. A missing key raises: no silent blank label."""
    text = messages()[key][lang if lang in LANGUAGES else DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def has_message(key: str) -> bool:
    return key in messages()


def field_label(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Label of a data or form field: its field_ message, else its facet_ message, else the message itself."""
    return next((t(key, lang) for key in (f"field_{name}", f"facet_{name}", name) if has_message(key)), name)
