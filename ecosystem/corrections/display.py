"""Field names and values as staff read them on the moderation, import and quality pages: labels from the message
catalogue, vocabulary labels for codes and tags, commune names for INSEE codes, "—" for an empty value; and which
proposed or recorded changes really change something (91228 → 91228 is no change).

No Streamlit here: the pages call these functions with the interface language.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from zoneinfo import ZoneInfo

import pandas as pd

from ecosystem.i18n import DEFAULT_LANGUAGE, field_label, has_message, t
from ecosystem.loading import split_list
from ecosystem.schema import CODED_COLUMNS, TAG_FACETS
from ecosystem.vocabulary import load_vocabulary

EMPTY = "—"
NUMBERS = ("lat", "lon")
PARIS_TIME = ZoneInfo("Europe/Paris")


def paris_time(moment: dt.datetime) -> dt.datetime:
    """A stored time in Paris time (SQLite gives back naive UTC times, PostgreSQL aware ones)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).astimezone(PARIS_TIME)


def staff_field_label(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A short label for a data field (the staff pages' own when the public form's is a sentence), never the
    raw column name when the catalogue has one."""
    key = f"staff_field_{name}"
    return t(key, lang) if has_message(key) else field_label(name, lang)


def _text(value: object) -> str:
    """A stored value as text: None and NaN (pandas' empty cells) are empty, never "None" or "nan"."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    return str(value).strip()


@lru_cache(maxsize=1)
def _communes() -> dict[str, str]:
    from geo.boundaries import commune_table

    table = commune_table()
    return dict(zip(table["code"], table["name"]))


def commune_name(code: str) -> str:
    """"Évry-Courcouronnes (91228)": the name people know, with the code staff may look up; the code alone when
    it names no commune of the region."""
    name = _communes().get(code)
    return f"{name} ({code})" if name else code


def readable_value(field: str, value: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """`value` of `field` as people read it: labels for vocabulary codes and tags (" ; " between tags), the
    commune's name for its code, "—" when empty."""
    text = _text(value)
    if not text:
        return EMPTY
    vocabulary = load_vocabulary()
    if field in TAG_FACETS or field in CODED_COLUMNS:
        return " ; ".join(vocabulary.label(field, key, lang) for key in split_list(text)) or EMPTY
    if field == "commune_code":
        return commune_name(text)
    return text


def same_value(field: str, old: object, new: object) -> bool:
    """Whether two stored values of `field` mean the same: tags in any order, numbers equal as numbers, text
    equal once trimmed (an empty cell and None alike)."""
    old, new = _text(old), _text(new)
    if field in TAG_FACETS:
        return sorted(split_list(old)) == sorted(split_list(new))
    if field in NUMBERS and old and new:
        try:
            return float(old) == float(new)
        except ValueError:
            pass
    return old == new


def readable_diff(changes: list[tuple[str, object, object]], lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """(field, current, proposed) triples as a table of the real changes only, labelled in `lang`."""
    rows = [(staff_field_label(name, lang), readable_value(name, old, lang), readable_value(name, new, lang))
            for name, old, new in changes if not same_value(name, old, new)]
    return pd.DataFrame(rows, columns=[t("field", lang), t("current", lang), t("proposed", lang)])


def readable_history(history: pd.DataFrame, names: dict[str, str], lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """The history of published values (service.history) as staff read it, newest first: the entry's name
    rather than its identifier, field labels, readable values, times in Paris, reverted or not; rows that changed
    nothing (a bookkeeping value rewritten as it was) are left out."""
    columns = [t("entity", lang), t("field", lang), t("staff_old_value", lang), t("staff_new_value", lang),
               t("staff_reference", lang), t("staff_reviewer", lang), t("staff_applied_at", lang),
               t("staff_reverted_at", lang)]

    def when(moment) -> str:
        if moment is None or moment is pd.NaT or (isinstance(moment, float) and math.isnan(moment)):
            return EMPTY
        return f"{paris_time(pd.Timestamp(moment).to_pydatetime()):%Y-%m-%d %H:%M}"

    real = history[[not same_value(row.field, row.old_value, row.new_value) for row in history.itertuples()]]
    rows = [(names.get(row.entity_id) or row.entity_id, staff_field_label(row.field, lang),
             readable_value(row.field, row.old_value, lang), readable_value(row.field, row.new_value, lang),
             row.reference, row.reviewer, when(row.applied_at), when(row.reverted_at))
            for row in real.iloc[::-1].itertuples()]
    return pd.DataFrame(rows, columns=columns)
