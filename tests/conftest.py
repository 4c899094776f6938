import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from ecosystem.loading import read_entities_csv, to_geodataframe
from ecosystem.schema import COLUMNS
from geo.geocoding import reference_point


def pytest_configure(config):
    """Every test run (and the app servers it starts) writes corrections to a throw-away SQLite file."""
    os.environ["CORRECTIONS_DB"] = str(Path(tempfile.mkdtemp(prefix="corrections-")) / "corrections.sqlite3")
    os.environ.pop("DATABASE_URL", None)


def make_row(**values) -> dict:
    """A valid row (Genopole's commune, at its town hall) with `values` overriding any column."""
    row = {column: "" for column in COLUMNS}
    row.update(id="exemple", name="Exemple", kind="company", category="startup", postcode="91000",
               city="Évry-Courcouronnes", commune_code="91228", lat="48.623745", lon="2.429457",
               geo_precision="commune", website="https://example.org", roles="rnd", updated="2026-11-22",
               status="ok")
    row.update(values)
    return row


def paris_level_row(**values) -> dict:
    """A valid row known only to be in Paris: commune 75056 at Paris's reference point, to review."""
    lon, lat = reference_point("75056")
    return make_row(**{"commune_code": "75056", "city": "Paris", "postcode": "", "status": "to_review",
                       "lon": str(lon), "lat": str(lat), **values})


def make_raw(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(COLUMNS)).astype(object)


@pytest.fixture(scope="session")
def shipped_raw() -> pd.DataFrame:
    return read_entities_csv()


@pytest.fixture(scope="session")
def sample_entities():
    """Five entities in real communes with known tags, for filter and count tests."""
    return to_geodataframe(make_raw(
        make_row(id="alpha", name="Alpha Thérapies", therapeutic_areas="oncology|haematology",
                 modalities="cell_therapy", description_fr="Thérapie cellulaire CAR-T à Évry."),
        make_row(id="beta", name="Béta Bio", therapeutic_areas="oncology", modalities="antibodies",
                 roles="rnd|bioproduction_cdmo", commune_code="94076", postcode="94800", city="Villejuif",
                 lat="48.793616", lon="2.358172"),
        make_row(id="gamma", name="Gamma Neuro", kind="institute", category="research_unit",
                 therapeutic_areas="neuro_psychiatry", commune_code="75113", postcode="75013", city="Paris",
                 lat="48.832314", lon="2.355313", description_en="Brain research unit."),
        make_row(id="delta", name="Delta Vecteurs", modalities="gene_therapy", roles="bioproduction_cdmo",
                 activities="gene_rna_vectors"),
        make_row(id="epsilon", name="Genopole test", kind="cluster_site", category="biocluster",
                 roles="support_incubation", clusters="genopole"),
    ))


# --- browser tests: one app server per test module, one Chromium per session -----------------------------------

STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    """The app on a free port with no basemap (no network but its own), its own corrections database and a
    staff account alice; `server.database_url` is that database, for tests that check what a click stored.
    A test module may add environment variables in a module-level SERVER_ENV dict."""
    from browser_support import app_server
    from ecosystem.corrections.auth import hash_password

    database = tmp_path_factory.mktemp("browser") / "corrections.sqlite3"
    env = {"BASEMAP": "none", "STAFF_ACCOUNTS": f"alice:{hash_password(STAFF_PASSWORD)}",
           "CORRECTIONS_DB": str(database), **getattr(request.module, "SERVER_ENV", {})}
    with app_server(env) as base:
        yield ServerUnderTest(base, f"sqlite:///{database}")


class ServerUnderTest(str):
    """The server's base URL (a str, so that f"{server}/carte" works), with its database URL."""

    def __new__(cls, base: str, database_url: str):
        instance = super().__new__(cls, base)
        instance.database_url = database_url
        return instance


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _recording_page(browser, options: dict):
    from browser_support import ERROR_RECORDER

    context = browser.new_context(**options)
    context.add_init_script(ERROR_RECORDER)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.requested = requested
    return context, page


@pytest.fixture
def page(browser, server):
    """A desktop-sized tab (1440×900) recording every request it makes."""
    from browser_support import DESKTOP

    context, page = _recording_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone(browser, server):
    """A phone-sized touch tab (390×844)."""
    from browser_support import PHONE

    context, page = _recording_page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def fresh_tab(browser, server):
    """Opens a URL in a new browser context (no session, as a colleague opening a shared link)."""
    from browser_support import DESKTOP

    contexts = []

    def open_url(url: str):
        context, page = _recording_page(browser, DESKTOP)
        contexts.append(context)
        page.goto(url)
        return page

    yield open_url
    for context in contexts:
        context.close()
