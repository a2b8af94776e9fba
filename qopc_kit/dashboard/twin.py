"""The dashboard where no kernel runs, and its Export page link.

A stored notebook keeps the panel's widget view, which nothing draws without a kernel
(GitHub, nbviewer, an HTML export): its ``text/html`` twin is the replay of the array's
steps up to the one the panel is at (:func:`qopc_kit.views.replay.replay_html`), marked
as a replay, and its ``text/plain`` says so. It opens on its first frame, the set-up,
never on the panel's step: in a stored lesson that is the answer to the question just
asked, so the reader steps forward to it. The Export page button gives the replay page
of the whole session as a download link (a ``data:`` URL: no file server needed, so it
works in JupyterLab, Notebook 7 and Voilà alike).
"""

from __future__ import annotations

import html
import re

from ..engine import errors
from ..engine.array import DiskArray
from ..views.marks import map_blocks
from ..views.replay import data_url, history_entries, page_html, replay_html
from .parts import MAP_CELLS


def replay_problem(array: DiskArray) -> str | None:
    """Why ``array`` gets no replay (every frame draws every block), or None."""
    big = sorted(name for name, pair in array.pairs.items() if map_blocks(pair) > MAP_CELLS)
    if big:
        return (f"{', '.join(big)} spans more than {MAP_CELLS} blocks, too many to draw "
                "in every frame")
    return None


def static_twin(array: DiskArray, summary: str,
                baseline: int | None = None) -> tuple[str, str]:
    """The panel's (text/html, text/plain) for a reader with no kernel: the replay of
    every step up to the latest, or, when there can be none, ``summary`` and why. The
    frames name the steps as the panel does, whose first step is ``baseline``."""
    last = len(array.history_steps()) - 1
    problem = replay_problem(array)
    if problem is None:
        try:
            page = replay_html(array, upto=last, baseline=baseline)
        except errors.QuickOPCError as error:  # a step that cannot be drawn again
            problem = str(error)
        else:
            frames = "1 step" if last == 0 else f"{last + 1} steps"
            return folded(page, frames), (f"{summary} (stored as a replay of its {frames}, "
                                          "from the set-up; run the notebook for the live "
                                          "panel)")
    return (f'<p class="qopc-no-replay">{html.escape(summary)}: no replay stored '
            f"({html.escape(problem)}); run the notebook for the live panel</p>",
            f"{summary} (no replay stored: {problem}; run the notebook for the live panel)")


#: The fold's summary: the replay reaches the panel's last step, which may answer the
#: questions a lesson asks above it, so it opens only when the reader asks for it.
FOLD = ("Replay of this panel ({frames}, from the set-up; run the notebook for the live "
        "panel). It shows what the lesson's questions ask: predict first, then open it.")


def folded(replay: str, frames: str) -> str:
    """``replay`` behind a closed ``<details>`` whose summary says what it holds."""
    return (f'<details class="qopc-twin"><summary>{html.escape(FOLD.format(frames=frames))}'
            f"</summary>{replay}</details>")


def page_name(array: DiskArray, step: str) -> str:
    """The exported page's file name: the array's name and ``step``, the panel's name for
    its latest step (``step 3``, ``set-up``)."""
    words = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{array.name} {step}").strip("-.") or "array"
    return f"qopc-{words}.html"


def export_link(array: DiskArray, step: str,
                baseline: int | None = None) -> tuple[str, str]:
    """(a download link to the replay page of ``array``'s whole session, what was done);
    ``step`` names the latest step in the file's name, and the frames name the steps as
    the panel does, whose first step is ``baseline``.

    Raises the engine's errors (a QuickOPCError) when a step cannot be drawn again.
    """
    problem = replay_problem(array)
    if problem is not None:
        raise errors.ArgumentError(f"no page exported: {problem}")
    entries = history_entries(array, baseline=baseline)
    page = page_html(array, entries, title=f"QuickOPC session on {array.name}", follow_os=True)
    name = page_name(array, step)
    link = (f'<a class="qopc-download qopc-export-link" download="{html.escape(name)}" '
            f'href="{data_url(page)}">Download {html.escape(name)}</a>')
    size = len(page.encode("utf-8"))
    return link, (f"exported a replay page up to {step} ({len(entries)} frames with the "
                  f"set-up, {size // 1024 + 1} KB): the link {name} is next to Export page")
