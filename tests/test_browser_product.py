"""The product finish, driven in headless Chromium as a person uses it: an empty selection says so and offers a way
out (map, analyses, directory, French and English); the embedded map and the About page's iframe code; the notice
on the map when basemap tiles cannot be loaded; the home page's figures by kind and its plural forms.

The server runs with the IGN basemap (the default of production) on a copy of the data file taken when this module
is imported, so that edits of data/entities.csv during a run cannot change the expected counts. Tile requests never
leave the machine: every tab routes them (aborted, or answered with a blank tile).
"""

import base64
import html
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from browser_support import (DESKTOP, ERROR_RECORDER, MAP_FRAME, ROOT, app_server, choose, chosen, map_count,
                             map_frame, shown_count, sidebar, switch_language, wait_idle)
from conftest import make_raw, make_row
from ecosystem.filters import Filters, filter_entities
from ecosystem.i18n import number, t
from ecosystem.loading import read_entities_csv, to_geodataframe
from ecosystem.stats import kind_counts
from ecosystem.vocabulary import load_vocabulary

pytestmark = pytest.mark.browser

SNAPSHOT = Path(tempfile.mkdtemp(prefix="entities-")) / "entities.csv"
shutil.copyfile(ROOT / "data" / "entities.csv", SNAPSHOT)
SERVER_ENV = {"BASEMAP": "ign", "ENTITIES_FILE": str(SNAPSHOT)}

# The tile URLs of geo/basemaps.py (IGN's WMTS, OSM France, CARTO light), whichever subdomain.
TILES = re.compile(r"^https://(data\.geopf\.fr/wmts|[a-z]\.tile\.openstreetmap\.fr/|[a-z]\.basemaps\.cartocdn\.com/)")
BLANK_TILE = base64.b64decode(  # a 1×1 transparent PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
NAV = "[data-testid='stSidebarNav']"
NO_MATCH = ".st-key-no_match"
NO_MATCH_RESET = ".st-key-no_match_reset button"


def data():
    return to_geodataframe(read_entities_csv(SNAPSHOT))


def expected(**facets) -> int:
    return len(filter_entities(data(), Filters(**facets)))


def offline_tiles(context) -> list[str]:
    """Tile requests fail as on a blocked network; returns the tile URLs the page asked for."""
    asked: list[str] = []

    def abort(route):
        asked.append(route.request.url)
        route.abort("internetdisconnected")

    context.route(TILES, abort)
    return asked


def blank_tiles(context) -> None:
    """Tile requests answered with a blank tile, as a working tile server would."""
    context.route(TILES, lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE))


@pytest.fixture
def tab(browser, server):
    """A desktop tab whose tile requests fail (no request leaves the machine)."""
    context = browser.new_context(**DESKTOP)
    context.add_init_script(ERROR_RECORDER)
    context.tile_requests = offline_tiles(context)
    page = context.new_page()
    yield page
    context.close()


def search(page, lang: str, text: str) -> None:
    box = sidebar(page).get_by_label(t("search", lang))
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


def total_on_page(page) -> int:
    """M of "N acteurs affichés sur M" / "N of M players shown"."""
    for caption in page.locator("[data-testid='stCaptionContainer']").all_inner_texts():
        match = re.search(r"sur (\d[\d\u202f\u00a0 ]*)$|of (\d[\d,]*) players? shown", caption.strip())
        if match:
            return int(re.sub(r"\D", "", match.group(1) or match.group(2)))
    raise AssertionError("no count caption on the page")


# --- empty selections: "no player matches" and the reset -----------------------------------------------------------

def assert_no_match_then_reset(page, lang: str, everyone: int) -> None:
    """The page says no player matches (no map, chart or table drawn), and its reset brings everyone back."""
    notice = page.locator(NO_MATCH)
    notice.wait_for()
    assert t("no_match", lang) in notice.inner_text()
    assert shown_count(page) == 0
    assert page.locator(MAP_FRAME).count() == 0
    assert page.locator("[data-testid='stDataFrame'], [data-testid='stVegaLiteChart']").count() == 0
    reset = page.locator(NO_MATCH_RESET)
    assert reset.is_visible() and reset.inner_text().strip().endswith(t("reset_filters", lang))

    reset.click()
    wait_idle(page)
    assert page.locator(NO_MATCH).count() == 0
    assert shown_count(page) == everyone == total_on_page(page)
    assert sidebar(page).get_by_label(t("search", lang)).input_value() == ""
    assert chosen(page, t("facet_kind", lang)) == [] and chosen(page, t("facet_category", lang)) == []
    assert "kind=" not in page.url and "q=" not in page.url


