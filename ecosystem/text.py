"""Text normalisation shared by search, duplicate detection and commune look-up."""

from __future__ import annotations

import re
import unicodedata


def normalise_text(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: 'Saint-Germain-en-Laye' == 'saint germain en laye'."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def slugify(text: str) -> str:
    """Stable identifier from a name: 'Institut Curie — site d'Orsay' -> 'institut-curie-site-d-orsay'."""
    return normalise_text(text).replace(" ", "-")
