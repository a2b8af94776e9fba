"""In a real browser: the tour's dashboard in JupyterLab and in Voilà follows the engine.

Each test serves notebooks/01_tour.ipynb (JupyterLab) or app/dashboard.ipynb (Voilà, as
`make app` does) from a sandboxed server, drives the dashboard
with real clicks in headless Chromium, and after every click compares what the page shows
(state text, highlighted diagram node, block map, the blocks chosen for Host I/O) with a
headless twin of the dashboard that received the same clicks in this process. Screenshots go to docs/screenshots/.
Without Chromium or Playwright these tests skip; with QOPC_REQUIRE_BROWSER=1 (CI) they fail.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
from contextlib import suppress
from pathlib import Path

import numpy as np
import pytest
from browser_support import (
    ROOT,
    SCREENSHOTS,
    WAIT_MS,
    menu,
    offline_chromium,
    open_lab_notebook,
    open_notebook7,
    run_all_cells,
    running_server,
    set_lab_theme,
)

pytestmark = pytest.mark.browser

#: The notebook under test (QOPC_TOUR_NOTEBOOK points elsewhere while developing a lesson).
TOUR = Path(os.environ.get("QOPC_TOUR_NOTEBOOK", ROOT / "notebooks" / "01_tour.ipynb"))
APP = ROOT / "app" / "dashboard.ipynb"  # what `make app` serves

#: The actions, in order: button clicks, each of which must change what the page shows;
#: ("Block", side, block) clicks that block's cell in the block map, which chooses the
#: volume and block Write writes to, ("Value", text) what it writes. The host writes put X
#: on block 0 of the source and Y on block 2 of the destination, so that "Differential
#: start" queues both blocks again and rolls the destination's write back. The screenshots
#: are taken then, when the block map carries several marks.
CLICKS = ("Start", "Tick", "Run to end", "Write", ("Block", "destination", 2), ("Value", "Y"),
          "Write", "Differential start")
LAST_CLICK = "Tick"


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """A headless Chromium with a fresh profile (skips or fails when there is none)."""
    assert TOUR.is_file(), f"the notebook under test is missing: {TOUR}"
    yield from offline_chromium(tmp_path_factory)


@pytest.fixture(scope="module")
def lab(context, tmp_path_factory):
    """JupyterLab serving a copy of the tour; stopped (with its kernels) whatever happens."""
    with running_server("lab", TOUR, tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def voila(context, tmp_path_factory):
    """Voilà serving the app notebook as `make app` does; stopped whatever happens."""
    with running_server("voila", APP, tmp_path_factory.mktemp("voila")) as server:
        yield server


@pytest.fixture(scope="module")
def notebook7(context, tmp_path_factory):
    """Jupyter Notebook 7 serving a copy of the tour; stopped (with its kernels) whatever
    happens."""
    with running_server("notebook", TOUR, tmp_path_factory.mktemp("nb7")) as server:
        yield server


@pytest.fixture
def page(context, tmp_path):
    """A new tab; its last view is kept as tmp_path/last-page.png (shown on failure)."""
    tab = context.new_page()
    yield tab
    with suppress(Exception):  # a crashed page must not hide the test's own failure
        tab.screenshot(path=str(tmp_path / "last-page.png"), timeout=WAIT_MS)
        print(f"the page as the test left it: {tmp_path / 'last-page.png'}")
    tab.close()


# What the page shows, and what the engine says ---------------------------------------------
_SNAPSHOT_JS = """root => ({
  state: root.querySelector('.qopc-right .qopc-state')?.innerText ?? null,
  current: [...root.querySelectorAll('.qopc-diagram .qopc-current')]
             .map(node => node.getAttribute('data-state')),
  cells: [...root.querySelectorAll('.qopc-blockmap-box .qopc-cell')].map(cell => [
    cell.dataset.volume, Number(cell.dataset.block), cell.className,
    (cell.querySelector('.qopc-discarded') ?? cell.querySelector('.qopc-content'))
      ?.textContent ?? '']),
  selected: [...root.querySelectorAll('.qopc-blockmap-box .qopc-selected')]
              .map(cell => [cell.dataset.volume, Number(cell.dataset.block)]),
  volume: [...root.querySelectorAll('.widget-dropdown')]
            .find(box => box.querySelector('.widget-label')?.textContent === 'Volume')
            ?.querySelector('select')?.value ?? null,
  blocks: [...root.querySelectorAll('.widget-slider')]
            .find(box => box.querySelector('.widget-label')?.textContent === 'Blocks')
            ?.querySelector('.widget-readout')?.textContent ?? null,
})"""


def shown(dashboard) -> dict:
    """The state text, highlighted nodes, block-map cells and the Host I/O choice (volume,
    Blocks range, outlined cells) the browser displays."""
    return dashboard.evaluate(_SNAPSHOT_JS)


def words(text: str) -> str:
    """``text`` with tags dropped, entities decoded and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def marked(cells: list, volume: str, css: str) -> list[int]:
    """Blocks of ``volume`` whose cell carries class ``css``."""
    return sorted(block for name, block, classes, _ in cells
                  if name == volume and css in classes.split())


