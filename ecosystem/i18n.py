"""Interface messages in French (default) and English, from data/messages.toml, with numbers, dates and plurals
written as each language writes them (Babel, CLDR data).

One mechanism for counts and numbers, applied by `t`:

- **Numbers**: every int or float value given to `t` is written in the interface language: French groups thousands
  with a narrow no-break space and uses a decimal comma ("1 285", "2,5"), English a comma and a point ("1,285",
  "2.5"). For a fixed number of decimals ("5,0 km"), pass `number(value, lang, decimals=1)` (a string is inserted as
  it is). Dates: `date_text`.
- **Plurals**: a message showing a count takes that count as its value named `count`. Its general form (CLDR's
  "other") is the message `key`; where a language needs another form for some counts, that form is the message
  `key_<category>` with a CLDR plural category (`one`, and for other languages `zero`, `two`, `few`, `many`), in the
  same catalogue. `t` picks the form by Babel's plural rule for `count` in the interface language. In French "one"
  covers 0 and 1 ("0 acteur affiché", "1 acteur affiché"), in English only 1; a `_one` message exists in both
  languages (the catalogue holds every message in both), and may be the same as the general form where a language
  needs no change ("1 of 253 players shown").

    [shown_count]                 →  t("shown_count", "fr", count=1, total=253) == "1 acteur affiché sur 253"
    fr = "{count} acteurs affichés sur {total}"
    [shown_count_one]
    fr = "{count} acteur affiché sur {total}"

French typography also puts a (no-break) space before ":", ";", "?", "!" and English none: each message holds its own
punctuation; text joined in code goes through a message (`label_value`), never a literal " : ".
"""

from __future__ import annotations

import datetime as dt
import numbers
import tomllib
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

MESSAGES_FILE = Path(__file__).resolve().parent.parent / "data" / "messages.toml"
DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")
# The regional variants whose conventions the interface follows: "30 November 2026" rather than "November 30".
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    with open(MESSAGES_FILE, "rb") as handle:
        return tomllib.load(handle)


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[_language(lang)])


def plural_category(count: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """CLDR plural category of `count` in `lang`: "one" or "other" for French and English."""
    return locale(lang).plural_form(abs(count))


def number(value: float, lang: str = DEFAULT_LANGUAGE, decimals: int | None = None) -> str:
    """`value` as `lang` writes it; with `decimals`, exactly that many digits after the decimal separator."""
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def percent(ratio: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """`ratio` (0.87) as a whole percentage the way `lang` writes it ("87 %", "87%")."""
    return format_percent(ratio, locale=locale(lang))


def date_text(value: dt.date | str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as people read it ("30 novembre 2026", "30 November 2026"); an ISO text is read first; anything
    that is not a date is returned as it is ("" for nothing)."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="long", locale=locale(lang))


def _shown(value, lang: str):
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return number(value, lang)
    return value


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The message `key` in `lang`, formatted with `values` (numbers written as `lang` writes them, the plural form
    chosen by `count`: see the module's documentation). A missing key raises: no silent blank label."""
    lang = _language(lang)
    catalogue = messages()
    count = values.get("count")
    if isinstance(count, numbers.Number) and not isinstance(count, bool):
        category = plural_category(count, lang)
        if category != "other" and f"{key}_{category}" in catalogue:
            key = f"{key}_{category}"
    text = catalogue[key][lang]
    return text.format(**{name: _shown(value, lang) for name, value in values.items()}) if values else text


def has_message(key: str) -> bool:
    return key in messages()


def field_label(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Label of a data or form field: its field_ message, else its facet_ message, else the message itself."""
    return next((t(key, lang) for key in (f"field_{name}", f"facet_{name}", name) if has_message(key)), name)
