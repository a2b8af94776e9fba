"""Replay pages: one self-contained HTML page that steps through a session, frame by frame.

Every frame is drawn here, in Python, from the array's own state at its step
(``array.at(step)``) through the dashboard's view functions: the state diagram, the
physical and logical block maps, the ``acopc query`` table, the state line and
Copied/Rest. The page's JavaScript only shows and hides what was drawn.

What frames share is stored once: each distinct fragment (a diagram with its marks, a
block map, a table) is one hidden element of the page, and a frame lists the fragments
it shows. The theme's style sheet, which every view starts with, is stored once too, in the
table (the script puts it in the page).
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
from dataclasses import dataclass, replace
from importlib.resources import files

from ..engine.array import DiskArray
from ..engine.errors import ArgumentError
from ..engine.pair import CopyPair
from . import theme
from .blockmap import capture, record_html, record_text
from .diagram import state_diagram_svg
from .snapshot import PairSnapshot, snapshot
from .status import progress_text, query_table_html, state_line
from .timeline import describe

#: The kinds of fragment a pair shows in every frame, in page order.
SLOTS = ("head", "diagram", "physical", "logical", "query")
REPLAY_NOTE = "replay from the set-up: run the notebook for the live panel"
#: The replay's own colours under a dark theme (replay.css holds the light ones).
DARK_CSS = (".qopc-replay .qopc-caption{background:#1c2b3a;border-left-color:#90caf9;}"
            ".qopc-replay .qopc-note-replay{background:rgba(144,202,249,.12);"
            "border-left-color:#90caf9;}"
            ".qopc-replay .qopc-refused{color:#ff8a80;}"
            ".qopc-replay :focus-visible{outline-color:#90caf9;}")


@dataclass(frozen=True)
class Entry:
    """One frame to draw: the array after history ``step``, what was done and said.

    ``caption`` is the script's comment before the line; a ``refused`` entry shows the
    array's message and the unchanged state of the step before it. ``label`` names the
    step as the reader knows it (the panel's ``set-up``, ``step 2``); by default
    ``step N``, N the history step.
    """

    step: int
    command: str
    output: str = ""
    caption: str = ""
    refused: bool = False
    label: str = ""

    @property
    def name(self) -> str:
        """How the frame names its step: ``refused`` for a refusal, else the label."""
        return "refused" if self.refused else self.label or f"step {self.step}"


@dataclass(frozen=True)
class Frame:
    """A drawn frame: its entry, its pair fragments by (pair, slot) and its words."""

    entry: Entry
    fragments: dict[tuple[str, str], str]
    states: tuple[str, ...]
    progress: tuple[str, ...]
    alternative: str


def step_label(number: int, baseline: int | None = None) -> str:
    """The name of history step ``number``: with a panel's ``baseline`` (its first step),
    ``set-up`` up to it and ``step 1`` for the one after, as the panel says; else ``step N``."""
    if baseline is None:
        return f"step {number}"
    return "set-up" if number <= baseline else f"step {number - baseline}"


def history_entries(array: DiskArray, upto: int | None = None, *,
                    baseline: int | None = None) -> list[Entry]:
    """One entry per step of ``array``'s history up to ``upto`` (default: the last), each
    named as a panel whose first step is ``baseline`` names it (see :func:`step_label`)."""
    steps = array.history_steps()
    last = len(steps) - 1 if upto is None else upto
    if not isinstance(last, int) or isinstance(last, bool) or not 0 <= last < len(steps):
        raise ArgumentError(f"upto must be a step number from 0 to {len(steps) - 1}, "
                            f"got {upto!r}")
    return [Entry(step.number, describe(step)[0], label=step_label(step.number, baseline))
            for step in steps[:last + 1]]


def settled(pair: CopyPair) -> PairSnapshot:
    """``pair`` as it stands, with no transition marked as news: what a refused command's
    frame shows (no "(was ...)", no highlighted arrow), since the refusal caused none."""
    shot = snapshot(pair)
    return replace(shot, forward=replace(shot.forward, last_transition=None, just_changed=False),
                   reverse=replace(shot.reverse, last_transition=None, just_changed=False))


def pair_fragments(array: DiskArray, refused: bool = False) -> dict[tuple[str, str], str]:
    """The views of every pair of ``array`` as the dashboard draws them, by (pair, slot),
    each without the theme's style sheet (a page holds it once); ``refused``: the pairs
    :func:`settled`."""
    style = theme.style()
    found: dict[tuple[str, str], str] = {}
    for name in sorted(array.pairs):
        pair = array.pairs[name]
        shot = settled(pair) if refused else snapshot(pair)
        record = capture(pair)
        views = {"head": f"<h3>{html.escape(name)}</h3>",
                 "diagram": state_diagram_svg(shot),
                 "physical": record_html(record),
                 "logical": record_html(record, logical=True),
                 "query": query_table_html(shot.query_rows())}
        for slot, text in views.items():
            found[name, slot] = text.replace("\n" + style, "").replace(style, "")
    return found


def draw_frame(array: DiskArray, entry: Entry) -> Frame:
    """Draw ``entry`` from ``array.at(entry.step)`` (the array is not changed)."""
    shot = array.at(entry.step)
    pairs = [shot.pairs[name] for name in sorted(shot.pairs)]
    shots = [settled(pair) if entry.refused else snapshot(pair) for pair in pairs]
    words = [f"{entry.name.capitalize()}: {entry.command}"]
    if entry.refused:
        words.append(f"refused, nothing changed: {entry.output}".rstrip(": "))
    elif entry.output:
        words.append(entry.output)
    for pair, pair_shot in zip(pairs, shots, strict=True):
        words += [state_line(pair_shot), progress_text(pair_shot),
                  "Physical blocks:\n" + record_text(capture(pair)),
                  "Logical blocks:\n" + record_text(capture(pair), logical=True)]
    return Frame(entry, pair_fragments(shot, entry.refused), tuple(map(state_line, shots)),
                 tuple(map(progress_text, shots)), "\n".join(words))


def _asset(name: str) -> str:
    return files(__package__).joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _frame_html(index: int, total: int, frame: Frame, ids: list[str], shown: bool) -> str:
    entry = frame.entry
    title = f"Frame {index + 1} of {total}, {entry.name}: {entry.command}"
    caption = (f'<p class="qopc-caption">{html.escape(entry.caption)}</p>'
               if entry.caption else "")
    said = html.escape(entry.output)
    output = (f'<p class="qopc-output qopc-refused">Refused, nothing changed: {said}</p>'
              if entry.refused else
              f'<pre class="qopc-output">{said}</pre>' if entry.output else "")
    states = "".join(f'<li class="qopc-state">{html.escape(s)}</li>'
                     f'<li class="qopc-progress">{html.escape(p)}</li>'
                     for s, p in zip(frame.states, frame.progress, strict=True))
    opened = ' open="open"' if shown else ""  # the words of the frame a reader without JS sees
    return (f'<section class="qopc-frame" data-step="{entry.step}" '
            f'data-refused="{str(entry.refused).lower()}" data-show="{" ".join(ids)}" '
            f'data-title="{html.escape(title, quote=True)}" aria-label="{index + 1}"'
            f'{"" if shown else " hidden"}>'
            f'{caption}<p class="qopc-command">{html.escape(entry.name.capitalize())}: '
            f'{html.escape(entry.command)}'
            f'</p>{output}<ul>{states}</ul><details{opened}>'
            '<summary>This frame as text</summary>'
            f'<pre class="qopc-alt">{html.escape(frame.alternative)}</pre></details></section>')


#: Where a fragment is cut into pieces that frames can share (a block cell, an SVG group,
#: a table row): the pieces are stored once in the page's table.
CUTS = re.compile(r'(?=<span class="qopc-cell)|(?=<g )|(?=<tr)|(?=<div )')


def share(fragments: list[str]) -> tuple[list[str], list[list[int]]]:
    """Cut ``fragments`` into pieces: (distinct pieces, each fragment as piece numbers).

    Joining a fragment's pieces gives the fragment back exactly.
    """
    index: dict[str, int] = {}
    lists = [[index.setdefault(piece, len(index)) for piece in CUTS.split(text) if piece]
             for text in fragments]
    return list(index), lists


def _json(data: object) -> str:
    """``data`` as JSON that cannot end or comment out the script element holding it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def _table(frames: list[Frame]) -> tuple[dict[str, object], list[list[int]]]:
    """The page's shared data (pairs, slots, pieces, fragments) and each frame's fragments."""
    known: dict[tuple[str, str, str], int] = {}
    shows = [[known.setdefault((pair, slot, text), len(known))
              for (pair, slot), text in frame.fragments.items()] for frame in frames]
    pairs = sorted({pair for pair, _, _ in known})
    pieces, lists = share([text for _, _, text in known])
    frags = [[pairs.index(pair), SLOTS.index(slot), cut]
             for (pair, slot, _), cut in zip(known, lists, strict=True)]
    return {"pairs": pairs, "slots": list(SLOTS), "pieces": pieces, "frags": frags}, shows


def still_html(frame: Frame) -> str:
    """What a reader with no JavaScript sees of ``frame`` besides its words (which its
    section shows): each pair's state diagram as an image, an SVG in a ``data:`` URL, since
    the sanitizers of stored outputs (JupyterLab's, GitHub's) drop inline SVG but keep
    images. The script removes it once the frames are drawn."""
    images = []
    for (pair, slot), text in frame.fragments.items():
        if slot == "diagram":
            label = re.search(r'aria-label="([^"]*)"', text)
            alt = label.group(1) if label else html.escape(f"State diagram of {pair}")
            source = base64.b64encode(text.encode("utf-8")).decode("ascii")
            images.append(f'<h3>{html.escape(pair)}</h3><img class="qopc-still-diagram" '
                          f'alt="{alt}" src="data:image/svg+xml;base64,{source}">')
    return f'<div class="qopc-still">{"".join(images)}</div>'


def _layout(pairs: list[str]) -> str:
    """One grid of empty slots per pair, which the script fills with each frame's fragments."""
    return "".join(
        f'<div class="qopc-pair" data-pair="{html.escape(pair, quote=True)}">' + "".join(
            f'<div class="qopc-slot qopc-slot-{slot}" data-slot="{p} {s}"></div>'
            for s, slot in enumerate(SLOTS)) + "</div>"
        for p, pair in enumerate(pairs))


def _data_script(data: object, packed: bool) -> str:
    """The script element holding the page's table: JSON, or ``packed`` as gzip in base64
    (a tenth of the size; the script unpacks it with the browser's DecompressionStream)."""
    if not packed:
        return f'<script type="application/json" class="qopc-data">{_json(data)}</script>'
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text = base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")
    return f'<script type="application/gzip" class="qopc-data" data-encoding="base64">{text}</script>'


def replay_body(array: DiskArray, entries: list[Entry], *, note: str = "",
                title: str = "", packed: bool = False) -> str:
    """The replay as one ``<div class="qopc-replay">`` with its style and script inline.

    It opens on its first frame, the set-up: a stored lesson's twin must not open on the
    state its last question asks about (the reader steps forward deliberately). That frame
    is in the markup, its words shown and its diagrams as images
    (:func:`still_html`), so that a reader with no JavaScript (a stored notebook on GitHub,
    an untrusted output in JupyterLab) sees it; the other frames are in the page's table,
    which the script turns into frames, and the controls stay hidden and disabled until
    the script has started. A ``packed`` table is gzip in base64 (see :func:`_data_script`).
    """
    if not entries:
        raise ArgumentError("a replay needs at least one frame")
    frames = [draw_frame(array, entry) for entry in entries]
    start = 0
    data, shows = _table(frames)
    pairs: list[str] = sorted({pair for frame in frames for pair, _ in frame.fragments})
    sections = [_frame_html(i, len(frames), frame, [str(n) for n in ids], i == start)
                for i, (frame, ids) in enumerate(zip(frames, shows, strict=True))]
    data["sections"] = ["" if i == start else text for i, text in enumerate(sections)]
    data["style"] = theme.style()  # for the views the script draws (the still needs none)
    heading = f"<h2>{html.escape(title)}</h2>" if title else ""
    said = f'<p class="qopc-note-replay">{html.escape(note)}</p>' if note else ""
    return (f'<div class="qopc-replay" role="region" aria-label="Replay" tabindex="0" '
            f'data-start="{start}">'
            f"<style>{_asset('replay.css')}{theme.dark_rules(DARK_CSS)}</style>{heading}{said}"
            '<div class="qopc-controls" hidden="hidden"><label>Step through the session '
            f'<input type="range" class="qopc-slider" min="0" max="{len(frames) - 1}" '
            f'value="{start}" step="1" disabled="disabled"></label>'
            '<button type="button" class="qopc-play" disabled="disabled">Play</button>'
            '<span class="qopc-where" aria-live="polite"></span></div>'
            '<p class="qopc-keys" hidden="hidden">Keys: ← and → step back and forth (or move the '
            f'slider).</p>{still_html(frames[start])}'
            f'<div class="qopc-frames">{sections[start]}</div>{_layout(pairs)}'
            f"{_data_script(data, packed)}"
            f"<script>{_asset('replay.js')}</script></div>")


def replay_html(array: DiskArray, *, upto: int | None = None, note: str = REPLAY_NOTE,
                packed: bool = True, baseline: int | None = None) -> str:
    """The replay of ``array``'s steps up to ``upto``, to embed (the dashboard's static
    twin: the text/html of a stored output); it opens at the first frame, the set-up. Its
    steps are named as a panel whose first step is ``baseline`` names them."""
    return replay_body(array, history_entries(array, upto, baseline=baseline), note=note,
                       packed=packed)


def page_html(array: DiskArray, entries: list[Entry] | None = None, *, title: str = "Replay",
              extra: str = "", lead: str = "", heading: str | None = None,
              follow_os: bool = False) -> str:
    """A whole self-contained HTML page replaying ``entries`` (default: every step), with
    the HTML ``lead`` before the replay and ``extra`` after it; the replay's ``heading`` is
    the ``title`` unless given ("" for none).

    The page is light, its views too, whatever the browser prefers (a ``lead`` may set a
    light background of its own); with ``follow_os`` the whole page, views and all, goes
    dark when the browser prefers dark (:func:`~qopc_kit.views.theme.os_scheme_css`).
    """
    entries = history_entries(array) if entries is None else entries
    scheme = (f' class="{theme.OS_SCHEME}"', "light dark") if follow_os else ("", "light")
    return (f'<!DOCTYPE html>\n<html lang="en"{scheme[0]}><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="color-scheme" content="{scheme[1]}">'
            f"<title>{html.escape(title)}</title>"
            f"{f'<style>{theme.os_scheme_css()}</style>' if follow_os else ''}</head><body>{lead}"
            f"{replay_body(array, entries, title=title if heading is None else heading)}{extra}"
            "</body></html>\n")


def data_url(page: str) -> str:
    """``page`` as a ``data:`` URL, for a download link that needs no file server."""
    return ("data:text/html;charset=utf-8;base64,"
            + base64.b64encode(page.encode("utf-8")).decode("ascii"))