def contents(cells: list, volume: str) -> list[str]:
    """The content label of each block of ``volume``, in block order."""
    return [label for name, _, _, label in sorted(cells, key=lambda c: c[1]) if name == volume]


def check_against_engine(page_view: dict, twin) -> None:
    """Assert the page shows the twin dashboard's engine state (state text, current node,
    queued and tracked blocks, each block's content) and its Host I/O choice (the volume,
    the Blocks range and the cells the map outlines)."""
    from qopc_kit.views.blockmap import content_labels

    pair = twin.pair
    assert words(page_view["state"] or "") == words(twin.state_html.value)
    assert pair.state.label in page_view["state"]
    expected_nodes = [pair.state.name] + (
        [pair.reverse_state.name] if pair.reverse_state.has_session else [])
    assert page_view["current"] == expected_nodes
    cells = page_view["cells"]
    source, destination = pair.source.name, pair.destination.name
    marks = {  # cell class: (the volume it marks, the engine's mask)
        "qopc-queued": (destination, pair.queued),
        "qopc-source-tracked": (source, pair.source_tracking),
        "qopc-destination-tracked": (destination, pair.destination_tracking),
        "qopc-rolled-back": (destination, pair.rolled_back),
        "qopc-copied-before-write": (destination, pair.copied_before_write),
        "qopc-never-copied": (destination, pair.destination.missing),
    }
    for css, (volume, mask) in marks.items():
        assert marked(cells, volume, css) == np.flatnonzero(mask).tolist(), css
    assert contents(cells, source) == content_labels(pair.source.data)
    assert contents(cells, destination) == content_labels(pair.destination.data)
    chosen, (first, last) = twin.volume_select.value, twin.selector.blocks
    assert page_view["volume"] == chosen
    assert re.findall(r"\d+", page_view["blocks"] or "") == [str(first), str(last)]
    outlined = ([[chosen, block] for block in range(first, last + 1)]
                if chosen in (source, destination) else [])
    assert page_view["selected"] == outlined


def twin_of(page_view: dict):
    """A headless dashboard on the same lesson as the page: blocks and copy rate read from it."""
    from qopc_kit import dashboard

    source = page_view["cells"][0][0]
    blocks = sum(1 for name, *_ in page_view["cells"] if name == source)
    return dashboard(name=source.split("/")[0], blocks=blocks,
                     copy_rate=int(re.search(r"copy rate (\d+)", page_view["all"]).group(1)))


def click(page, dashboard, twin, name: str) -> dict:
    """Click button ``name`` in the page and in the twin; wait for the page to redraw.

    Returns what the page then shows.
    """
    twin.buttons[name].click()
    step = twin.step_label(len(twin.array.history) - 1)
    before = shown(dashboard)
    dashboard.get_by_role("button", name=name, exact=True).click()
    # Every click in CLICKS records one step, and the title names the last step.
    try:
        page.wait_for_function(
            "([root, step]) => root.querySelector('.qopc-header .qopc-title').innerText.includes(`${step} `)",
            arg=[dashboard.element_handle(), step], timeout=WAIT_MS)
    except Exception as error:  # Playwright's TimeoutError: say what the page showed
        raise AssertionError(f"after clicking {name!r} the page never reached step {step}; "
                             f"it shows {shown(dashboard)}; message: "
                             f"{dashboard.locator('.qopc-message').inner_text()}") from error
    after = settled(dashboard, twin)
    assert after != before, f"clicking {name!r} changed nothing on the page"
    return after


