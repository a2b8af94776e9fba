"""The dashboard's static twin and its Export page in Chromium.

An nbconvert HTML page holding two stored dashboards (two replays) opens from file://
with every other request aborted: each twin opens on its panel's step and shows the
engine's state there, the keys, the slider and Play act on one twin only, and with
JavaScript off each still shows its current frame with its controls hidden. In Voilà,
JupyterLab and Notebook 7, Export page gives a download link whose file is the replay
page of the session.
"""

from __future__ import annotations

import base64
import re

import pytest

from qopc_kit.dashboard.panel import dashboard
from tests.browser_support import (
    CHROMIUM_ARGS,
    ROOT,
    WAIT_MS,
    chromium_path,
    missing_browser_tools,
    open_lab_notebook,
    open_notebook7,
    run_all_cells,
    running_server,
    skip_or_fail,
)
from tests.test_replay import check_frames

pytestmark = pytest.mark.browser
APP = ROOT / "app" / "dashboard.ipynb"
#: The two stored panels: a fresh lesson (its set-up only) and one a few clicks on.
PANELS = ((), ("Start", "Tick", "Write", "Tick"))


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium (not a persistent profile: contexts without JavaScript too)."""
    reason = missing_browser_tools()
    if reason:
        skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(chromium, *, javascript: bool = True, width: int = 1280, height: int = 720):
    """A page that may load file:// and 127.0.0.1 only (other requests are aborted and
    listed in ``page.asked``)."""
    context = chromium.new_context(java_script_enabled=javascript, accept_downloads=True,
                                   viewport={"width": width, "height": height})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.asked = []

    def block(route):
        page.asked.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!file:|https?://127\.0\.0\.1[:/]|data:|blob:)"), block)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def panels():
    made = []
    for clicks in PANELS:
        panel = dashboard()
        for name in clicks:
            panel.buttons[name].click()
        made.append(panel)
    return made


@pytest.fixture(scope="module")
def lesson_page(tmp_path_factory):
    """A notebook of two dashboard cells, stored as the kit stores them (the widget view,
    no widget state), exported by nbconvert to HTML: (path, the two panels)."""
    import nbformat
    from nbconvert import HTMLExporter

    made = panels()
    notebook = nbformat.v4.new_notebook()
    for number, panel in enumerate(made):
        cell = nbformat.v4.new_code_cell(f"panel{number} = qopc_kit.dashboard()\npanel{number}",
                                         execution_count=number + 1)
        cell.outputs = [nbformat.v4.new_output("execute_result", panel._repr_mimebundle_(),
                                               execution_count=number + 1)]
        notebook.cells += [nbformat.v4.new_markdown_cell(f"Panel {number}"), cell]
    body, _ = HTMLExporter().from_notebook_node(notebook)
    path = tmp_path_factory.mktemp("twin") / "lesson.html"
    path.write_text(body, encoding="utf-8")
    return path, made


def state_of(panel, step: int) -> list[str]:
    pairs = panel.array.at(step).pairs
    from qopc_kit.views.status import progress_text, state_line

    return [" ".join(text.split()) for name in sorted(pairs)
            for text in (state_line(pairs[name]), progress_text(pairs[name]))]


def shown(twin) -> list[str]:
    frame = twin.locator(".qopc-frame:not([hidden])")
    assert frame.count() == 1
    return [" ".join(text.split())
            for text in frame.locator(".qopc-state, .qopc-progress").all_inner_texts()]


def open_folds(page) -> None:
    """Open each stored twin's fold: closed at first (the replay reaches the panel's last
    step, which may answer a lesson's questions), it opens on the reader's click."""
    folds = page.locator("details.qopc-twin")
    folds.first.wait_for(state="attached")
    for number in range(folds.count()):
        fold = folds.nth(number)
        assert fold.get_attribute("open") is None
        assert not fold.locator(".qopc-replay").is_visible()
        summary = fold.locator(":scope > summary")
        assert "predict first" in summary.inner_text()
        summary.click()
        assert fold.locator(".qopc-replay").is_visible()


def frames_at(twins) -> list[int]:
    return [int(twins.nth(i).get_attribute("data-frame")) for i in range(twins.count())]


def test_two_twins_on_a_page_each_open_on_their_set_up_and_move_alone(chromium, lesson_page):
    path, made = lesson_page
    page = offline_page(chromium)
    page.goto(path.as_uri())
    open_folds(page)
    twins = page.locator(".qopc-replay")
    assert twins.count() == 2
    # A twin's table is packed: the browser unpacks it, then the twin marks its frame.
    page.locator(".qopc-replay[data-frame]").nth(1).wait_for(state="attached")
    last = [len(panel.array.history_steps()) - 1 for panel in made]
    # Each opens on its set-up, never on its panel's step (the answer to the question asked).
    assert frames_at(twins) == [0, 0]
    assert page.locator(".qopc-still").count() == 0  # the views replace the images
    for number, panel in enumerate(made):
        twin = twins.nth(number)
        assert "replay from the set-up: run the notebook for the live panel" in twin.inner_text()
        assert twin.locator(".qopc-controls").is_visible()
        assert shown(twin) == state_of(panel, 0)
        assert twin.locator(".qopc-slider").input_value() == "0"
        # Named as the panel names its steps: the set-up, then step 1, ...
        count = last[number] + 1
        assert twin.locator(".qopc-where").inner_text().startswith(f"Frame 1 of {count}, set-up: ")
        twin.locator(".qopc-slider").fill(str(last[number]))
        assert twin.locator(".qopc-where").inner_text().startswith(
            f"Frame {count} of {count}, {panel.step_label(last[number])}: ")
        twin.locator(".qopc-slider").fill("0")
    # The arrow keys move the focused twin only.
    twins.nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert frames_at(twins) == [1, 0]
    twins.nth(1).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert frames_at(twins) == [1, 2]
    assert shown(twins.nth(0)) == state_of(made[0], 1)
    assert shown(twins.nth(1)) == state_of(made[1], 2)
    # With the focus on the page itself, keys move neither: which one would they mean?
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("ArrowRight")
    assert frames_at(twins) == [1, 2]
    # The slider and Play of one twin leave the other alone.
    twins.nth(1).locator(".qopc-slider").fill("3")
    assert frames_at(twins) == [1, 3]
    assert shown(twins.nth(1)) == state_of(made[1], 3)
    twins.nth(0).locator(".qopc-play").click()
    # It plays on to the last frame and stops there by itself.
    page.wait_for_function("root => root.querySelector('.qopc-play').textContent === 'Play'",
                           arg=twins.nth(0).element_handle())
    assert frames_at(twins) == [last[0], 3]
    assert shown(twins.nth(0)) == state_of(made[0], last[0])
    twins.nth(1).scroll_into_view_if_needed()
    page.screenshot(path=str(path.parent / "twins-1280x720.png"))
    page.set_viewport_size({"width": 900, "height": 720})
    page.screenshot(path=str(path.parent / "twins-900.png"), full_page=True)
    print(f"screenshots in {path.parent}")
    assert not page.errors, page.errors
    assert not any(url.startswith("file:") for url in page.asked)
    page.context.close()


def still_shows(twin, panel, step: int) -> None:
    """The frame a reader without JavaScript sees: each pair's diagram as an image that
    loaded, the frame's words (the block maps as text) open, no inline SVG."""
    images = twin.locator("img.qopc-still-diagram")
    assert images.count() == len(panel.array.at(step).pairs)
    for number in range(images.count()):
        assert images.nth(number).is_visible()
        assert images.nth(number).evaluate("image => image.complete && image.naturalWidth > 0")
    words = twin.locator(".qopc-frame .qopc-alt")
    assert words.count() == 1 and words.is_visible()
    if panel.array.at(step).pairs:
        assert "Physical blocks:" in words.inner_text()
    assert twin.locator("svg").count() == 0


