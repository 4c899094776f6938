"""Interaction speed measured in headless Chromium against running servers (second half of `make bench`).

For the real entities and 20,000 synthetic ones (bench/run.py's `synthetic`), the app and a naive
streamlit-folium page (bench/naive_app.py) are each started on the same data, then:

- first markers, fresh: from `page.goto(<base>/carte)` in a new browser context (empty cache, new session) until
  the map reports every marker of the selection; median of --runs, after one unmeasured load that warms the server;
- first markers, warm: in the same tab, from the click on the sidebar link "Carte" (coming from "Accueil")
  until the same;
- filter change: from the click on an option of the "Type d'acteur" multiselect (or on a chip's remove button)
  until the map reports the count `filter_entities` gives for the new selection; the changes alternate
  (+company, +institute, -company, +cluster site, -institute, -cluster site) so that each one changes the map.

"The map reports" = tests/browser_support.py's MAP_READY and MAP_COUNT, evaluated in whichever frame holds the
map, so the figures follow the map engine the helpers know. Figures are printed, never asserted; a measurement
longer than --cap seconds is printed as "> cap".

    python bench/browser.py                       # real data and 20,000 rows, 5 runs, 6 changes
    python bench/browser.py --rows 20000 --runs 3 # quicker; --rows takes "real" and/or row counts
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from browser_support import (CHROMIUM, CHROMIUM_ARGS, DESKTOP, MAP_COUNT, MAP_READY, app_server,  # noqa: E402
                             sidebar, wait_idle)
from ecosystem.filters import Filters, filter_entities  # noqa: E402
from ecosystem.loading import read_entities_csv, to_geodataframe  # noqa: E402
from ecosystem.vocabulary import load_vocabulary  # noqa: E402
from run import synthetic  # noqa: E402  (bench/run.py)

REAL = ROOT / "data" / "entities.csv"
KIND_LABEL = "Type d'acteur"
# (action, kind): each step changes the selection, and the sequence ends where it started (nothing selected).
STEPS = [("add", "company"), ("add", "institute"), ("remove", "company"), ("add", "cluster_site"),
         ("remove", "institute"), ("remove", "cluster_site")]
# The map's count in a frame, or null where there is no map (or it is not ready).
PROBE = f"() => {{ try {{ return ({MAP_READY})() ? ({MAP_COUNT})() : null; }} catch (e) {{ return null; }} }}"


@contextlib.contextmanager
def chromium():
    """The one place the benchmark starts Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.on("pageerror", lambda error: print(f"  page error: {error}", file=sys.stderr))
    return context, page


def map_counts(page) -> list[int]:
    counts = []
    for frame in page.frames:
        with contextlib.suppress(Exception):  # a frame being replaced
            count = frame.evaluate(PROBE)
            if count is not None:
                counts.append(count)
    return counts


def until_markers(page, expected: int, start: float, cap: float) -> float | None:
    """Seconds from `start` until a map in the page reports `expected` markers; None past `cap`."""
    while True:
        if expected in map_counts(page):
            return time.perf_counter() - start
        if time.perf_counter() - start > cap:
            return None
        page.wait_for_timeout(10)


def until_no_map(page, cap: float) -> None:
    deadline = time.perf_counter() + cap
    while map_counts(page) and time.perf_counter() < deadline:
        page.wait_for_timeout(20)


def series(measure, runs: int) -> list[float | None]:
    """Up to `runs` measurements; stops at the first one that passes the cap (recorded as None)."""
    results = []
    for _ in range(runs):
        results.append(measure())
        if results[-1] is None:
            break
    return results


def first_markers_fresh(browser, base: str, total: int, runs: int, cap: float) -> list[float | None]:
    def once():
        context, page = new_page(browser)
        try:
            start = time.perf_counter()
            page.goto(f"{base}/carte", timeout=cap * 1000)
            return until_markers(page, total, start, cap)
        finally:
            context.close()

    once()  # warms the server (data, marker rows): not counted
    return series(once, runs)


def first_markers_warm(page, total: int, runs: int, cap: float) -> list[float | None]:
    def once():
        sidebar(page).get_by_role("link", name="Accueil").click()
        until_no_map(page, cap)
        wait_idle(page, timeout=cap)
        start = time.perf_counter()
        sidebar(page).get_by_role("link", name="Carte").click()
        duration = until_markers(page, total, start, cap)
        wait_idle(page, timeout=cap)
        return duration

    return series(once, runs)


