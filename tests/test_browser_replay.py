"""A replay page in Chromium from file://, with every other request aborted: arrow keys and
the slider step through it, and each frame shows the engine's state and Copied/Rest."""

from __future__ import annotations

import re

import pytest

from qopc_kit import scenarios
from qopc_kit.export import script_entries
from qopc_kit.views import replay
from qopc_kit.views.status import progress_text, state_line
from tests.browser_support import SCREENSHOTS, offline_chromium

pytestmark = pytest.mark.browser
SCENARIO = "01_full_start"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from offline_chromium(tmp_path_factory)


def shown(page) -> list[str]:
    """The state and Copied/Rest lines of the frame on screen."""
    frame = page.locator(".qopc-frame:not([hidden])")
    assert frame.count() == 1
    return [re.sub(r"\s+", " ", text).strip()
            for text in frame.locator(".qopc-state, .qopc-progress").all_inner_texts()]


def engine(array, step: int, refused: bool = False) -> list[str]:
    lines = []
    for name in sorted(array.at(step).pairs):
        pair = array.at(step).pairs[name]
        pair = replay.settled(pair) if refused else pair  # a refusal marks no transition
        lines += [re.sub(r"\s+", " ", state_line(pair)).strip(),
                  re.sub(r"\s+", " ", progress_text(pair)).strip()]
    return lines


def test_replay_page_offline(browser, tmp_path):
    array, entries = script_entries(scenarios.load(SCENARIO).text)
    path = tmp_path / "replay.html"
    path.write_text(replay.page_html(array, entries, title=SCENARIO), encoding="utf-8")
    asked: list[str] = []

    def block(route):
        asked.append(route.request.url)
        route.abort()

    page = browser.new_page()
    page.route(re.compile(r"^(?!file:)"), block)
    # The shared context aborts all but 127.0.0.1; this page may read its own file only.
    page.route(re.compile(r"^file:"), lambda route: route.continue_())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.locator(".qopc-frame:not([hidden])").wait_for()
    page.locator(".qopc-replay").focus()
    for index, entry in enumerate(entries):
        if index:
            page.keyboard.press("ArrowRight")
        assert page.locator(".qopc-replay").get_attribute("data-frame") == str(index)
        assert shown(page) == engine(array, entry.step, entry.refused), f"frame {index}"
        shown_svg = page.locator(".qopc-slot-diagram svg").count()
        assert shown_svg == len(array.at(entry.step).pairs)
    for index in (len(entries) - 1, 3, 0, 7):
        page.locator(".qopc-slider").fill(str(index))
        assert shown(page) == engine(array, entries[index].step, entries[index].refused), f"slider {index}"
    page.keyboard.press("ArrowRight")  # the slider has focus: it moves itself by one
    assert page.locator(".qopc-replay").get_attribute("data-frame") == "8"
    assert shown(page) == engine(array, entries[8].step, entries[8].refused)
    page.locator(".qopc-slider").fill("8")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "replay.png"), full_page=True)
    assert not errors, errors
    assert not asked, asked
    page.close()


def test_play_steps_by_itself_and_stops_at_the_end(browser, tmp_path):
    """Play shows each next frame once a second or so, each the engine's state, and stops
    on the last frame (the clock is Playwright's, so the test does not wait in real time)."""
    array, entries = script_entries(scenarios.load(SCENARIO).text)
    path = tmp_path / "replay.html"
    path.write_text(replay.page_html(array, entries, title=SCENARIO), encoding="utf-8")
    page = browser.new_page()
    page.route(re.compile(r"^file:"), lambda route: route.continue_())
    page.clock.install()
    page.goto(path.as_uri())
    root = page.locator(".qopc-replay")
    assert root.get_attribute("data-frame") == "0"
    play = page.locator(".qopc-play")
    play.click()
    assert play.inner_text() == "Pause"
    page.clock.run_for(600)
    assert root.get_attribute("data-frame") == "0"  # not yet: one frame per interval
    for index in range(1, len(entries)):
        page.clock.run_for(600 if index == 1 else 1200)
        assert root.get_attribute("data-frame") == str(index), f"frame {index} not shown"
        assert shown(page) == engine(array, entries[index].step, entries[index].refused), f"played frame {index}"
        assert page.locator(".qopc-slider").input_value() == str(index)
    page.clock.run_for(5000)  # it stopped: the last frame stays, the button reads Play again
    assert root.get_attribute("data-frame") == str(len(entries) - 1)
    assert play.inner_text() == "Play"
    play.click()  # from the end, Play starts over
    assert root.get_attribute("data-frame") == "0"
    page.clock.run_for(1200)
    assert root.get_attribute("data-frame") == "1"
    play.click()  # Pause
    page.clock.run_for(5000)
    assert root.get_attribute("data-frame") == "1"
    assert play.inner_text() == "Play"
    page.close()


