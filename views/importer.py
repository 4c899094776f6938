"""Staff import of an inventory spreadsheet: read, map columns and tags, check, see the diff, apply."""

import streamlit as st

from ecosystem.corrections.service import current_raw
from ecosystem.i18n import field_label, t
from ecosystem.import_mapping import known_headers, suggest_columns, suggest_key
from ecosystem.import_plan import apply_import, plan_import
from ecosystem.import_read import UnreadableFile, checksum, read_upload, visible
from ecosystem.schema import COLUMNS
from ecosystem.text import normalise_text
from ecosystem.vocabulary import load_vocabulary
from views._shared import corrections_db
from views._state import current_language, show_in_url
from views._staff import require_staff

lang = current_language()
show_in_url(lang)
st.title(t("page_import", lang))
reviewer = require_staff(lang)
vocabulary = load_vocabulary()

upload = st.file_uploader(t("upload", lang), type=["csv", "txt", "tsv", "xlsx"])
if upload is None:
    st.stop()
data = upload.getvalue()
digest = checksum(data)
try:
    read = read_upload(data, upload.name, known_headers())
except UnreadableFile as error:
    st.error(t("unreadable", lang, error=error.message(lang)))
    st.stop()
st.caption(t("file_read", lang, rows=len(read.table), encoding=read.encoding,
             delimiter=f", « {read.delimiter} »" if read.delimiter else "", header=read.header_row + 1,
             empty=read.skipped_empty_rows))

st.subheader(t("column_mapping", lang))
suggested = suggest_columns(list(read.table.columns))
mapping = {}
columns = st.columns(3)
for position, column in enumerate(read.table.columns):
    options = [None, *COLUMNS]
    mapping[column] = columns[position % 3].selectbox(
        column, options, index=options.index(suggested[column]), key=f"map_{digest[:8]}_{position}",
        format_func=lambda c: t("ignored", lang) if c is None else field_label(c, lang))
st.subheader(t("preview", lang))
# Cells cut and hidden characters made visible: a 1 MB cell or a direction override must not take over the preview.
st.dataframe(read.table.head(10).map(lambda value: visible(value, 200)), hide_index=True, width="stretch")

current = current_raw(corrections_db())
plan = plan_import(read, mapping, upload.name, digest, current, lang=lang)
overrides: dict[str, dict[str, str]] = {}
if plan.unknown_values:
    st.subheader(t("tag_mapping", lang))
    st.caption(t("tag_mapping_help", lang))
    for position, ((facet, value), rows) in enumerate(sorted(plan.unknown_values.items())):
        options = [None, *vocabulary.keys(facet)]
        suggestion = suggest_key(facet, value, vocabulary)
        choice = st.selectbox(f"{field_label(facet, lang)} — « {value} » ({rows})", options,
                              index=options.index(suggestion) if suggestion else 0,
                              key=f"tag_{digest[:8]}_{position}",
                              format_func=lambda k, f=facet: t("not_kept", lang) if k is None
                              else vocabulary.label(f, k, lang))
        overrides.setdefault(facet, {})[normalise_text(value)] = choice or ""
    plan = plan_import(read, mapping, upload.name, digest, current, overrides, lang=lang)

st.subheader(t("report", lang))
st.info(t("summary", lang, **plan.counts()))
st.dataframe(plan.report().rename(columns={
    "line": t("report_line", lang), "name": t("field_name", lang), "status": t("status", lang),
    "change": t("report_change", lang), "fields": t("report_fields", lang), "reasons": t("report_reasons", lang),
}), hide_index=True, width="stretch")

applicable = plan.counts()["new"] + plan.counts()["changed"]
if st.button(t("apply_import", lang), type="primary", disabled=not applicable):
    bar = st.progress(0.0)
    applied = apply_import(corrections_db(), plan, reviewer, progress=bar.progress)
    st.success(t("applied", lang, reference=plan.reference, **applied))