def settled(dashboard, twin) -> dict:
    """What the page shows once it agrees with the twin's engine (the widgets redraw one
    after another); after WAIT_MS, the first disagreement fails the test."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        view = shown(dashboard)
        try:
            check_against_engine(view, twin)
            return view
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def drive(page, dashboard, clicks=CLICKS):
    """Click ``clicks`` in order, checking the page against the engine before and after each.

    Returns the twin dashboard, so the caller can go on.
    """
    dashboard.wait_for(state="visible", timeout=WAIT_MS)
    view = shown(dashboard)
    view["all"] = dashboard.inner_text()
    assert view["state"] is not None, "the dashboard has no .qopc-state widget"
    twin = twin_of(view)
    settled(dashboard, twin)
    assert twin.pair.state.label == "No session"
    for action in clicks:
        if isinstance(action, str):
            click(page, dashboard, twin, action)
        elif action[0] == "Block":
            pick_block(dashboard, twin, *action[1:])
        else:
            set_value(dashboard, twin, *action[1:])
    return twin


def set_value(dashboard, twin, value: str) -> None:
    """Type ``value`` in the Value box, on the page and in the twin; no engine step, so the
    page must still agree with the engine."""
    twin.value_text.value = value
    dashboard.get_by_label("Value", exact=True).fill(value, timeout=WAIT_MS)
    settled(dashboard, twin)


def twin_click(twin, volume: str, block: int, extend: bool = False) -> None:
    """In the twin, click a block's cell as the map's module does: it sets ``clicked``."""
    count = twin.blockmap_html.clicked.get("count", 0) + 1
    twin.blockmap_html.clicked = {"volume": volume, "block": block, "extend": extend,
                                  "count": count}


def pick_block(dashboard, twin, side: str, block: int) -> None:
    """Click ``block`` of the pair's ``side`` volume ("source" or "destination") in the page's
    block map and in the twin: the page must then show that volume and block chosen (the
    Volume list, the Blocks range and the map's outline), still agreeing with the engine."""
    volume = getattr(twin.pair, side).name
    before = shown(dashboard)
    twin_click(twin, volume, block)
    dashboard.locator(f'.qopc-blockmap-box .qopc-cell[data-volume="{volume}"]'
                      f'[data-block="{block}"]').click(timeout=WAIT_MS)
    after = settled(dashboard, twin)
    assert (after["volume"], after["selected"]) == (volume, [[volume, block]])
    assert after != before, f"clicking block {block} of {volume} changed nothing on the page"


def pick_with_keys(page, dashboard, twin) -> None:
    """From the chosen cell, ArrowRight then Shift+Enter choose one more block, on the page
    and in the twin; JupyterLab's own Shift+Enter (run the cell) must not act."""
    volume, (first, last) = twin.volume_select.value, twin.selector.blocks
    assert first == last, "start from a single chosen block"
    cells = page.locator(".jp-Notebook .jp-Cell").count()
    dashboard.locator(f'.qopc-blockmap-box .qopc-cell[data-volume="{volume}"]'
                      f'[data-block="{first}"]').focus(timeout=WAIT_MS)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+Enter")
    twin_click(twin, volume, first + 1, extend=True)
    assert twin.selector.blocks == (first, first + 1)
    settled(dashboard, twin)
    assert page.locator(".jp-Notebook .jp-Cell").count() == cells
    assert page.locator(".jp-CodeCell .jp-InputArea-prompt", has_text="[*]").count() == 0


def code_lines(notebook: Path) -> list[str]:
    """The distinctive lines of the code cells of ``notebook`` (comments and short lines left
    out: they could also appear in the dashboard's own text)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = ("".join(c["source"]).splitlines() for c in cells if c["cell_type"] == "code")
    return [line.strip() for block in lines for line in block
            if len(line.strip()) >= 12 and not line.strip().startswith("#")]


def save(page, locator, name: str) -> Path:
    """Screenshot ``locator`` whole to docs/screenshots/``name`` (the README shows them).

    JupyterLab scrolls the notebook inside a panel, where an element screenshot would show
    only the visible part: the viewport grows until the element fits, then shrinks back.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    size = page.viewport_size
    height = int(locator.bounding_box(timeout=WAIT_MS)["height"])
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 400)})
    try:
        locator.evaluate("node => node.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)  # let the panel lay out at its new size
        box = locator.bounding_box(timeout=WAIT_MS)
        page.screenshot(path=str(path), clip=box, animations="disabled", timeout=WAIT_MS)
    finally:
        page.set_viewport_size(size)
    assert path.stat().st_size > 10_000, f"{path} is suspiciously small"
    return path


def dark_background(dashboard) -> bool:
    """Whether the dashboard's computed background is dark (luminance below one half)."""
    colour = dashboard.evaluate("""root => {
      for (let node = root; node; node = node.parentElement) {
        const c = getComputedStyle(node).backgroundColor;
        if (c && !c.endsWith(', 0)') && c !== 'transparent') return c;
      }
      return getComputedStyle(document.body).backgroundColor;
    }""")
    r, g, b = (int(v) for v in re.findall(r"\d+", colour)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 < 0.5


# The tests ----------------------------------------------------------------------------------
def test_tour_dashboard_in_jupyterlab_follows_the_engine(page, lab):
    """In JupyterLab the tour runs from the Run menu, and every click on the dashboard redraws
    state text, highlighted node and block map as the engine says, in both themes; a click on
    a block's cell, or the keyboard on the map, chooses the blocks for Host I/O."""
    open_lab_notebook(page, lab, TOUR)
    run_all_cells(page)
    dashboard = page.locator(".qopc-dashboard").first
    dashboard.scroll_into_view_if_needed(timeout=WAIT_MS)
    twin = drive(page, dashboard)
    assert not dark_background(dashboard)
    # A projector, the file browser closed: the panel's top in view shows it all.
    page.set_viewport_size({"width": 1280, "height": 720})
    menu(page, "View", "Appearance", "Show Left Sidebar")
    page.locator("#jp-left-stack").wait_for(state="hidden", timeout=WAIT_MS)
    page.wait_for_timeout(300)
    dashboard.evaluate("node => node.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    for name, part in one_screen_parts(dashboard).items():
        assert inside_viewport(page, part), f"{name} is off screen in JupyterLab at 1280x720"
    page.screenshot(path=str(SCREENSHOTS / "dashboard-lab-1280x720.png"))
    page.set_viewport_size({"width": 1280, "height": 1000})
    save(page, dashboard, "dashboard-lab-light.png")
    set_lab_theme(page, "JupyterLab Dark")
    assert dark_background(dashboard)
    save(page, dashboard, "dashboard-lab-dark.png")
    pick_with_keys(page, dashboard, twin)
    click(page, dashboard, twin, LAST_CLICK)


def test_app_mode_serves_the_dashboard_without_code(page, voila):
    """`make app` (Voilà) shows the dashboard but no code, and it follows the engine too."""
    page.goto(voila.url("/"), timeout=2 * WAIT_MS)
    dashboard = page.locator(".qopc-dashboard").first
    dashboard.wait_for(state="visible", timeout=4 * WAIT_MS)
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, .cm-editor").count() == 0
    text = page.locator("body").inner_text()
    shown_code = [line for line in code_lines(APP) if line in text]
    assert not shown_code, f"Voilà shows code: {shown_code[:3]}"
    twin = drive(page, dashboard)
    save(page, dashboard, "app-voila-light.png")
    click(page, dashboard, twin, LAST_CLICK)


def test_app_mode_dark_theme(page, voila):
    """Voilà's dark theme (?theme=dark) shows the same dashboard on a dark background."""
    page.goto(voila.url("/", theme="dark"), timeout=2 * WAIT_MS)
    dashboard = page.locator(".qopc-dashboard").first
    dashboard.wait_for(state="visible", timeout=4 * WAIT_MS)
    drive(page, dashboard)
    assert dark_background(dashboard)
    save(page, dashboard, "app-voila-dark.png")


# The room: one screen, legible, the rollback and the reasons in view ------------------------
def inside_viewport(page, locator) -> bool:
    """Whether ``locator``'s whole box lies inside the page's viewport."""
    box = locator.bounding_box(timeout=WAIT_MS)
    size = page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= size["width"]
            and box["y"] + box["height"] <= size["height"])


def one_screen_parts(dashboard) -> dict:
    """The parts a class must see at once: the diagram, both block rows, Start and Tick."""
    return {"diagram": dashboard.locator(".qopc-diagram svg").first,
            "source row": dashboard.locator(".qopc-side[data-side='source'] .qopc-cells").first,
            "destination row":
                dashboard.locator(".qopc-side[data-side='destination'] .qopc-cells").first,
            "state line": dashboard.locator(".qopc-right .qopc-state").first,
            "Start": dashboard.get_by_role("button", name="Start", exact=True),
            "Tick": dashboard.get_by_role("button", name="Tick", exact=True)}


_SMALLEST_FONT_JS = """root => {
  let smallest = Infinity, where = '';
  for (const node of root.querySelectorAll('*')) {
    const own = [...node.childNodes].some(c => c.nodeType === 3 && c.textContent.trim());
    if (!own || node.closest('style') || node.offsetParent === null && node.tagName !== 'text'
        && node.tagName !== 'tspan') continue;
    let size = parseFloat(getComputedStyle(node).fontSize);
    const svg = node.closest('svg');
    if (svg) size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    if (size < smallest) { smallest = size; where = node.textContent.trim().slice(0, 30); }
  }
  return [smallest, where];
}"""

#: A rollback: the destination's block 5 written, then a differential start (CLICKS do it).
ROLLBACK = ("Start", "Run to end", ("Block", "destination", 5), ("Value", "Y"), "Write",
            "Differential start")


def test_app_mode_fits_one_screen_and_shows_the_rollback(page, voila):
    """At 1280x720 (a projector) the diagram, both block rows, the state line and the Start
    and Tick buttons are on screen at once; a rolled-back block shows both values."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(voila.url("/"), timeout=2 * WAIT_MS)
    dashboard = page.locator(".qopc-dashboard").first
    dashboard.wait_for(state="visible", timeout=4 * WAIT_MS)
    twin = drive(page, dashboard, ROLLBACK)
    for name, part in one_screen_parts(dashboard).items():
        assert inside_viewport(page, part), f"{name} is off screen at 1280x720"
    destination = twin.pair.destination.name
    cell = dashboard.locator(f'.qopc-cell[data-volume="{destination}"][data-block="5"]')
    rolled = np.flatnonzero(twin.pair.rolled_back).tolist()
    assert rolled == [5]
    assert cell.locator(".qopc-discarded").inner_text() == "Y"  # still on the block
    expected = chr(twin.pair.source.image()[5, 0])  # what a host reads: the source's
    assert cell.locator(".qopc-reads").inner_text().strip("\u2192") == expected
    assert inside_viewport(page, cell)
    message = dashboard.locator(".qopc-message").inner_text()
    assert "rolled back 1 destination write: block 5" in message, message
    page.screenshot(path=str(SCREENSHOTS / "app-voila-1280x720.png"))


def test_app_mode_reflows_at_900px_with_no_text_below_11px(page, voila):
    """At 900 px wide the panel stacks into one column and no text is smaller than 11 px
    (SVG text counted at the size the diagram is drawn)."""
    page.set_viewport_size({"width": 900, "height": 720})
    page.goto(voila.url("/"), timeout=2 * WAIT_MS)
    dashboard = page.locator(".qopc-dashboard").first
    dashboard.wait_for(state="visible", timeout=4 * WAIT_MS)
    drive(page, dashboard, ROLLBACK)
    left = dashboard.locator(".qopc-left").bounding_box()
    right = dashboard.locator(".qopc-right").bounding_box()
    assert right["y"] >= left["y"] + left["height"] - 1, "the columns did not stack"
    smallest, where = dashboard.evaluate(_SMALLEST_FONT_JS)
    assert smallest >= 11, f"text of {smallest:.1f} px: {where!r}"


def test_a_greyed_button_says_why_and_the_step_slider_shows_a_step_in_place(page, voila):
    """Hovering a greyed button shows why in the panel; a mouse click on it shows the
    refusal; moving the Step slider with the keyboard shows that step in the main views,
    marked, and Back to now returns."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(voila.url("/"), timeout=2 * WAIT_MS)
    dashboard = page.locator(".qopc-dashboard").first
    dashboard.wait_for(state="visible", timeout=4 * WAIT_MS)
    twin = drive(page, dashboard, ("Start", "Tick", "Tick"))
    start = dashboard.get_by_role("button", name="Start", exact=True)
    why = dashboard.locator(".qopc-why-start")
    assert not why.is_visible()
    start.hover()
    why.wait_for(state="visible", timeout=WAIT_MS)
    assert why.inner_text() == f"Start is unavailable: {twin.unavailable['Start']}"
    assert "Copying/Tracking has no full start" in why.inner_text()
    assert start.get_attribute("title") == f"Unavailable: {twin.unavailable['Start']}"
    start.click()
    dashboard.locator(".qopc-msg-refused").wait_for(timeout=WAIT_MS)
    assert "Start is unavailable" in dashboard.locator(".qopc-message").inner_text()
    # The Step slider, by keyboard: Home goes to the set-up, then two steps right: step 2.
    handle = dashboard.locator(".widget-slider", has_text="Step").locator(".noUi-handle").first
    handle.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    banner = dashboard.locator(".qopc-viewing")
    banner.wait_for(state="visible", timeout=WAIT_MS)
    page.wait_for_function("root => root.innerText.includes('Viewing step 2')",
                           arg=dashboard.locator(".qopc-viewing").element_handle())
    then = twin.array.at(twin.baseline + 2).pairs[twin.pair.name]
    page.wait_for_function(
        "([root, n]) => root.querySelectorAll('.qopc-diagram .qopc-current').length === 1 && "
        "root.querySelector('.qopc-diagram .qopc-current').dataset.state === n",
        arg=[dashboard.element_handle(), then.state.name])
    assert dashboard.locator(".qopc-progress").inner_text().count(
        f"Copied {then.copied_blocks} / Rest {then.rest_blocks}") == 1
    dashboard.get_by_role("button", name="Back to now", exact=True).click()
    banner.wait_for(state="hidden", timeout=WAIT_MS)
    settled(dashboard, twin)


def test_tour_dashboard_in_notebook7_follows_the_engine_and_the_keyboard(page, notebook7):
    """In Jupyter Notebook 7 the same clicks redraw the panel as the engine says, and the
    block map's arrow keys reach the map (Notebook 7's own shortcuts do not take them)."""
    open_notebook7(page, notebook7, TOUR)
    run_all_cells(page)
    dashboard = page.locator(".qopc-dashboard").first
    dashboard.scroll_into_view_if_needed(timeout=WAIT_MS)
    twin = drive(page, dashboard)
    pick_with_keys(page, dashboard, twin)
    click(page, dashboard, twin, LAST_CLICK)


def kernels_of(server) -> int:
    """How many kernel processes the server runs now (read from /proc)."""
    from browser_support import descendants

    count = 0
    for pid in descendants(server.process.pid):
        with suppress(OSError):
            if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                count += 1
    return count


def test_app_mode_shuts_down_the_kernels_of_closed_pages(context, voila):
    """Open and close the page three times: within a minute only Voilà's one preheated
    kernel is left (app/voila.json culls the idle kernels of closed pages)."""
    for _ in range(3):
        tab = context.new_page()
        tab.goto(voila.url("/"), timeout=2 * WAIT_MS)
        tab.locator(".qopc-dashboard").first.wait_for(state="visible", timeout=4 * WAIT_MS)
        tab.close()
    assert kernels_of(voila) >= 2  # the closed pages' kernels are still there at first
    config = json.loads((APP.parent / "voila.json").read_text())
    pool = config["VoilaConfiguration"]["default_pool_size"]
    deadline = time.monotonic() + 60
    while kernels_of(voila) > pool and time.monotonic() < deadline:
        time.sleep(2)
    assert kernels_of(voila) == pool, voila.log_tail()
