"""Staff page: log in, then moderate the queue (diff, edit, accept, reject with a reason, bulk, revert),
read the history and export the current dataset. Contact e-mails are shown only here."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from ecosystem.corrections import lengths
from ecosystem.corrections.service import (ACCEPTED, PENDING, REJECTED, REVERTED, InvalidEdit, NotPending, accept,
                                           current_raw, decided_since, export_current_csv, history, queue,
                                           reject, revert)
from ecosystem.selection import ids_by_name
from ecosystem.i18n import field_label, t
from ecosystem.removed import removal_of
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


LOG = logging.getLogger(__name__)
PARIS = ZoneInfo("Europe/Paris")


def decided_by(error: NotPending, reference: str, key: str = "already_decided_by") -> str:
    """Who decided first, and when (Paris time; SQLite gives back naive UTC times)."""
    if not error.reviewer or error.decided_at is None:
        return f"{reference} — {t('already_decided', lang)}"
    when = error.decided_at if error.decided_at.tzinfo else error.decided_at.replace(tzinfo=dt.timezone.utc)
    when = when.astimezone(PARIS)
    return t(key, lang, reference=reference, name=error.reviewer, date=f"{when:%Y-%m-%d}", time=f"{when:%H:%M}",
             status=t(f"status_{error.status}", lang))


def decide(action, reference: str, *args) -> bool:
    """Apply a decision; on failure, say why in the person's language. The service's transaction has then
    rolled back whole: the request is as it was (still pending, unless someone else decided it)."""
    try:
        action(database, *args)
        return True
    except NotPending as error:
        st.warning(decided_by(error, reference))
    except InvalidEdit as error:
        st.error(t("edits_refused", lang, reference=reference))
        for name, (key, params) in error.errors.items():
            st.markdown(f"- **{field_label(name, lang)}** : {t(key, lang, **params)}")
    except Exception:  # noqa: BLE001 - any failure: a message for staff, the traceback for the server log
        LOG.exception("decision on %s failed", reference)
        st.error(t("decision_failed", lang, reference=reference))
    return False


def tell_decided_meanwhile() -> None:
    """Requests shown as pending on this page's previous run that someone else has decided since: a click on
    one of them found no form to act on (each click reruns the page, which reads the queue again), so the
    person is told who decided, instead of seeing the request silently vanish."""
    shown = st.session_state.get(SHOWN_PENDING, {})
    pending_now = {request.id for request in requests if request.status == PENDING}
    for decision in decided_since(database, [i for i in shown if i not in pending_now], not_by=reviewer):
        st.warning(decided_by(decision, decision.reference, "decided_meanwhile"))
    st.session_state[SHOWN_PENDING] = {request.id: request.reference for request in requests
                                       if request.status == PENDING}


def provisional_id(request) -> bool:
    """A new organisation not accepted yet: its entity_id is not its own yet (it may be another entity's)."""
    return request.kind == "new" and request.status in (PENDING, REJECTED)


SHOWN_PENDING = "moderation_shown_pending"
tell_decided_meanwhile()
if not requests:
    st.info(t("empty_queue", lang))
for request in requests:
    proposed_name = next((c.new_value for c in request.changes if c.field == "name"), request.entity_id)
    title = (f"{t('new_organisation', lang)} : {proposed_name}" if provisional_id(request)
             else names.get(request.entity_id, f"{t('new_organisation', lang)} : {request.entity_id}"))
    with st.expander(f"{request.reference} — {title} — {t(f'status_{request.status}', lang)}"):
        st.text(f"{request.contact_name} <{request.contact_email}> · {request.contact_organisation} · "
                f"{t('relation_' + request.relation, lang)} · {request.submitted_at:%Y-%m-%d %H:%M}")
        if request.comment:
            st.text(request.comment)
        diff = pd.DataFrame({
            t("field", lang): [field_label(c.field, lang) for c in request.changes],
            t("current", lang): [str(live.at[request.entity_id, c.field]) if not provisional_id(request)
                                 and request.entity_id in live.index and c.field in live.columns
                                 else c.old_value for c in request.changes],
            t("proposed", lang): [c.new_value for c in request.changes],
        })
        st.dataframe(diff, hide_index=True, width="stretch")
        proposed_name = next((c.new_value for c in request.changes if c.field == "name"), "")
        if request.kind == "new" and (removal := removal_of(proposed_name)):
            st.warning(t("removed_warning", lang, date=removal.removed_on, reason=removal.reason,
                         evidence=removal.evidence.replace("|", " ; ")), icon=":material/history:")
        if provisional_id(request) and request.status == PENDING:
            st.caption(t("new_id_on_accept", lang))
        elif request.kind == "new":
            st.caption(t("new_id_given", lang, id=request.entity_id))
        if request.status == PENDING:
            with st.form(f"decide_{request.id}"):
                st.caption(t("edit_before_accept", lang))
                edited = {c.field: st.text_input(field_label(c.field, lang), c.new_value,
                                                 key=f"e{request.id}{c.field}") for c in request.changes}
                reason = st.text_input(t("reason", lang), key=f"reason_{request.id}", max_chars=lengths.REASON)
                accept_clicked, reject_clicked = st.columns(2)
                if accept_clicked.form_submit_button(t("accept", lang), type="primary"):
                    changed = {k: v for k, v in edited.items()
                               if v != next(c.new_value for c in request.changes if c.field == k)}
                    if decide(accept, request.reference, request.id, reviewer, changed):
                        st.rerun()
                if reject_clicked.form_submit_button(t("reject", lang)):
                    if not reason.strip():
                        st.error(t("reason_required", lang))
                    elif decide(reject, request.reference, request.id, reviewer, reason):
                        st.rerun()
        elif request.status == ACCEPTED and st.button(t("revert", lang), key=f"revert_{request.id}"):
            if decide(revert, request.reference, request.id, reviewer, ""):
                st.rerun()

pending = [r for r in requests if r.status == PENDING]
if pending:
    st.subheader(t("bulk", lang))
    with st.form("bulk"):
        references = {r.id: r.reference for r in pending}
        chosen = st.multiselect(t("bulk_select", lang), list(references), format_func=references.get)
        reason = st.text_input(t("reason", lang), key="bulk_reason", max_chars=lengths.REASON)
        left, right = st.columns(2)
        if left.form_submit_button(t("accept_selected", lang)):
            st.success(t("done", lang, count=sum(decide(accept, references[i], i, reviewer, None) for i in chosen)))
        if right.form_submit_button(t("reject_selected", lang)):
            if not reason.strip():
                st.error(t("reason_required", lang))
            else:
                st.success(t("done", lang, count=sum(decide(reject, references[i], i, reviewer, reason)
                                                     for i in chosen)))

st.download_button(t("export_current", lang), lambda: export_current_csv(database), "entities.csv", "text/csv",
                   icon=":material/download:")
st.subheader(t("history_title", lang))
st.dataframe(history(database), hide_index=True, width="stretch")