def test_map_facets_that_match_nothing_then_reset_in_french(tab, server):
    everyone = len(data())
    assert expected(kind=("cluster_site",), category=("startup",)) == 0  # each alone matches some players
    assert expected(kind=("cluster_site",)) > 0 and expected(category=("startup",)) > 0
    tab.goto(f"{server}/carte")
    wait_idle(tab)
    assert tab.locator(NO_MATCH).count() == 0
    choose(tab, "Type d'acteur", "Site de cluster")
    assert shown_count(tab) == expected(kind=("cluster_site",))
    choose(tab, "Catégorie", "Start-up")  # listed with its count in the selection: "Start-up (0)"
    assert chosen(tab, "Catégorie") == ["Start-up (0)"]
    assert tab.locator(NO_MATCH).inner_text().startswith("Aucun acteur ne correspond à ces filtres.")
    assert_no_match_then_reset(tab, "fr", everyone)
    _, handle = map_frame(tab)  # the map is back, with every player
    assert map_count(handle) == everyone


def test_map_search_that_matches_nothing_then_reset_in_english(tab, server):
    everyone = len(data())
    tab.goto(f"{server}/carte?lang=en")
    wait_idle(tab)
    search(tab, "en", "zzqxjw")
    assert tab.locator(NO_MATCH).inner_text().startswith("No player matches these filters.")
    assert_no_match_then_reset(tab, "en", everyone)
    _, handle = map_frame(tab)
    assert map_count(handle) == everyone


@pytest.mark.parametrize("path, lang", [("analyses", "en"), ("annuaire", "fr")])
def test_analyses_and_directory_say_no_match_with_a_reset(tab, server, path, lang):
    everyone = len(data())
    tab.goto(f"{server}/{path}" + ("?lang=en" if lang == "en" else ""))
    wait_idle(tab)
    assert tab.locator(NO_MATCH).count() == 0
    choose(tab, t("facet_kind", lang), load_vocabulary().label("kind", "cluster_site", lang))
    choose(tab, t("facet_category", lang), "Start-up")
    assert_no_match_then_reset(tab, lang, everyone)
    assert tab.locator("[data-testid='stDataFrame'], [data-testid='stVegaLiteChart']").count() > 0


# --- the embedded map and its iframe code ------------------------------------------------------------------------

def test_embedded_map_keeps_its_filters_and_has_no_page_list(tab, server):
    companies_in_essonne = expected(kind=("company",), dep=("91",))
    assert 0 < companies_in_essonne < expected(kind=("company",))
    tab.goto(f"{server}/carte?kind=company")  # the full map, for comparison: its page list is there
    wait_idle(tab)
    assert tab.locator(NAV).count() == 1

    tab.goto(f"{server}/carte?embed=true&kind=company&dep=91&layer=dep")
    wait_idle(tab)
    frame, handle = map_frame(tab)
    assert map_count(handle) == companies_in_essonne == shown_count(tab)
    assert tab.locator(NAV).count() == 0  # no list of pages, nor the page's title
    assert tab.locator("h1", has_text=t("page_map", "fr")).count() == 0
    assert frame.locator(".choropleth-legend").count() == 1  # the statistical layer of the URL, legend inside
    full = tab.get_by_role("link", name=t("embed_open_full", "fr"))
    query = parse_qs(urlsplit(full.get_attribute("href")).query)
    assert query["kind"] == ["company"] and query["dep"] == ["91"] and "embed" not in query


def iframe_src(page) -> str:
    code = page.locator("[data-testid='stCode'] code", has_text="<iframe").first
    snippet = code.inner_text()
    match = re.search(r'<iframe src="([^"]+)"', snippet)
    assert match, snippet
    assert 'width="100%"' in snippet and f'title="{t("embed_iframe_title", "fr")}"' in snippet
    return html.unescape(match.group(1))


def test_about_gives_the_iframe_code_of_the_filters_chosen_on_the_map(tab, server, browser):
    tab.goto(f"{server}/a-propos")
    wait_idle(tab)
    untouched = urlsplit(iframe_src(tab))
    assert untouched.path == "/carte" and parse_qs(untouched.query) == {"embed": ["true"]}
    assert t("embed_no_filter", "fr") in tab.locator("[data-testid='stCaptionContainer']").all_inner_texts()[-1]

    tab.goto(f"{server}/carte")
    wait_idle(tab)
    choose(tab, "Type d'acteur", "Entreprise")
    choose(tab, "Département", "Essonne")
    chosen_here = shown_count(tab)
    assert chosen_here == expected(kind=("company",), dep=("91",)) > 0
    tab.locator(NAV).get_by_role("link", name="À propos").click()  # as a person: through the page list
    wait_idle(tab)
    assert urlsplit(tab.url).path == "/a-propos"
    src = iframe_src(tab)
    parts = urlsplit(src)
    assert f"{parts.scheme}://{parts.netloc}" == server and parts.path == "/carte"
    assert parse_qs(parts.query) == {"embed": ["true"], "kind": ["company"], "dep": ["91"]}
    summary = tab.locator("[data-testid='stCaptionContainer']", has_text="Sélection intégrée").inner_text()
    assert "Entreprise" in summary and "Essonne" in summary

    # The code does what it says: in a page of its own, the map of those filters.
    context = browser.new_context(**DESKTOP)
    offline_tiles(context)
    try:
        embedded = context.new_page()
        embedded.goto(src)
        wait_idle(embedded)
        _, handle = map_frame(embedded)
        assert map_count(handle) == chosen_here
        assert embedded.locator(NAV).count() == 0
    finally:
        context.close()