def test_without_javascript_each_twin_shows_its_set_up(chromium, lesson_page):
    path, made = lesson_page
    page = offline_page(chromium, javascript=False)
    page.goto(path.as_uri())
    open_folds(page)
    twins = page.locator(".qopc-replay")
    assert twins.count() == 2
    for number, panel in enumerate(made):
        twin = twins.nth(number)
        frames = twin.locator(".qopc-frame")
        assert frames.count() == 1 and frames.first.is_visible()
        assert frames.first.get_attribute("data-step") == "0"  # the set-up, not the answer
        assert shown(twin) == state_of(panel, 0)
        still_shows(twin, panel, 0)
        assert not twin.locator(".qopc-controls").is_visible()
        assert not twin.locator(".qopc-keys").is_visible()
        assert twin.locator(".qopc-slider").is_disabled()
        assert twin.locator(".qopc-play").is_disabled()
        assert "replay from the set-up: run the notebook for the live panel" in twin.inner_text()
    twins.nth(1).scroll_into_view_if_needed()
    page.screenshot(path=str(path.parent / "twins-no-js-1280x720.png"))
    page.context.close()


def open_panel(page, kind: str, server):
    """The live dashboard of app/dashboard.ipynb in Voilà, JupyterLab or Notebook 7."""
    if kind == "voila":
        page.goto(server.url("/"), timeout=2 * WAIT_MS)
    else:
        (open_lab_notebook if kind == "lab" else open_notebook7)(page, server, APP)
        run_all_cells(page)
    panel = page.locator(".qopc-dashboard").first
    panel.wait_for(state="visible", timeout=4 * WAIT_MS)
    panel.scroll_into_view_if_needed()
    return panel


