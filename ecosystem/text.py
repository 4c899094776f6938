"""Text normalisation shared by search, duplicate detection and commune look-up."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit


def normalise_text(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: 'Saint-Germain-en-Laye' == 'saint germain en laye'."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def slugify(text: str) -> str:
    """Stable identifier from a name: 'Institut Curie — site d'Orsay' -> 'institut-curie-site-d-orsay'."""
    return normalise_text(text).replace(" ", "-")


# Legal forms left out when names are compared ("Cellectis SA" is Cellectis), normalised.
LEGAL_FORMS = frozenset({
    "sa", "sas", "sasu", "sarl", "eurl", "sca", "scs", "snc", "sci", "scop", "scic", "gie", "se", "selarl",
    "inc", "incorporated", "corp", "corporation", "co", "ltd", "limited", "llc", "llp", "plc", "gmbh", "ag",
    "bv", "nv", "spa", "srl", "sl", "ab", "oy", "as", "aps", "kk",
})


def name_key(name: str) -> str:
    """A name as compared with the map's: no accents, case or punctuation ("S.A.S." is "SAS"), legal forms at
    either end left out ("Cellectis SA", "SAS Cellectis" and "CELLECTIS" are one key)."""
    compact = re.sub(r"(?<=\w)\.(?=\w)", "", name or "")  # S.A.S. -> SAS., Inc. stays a word
    words = normalise_text(compact).split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    while len(words) > 1 and words[0] in LEGAL_FORMS:
        words.pop(0)
    return " ".join(words)


def website_domain(url: str) -> str:
    """The host of a website, lower case, without scheme, "www." or port: "https://www.Cellectis.com/fr" ->
    "cellectis.com"; "" when there is none."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host