# --- basemap tiles that do not load ------------------------------------------------------------------------------

def tiles_settled(handle) -> None:
    handle.wait_for_function("() => document.querySelectorAll('.leaflet-tile').length > 0 && !document"
                             ".querySelector('.leaflet-tile:not(.leaflet-tile-loaded)')", timeout=30_000)


def boundaries_drawn(handle) -> int:
    """Département outlines on the map (dark grey, unfilled: geo/mapping.base_map's style)."""
    return handle.evaluate("() => document.querySelectorAll("
                           "'.leaflet-overlay-pane path[stroke=\"#333333\"][fill=\"none\"]').length")


def test_blocked_tiles_are_said_on_the_map_and_the_boundaries_stay(tab, server):
    everyone = len(data())
    tab.goto(f"{server}/carte")
    wait_idle(tab)
    frame, handle = map_frame(tab)
    notice = frame.locator(".map-notice")
    notice.wait_for(timeout=30_000)
    assert notice.inner_text() == t("basemap_unavailable", "fr")
    assert notice.get_attribute("role") == "status"
    assert any("data.geopf.fr/wmts" in url for url in tab.context.tile_requests)  # IGN's tiles were asked for
    assert boundaries_drawn(handle) == 8  # the eight départements
    assert map_count(handle) == everyone

    switch_language(tab, "en")
    frame, handle = map_frame(tab)
    frame.locator(".map-notice", has_text=t("basemap_unavailable", "en")).wait_for(timeout=30_000)
    assert boundaries_drawn(handle) == 8 and map_count(handle) == everyone


def test_no_notice_when_the_tiles_load(browser, server):
    context = browser.new_context(**DESKTOP)
    blank_tiles(context)
    try:
        page = context.new_page()
        page.goto(f"{server}/carte")
        wait_idle(page)
        frame, handle = map_frame(page)
        tiles_settled(handle)
        page.wait_for_timeout(500)
        assert frame.locator(".map-notice").count() == 0
        assert boundaries_drawn(handle) == 8
    finally:
        context.close()


# --- home: figures by kind, plural forms ---------------------------------------------------------------------------

def figures(page) -> dict[str, str]:
    metrics = page.locator("[data-testid='stMetric']")
    return {metrics.nth(i).locator("[data-testid='stMetricLabel']").inner_text().strip():
            metrics.nth(i).locator("[data-testid='stMetricValue']").inner_text().strip()
            for i in range(metrics.count())}


def captions(page) -> list[str]:
    return [text.strip() for text in page.locator("[data-testid='stCaptionContainer']").all_inner_texts()]


def expected_figures(entities, lang: str) -> dict[str, str]:
    vocabulary = load_vocabulary()
    return {vocabulary.label("kind", kind, lang): number(count, lang) for kind, count in kind_counts(entities).items()}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_figures_by_kind_on_the_data(tab, server, lang):
    everyone = data()
    to_review = int((everyone["status"] == "to_review").sum())
    assert to_review > 1
    tab.goto(f"{server}/" + ("?lang=en" if lang == "en" else ""))
    wait_idle(tab)
    assert figures(tab) == expected_figures(everyone, lang)
    assert sum(int(value.replace(",", "")) for value in figures(tab).values()) == len(everyone)
    line = t("to_review_line", lang, count=to_review)
    assert line in captions(tab)
    assert line.startswith(f"{to_review} fiches sont" if lang == "fr" else f"{to_review} entries are")


def test_home_singular_and_zero_figures_on_a_small_data_file(browser, tmp_path):
    """One player to review, two institutes, no cluster site: "1 fiche est marquée" / "1 entry is marked", and a
    zero figure for the kind with no player (French and English)."""
    small = tmp_path / "entities.csv"
    make_raw(
        make_row(id="solo", name="Solo Bio", status="to_review"),
        make_row(id="inst-a", name="Institut A", kind="institute", category="research_unit"),
        make_row(id="inst-b", name="Institut B", kind="institute", category="research_unit"),
    ).to_csv(small, index=False)
    entities = to_geodataframe(read_entities_csv(small))
    env = {"BASEMAP": "none", "ENTITIES_FILE": str(small), "CORRECTIONS_DB": str(tmp_path / "corrections.sqlite3")}
    with app_server(env) as base:
        context = browser.new_context(**DESKTOP)
        try:
            page = context.new_page()
            page.goto(base)
            wait_idle(page)
            assert figures(page) == expected_figures(entities, "fr") == {
                "Entreprise": "1", "Institut de recherche": "2", "Site de cluster": "0"}
            assert "1 fiche est marquée « à vérifier »." in captions(page)
            assert any(line.startswith("Données : 3 fiches, mises à jour le 22 novembre 2026.")
                       for line in captions(page))
            switch_language(page, "en")
            assert figures(page) == {"Company": "1", "Research institute": "2", "Cluster site": "0"}
            assert "1 entry is marked “to be checked”." in captions(page)
            assert any(line.startswith("Data: 3 entries, updated 22 November 2026.") for line in captions(page))
        finally:
            context.close()
