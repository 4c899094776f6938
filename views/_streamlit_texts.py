"""Streamlit's own texts in the interface language, where Streamlit (1.67) draws English words of its own and gives
no parameter for them (README, "Textes de Streamlit non traduisibles").

Parameters come first (placeholder=, select_all=False, format=: see the pages); what is left here is CSS on
Streamlit's stable data-testid selectors (and React Aria's documented data attributes of date segments): the
English text is hidden and the catalogue's shown in its place. If a later Streamlit renames a selector, the rule
simply stops applying and Streamlit's English text comes back: nothing breaks.
"""

from __future__ import annotations

import json

import streamlit as st

from ecosystem.i18n import t


def _css_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid CSS string (quotes, backslashes)


def _replace(selector: str, text: str, size: str) -> str:
    """CSS showing `text` (at font size `size`) instead of the text of `selector`, in the same place."""
    return (f"{selector} {{ font-size: 0 !important; }}"
            f"{selector}::after {{ content: {_css_string(text)}; font-size: {size}; }}")


def file_uploader(label: str, lang: str, types: list[str], **kwargs):
    """st.file_uploader with its button and its size line in `lang`: "Choisir un fichier", "200 Mo au plus par
    fichier · CSV, XLSX" (the limit is the server's, server.maxUploadSize, in megabytes)."""
    limit = t("upload_limit", lang, size=int(st.get_option("server.maxUploadSize")),
              types=", ".join(kind.upper() for kind in types))
    dropzone = "[data-testid='stFileUploaderDropzone']"
    st.html("<style>"
            + _replace(f"{dropzone} [data-testid='stBaseButton-secondary'] [data-testid='stMarkdownContainer'] p",
                       t("upload_button", lang), "0.875rem")
            + _replace(f"{dropzone} [data-testid='stFileUploaderDropzoneInstructions'] span", limit, "0.875rem")
            + "</style>")
    return st.file_uploader(label, type=types, **kwargs)


def date_placeholders(lang: str) -> None:
    """The empty segments of every date field in `lang` ("jj / mm / aaaa" rather than Streamlit's "dd / mm /
    yyyy", which its date field writes in American English whatever `format=` says)."""
    segment = "[data-testid='stDateInputField'] [data-placeholder='true'][data-type='{}']"
    st.html("<style>" + "".join(_replace(segment.format(part), t(f"date_placeholder_{part}", lang), "1rem")
                                for part in ("day", "month", "year")) + "</style>")
