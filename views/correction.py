"""Public page: correct an entry, propose a missing organisation, or follow a request (reference + e-mail)."""

import secrets

import pandas as pd
import streamlit as st

from ecosystem.corrections import lengths
from ecosystem.corrections.form import changed_fields, form_defaults
from ecosystem.corrections.service import RateLimited, current_raw, status_of, submit
from ecosystem.corrections.validation import RELATIONS, check_submission
from ecosystem.i18n import field_label, t
from ecosystem.loading import split_list
from ecosystem.schema import TAG_FACETS
from ecosystem.selection import ids_by_name
from ecosystem.vocabulary import load_vocabulary
from ecosystem.charts import overview_map
from geo.boundaries import commune_table, load_departements
from ecosystem.urlstate import parse_choice
from views._shared import corrections_db, entities
from views._state import current_language, kept, show_in_url, view_widget

lang = current_language()
vocabulary = load_vocabulary()
data = entities()
# Hides the honeypot field from people; bots filling every input reveal themselves.
st.html("<style>.st-key-hp_website { position: absolute; left: -10000px; height: 1px; overflow: hidden; }"
        "</style>")
st.session_state.setdefault("form_token", secrets.token_hex(16))  # counts this browser's requests
# The last request stored (reference, commune), shown under the form until the next request is sent.
SENT = "correction_sent"
# Part of the form keys: bumped after a request is stored, so that its widgets are recreated empty (a form
# refused by validation keeps its key, and what the person typed).
GENERATION = "correction_form_generation"
st.session_state.setdefault(GENERATION, 0)


def show_errors(errors: dict) -> None:
    st.error(t("fix_errors", lang))
    for name, (key, params) in errors.items():
        st.markdown(f"- **{field_label(name, lang)}** : {t(key, lang, **params)}")


def field_inputs(defaults: dict, new_entity: bool) -> dict:
    """One widget per editable field; vocabulary fields use the same pickers and labels as the filters."""
    values = {}
    if new_entity:
        values["kind"] = st.selectbox(t("facet_kind", lang), vocabulary.keys("kind"),
                                      format_func=lambda k: vocabulary.label("kind", k, lang),
                                      placeholder=t("choose_option", lang))
    values["name"] = st.text_input(t("field_name", lang), defaults["name"], max_chars=lengths.NAME)
    values["category"] = st.selectbox(
        t("field_category", lang), vocabulary.keys("category"),
        index=list(vocabulary.keys("category")).index(defaults["category"])
        if defaults["category"] in vocabulary.keys("category") else 0,
        format_func=lambda k: vocabulary.label("category", k, lang), placeholder=t("choose_option", lang))
    left, right = st.columns(2)
    values["address"] = left.text_input(t("field_address", lang), defaults["address"],
                                        max_chars=lengths.ADDRESS)
    values["postcode"] = right.text_input(t("field_postcode", lang), defaults["postcode"],
                                          max_chars=lengths.POSTCODE)
    values["city"] = left.text_input(t("field_city", lang), defaults["city"], max_chars=lengths.CITY)
    values["website"] = right.text_input(t("website", lang), defaults["website"], max_chars=lengths.WEBSITE)
    for facet in TAG_FACETS:
        values[facet] = st.multiselect(t(f"facet_{facet}", lang), vocabulary.keys(facet), defaults[facet],
                                       format_func=lambda k, f=facet: vocabulary.label(f, k, lang),
                                       placeholder=t("choose_options", lang), select_all=False)
    left, right = st.columns(2)
    values["founded"] = left.text_input(t("field_founded", lang), defaults["founded"],
                                       max_chars=lengths.FOUNDED)
    values["workforce"] = right.text_input(t("field_workforce", lang), defaults["workforce"],
                                          max_chars=lengths.WORKFORCE)
    values["description_fr"] = st.text_area(t("field_description_fr", lang), defaults["description_fr"],
                                            max_chars=lengths.DESCRIPTION)
    values["description_en"] = st.text_area(t("field_description_en", lang), defaults["description_en"],
                                            max_chars=lengths.DESCRIPTION)
    if not new_entity:
        left, right = st.columns(2)
        values["lat"] = left.text_input(t("field_lat", lang), defaults["lat"], max_chars=lengths.COORDINATE)
        values["lon"] = right.text_input(t("field_lon", lang), defaults["lon"], max_chars=lengths.COORDINATE)
    return values


def contact_inputs() -> tuple[dict, bool, str]:
    st.subheader(t("contact_title", lang))
    left, right = st.columns(2)
    contact = {"contact_name": left.text_input(t("contact_name", lang), max_chars=lengths.CONTACT_NAME),
               "contact_email": right.text_input(t("contact_email", lang), max_chars=lengths.EMAIL),
               "contact_organisation": left.text_input(t("contact_organisation", lang),
                                                     max_chars=lengths.ORGANISATION)}
    contact["relation"] = right.radio(t("relation", lang), RELATIONS, horizontal=True,
                                      format_func=lambda r: t(f"relation_{r}", lang))
    contact["comment"] = st.text_area(t("comment", lang), max_chars=lengths.COMMENT)
    honeypot = st.text_input(t("honeypot", lang), key="hp_website")
    st.markdown(t("rgpd_notice", lang))
    consent = st.checkbox(t("consent", lang))
    return contact, consent, honeypot


