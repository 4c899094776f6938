"""Staff import of an inventory spreadsheet: what it needs (columns, template), read, map columns, defaults and
values, confirm uncertain matches with the map, check, see the diff, apply."""

import streamlit as st

from ecosystem.corrections.service import current_raw
from ecosystem.i18n import field_label, t
from ecosystem.import_mapping import TARGETS, choice, facets_for, known_headers, suggest_columns
from ecosystem.import_plan import ACCEPT, REJECT, applied_text, apply_import, plan_import, summary_text, target_label
from ecosystem.import_read import UnreadableFile, checksum, read_upload, visible
from ecosystem.import_template import columns_table, template_csv, template_xlsx
from ecosystem.schema import TAG_FACETS
from ecosystem.text import normalise_text
from ecosystem.vocabulary import load_vocabulary
from views._shared import corrections_db
from views._state import current_language, show_in_url
from views._staff import require_staff
from views._streamlit_texts import file_uploader

lang = current_language()
show_in_url(lang)
st.title(t("page_import", lang), anchor=False)
reviewer = require_staff(lang)
vocabulary = load_vocabulary()

st.markdown(t("import_intro", lang))
with st.expander(t("import_columns_title", lang)):
    st.dataframe(columns_table(lang), hide_index=True, width="stretch")
template_name = "modele-inventaire" if lang == "fr" else "inventory-template"
# Side by side, each as wide as its label (columns left a wide gap between them on a desktop screen).
templates = st.container(horizontal=True, gap="small")
templates.download_button(t("import_template_csv", lang), template_csv(lang), file_name=f"{template_name}.csv",
                          mime="text/csv", key="template_csv")
templates.download_button(t("import_template_xlsx", lang), template_xlsx(lang), file_name=f"{template_name}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="template_xlsx")

upload = file_uploader(t("upload", lang), lang, ["csv", "txt", "tsv", "xlsx"])
if upload is None:
    st.stop()
data = upload.getvalue()
digest = checksum(data)
try:
    read = read_upload(data, upload.name, known_headers())
except UnreadableFile as error:
    st.error(t("unreadable", lang, error=error.message(lang)))
    st.stop()
file_read = t("file_read", lang, count=len(read.table), encoding=read.encoding, header=read.header_row + 1,
              delimiter=t("file_read_delimiter", lang, delimiter=read.delimiter) if read.delimiter else "")
if read.skipped_empty_rows:
    file_read += " " + t("file_read_empty", lang, count=read.skipped_empty_rows)
st.caption(file_read)

st.subheader(t("column_mapping", lang))
suggested = suggest_columns(list(read.table.columns))
mapping = {}
columns = st.columns(3)
for position, column in enumerate(read.table.columns):
    options = [None, *TARGETS]
    mapping[column] = columns[position % 3].selectbox(
        column, options, index=options.index(suggested[column]), key=f"map_{digest[:8]}_{position}",
        format_func=lambda c: t("ignored", lang) if c is None else target_label(c, lang))

st.subheader(t("import_defaults_title", lang))
st.caption(t("import_defaults_help", lang))
defaults: dict[str, str] = {}


def default_select(container, facet: str) -> None:
    options = [None, *vocabulary.keys(facet)]
    picked = container.selectbox(t("import_default_for", lang, field=field_label(facet, lang)), options,
                                 key=f"default_{digest[:8]}_{facet}",
                                 format_func=lambda k: t("import_default_none", lang) if k is None
                                 else vocabulary.label(facet, k, lang))
    if picked:
        defaults[facet] = picked


first, second = st.columns(2)
default_select(first, "kind")
default_select(second, "category")
with st.expander(t("import_defaults_more", lang)):
    more = st.columns(3)
    for position, facet in enumerate(TAG_FACETS):
        default_select(more[position % 3], facet)
    for position, name in enumerate(("city", "source")):
        value = more[position].text_input(t("import_default_for", lang, field=field_label(name, lang)),
                                          key=f"default_{digest[:8]}_{name}", max_chars=300)
        if value.strip():
            defaults[name] = value

st.subheader(t("preview", lang))
# Cells cut and hidden characters made visible: a 1 MB cell or a direction override must not take over the preview.
if read.table.empty:  # a header without rows: say so (an empty grid would say "empty", in English)
    st.caption(t("table_no_rows", lang))
else:
    st.dataframe(read.table.head(10).map(lambda value: visible(value, 200)), hide_index=True, width="stretch")

current = current_raw(corrections_db())
plan = plan_import(read, mapping, upload.name, digest, current, lang=lang, defaults=defaults)

overrides: dict[str, dict[str, str]] = {}
if plan.unknown_values:
    st.subheader(t("tag_mapping", lang))
    st.caption(t("tag_mapping_help", lang))
    for position, ((target, value), rows) in enumerate(sorted(plan.unknown_values.items())):
        closest = [choice(facet, key) for facet, key, _ in plan.suggested.get((target, value), [])]
        everything = [choice(facet, key) for facet in facets_for(target) for key in vocabulary.keys(facet)]
        options = [None, *closest, *(c for c in everything if c not in closest)]

        def label(picked, closest=closest):
            if picked is None:
                return t("not_kept", lang)
            facet, _, key = picked.partition(":")
            text = f"{vocabulary.label(facet, key, lang)} ({field_label(facet, lang)})"
            return f"{text} — {t('import_suggested', lang)}" if picked in closest else text

        # Never preselected: a suggestion is applied only when staff pick it.
        picked = st.selectbox(f"{target_label(target, lang)} — « {visible(value, 80)} » ({rows})", options,
                              key=f"tag_{digest[:8]}_{position}", format_func=label)
        overrides.setdefault(target, {})[normalise_text(value)] = picked or ""

decisions: dict[int, str] = {}
if plan.uncertain:
    st.subheader(t("import_matches_title", lang))
    st.caption(t("import_matches_help", lang))
    answers = {"": t("import_match_pending", lang), ACCEPT: t("import_match_accept", lang),
               REJECT: t("import_match_reject", lang)}
    for result in plan.uncertain:
        match = result.match
        decisions[result.line] = st.radio(
            t("import_match_question", lang, line=result.line, name=visible(result.name, 120),
              existing=visible(match.name, 120), id=match.entity_id, why=match.explain(lang)),
            list(answers), format_func=answers.get, horizontal=True, key=f"match_{digest[:8]}_{result.line}")

if overrides or decisions:
    plan = plan_import(read, mapping, upload.name, digest, current, overrides, lang=lang, defaults=defaults,
                       decisions=decisions)

routing = plan.routing()
if len(routing):
    st.subheader(t("import_routing_title", lang))
    st.dataframe(routing.rename(columns={"value": t("import_routing_value", lang),
                                         "went": t("import_routing_went", lang),
                                         "rows": t("import_routing_rows", lang)}), hide_index=True, width="stretch")

st.subheader(t("report", lang))
counts = plan.counts()
st.info(summary_text(counts, lang))
if plan.results:
    st.dataframe(plan.readable_report(lang), hide_index=True, width="stretch",
                 height=min(38 + 35 * len(plan.results), 740))
else:
    st.caption(t("table_no_rows", lang))

applicable = counts["new"] + counts["changed"]
if st.button(t("apply_import", lang), type="primary", disabled=not applicable):
    bar = st.progress(0.0)
    applied = apply_import(corrections_db(), plan, reviewer, progress=bar.progress)
    st.success(applied_text(plan.reference, applied, lang))