def filter_changes(page, entities, changes: int, cap: float) -> list[float | None]:
    vocabulary = load_vocabulary()
    box = sidebar(page).locator("[data-testid='stMultiSelect']",
                                has=page.locator("label", has_text=re.compile(f"^{re.escape(KIND_LABEL)}$")))
    selected: list[str] = []
    results = []
    for action, kind in (STEPS * (changes // len(STEPS) + 1))[:changes]:
        # A label, counts aside: "Entreprise" matches the app's "Entreprise (139)" and the naive page's "Entreprise".
        label = re.compile(f"^{re.escape(vocabulary.label('kind', kind, 'fr'))}( \\(|$)")
        if action == "add":
            box.locator("input").click()
            target = page.locator("[role='option']", has_text=label).first
            selected.append(kind)
        else:
            target = box.get_by_role("button", name=re.compile(f"^Remove {label.pattern[1:]}"))
            selected.remove(kind)
        target.wait_for(timeout=cap * 1000)
        expected = len(filter_entities(entities, Filters(kind=tuple(selected))))
        start = time.perf_counter()
        target.click()
        results.append(until_markers(page, expected, start, cap))
        if results[-1] is None:
            break
        page.keyboard.press("Escape")
        wait_idle(page, timeout=cap)
    return results


def measure(browser, script: str, env: dict, entities, args) -> dict:
    total = len(entities)
    with app_server(env, script=script) as base:
        fresh = first_markers_fresh(browser, base, total, args.runs, args.cap)
        context, page = new_page(browser)
        try:
            page.goto(f"{base}/carte")
            if until_markers(page, total, time.perf_counter(), args.cap) is None:
                return {"fresh": fresh, "warm": [None], "filter": [None]}
            wait_idle(page, timeout=args.cap)
            warm = first_markers_warm(page, total, args.runs, args.cap)
            changes = filter_changes(page, entities, args.changes, args.cap) if None not in warm else [None]
        finally:
            context.close()
    return {"fresh": fresh, "warm": warm, "filter": changes}


def naive_script(folder: Path) -> str:
    """bench/naive_app.py started from a folder that also holds ./static: Streamlit serves the static folder
    next to the main script, and the naive page loads the app's vendored Leaflet from there."""
    (folder / "naive_app.py").symlink_to(ROOT / "bench" / "naive_app.py")
    (folder / "static").symlink_to(ROOT / "static", target_is_directory=True)
    return str(folder / "naive_app.py")


# --- printing ----------------------------------------------------------------------------------------------------

def median(results: list[float | None]) -> float | None:
    return None if not results or None in results else statistics.median(results)


def duration(seconds: float | None, cap: float) -> str:
    if seconds is None:
        return f"> {cap:.0f} s"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.1f} s"


def ratio(ours: float | None, naive: float | None, cap: float) -> str:
    if ours is None:
        return "–"
    if naive is None:
        return f"> ×{cap / ours:.1f}"
    return f"×{naive / ours:.1f}"


FIGURES = [("fresh", "first markers, new visitor (goto /carte)"),
           ("warm", "first markers, same tab (sidebar link)"),
           ("filter", "filter change → map updated")]


def target(figure: str, rows: int) -> str:
    large = rows > 5_000
    limit = {"filter": "≤ 2.5 s" if large else "≤ 1.0 s"}.get(figure, "≤ 3 s" if large else "≤ 2.5 s")
    return limit + (", naive ≥ ×15" if large else "")


def print_table(results: list[dict], args) -> None:
    header = ("data", "rows", "figure (median)", "ours", "naive", "naive/ours", "target (issue 11)")
    lines = []
    for result in results:
        for key, name in FIGURES:
            ours = median(result["ours"][key])
            naive = median(result["naive"][key]) if result["naive"] else None
            lines.append((result["label"], f"{result['rows']:,}", name, duration(ours, args.cap),
                          duration(naive, args.cap) if result["naive"] else "–",
                          ratio(ours, naive, args.cap) if result["naive"] else "–", target(key, result["rows"])))
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    print(f"Headless Chromium, medians of {args.runs} page loads / {args.changes} filter changes "
          f"(BASEMAP=none, 1440×900); naive = bench/naive_app.py on the same data, same run.")
    for line in [header, tuple("-" * w for w in widths), *lines]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", nargs="+", default=["real", "20000"],
                        help='datasets: "real" (data/entities.csv) and/or numbers of synthetic rows')
    parser.add_argument("--runs", type=int, default=5, help="page loads per navigation figure")
    parser.add_argument("--changes", type=int, default=6, help="filter changes per app")
    parser.add_argument("--cap", type=float, default=120, help="seconds after which a measurement stops")
    parser.add_argument("--no-naive", action="store_true", help="measure the app only")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp, chromium() as browser:
        tmp = Path(tmp)
        naive = naive_script(tmp)
        for dataset in args.rows:
            if dataset == "real":
                label, path = "real", REAL
            else:
                label, path = "synthetic", tmp / f"synthetic_{int(dataset)}.csv"
                synthetic(int(dataset)).to_csv(path, index=False)
            entities = to_geodataframe(read_entities_csv(path))
            result = {"label": label, "rows": len(entities), "naive": None}
            for side, script in [("ours", "app.py"), *([] if args.no_naive else [("naive", naive)])]:
                env = {"ENTITIES_FILE": str(path), "BASEMAP": "none",
                       "CORRECTIONS_DB": str(tmp / f"corrections-{side}-{label}-{len(entities)}.sqlite3")}
                started = time.perf_counter()
                result[side] = measure(browser, script, env, entities, args)
                print(f"measured {side} on {label} {len(entities):,} rows in {time.perf_counter() - started:.0f} s: "
                      + ", ".join(f"{key} {[None if x is None else round(x, 3) for x in values]}"
                                  for key, values in result[side].items()), file=sys.stderr)
            results.append(result)
    print_table(results, args)


if __name__ == "__main__":
    os.environ.pop("DATABASE_URL", None)  # the servers use their own SQLite files, never a shared database
    main()