def untouched(proposed: dict, blank_proposal: dict, contact: dict, consent: bool, honeypot: str) -> bool:
    """True for the cleared form sent as it is: nothing proposed, nothing typed in the contact block."""
    typed = any(str(contact.get(name, "")).strip() for name in ("contact_name", "contact_email",
                                                                  "contact_organisation", "comment"))
    return (proposed == blank_proposal and not typed and not consent and not honeypot
            and contact.get("relation") == RELATIONS[0])


def record(entity_id, proposed: dict, current: dict, contact: dict, consent: bool, honeypot: str,
           blank_proposal: dict | None = None) -> None:
    if SENT in st.session_state and untouched(proposed, blank_proposal or {}, contact, consent, honeypot):
        return  # a click again on "send" just after a request went through: it stays shown, no errors
    st.session_state.pop(SENT, None)
    checked = check_submission(proposed, contact, new_entity=entity_id is None, honeypot=honeypot,
                               consent=consent)
    if not checked.ok:
        show_errors(checked.errors)
        return
    try:
        reference = submit(corrections_db(), entity_id=entity_id, values=checked.values, current=current,
                           contact=checked.contact, session_token=st.session_state["form_token"], language=lang)
    except RateLimited:
        st.error(t("err_rate_limited", lang))
        return
    # The service returns the first reference for the same request sent again: a double click stores one.
    st.session_state[SENT] = {"reference": reference, "commune_code": checked.values.get("commune_code")}
    st.session_state[GENERATION] += 1
    st.rerun()


def show_sent() -> None:
    """The last request stored: its reference (with a copy button), and the commune found for it."""
    sent = st.session_state.get(SENT)
    if not sent:
        return
    st.success(t("sent", lang, reference=sent["reference"]))
    st.caption(t("sent_copy_reference", lang))
    st.code(sent["reference"], language=None, width="content")
    st.caption(t("sent_form_cleared", lang))
    if sent["commune_code"]:
        commune = commune_table().set_index("code").loc[sent["commune_code"]]
        st.caption(t("located_in", lang, commune=commune["name"]))
        point = pd.DataFrame({"lon": [commune["ref_lon"]], "lat": [commune["ref_lat"]], "name": [commune["name"]],
                              "kind": ["company"]})
        label = {"company": commune["name"]}
        st.altair_chart(overview_map(load_departements(), point, label, {"company": "#D55E00"})
                        .properties(height=260), width="content")


st.title(t("page_correction", lang), anchor=False)
modes = ("change", "new", "status")
mode = st.segmented_control(t("correction_mode", lang), modes, format_func=lambda m: t(f"mode_{m}", lang),
                            **kept("correction_mode", "change")) or "change"
names = dict(zip(data["id"], data["name"]))
ids = ids_by_name(names)

if mode == "change":
    # The entry to correct is in the URL (/correction?id=…): the popup's and the profile's links open it.
    entity_id = st.selectbox(t("pick_entity", lang), ids, format_func=names.get, placeholder=t("choose_option", lang),
                             **view_widget("correction", "id", lambda v: parse_choice(v, names, ids[0])))
    show_in_url(lang, id=entity_id)
    # The live values as text, exactly as stored (the old values a request records).
    raw_row = current_raw(corrections_db()).set_index("id").loc[entity_id].to_dict()
    with st.expander(t("current_values", lang)):
        shown = {name: (", ".join(vocabulary.label(name, k, lang) for k in split_list(value))
                        if name in TAG_FACETS else value) for name, value in raw_row.items()
                 if name in form_defaults(raw_row)}
        st.dataframe(pd.DataFrame({t("field", lang): list(shown), t("current", lang): list(shown.values())}),
                     hide_index=True, width="stretch")
    with st.form(f"change_{entity_id}_{st.session_state[GENERATION]}"):
        st.caption(t("proposed_values", lang))
        submitted = field_inputs(form_defaults(raw_row), new_entity=False)
        contact, consent, honeypot = contact_inputs()
        if st.form_submit_button(t("send", lang), type="primary"):
            proposed, current = changed_fields(raw_row, submitted)
            record(entity_id, proposed, current, contact, consent, honeypot)
    show_sent()
elif mode == "new":
    show_in_url(lang)
    with st.form(f"new_entity_{st.session_state[GENERATION]}"):
        submitted = field_inputs(form_defaults({}), new_entity=True)
        contact, consent, honeypot = contact_inputs()
        if st.form_submit_button(t("send", lang), type="primary"):
            proposed = {name: ("|".join(value) if isinstance(value, list) else value)
                        for name, value in submitted.items() if value not in ("", [])}
            # What the cleared form proposes by itself: the first kind and category of the pickers.
            blank = {"kind": vocabulary.keys("kind")[0], "category": vocabulary.keys("category")[0]}
            record(None, proposed, {}, contact, consent, honeypot, blank)
    show_sent()
else:
    show_in_url(lang)
    with st.form("status"):
        reference = st.text_input(t("reference", lang), max_chars=lengths.REFERENCE)
        email = st.text_input(t("contact_email", lang), max_chars=lengths.EMAIL)
        if st.form_submit_button(t("check_status", lang)):
            status = status_of(corrections_db(), reference, email)
            if status is None:
                st.warning(t("status_unknown", lang))
            else:
                st.info(t("status_line", lang, reference=status["reference"],
                          submitted=status["submitted_at"].strftime("%Y-%m-%d"),
                          status=t(f"status_{status['status']}", lang)))
                if status["reason"]:
                    st.write(f"{t('reason', lang)} : {status['reason']}")
