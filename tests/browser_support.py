"""Driving the running app in headless Chromium like a person: start a server, wait for reruns, pick options.

Shared by the browser test modules (fixtures in conftest.py) and the browser benchmark. CI installs Debian's
chromium (.ci/run); a browser test fails, never skips, when it is missing.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
# Records script errors of every frame (the map lives in a component frame) for the tests to read.
ERROR_RECORDER = ("window.__errors = [];"
                  "window.addEventListener('error', e => window.__errors.push(String(e.message)));")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def app_server(env: dict[str, str], script: str = "app.py"):
    """A Streamlit server for `script` on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none"],  # an edit of the code during a run must not stall the page
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
                break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the app ({script}) did not start")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_idle(page, quiet_ms: int = 500, timeout: float = 60) -> None:
    """Until the app has finished its rerun: the script is not running (the attribute Streamlit sets on its root,
    "initial" before the first run) and no element is still a skeleton, for `quiet_ms` in a row."""
    idle = ("() => { const app = document.querySelector('[data-testid=stApp]');"
            " return !!app && app.getAttribute('data-test-script-state') === 'notRunning'"
            " && !document.querySelector('[data-testid=stSkeleton], [data-testid=stStatusWidget]'); }")
    deadline = time.time() + timeout
    quiet_since = None
    while time.time() < deadline:
        if not page.evaluate(idle):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif (time.time() - quiet_since) * 1000 >= quiet_ms:
            return
        page.wait_for_timeout(50)
    raise TimeoutError("the app kept running")


def sidebar(page):
    return page.locator("[data-testid='stSidebar']")


def choose(page, label: str, option: str) -> None:
    """Pick `option` (its label, counts aside) in the sidebar multiselect labelled `label`, then let it rerun."""
    box = sidebar(page).locator("[data-testid='stMultiSelect']",
                                has=page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))
    for attempt in range(3):
        box.locator("input").click()
        choice = page.locator("[role='option']", has_text=re.compile(f"^{re.escape(option)}( \\(|$)"))
        try:
            choice.first.click(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
            if attempt == 2:
                raise
    page.keyboard.press("Escape")
    wait_idle(page)


def pick(page, label: str, option: str) -> None:
    """Types `option` into the selectbox labelled `label` (anywhere on the page) and picks it."""
    box = page.locator("[data-testid='stSelectbox']",
                       has=page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))
    wait_idle(page)
    for attempt in range(3):  # the list closes if the page redraws meanwhile (an expander opening): as a person, retry
        box.locator("input").click()
        page.keyboard.press("Control+A")
        page.keyboard.type(option)
        try:
            page.locator("[role='option']", has_text=re.compile(f"^{re.escape(option)}$")).first.click(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
            if attempt == 2:
                raise
    wait_idle(page)


def chosen(page, label: str) -> list[str]:
    """The chips shown in a sidebar multiselect (what the person sees as selected)."""
    box = sidebar(page).locator("[data-testid='stMultiSelect']",
                                has=page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))
    tags = box.locator("[data-testid='stMultiSelectTagsContainer'] [data-tag]")
    return [tags.nth(i).get_attribute("aria-label") for i in range(tags.count())]


def shown_count(page) -> int:
    """The number of players the page says it shows ("N acteurs affichés sur M" / "N of M players shown")."""
    for text in page.locator("[data-testid='stCaptionContainer']").all_inner_texts():
        match = re.search(r"(\d[\d\u202f\u00a0 ]*) (?:acteurs? affichés? sur|of \d+ players? shown)", text)
        if match:
            return int(re.sub(r"\D", "", match.group(1)))
    raise AssertionError("no count caption on the page")


def switch_language(page, code: str) -> None:
    sidebar(page).get_by_role("radio", name=code.upper(), exact=True).click()
    wait_idle(page)


def human_click(page, x: float, y: float) -> None:
    """Moves the mouse onto (x, y) as a hand does, pauses, then clicks. Streamlit's grid ignores a click whose
    pointer has just arrived from outside it (it tracks hover in React state, one frame late), which a teleported
    Playwright click always is and a person's never is."""
    page.mouse.move(x - 30, y - 20, steps=4)
    page.mouse.move(x, y, steps=6)
    page.wait_for_timeout(150)
    page.mouse.click(x, y)


GRID_HEADER = 35  # px: Streamlit's grid header and row heights at the default theme
GRID_ROW = 35


def click_grid_cell(page, grid, row: int, x_offset: float = 150) -> None:
    """Clicks the cell of `row` (0-based, as shown) at `x_offset` px from the grid's left edge."""
    box = grid.bounding_box()
    human_click(page, box["x"] + x_offset, box["y"] + GRID_HEADER + GRID_ROW * row + GRID_ROW / 2)


def tick_grid_row(page, grid, row: int) -> None:
    """Ticks the selection checkbox of `row` (the grid's leftmost column)."""
    click_grid_cell(page, grid, row, x_offset=18)


def download(page, key: str, tmp_path) -> bytes:
    """Clicks the download button drawn with Streamlit key `key` and returns the file's bytes."""
    with page.expect_download(timeout=60_000) as info:
        page.locator(f".st-key-{key} button").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_bytes()


def map_frame(page, selector: str = MAP_FRAME, index: int = 0):
    """The Leaflet map's frame locator and frame handle, once the map engine has drawn the selection."""
    page.wait_for_selector(selector, timeout=60_000)
    frame = page.frame_locator(selector).nth(index) if index else page.frame_locator(selector).first
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    handles = [f for f in page.frames if "streamlit_folium" in f.url]
    handle = handles[index]
    handle.wait_for_function(f"({MAP_READY})()", timeout=60_000)
    return frame, handle


# The map engine's own figures (window.entityMap); the older engine (window.entityClusters) is read too, so that a
# journey test can be run against earlier commits to show that it fails there for the behaviour it checks.
MAP_READY = ("() => (window.entityMap && window.entityMap.ready())"
             " || (window.entityClusters && window.entityClusters.getLayers().length > 0)")
MAP_COUNT = ("() => window.entityMap ? window.entityMap.count()"
             " : window.entityClusters.getLayers().length")


def map_count(handle) -> int:
    """Players drawn on the map (clustered or not) for the current selection."""
    return handle.evaluate(f"({MAP_COUNT})()")


def hosts(urls) -> set[str]:
    return {url.split("/")[2] for url in urls if url.startswith("http")}
