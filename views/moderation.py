"""Staff page: log in, then moderate the queue (diff, edit, accept, reject with a reason, bulk, revert),
read the history and export the current dataset. Contact e-mails are shown only here.

Every decision is confirmed after the page reruns: a toast (seen wherever the page is scrolled) and a status line
at the top of the page, in the staff member's language. The comparison and the history show only the fields whose
value really changes, with their labels and their values as people read them (ecosystem/corrections/display.py).
"""

import datetime as dt
import logging

import streamlit as st

from ecosystem.corrections import lengths
from ecosystem.corrections.display import (paris_time, readable_diff, readable_history, same_value,
                                           staff_field_label)
from ecosystem.corrections.service import (ACCEPTED, PENDING, REJECTED, REVERTED, InvalidEdit, NotPending, accept,
                                           current_raw, decided_since, export_current_csv, history, queue,
                                           reject, revert)
from ecosystem.i18n import t
from ecosystem.loading import join_list, split_list
from ecosystem.removed import removal_of
from ecosystem.schema import TAG_FACETS
from ecosystem.selection import ids_by_name
from ecosystem.vocabulary import load_vocabulary
from views._shared import corrections_db, entities
from views._state import current_language, show_in_url
from views._staff import require_staff
from views._streamlit_texts import date_placeholders

lang = current_language()
show_in_url(lang)
st.title(t("page_moderation", lang), anchor=False)


reviewer = require_staff(lang)
database = corrections_db()
vocabulary = load_vocabulary()
names = dict(zip(entities()["id"], entities()["name"]))
live = current_raw(database).set_index("id")  # text values, as the requests hold them

LOG = logging.getLogger(__name__)
# What the last decision did, shown once after the rerun it triggers: [(kind, message)], kind being
# "success", "warning" or "error".
NOTICE = "moderation_notice"


def tell(kind: str, message: str) -> None:
    st.session_state.setdefault(NOTICE, []).append((kind, message))


def show_notice() -> None:
    """The outcome of the decision made just before this rerun: a toast, and the same words as a status line."""
    notices = st.session_state.pop(NOTICE, [])
    for kind, message in notices:
        if kind == "success":
            st.toast(message, icon=":material/check_circle:")
            st.success(message, icon=":material/check_circle:")
        elif kind == "warning":
            st.warning(message)
        else:
            st.error(message)


show_notice()
with st.expander(t("queue_filters", lang), expanded=True):
    left, middle, right = st.columns(3)
    status = left.selectbox(t("status", lang), [PENDING, ACCEPTED, REJECTED, REVERTED, None],
                            format_func=lambda s: t("all", lang) if s is None else t(f"status_{s}", lang))
    entity = middle.selectbox(t("entity", lang), [None, *ids_by_name(names)],
                              format_func=lambda i: t("all", lang) if i is None else names.get(i, i))
    date_placeholders(lang)
    since = right.date_input(t("since", lang), value=None, format="DD/MM/YYYY" if lang == "fr" else "YYYY-MM-DD")
requests = queue(database, status=status, entity_id=entity,
                 since=dt.datetime.combine(since, dt.time(), dt.timezone.utc) if since else None)


def decided_by(error: NotPending, reference: str, key: str = "already_decided_by") -> str:
    """Who decided first, and when (Paris time)."""
    if not error.reviewer or error.decided_at is None:
        return f"{reference} — {t('already_decided', lang)}"
    when = paris_time(error.decided_at)
    return t(key, lang, reference=reference, name=error.reviewer, date=f"{when:%Y-%m-%d}", time=f"{when:%H:%M}",
             status=t(f"status_{error.status}", lang))


