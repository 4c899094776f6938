"""The one vocabulary (data/vocabularies.toml): keys for validation and filters, FR/EN labels for display, and the
synonyms people actually write (abbreviations, plurals, the other language, usual spellings).

An entry reads `gene_therapy = { fr = "Thérapie génique", en = "Gene therapy", aliases = ["AAV", …] }`. Staff add
a synonym by adding it to `aliases`: the import, the correction form and the text search all read it through
`find`, `find_anywhere` and `terms`. Matching ignores case, accents and punctuation (`normalise_text`) and a
plural "s"/"x" at the end of a word.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from ecosystem.text import normalise_text

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "data" / "vocabularies.toml"
LANGUAGE_KEYS = ("fr", "en")
SUGGESTION_CUTOFF = 70  # RapidFuzz score (0-100) below which a guess is not worth showing to staff


def term(text: str) -> str:
    """The form under which a label or a value is compared: normalised, each word without a plural ending."""
    return " ".join(_singular(word) for word in normalise_text(text).split())


def _singular(word: str) -> str:
    if len(word) > 3 and word[-1] in "sx" and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Vocabulary:
    """Facet name -> ordered {key: {"fr": label, "en": label, "aliases": [synonym, …]}}."""

    sections: dict[str, dict[str, dict]]

    def keys(self, facet: str) -> tuple[str, ...]:
        return tuple(self.sections[facet])

    def label(self, facet: str, key: str, lang: str = "fr") -> str:
        """The label in `lang`; an unknown key is shown as itself rather than hidden."""
        return self.sections.get(facet, {}).get(key, {}).get(lang, key)

    def labels(self, facet: str, lang: str = "fr") -> dict[str, str]:
        return {key: entry[lang] for key, entry in self.sections[facet].items()}

    def aliases(self, facet: str, key: str) -> tuple[str, ...]:
        return tuple(self.sections.get(facet, {}).get(key, {}).get("aliases", ()))

    def __contains__(self, facet: str) -> bool:
        return facet in self.sections

    # --- reading what people write -----------------------------------------------------------------------------

    def terms(self, facet: str, key: str) -> tuple[str, ...]:
        """Every written form of a key, compared as `term`: its labels, its aliases and the key itself."""
        entry = self.sections.get(facet, {}).get(key, {})
        forms = [key.replace("_", " "), *(entry.get(lang, "") for lang in LANGUAGE_KEYS), *entry.get("aliases", ())]
        return tuple(dict.fromkeys(term(form) for form in forms if term(form)))

    @cached_property
    def _index(self) -> dict[str, dict[str, str]]:
        """Facet -> {term -> key}. A term claimed by two keys of one facet stays with the first (vocabulary order);
        tests keep the file free of such clashes."""
        index: dict[str, dict[str, str]] = {}
        for facet in self.sections:
            terms = index.setdefault(facet, {})
            for key in self.keys(facet):
                for form in self.terms(facet, key):
                    terms.setdefault(form, key)
        return index

    def find(self, facet: str, text: str) -> str | None:
        """The key `text` stands for in `facet` (a label in either language, a synonym, the key), else None."""
        return self._index.get(facet, {}).get(term(text))

    def find_anywhere(self, text: str, facets) -> list[tuple[str, str]]:
        """(facet, key) for every facet of `facets` in which `text` names a key, in the order of `facets`."""
        found = []
        for facet in facets:
            key = self.find(facet, text)
            if key:
                found.append((facet, key))
        return found

    def suggest(self, text: str, facets, limit: int = 3) -> list[tuple[str, str, float]]:
        """The closest (facet, key, score) for a value no key matches exactly, best first: a guess for staff to
        confirm, never applied by itself.

        Token-aware: "Thérapie" finds "Thérapie génique" and "Thérapie cellulaire" (a word of the label),
        "maladies rares" finds "Maladies rares et génétiques" (a subset of its words), "oncologie pediatrique"
        finds "Oncologie" — where whole-string similarity alone would find nothing.
        """
        wanted = term(text)
        if not wanted:
            return []
        choices = {(facet, key, form): form for facet in facets for form, key in self._index.get(facet, {}).items()}
        scored = process.extract(wanted, choices, scorer=_token_score, limit=None, score_cutoff=SUGGESTION_CUTOFF)
        best: dict[tuple[str, str], float] = {}
        for _, score, (facet, key, _form) in scored:
            best[(facet, key)] = max(score, best.get((facet, key), 0))
        ranked = sorted(best.items(), key=lambda item: -item[1])
        return [(facet, key, score) for (facet, key), score in ranked[:limit]]


def _token_score(a: str, b: str, **_) -> float:
    """Whole-string similarity, or the share of words in common when one side's words are all in the other
    (a first word, a shorter label), discounted a little so that an exact spelling still ranks first."""
    whole = fuzz.ratio(a, b)
    words_a, words_b = set(a.split()), set(b.split())
    if words_a and words_b and (words_a <= words_b or words_b <= words_a):
        return max(whole, 0.95 * fuzz.token_set_ratio(a, b))
    return max(whole, 0.9 * fuzz.token_sort_ratio(a, b))


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    with open(path, "rb") as handle:
        return Vocabulary(tomllib.load(handle))
