"""Staff page: log in, then moderate the queue (diff, edit, accept, reject with a reason, bulk, revert),
read the history and export the current dataset. Contact e-mails are shown only here."""

import datetime as dt

import pandas as pd
import streamlit as st

from ecosystem.corrections.service import (ACCEPTED, PENDING, REJECTED, REVERTED, NotPending, accept,
                                           current_raw, export_current_csv, history, queue, reject, revert)
from ecosystem.selection import ids_by_name
from ecosystem.i18n import field_label, t
from views._shared import corrections_db, entities
from views._state import current_language, show_in_url
from views._staff import require_staff

lang = current_language()
show_in_url(lang)
st.title(t("page_moderation", lang))


reviewer = require_staff(lang)
database = corrections_db()
names = dict(zip(entities()["id"], entities()["name"]))
live = current_raw(database).set_index("id")  # text values, as the requests hold them
with st.expander(t("queue_filters", lang), expanded=True):
    left, middle, right = st.columns(3)
    status = left.selectbox(t("status", lang), [PENDING, ACCEPTED, REJECTED, REVERTED, None],
                            format_func=lambda s: t("all", lang) if s is None else t(f"status_{s}", lang))
    entity = middle.selectbox(t("entity", lang), [None, *ids_by_name(names)],
                              format_func=lambda i: t("all", lang) if i is None else names.get(i, i))
    since = right.date_input(t("since", lang), value=None)
requests = queue(database, status=status, entity_id=entity,
                 since=dt.datetime.combine(since, dt.time(), dt.timezone.utc) if since else None)


def decide(action, *args) -> bool:
    try:
        action(database, *args)
        return True
    except NotPending:
        st.warning(t("already_decided", lang))
        return False


if not requests:
    st.info(t("empty_queue", lang))
for request in requests:
    title = names.get(request.entity_id, f"{t('new_organisation', lang)} : {request.entity_id}")
    with st.expander(f"{request.reference} — {title} — {t(f'status_{request.status}', lang)}"):
        st.text(f"{request.contact_name} <{request.contact_email}> · {request.contact_organisation} · "
                f"{t('relation_' + request.relation, lang)} · {request.submitted_at:%Y-%m-%d %H:%M}")
        if request.comment:
            st.text(request.comment)
        diff = pd.DataFrame({
            t("field", lang): [field_label(c.field, lang) for c in request.changes],
            t("current", lang): [str(live.at[request.entity_id, c.field]) if request.entity_id in live.index
                                 and c.field in live.columns else c.old_value for c in request.changes],
            t("proposed", lang): [c.new_value for c in request.changes],
        })
        st.dataframe(diff, hide_index=True, width="stretch")
        if request.status == PENDING:
            with st.form(f"decide_{request.id}"):
                st.caption(t("edit_before_accept", lang))
                edited = {c.field: st.text_input(field_label(c.field, lang), c.new_value,
                                                 key=f"e{request.id}{c.field}") for c in request.changes}
                reason = st.text_input(t("reason", lang), key=f"reason_{request.id}")
                accept_clicked, reject_clicked = st.columns(2)
                if accept_clicked.form_submit_button(t("accept", lang), type="primary"):
                    changed = {k: v for k, v in edited.items()
                               if v != next(c.new_value for c in request.changes if c.field == k)}
                    if decide(accept, request.id, reviewer, changed):
                        st.rerun()
                if reject_clicked.form_submit_button(t("reject", lang)):
                    if not reason.strip():
                        st.error(t("reason_required", lang))
                    elif decide(reject, request.id, reviewer, reason):
                        st.rerun()
        elif request.status == ACCEPTED and st.button(t("revert", lang), key=f"revert_{request.id}"):
            if decide(revert, request.id, reviewer, ""):
                st.rerun()

pending = [r for r in requests if r.status == PENDING]
if pending:
    st.subheader(t("bulk", lang))
    with st.form("bulk"):
        chosen = st.multiselect(t("bulk_select", lang), [r.id for r in pending],
                                format_func=lambda i: next(r.reference for r in pending if r.id == i))
        reason = st.text_input(t("reason", lang), key="bulk_reason")
        left, right = st.columns(2)
        if left.form_submit_button(t("accept_selected", lang)):
            st.success(t("done", lang, count=sum(decide(accept, i, reviewer, None) for i in chosen)))
        if right.form_submit_button(t("reject_selected", lang)):
            if not reason.strip():
                st.error(t("reason_required", lang))
            else:
                st.success(t("done", lang, count=sum(decide(reject, i, reviewer, reason) for i in chosen)))

st.download_button(t("export_current", lang), lambda: export_current_csv(database), "entities.csv", "text/csv",
                   icon=":material/download:")
st.subheader(t("history_title", lang))
st.dataframe(history(database), hide_index=True, width="stretch")