def decide(action, reference: str, *args, show=None) -> bool:
    """Apply a decision; on failure, say why in the person's language (`show(kind, message)`: on the page at
    once by default). The service's transaction has then rolled back whole: the request is as it was (still
    pending, unless someone else decided it)."""
    inline = show is None
    show = show or (lambda kind, message: getattr(st, kind)(message))
    try:
        action(database, *args)
        return True
    except NotPending as error:
        show("warning", decided_by(error, reference))
    except InvalidEdit as error:
        lines = [t("edits_refused", lang, reference=reference)]
        for name, (key, params) in error.errors.items():
            problem = t(key, lang, **params)
            lines.append(f"- {problem}" if name == "form" else f"- **{staff_field_label(name, lang)}** : {problem}")
        if inline:
            st.error(lines[0])
            for line in lines[1:]:
                st.markdown(line)
        else:  # kept for after the rerun: one message
            show("error", "\n".join(lines))
    except Exception:  # noqa: BLE001 - any failure: a message for staff, the traceback for the server log
        LOG.exception("decision on %s failed", reference)
        show("error", t("decision_failed", lang, reference=reference))
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


def proposed_name(request) -> str:
    return next((c.new_value for c in request.changes if c.field == "name"), "")


def title_of(request) -> str:
    """The entry's name on the map; for a new organisation, the name proposed."""
    if not provisional_id(request) and request.entity_id in names:
        return names[request.entity_id]
    return f"{t('new_organisation', lang)} : {proposed_name(request) or request.entity_id}"


def current_value(request, field: str) -> str:
    """What the entry holds now (the live value), or what the requester saw for a request without a live entry."""
    if not provisional_id(request) and request.entity_id in live.index and field in live.columns:
        return str(live.at[request.entity_id, field])
    return next((c.old_value for c in request.changes if c.field == field), "")


def contact_line(request) -> str:
    sent = f"{paris_time(request.submitted_at):%Y-%m-%d %H:%M}"
    parts = [f"{request.contact_name} <{request.contact_email}>", request.contact_organisation,
             t(f"staff_relation_{request.relation}", lang), t("staff_submitted_on", lang, when=sent)]
    return " · ".join(part for part in parts if part)


def edit_widget(request, change):
    """The value to publish for one field, as the public form lets people pick it: vocabulary fields as lists
    of labels, the rest as text. Returns the value in the stored form (keys, "|" between tags)."""
    key, label, value = f"e{request.id}{change.field}", staff_field_label(change.field, lang), change.new_value
    if change.field in TAG_FACETS:
        options = list(vocabulary.keys(change.field))
        chosen = st.multiselect(label, options, default=[k for k in split_list(value) if k in options], key=key,
                                format_func=lambda k, f=change.field: vocabulary.label(f, k, lang),
                                placeholder=t("staff_choose_options", lang), select_all=False)
        return join_list(chosen)
    if change.field in ("kind", "category") and value in vocabulary.keys(change.field):
        options = list(vocabulary.keys(change.field))
        return st.selectbox(label, options, index=options.index(value), key=key,
                            format_func=lambda k, f=change.field: vocabulary.label(f, k, lang))
    return st.text_input(label, value, key=key)


SHOWN_PENDING = "moderation_shown_pending"
tell_decided_meanwhile()
if not requests:
    st.info(t("empty_queue", lang))