def test_a_refused_line_shows_the_state_as_it_is(browser, tmp_path):
    """A refused command's frame: its label says refused, not a step number; the state
    without the step before's "(was ...)" and without its highlighted arrow."""
    text = "\n".join(["acarray add -a ET001", "volume add 0x1 blocks 4", "volume add 0x6 blocks 4",
                     "acgroup create -g CG1 -type QuickOPC -a ET001",
                     "acpair add -g CG1 -p ET001/0x1:ET001/0x6", "acopc start -g CG1",
                     "acopc start -g NOPE"])
    array, entries = script_entries(text)
    assert entries[-1].refused and not entries[-2].refused
    path = tmp_path / "refused.html"
    path.write_text(replay.page_html(array, entries, title="refused"), encoding="utf-8")
    page = browser.new_page()
    page.route(re.compile(r"^file:"), lambda route: route.continue_())
    page.goto(path.as_uri())
    last = len(entries) - 1
    page.locator(".qopc-slider").fill(str(last - 1))
    assert "(was No session" in " ".join(shown(page))
    assert page.locator(".qopc-slot-diagram .qopc-last").count() == 1
    page.locator(".qopc-slider").fill(str(last))
    assert page.locator(".qopc-where").inner_text() == (
        f"Frame {last + 1} of {last + 1}, refused: acopc start -g NOPE")
    assert shown(page) == engine(array, entries[-1].step, refused=True)
    assert "(was " not in " ".join(shown(page))
    assert page.locator(".qopc-slot-diagram .qopc-last").count() == 0
    assert page.locator(".qopc-slot-diagram .qopc-current").count() == 1
    frame = page.locator(".qopc-frame:not([hidden])")
    assert frame.locator(".qopc-command").inner_text() == "Refused: acopc start -g NOPE"
    frame.locator("summary").click()
    assert "refused, nothing changed" in frame.locator(".qopc-alt").inner_text()
    page.close()


def luminance(colour: str) -> float:
    """The WCAG relative luminance of a computed ``rgb(...)``/``rgba(...)`` colour."""
    values = [float(v) for v in re.findall(r"[\d.]+", colour)[:3]]
    linear = [(v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4
              for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


#: For each element: its colour (a CSS property) and the background it is seen on (the
#: nearest ancestor's non-transparent background; the page's otherwise).
COLOURS = """([selector, property]) => {
  const element = document.querySelector(selector);
  if (!element) { return null; }
  let back = element.parentElement, seen = 'rgb(255, 255, 255)';
  while (back) {
    const colour = getComputedStyle(back).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') { seen = colour; break; }
    back = back.parentElement;
  }
  return [getComputedStyle(element)[property], seen];
}"""

#: (what, selector, property, the least contrast): text 4.5:1, marks 3:1.
CHECKS = [("frame label", ".qopc-where", "color", 4.5),
          ("state line", ".qopc-frame:not([hidden]) .qopc-state", "color", 4.5),
          ("caption", ".qopc-frame:not([hidden]) .qopc-caption", "color", 4.5),
          ("note", ".qopc-frame:not([hidden]) .qopc-command", "color", 4.5),
          ("diagram label", ".qopc-slot-diagram .qopc-node:not(.qopc-current):not(.qopc-previous) text", "fill", 4.5),
          ("diagram edge", ".qopc-slot-diagram .qopc-edge:not(.qopc-last) path", "stroke", 3),
          ("last transition", ".qopc-slot-diagram .qopc-edge.qopc-last path", "stroke", 3),
          ("block cell", ".qopc-slot-physical .qopc-cell .qopc-content", "color", 4.5),
          ("query table", ".qopc-slot-query td", "color", 4.5)]


@pytest.mark.parametrize("follow_os", [False, True])
def test_one_colour_scheme_under_a_dark_os(browser, tmp_path, follow_os):
    """With the browser preferring dark, a replay page is of one scheme: light throughout
    (a page that keeps its own white background), or, for a page that follows the OS (the
    Export page's), dark throughout; every text reads at 4.5:1, every mark at 3:1."""
    text = "\n".join(["acarray add -a ET001", "volume add 0x1 blocks 4",
                     "volume add 0x6 blocks 4", "acgroup create -g CG1 -type QuickOPC -a ET001",
                     "acpair add -g CG1 -p ET001/0x1:ET001/0x6", "write ET001/0x1 all ABCD",
                     "# The copy starts: every block is queued", "acopc start -g CG1",
                     "tick", "write ET001/0x6 2 d"])
    array, entries = script_entries(text)
    path = tmp_path / "dark.html"
    path.write_text(replay.page_html(array, entries, title="dark", follow_os=follow_os),
                    encoding="utf-8")
    page = browser.new_page()
    page.route(re.compile(r"^file:"), lambda route: route.continue_())
    page.emulate_media(color_scheme="dark")
    page.goto(path.as_uri())
    started = next(i for i, entry in enumerate(entries) if entry.caption)
    page.locator(".qopc-slider").fill(str(started))  # a caption, a transition, queued blocks
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    if body == "rgba(0, 0, 0, 0)":  # no background of its own: the light canvas shows
        assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") in (
            "normal", "light")
        body = "rgb(255, 255, 255)"
    assert (luminance(body) < 0.05) == follow_os, body  # dark page only when it follows
    for what, selector, prop, least in CHECKS:
        found = page.evaluate(COLOURS, [selector, prop])
        assert found is not None, what
        colour, seen = found
        assert contrast(colour, seen) >= least, (what, colour, seen)
        # One scheme: light marks on a dark page, dark ones on a light page.
        assert (luminance(colour) > luminance(seen)) == follow_os, (what, colour, seen)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"replay-dark-os-{follow_os}.png"), full_page=True)
    page.close()


