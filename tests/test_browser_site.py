"""The static site in Chromium from file://, every other request aborted: from the index to a
lesson and along its navigation, then to a scenario whose replay (slider and arrow keys)
shows the engine's state and Copied/Rest at each frame. Screenshots at 1280x720."""

from __future__ import annotations

import re

import pytest

from qopc_kit import scenarios, site
from qopc_kit.export import script_entries
from tests.browser_support import SCREENSHOTS, offline_chromium
from tests.test_browser_replay import engine, shown

pytestmark = pytest.mark.browser
SCENARIO = "03_diff_from_tracking"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from offline_chromium(tmp_path_factory)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    site.build(out)
    return out


@pytest.fixture
def offline(browser):
    """A page that may read files only, with what it asked for and the script errors."""
    asked: list[str] = []
    errors: list[str] = []

    def block(route):
        asked.append(route.request.url)
        route.abort()

    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    page.route(re.compile(r"^(?!file:)"), block)
    page.route(re.compile(r"^file:"), lambda route: route.continue_())
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, asked, errors
    page.close()


def replays_started(page) -> bool:
    """Every replay on the page has run its script (it shows a frame)."""
    return page.evaluate("[...document.querySelectorAll('.qopc-replay')]"
                         ".every(r => r.dataset.frame !== undefined)")


def test_index_to_a_lesson_and_along_its_navigation(offline, built):
    page, asked, errors = offline
    lessons = site.lessons()
    page.goto((built / "index.html").as_uri())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "site-index-1280x720.png"))
    page.get_by_role("link", name=lessons[1].title, exact=True).click()
    page.wait_for_url(re.compile(rf"/lessons/{lessons[1].name}\.html$"))
    assert lessons[1].title in page.locator("h1").first.inner_text()
    assert replays_started(page)
    page.locator("nav.qopc-nav").first.get_by_role("link", name=re.compile("^Next lesson")).click()
    page.wait_for_url(re.compile(rf"/lessons/{lessons[2].name}\.html$"))
    assert lessons[2].title in page.locator("h1").first.inner_text()
    page.locator("nav.qopc-nav").first.get_by_role("link", name=re.compile("^← Previous")).click()
    page.wait_for_url(re.compile(rf"/lessons/{lessons[1].name}\.html$"))
    page.locator("nav.qopc-nav").first.get_by_role("link", name="Index", exact=True).click()
    page.wait_for_url(re.compile(r"/index\.html$"))
    page.get_by_role("link", name="The 26 rules the kit follows").click()
    page.wait_for_url(re.compile(r"/rules\.html$"))
    assert page.locator("tr[id]").count() == 26
    assert not errors, errors
    assert not asked, asked


def test_index_to_a_scenario_and_its_replay(offline, built):
    page, asked, errors = offline
    scenario = scenarios.load(SCENARIO)
    array, entries = script_entries(site.without_header(scenario.text))
    page.goto((built / "index.html").as_uri())
    page.get_by_role("link", name=scenario.title, exact=True).click()
    page.wait_for_url(re.compile(rf"/scenarios/{SCENARIO}\.html$"))
    page.locator(".qopc-frame:not([hidden])").wait_for()
    root = page.locator(".qopc-replay")
    assert root.get_attribute("data-frame") == "0"
    page.keyboard.press("ArrowRight")  # nothing has the focus yet: the page's one replay steps
    assert root.get_attribute("data-frame") == "1"
    root.focus()
    for index in range(2, len(entries)):
        page.keyboard.press("ArrowRight")
        assert root.get_attribute("data-frame") == str(index)
        assert shown(page) == engine(array, entries[index].step), f"frame {index}"
    page.keyboard.press("ArrowLeft")
    assert shown(page) == engine(array, entries[-2].step)
    captions = page.locator(".qopc-frame:not([hidden]) .qopc-caption")
    with_caption = next(i for i, entry in enumerate(entries) if entry.caption)
    for index in (0, len(entries) // 2, len(entries) - 1, with_caption):
        page.locator(".qopc-slider").fill(str(index))
        assert root.get_attribute("data-frame") == str(index)
        assert shown(page) == engine(array, entries[index].step), f"slider {index}"
        caption = entries[index].caption
        assert captions.count() == (1 if caption else 0)
        if caption:
            assert captions.inner_text() == caption
    transcript = page.locator("pre.golden")
    assert transcript.is_visible()
    assert transcript.inner_text().strip() == scenario.golden.strip()
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "site-scenario-1280x720.png"))
    page.get_by_role("link", name="Index", exact=True).first.click()
    page.wait_for_url(re.compile(r"/index\.html$"))
    assert not errors, errors
    assert not asked, asked


def test_a_replay_stored_in_a_lesson_runs_on_its_page(offline, tmp_path):
    """A lesson whose stored output is a replay (the dashboard's static twin): its page
    runs the replay's inline script, and the keys step it, offline."""
    import nbformat

    from qopc_kit.views.replay import replay_html

    array = scenarios.load("01_full_start").run().array
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Lesson 1: a stored replay"),
                      nbformat.v4.new_code_cell("dashboard", execution_count=1, outputs=[
                          nbformat.v4.new_output("display_data", data={
                              "text/html": replay_html(array), "text/plain": "replay"})])]
    folder = tmp_path / "lessons"
    folder.mkdir()
    nbformat.write(notebook, folder / "01_stored.ipynb")
    out = tmp_path / "site"
    site.build(out, lessons_from=folder)
    page, asked, errors = offline
    page.goto((out / "lessons" / "01_stored.html").as_uri())
    root = page.locator(".qopc-replay")
    last = len(array.history_steps()) - 1
    # The static twin opens on its set-up (never on the answer to the question just asked).
    assert root.get_attribute("data-frame") == "0"
    assert shown(page) == engine(array, 0)
    root.focus()
    page.keyboard.press("ArrowRight")
    assert root.get_attribute("data-frame") == "1"
    assert shown(page) == engine(array, 1)
    page.locator(".qopc-slider").fill(str(last))
    assert shown(page) == engine(array, last)
    assert page.locator(".qopc-slot-diagram svg").first.is_visible()
    assert not errors, errors
    assert not asked, asked
