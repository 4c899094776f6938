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