#: What nbconvert's lab template does to a <pre> in an output (its theme's font variable
#: missing, as on a page that inlines index.css alone): a proportional font, wrapped.
NBCONVERT_PRE = ("<style>.jp-RenderedHTMLCommon pre,.jp-RenderedHTMLCommon code{font-family:"
                 "var(--jp-code-font-family);font-size:inherit;}.jp-OutputArea-output pre"
                 "{word-break:break-all;white-space:pre-wrap;}</style>"
                 '<div class="jp-OutputArea-output jp-RenderedHTMLCommon">')


def test_frame_text_is_monospace_whatever_page_holds_it(browser, tmp_path):
    """"This frame as text" keeps its columns: monospace, unwrapped, inside nbconvert's CSS."""
    array, entries = script_entries(scenarios.load(SCENARIO).text)
    path = tmp_path / "nbconvert.html"
    path.write_text(replay.page_html(array, entries, title="pre", lead=NBCONVERT_PRE,
                                     extra="</div>"), encoding="utf-8")
    page = browser.new_page()
    page.route(re.compile(r"^file:"), lambda route: route.continue_())
    page.goto(path.as_uri())
    page.locator(".qopc-slider").fill(str(len(entries) - 1))
    frame = page.locator(".qopc-frame:not([hidden])")
    frame.locator("summary").click()
    alt = frame.locator("pre.qopc-alt")
    assert "monospace" in alt.evaluate("e => getComputedStyle(e).fontFamily")
    assert alt.evaluate("e => getComputedStyle(e).whiteSpace") == "pre"
    # The glyphs are of one width: a line of i's is as wide as one of M's.
    widths = alt.evaluate("""e => ['iiiiiiiiii', 'MMMMMMMMMM'].map(text => {
        const probe = document.createElement('span'); probe.textContent = text;
        e.appendChild(probe); const width = probe.getBoundingClientRect().width;
        probe.remove(); return width; })""")
    assert abs(widths[0] - widths[1]) < 0.5, widths
    for part in (".qopc-command", "pre.qopc-output"):
        assert "monospace" in frame.locator(part).first.evaluate(
            "e => getComputedStyle(e).fontFamily"), part
    page.close()


@pytest.mark.parametrize("width", [1280, 900, 600])
def test_the_frame_label_keeps_its_place_while_stepping(browser, tmp_path, width):
    """"Frame N of M, ..." stays where it is, and so does the frame below it, as the
    frames step by, whatever the length of each command."""
    array, entries = script_entries(scenarios.load(SCENARIO).text)
    path = tmp_path / "label.html"
    path.write_text(replay.page_html(array, entries, title=SCENARIO), encoding="utf-8")
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 720})
    page.route(re.compile(r"^file:"), lambda route: route.continue_())
    page.goto(path.as_uri())
    places = set()
    for index in range(len(entries)):
        page.locator(".qopc-slider").fill(str(index))
        places.add(page.evaluate("""() => {
            const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top]; };
            return JSON.stringify([box(document.querySelector('.qopc-where')),
                                   box(document.querySelector('.qopc-keys')),
                                   box(document.querySelector('.qopc-play'))]); }"""))
    assert len(places) == 1, places
    page.close()
