"""Figure 8: the dashboard in a real browser, from a click to the settled page, and Voilà's start.

Voilà serves ``app/dashboard.ipynb`` as ``make app`` does (sandboxed, from the test suite's
support module) and Debian's Chromium, driven by Playwright, clicks the panel's buttons with
the mouse. For each click the page records, in its own clock (``performance.now()``):

* the ``pointerdown`` of the click;
* every change the kernel's reply makes to the panel (a ``MutationObserver`` on it);
* after the last change, the end of the frame that paints it (a ``requestAnimationFrame``
  callback, then a task queued from it, which runs once that frame is drawn).

The click's time is that painted end minus the pointerdown; a click is settled once the
panel has not changed for ``QUIET_MS``. Start-up is the time from navigation until the
panel's Start button can be clicked. Without Chromium, Playwright or Voilà, the rows say n/a.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from .sizes import Sizes
from .timing import Row

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app" / "dashboard.ipynb"

#: The issue's targets, in seconds: click median and 95th percentile, start-up.
CLICK_MEDIAN, CLICK_P95, START_UP = 0.050, 0.100, 1.5

#: A click has settled once the panel did not change for this long (milliseconds).
QUIET_MS = 400

#: One lesson, as a student clicks it: start, ticks, writes on both sides, a differential
#: start, the copy run out, a cancel and a new start. ("Block", side, n) picks a block.
CLICKS = ("Start", "Tick", "Tick", ("Block", "source", 0), "Write", "Tick",
          ("Block", "destination", 5), "Write", "Run to end", "Differential start", "Tick",
          "Tick", "Undo", "Tick", "Run to end", "Cancel", "Start", "Tick", "Cancel", "Auto")

_WATCH_JS = """root => {
  window.__qopc = {down: null, painted: null, changed: null};
  document.addEventListener('pointerdown', () => {
    window.__qopc.down = performance.now(); window.__qopc.painted = null;
    window.__qopc.changed = null;
  }, true);
  new MutationObserver(() => {
    const q = window.__qopc;
    if (q.down === null) return;
    q.changed = performance.now();
    requestAnimationFrame(() => setTimeout(() => { q.painted = performance.now(); }, 0));
  }).observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
}"""

_SETTLED_JS = f"""() => {{
  const q = window.__qopc;
  return q.changed !== null && q.painted !== null && q.painted >= q.changed
         && performance.now() - q.changed > {QUIET_MS};
}}"""


def _missing(note: str) -> list[Row]:
    return [Row("8", "browser click to settled paint, median", None, "budget", CLICK_MEDIAN,
                limit=1.0, note=note),
            Row("8", "browser click to settled paint, 95th percentile", None, "budget",
                CLICK_P95, limit=1.0, note=note),
            Row("8", "Voila start-up to a clickable panel", None, "budget", START_UP,
                limit=1.0, note=note)]


def _support():  # the test suite's module, imported from tests/
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import browser_support
    finally:
        sys.path.pop(0)
    return browser_support


def _click(page, panel, action) -> float:
    """Click ``action`` with the mouse; return milliseconds from pointerdown to the painted,
    settled panel."""
    if isinstance(action, tuple):
        _, side, block = action
        volume = "ET001/0x1" if side == "source" else "ET001/0x6"
        target = panel.locator(f".qopc-cell[data-volume='{volume}'][data-block='{block}']").first
    else:
        target = panel.get_by_role("button", name=action, exact=True).first
    target.click()
    page.wait_for_function(_SETTLED_JS, timeout=30_000)
    return page.evaluate("() => window.__qopc.painted - window.__qopc.down")


def browser_clicks(sizes: Sizes, _rng: object) -> list[Row]:
    """Median and 95th percentile of the CLICKS sequence (``sizes.browser_rounds`` rounds),
    and Voilà's start-up, on the 16-block lesson pair of ``make app``."""
    if sizes.browser_rounds < 1:
        return _missing("n/a (not run with --tiny)")
    support = _support()
    reason = support.missing_browser_tools()
    if reason:
        return _missing(f"n/a ({reason})")
    from playwright.sync_api import sync_playwright

    times: list[float] = []
    starts: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright, \
            support.chromium_context(playwright, Path(tmp) / "profile",
                                     support.chromium_path()) as context, \
            support.running_server("voila", APP, Path(tmp) / "voila") as server:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 720})
        for _ in range(sizes.browser_rounds):
            began = time.perf_counter()
            page.goto(server.url("/"), timeout=60_000)
            panel = page.locator(".qopc-dashboard").first
            panel.get_by_role("button", name="Start", exact=True).wait_for(timeout=60_000)
            starts.append(time.perf_counter() - began)
            panel.evaluate(_WATCH_JS)
            times += [_click(page, panel, action) / 1000 for action in CLICKS]
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    note = f"{len(times)} clicks, {len(starts)} page loads"
    return [Row("8", "browser click to settled paint, median", statistics.median(times),
                "budget", CLICK_MEDIAN, limit=1.0, note=note),
            Row("8", "browser click to settled paint, 95th percentile", p95, "budget",
                CLICK_P95, limit=1.0, note=note),
            Row("8", "Voila start-up to a clickable panel", statistics.median(starts[1:] or starts),
                "budget", START_UP, limit=1.0, note=note + " (the first load left out)")]