@pytest.mark.parametrize("kind", ["voila", "lab", "notebook"])
def test_export_page_downloads_the_replay_page(chromium, tmp_path, kind):
    """Export page works with no file server wherever the panel runs: its link downloads
    the replay page of the session, which replays on its own from file://."""
    clicks = ("Start", "Tick", "Write")
    twin = dashboard()
    with running_server(kind, APP, tmp_path / kind) as server:
        page = offline_page(chromium, height=900)
        panel = open_panel(page, kind, server)
        before = list(page.errors)  # the front end's own, if any: not the panel's
        for name in clicks:
            twin.buttons[name].click()
            step = twin.step_label(len(twin.array.history) - 1)
            panel.get_by_role("button", name=name, exact=True).click()
            page.wait_for_function(
                "([root, step]) => root.querySelector('.qopc-title').innerText"
                ".includes(`${step} `)", arg=[panel.element_handle(), step])
        export = panel.get_by_role("button", name="Export page", exact=True)
        assert "replays this session" in export.get_attribute("title")
        export.click()
        link = panel.locator("a.qopc-export-link")
        link.wait_for(state="visible")
        # It looks like a link, not plain text: coloured and underlined.
        looks = link.evaluate("a => [getComputedStyle(a).color, "
                              "getComputedStyle(a).textDecorationLine]")
        assert looks == ["rgb(11, 87, 164)", "underline"], looks
        assert "exported a replay page up to step 3" in panel.locator(".qopc-message").inner_text()
        page.screenshot(path=str(tmp_path / f"export-{kind}.png"))
        href = link.get_attribute("href")
        prefix = "data:text/html;charset=utf-8;base64,"
        assert href.startswith(prefix)
        page_text = base64.b64decode(href[len(prefix):]).decode("utf-8")
        frames = check_frames(twin.array, page_text)  # each frame: the engine's at its step
        assert [step for step, _, _ in frames] == list(range(len(twin.array.history)))
        with page.expect_download() as download:
            link.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.name == link.get_attribute("download")
        assert saved.read_text(encoding="utf-8") == page_text
        assert page.errors == before, page.errors
        page.context.close()
    # The downloaded page replays on its own, from file://.
    replay = offline_page(chromium)
    replay.goto(saved.as_uri())
    root = replay.locator(".qopc-replay")
    root.focus()
    last = len(twin.array.history) - 1
    for step in range(last + 1):
        assert root.get_attribute("data-frame") == str(step)
        assert shown(root) == state_of(twin, step)
        replay.keyboard.press("ArrowRight")
    assert not replay.errors and not replay.asked, (replay.errors, replay.asked)
    replay.context.close()


def test_a_stored_twin_in_jupyterlab_before_the_notebook_runs(chromium, tmp_path):
    """Opened in JupyterLab and not run, app/dashboard.ipynb shows its twin through the
    sanitizer of untrusted outputs (no script, no style, no SVG): the current frame, its
    diagram an image, its controls hidden, and no diagram's text spilled over the page."""
    panel = dashboard()
    with running_server("lab", APP, tmp_path / "lab") as server:
        page = offline_page(chromium, height=900)
        open_lab_notebook(page, server, APP)
        open_folds(page)
        twin = page.locator(".qopc-replay").first
        twin.wait_for(state="visible")
        assert "replay from the set-up: run the notebook for the live panel" in twin.inner_text()
        frames = twin.locator(".qopc-frame")
        # The sanitizer drops data-* attributes: the frame is known by its words. It is the
        # first, the set-up (named as the panel names it), never the panel's latest step.
        assert frames.count() == 1
        assert frames.first.locator(".qopc-command").inner_text().startswith("Set-up: ")
        assert shown(twin) == state_of(panel, 0)
        still_shows(twin, panel, 0)
        assert not twin.locator(".qopc-controls").is_visible()
        assert not twin.locator(".qopc-keys").is_visible()
        assert "QUICKOPC" not in twin.inner_text()  # an SVG's text, had the SVG been dropped
        page.screenshot(path=str(tmp_path / "twin-lab-stored.png"))
        print(f"screenshot: {tmp_path / 'twin-lab-stored.png'}")
        page.context.close()


#: What JupyterLab and Voilà do to links in an output: plain text.
LINK_RESET = "<style>a{color:inherit;text-decoration:none;}</style>"


@pytest.mark.parametrize("dark", [False, True])
def test_the_download_link_looks_like_a_link_in_both_themes(chromium, tmp_path, dark):
    """The Export page link is coloured and underlined, on JupyterLab's light and dark
    backgrounds alike, at 4.5:1 or more, even where the page resets links to plain text."""
    from qopc_kit.dashboard.style import panel_style
    from tests.test_browser_replay import contrast

    panel = dashboard()
    panel.buttons["Export page"].click()
    body = ('<body data-jp-theme-light="false" style="background:#111111;color:#e0e0e0">'
            if dark else '<body data-jp-theme-light="true" style="background:#ffffff">')
    path = tmp_path / "link.html"
    path.write_text(f"<!DOCTYPE html><html><head>{LINK_RESET}</head>{body}"
                    f'<div class="qopc-dashboard">{panel_style()}{panel.export_html.value}'
                    "</div></body></html>", encoding="utf-8")
    page = offline_page(chromium)
    page.goto(path.as_uri())
    colour, line, back = page.locator("a.qopc-export-link").evaluate(
        "a => [getComputedStyle(a).color, getComputedStyle(a).textDecorationLine, "
        "getComputedStyle(document.body).backgroundColor]")
    assert line == "underline"
    assert colour not in ("rgb(224, 224, 224)", "rgb(0, 0, 0)")  # not the text's colour
    assert contrast(colour, back) >= 4.5, (colour, back)
    page.context.close()