for request in requests:
    with st.expander(f"{request.reference} — {title_of(request)} — {t(f'status_{request.status}', lang)}"):
        st.text(contact_line(request))
        if request.comment:
            st.text(request.comment)
        diff = readable_diff([(c.field, current_value(request, c.field), c.new_value) for c in request.changes],
                             lang)
        if diff.empty:
            st.caption(t("staff_diff_none", lang))
        else:
            st.dataframe(diff, hide_index=True, width="stretch")
        if request.kind == "new" and (removal := removal_of(proposed_name(request))):
            st.warning(t("removed_warning", lang, date=removal.removed_on, reason=removal.reason,
                         evidence=removal.evidence.replace("|", " ; ")), icon=":material/history:")
        if provisional_id(request) and request.status == PENDING:
            st.caption(t("new_id_on_accept", lang))
        elif request.kind == "new":
            st.caption(t("new_id_given", lang, id=request.entity_id))
        if request.reviews and request.status != PENDING:
            last = request.reviews[-1]
            when = paris_time(last.decided_at)
            st.caption(t("staff_decided_by", lang, name=last.reviewer, date=f"{when:%Y-%m-%d}",
                         time=f"{when:%H:%M}", status=t(f"status_{request.status}", lang))
                       + (f" {t('reason', lang)} : {last.reason}" if last.reason else ""))
        if request.status == PENDING:
            with st.form(f"decide_{request.id}"):
                st.caption(t("edit_before_accept", lang))
                edited = {c.field: edit_widget(request, c) for c in request.changes}
                reason = st.text_input(t("reason", lang), key=f"reason_{request.id}", max_chars=lengths.REASON)
                accept_clicked, reject_clicked = st.columns(2)
                if accept_clicked.form_submit_button(t("accept", lang), type="primary"):
                    proposal = {c.field: c.new_value for c in request.changes}
                    changed = {k: v for k, v in edited.items() if not same_value(k, v, proposal[k])}
                    if decide(accept, request.reference, request.id, reviewer, changed):
                        tell("success", t("staff_done_accepted", lang, reference=request.reference,
                                          name=title_of(request)))
                        st.rerun()
                if reject_clicked.form_submit_button(t("reject", lang)):
                    if not reason.strip():
                        st.error(t("reason_required", lang))
                    elif decide(reject, request.reference, request.id, reviewer, reason):
                        tell("success", t("staff_done_rejected", lang, reference=request.reference,
                                          name=title_of(request)))
                        st.rerun()
        elif request.status == ACCEPTED and st.button(t("revert", lang), key=f"revert_{request.id}"):
            if decide(revert, request.reference, request.id, reviewer, ""):
                tell("success", t("staff_done_reverted", lang, reference=request.reference, name=title_of(request)))
                st.rerun()

pending = [r for r in requests if r.status == PENDING]
if pending:
    st.subheader(t("bulk", lang))
    with st.form("bulk"):
        references = {r.id: r.reference for r in pending}
        # Streamlit's "Select all" of the option list is English only: a checkbox of our own instead.
        everything = st.checkbox(t("bulk_all", lang, count=len(references)), key="bulk_all")
        chosen = st.multiselect(t("bulk_select", lang), list(references), format_func=references.get,
                                placeholder=t("staff_choose_options", lang), select_all=False)
        chosen = list(references) if everything else chosen
        reason = st.text_input(t("reason", lang), key="bulk_reason", max_chars=lengths.REASON)
        left, right = st.columns(2)
        accept_all, reject_all = left.form_submit_button(t("accept_selected", lang)), \
            right.form_submit_button(t("reject_selected", lang))
        if (accept_all or reject_all) and not chosen:
            st.warning(t("staff_bulk_none", lang))
        elif reject_all and not reason.strip():
            st.error(t("reason_required", lang))
        elif accept_all or reject_all:
            failures = []
            if accept_all:
                handled = sum(decide(accept, references[i], i, reviewer, None,
                                     show=lambda kind, message: failures.append((kind, message))) for i in chosen)
            else:
                handled = sum(decide(reject, references[i], i, reviewer, reason,
                                     show=lambda kind, message: failures.append((kind, message))) for i in chosen)
            key = "staff_bulk_accepted" if accept_all else "staff_bulk_rejected"
            tell("success" if handled == len(chosen) else "warning",
                 t(key, lang, count=handled, total=len(chosen)))
            for kind, message in failures:
                tell(kind, message)
            st.rerun()

st.download_button(t("export_current", lang), lambda: export_current_csv(database), "entities.csv", "text/csv",
                   icon=":material/download:")
st.subheader(t("history_title", lang))
published = readable_history(history(database), names, lang)
if published.empty:
    st.caption(t("staff_history_empty", lang))
else:
    st.dataframe(published, hide_index=True, width="stretch")
