"""The one vocabulary (data/vocabularies.toml): keys for validation and filters, FR/EN labels for display."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "data" / "vocabularies.toml"



@dataclass(frozen=True)
class Vocabulary:
    """Facet name -> ordered {key: {"fr": label, "en": label}}."""

    sections: dict[str, dict[str, dict[str, str]]]

    def keys(self, facet: str) -> tuple[str, ...]:
        return tuple(self.sections[facet])

    def label(self, facet: str, key: str, lang: str = "fr") -> str:
        """The label in `lang`; an unknown key is shown as itself rather than hidden."""
        return self.sections.get(facet, {}).get(key, {}).get(lang, key)

    def labels(self, facet: str, lang: str = "fr") -> dict[str, str]:
        return {key: labels[lang] for key, labels in self.sections[facet].items()}

    def __contains__(self, facet: str) -> bool:
        return facet in self.sections


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    with open(path, "rb") as handle:
        return Vocabulary(tomllib.load(handle))
