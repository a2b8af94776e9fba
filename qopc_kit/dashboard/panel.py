"""The dashboard: an ipywidgets panel that drives one DiskArray and redraws it after every action.

Every control calls the engine once, then :meth:`Dashboard.refresh` redraws every view
from the model. The panel keeps no state of its own beyond the controls' values: the
pair, volume and step it shows are read back from the array each time. A notebook cell
may change the array behind the panel's back (ipywidgets gets no event for that), so
every control first redraws when the array's history moved since the last draw.

Its design choices are listed in :mod:`qopc_kit.dashboard`.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

try:
    import ipywidgets as widgets
except ImportError as missing:  # the engine runs without it; only the panel needs it
    raise ImportError("the dashboard needs ipywidgets: pip install 'qopc-kit[widgets]' "
                      "(or pip install ipywidgets)") from missing

from ..engine import errors
from ..engine.array import DiskArray
from ..engine.history import Step
from ..engine.pair import CopyPair
from ..views.marks import map_blocks
from ..views.replay import step_label
from ..views.snapshot import snapshot
from ..views.status import progress_text, query_table_html, state_line
from ..views.timeline import describe, timeline_rows
from . import text as panel_text
from .controls import Controls
from .parts import (
    MAP_CELLS,
    diagrams_svg,
    pair_map_html,
    set_available,
    set_options,
    set_range,
    slug,
    state_lines_html,
    step_outcome,
    why_html,
)
from .session_buttons import session_reasons
from .style import panel_style
from .twin import export_link, static_twin

#: The copy commands: a loaded script's set-up is everything before the first of them.
COMMAND_ACTIONS = ("start", "cancel")

_LESSON_OPTIONS = ("name", "blocks", "block_size", "copy_rate")


def lesson_array(name: str = "ET001", blocks: int = 16, block_size: int = 1,
                 copy_rate: int = 2) -> DiskArray:
    """The lesson's array: source 0x1 written with letters A, B, ..., destination 0x6, group CG1.

    Raises the engine's ArgumentError for a bad name or size.
    """
    array = DiskArray(name, copy_rate=copy_rate)
    source = array.add_volume(0x1, blocks=blocks, block_size=block_size)
    destination = array.add_volume(0x6, blocks=blocks, block_size=block_size)
    letters = (np.arange(source.blocks) % 26 + ord("A")).astype(np.uint8)
    source.write(slice(None), letters[:, None])  # each block filled with its letter
    array.add_copy_group("CG1", pairs=[(source, destination)])
    return array


def dashboard(array: DiskArray | None = None, **options: Any) -> Dashboard:
    """The panel for ``array``, or for a new lesson array (options: name, blocks, block_size,
    copy_rate). Display the result in a notebook cell.

    Raises ArgumentError for an unknown option, or lesson options given with an array.
    """
    unknown = sorted(set(options) - set(_LESSON_OPTIONS))
    if unknown:
        raise errors.ArgumentError(f"dashboard() has no option {', '.join(unknown)} "
                                   f"(options: {', '.join(_LESSON_OPTIONS)})")
    if array is None:
        array = lesson_array(**options)
    elif options:
        raise errors.ArgumentError(f"dashboard(array) builds no lesson: drop "
                                   f"{', '.join(sorted(options))} or pass no array")
    elif not isinstance(array, DiskArray):
        raise errors.ArgumentError(f"dashboard() needs a DiskArray, not {type(array).__name__}")
    return Dashboard(array)


class Dashboard(Controls):
    """An ipywidgets panel on one DiskArray: controls, views, and one :meth:`refresh`.

    The widgets are attributes (``buttons["Start"]``, ``state_html``, ``message``...)
    so that tests and lessons can drive the panel with ``.click()`` and ``.value``.
    ``unavailable`` maps each greyed button to why the state does not allow it.
    """

    def __init__(self, array: DiskArray) -> None:
        self.array = array
        self._first_step = len(array.history) - 1
        self._drawing = False
        self._drawn: tuple[DiskArray, int, Step] | None = None  # what the views show
        self.buttons: dict[str, widgets.Button] = {}
        self.tooltips: dict[str, str] = {}
        self.unavailable: dict[str, str] = {}
        self.root = self._build_layout()
        self.style_html.value = panel_style(tuple(map(slug, self.buttons)))
        self._say("info", "press a Session button to begin; each action is one step")
        self.refresh()

    # The model as the panel reads it ----------------------------------------------------
    @property
    def pair(self) -> CopyPair | None:
        """The pair the session buttons act on (None if the array has none)."""
        return self.array.pairs.get(self.pair_select.value)

    @property
    def baseline(self) -> int:
        """The panel's first step: where Reset goes and below which Undo refuses."""
        return self._first_step

    @property
    def viewed_step(self) -> int:
        """The step the views show: the Step slider's (the latest unless it was moved)."""
        return self.baseline + self.step_slider.value

    def step_label(self, number: int) -> str:
        """How the panel numbers step ``number`` of the array's history: the student's first
        action is step 1; the panel's first step and those before it are the set-up."""
        return step_label(number, self.baseline)  # the replay's frames name it the same

    # Redraw -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw every view and fit every control to the model; calls no engine command."""
        with self._fitting():
            self._redraw()

    @contextmanager
    def _fitting(self) -> Iterator[None]:
        """Set controls to the model's values without their observers starting a redraw."""
        self._drawing = True
        try:
            yield
        finally:
            self._drawing = False

    def _choice_changed(self, _change: object) -> None:
        if not self._drawing:
            self.refresh()

    def _history_mark(self) -> tuple[DiskArray, int, Step]:
        """The array, its history's length and its last step, as of now."""
        history = self.array.history
        return self.array, len(history), history[-1]

    def _is_stale(self) -> bool:
        """True when the array or its history moved since the last draw."""
        if self._drawn is None:
            return True
        array, length, last = self._drawn
        history = self.array.history
        # The last Step object too: an undo then a new step keeps the length.
        return array is not self.array or length != len(history) or last is not history[-1]

    def _catch_up(self) -> str:
        """Redraw if a notebook cell moved the array since the last draw; say so, or ''."""
        if not self._is_stale():
            return ""
        self.refresh()
        return ("the array had changed outside the panel: redrawn at "
                f"{self.step_label(len(self.array.history) - 1)} first")

    def _redraw(self) -> None:
        array = self.array
        last = len(array.history) - 1
        # A cell may have rewound below the panel's first step: those steps are gone.
        self._first_step = min(self._first_step, last)
        set_options(self.pair_select, list(array.pairs))
        self.pair_select.layout.display = None if len(array.pairs) > 1 else "none"
        volumes = list(array.volumes)
        set_options(self.volume_select, volumes)
        set_options(self.fail_select, volumes)
        self.title_html.value = (f"<b>QuickOPC dashboard</b> · {html.escape(array.name)} · "
                                 f"{self.step_label(last)} · copy rate {array.copy_rate}")
        volume = array.volumes.get(self.volume_select.value)
        self.selector.resize(volume.blocks if volume is not None else 0)
        self._show_selection()
        self.rate.max = max(self.rate.max, array.copy_rate)
        self.rate.value = array.copy_rate  # its observer calls the engine only on a change
        # A slider on the latest step stays on it as steps come (a click, Undo, a cell).
        following = self.step_slider.value >= self.step_slider.max
        set_range(self.step_slider, 0, last - self.baseline)
        if following:
            self.step_slider.value = self.step_slider.max
        self._fit_buttons(last)
        self._draw_views()
        self.log_html.value = panel_text.log_html(timeline_rows(array), self.baseline)
        self._drawn = self._history_mark()

    def _fit_buttons(self, last: int) -> None:
        """Grey every button the model does not allow now, each with its reason."""
        reasons = dict(session_reasons(self.pair))
        nothing = f"nothing to undo: {self.step_label(last)} is where this panel started"
        reasons["Undo"] = nothing if last <= self.baseline else None
        reasons["Reset"] = nothing.replace("undo", "reset") if last <= self.baseline else None
        reasons["Go back to step"] = (None if self.viewed_step < last else "move the Step "
                                      "slider to an earlier step first")
        for name, reason in reasons.items():
            set_available(self.buttons[name], self.tooltips[name], reason)
            if reason is None:
                self.unavailable.pop(name, None)
            else:
                self.unavailable[name] = reason
        self.why_html.value = why_html(self.unavailable)

    def _slider_moved(self, _change: object) -> None:
        if self._drawing:
            return  # the redraw draws the step once the slider fits the model
        self.refresh()

    def _draw_views(self) -> None:
        """Draw the pair at the slider's step: the latest, or an earlier one marked so."""
        last = len(self.array.history) - 1
        step = min(self.viewed_step, last)
        pair: CopyPair | None = self.pair
        note = ""
        if step < last:
            try:
                # A fresh copy each time, never cached, so it cannot go stale; for the
                # lesson array it costs about 0.2 ms (one snapshot's arrays copied).
                then = self.array.at(step)
            except errors.HistoryError as error:  # a big array keeps no snapshots
                note = f" (no picture of it: {error}; the views show the latest step)"
            else:
                pair = then.pairs.get(pair.name) if pair is not None else None
        self._draw_pair(pair)
        viewing = step < last
        self.viewing_box.layout.display = None if viewing else "none"
        self.viewing_html.value = (panel_text.viewing_html(
            self.step_label(step), self.step_label(last), self.array.history[step], note)
            if viewing else "")

    def _draw_pair(self, pair: CopyPair | None) -> None:
        if pair is None:
            self.diagram_html.value = ""
            self.state_html.value = "<i>this array has no copy pair</i>"
            self.blockmap_html.value = ""
            self.query_html.value = ""
            self.progress.max, self.progress.value = 1, 0
            self.progress_html.value = ""
            return
        shot = snapshot(pair)  # every view of the pair reads this one capture
        self.diagram_html.value = diagrams_svg(shot)
        self.state_html.value = state_lines_html(shot, role="status")
        self.blockmap_html.value = pair_map_html(pair)
        self.map_hint.layout.display = None if map_blocks(pair) <= MAP_CELLS else "none"
        self.query_html.value = query_table_html(shot.query_rows())
        total = shot.forward.copied_blocks + shot.forward.rest_blocks
        self.progress.max = max(total, 1)
        self.progress.value = shot.forward.copied_blocks
        self.progress_html.value = progress_text(shot)

    # Actions: one engine call, then one refresh --------------------------------------------
    def _act(self, call: Callable[[], Step | str | None], name: str = "") -> None:
        """Run ``call`` (one engine call), show its outcome or refusal, then refresh.

        ``name`` is the button pressed: a greyed one still asks the engine, and its refusal
        comes with the reason the button was greyed. Only the kit's own refusals
        (QuickOPCError) and its UnusableVolumeWarning become messages; anything else is a
        bug and propagates.
        """
        greyed = self.unavailable.get(name)
        stale = self._catch_up()
        before = (self.array, len(self.array.history))
        kind = "ok"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", errors.UnusableVolumeWarning)
            try:
                done = call()
                note = self._step_text(done) if isinstance(done, Step) else done or ""
            except errors.QuickOPCError as error:
                kind, note = "refused", str(error)
                if greyed:
                    note = f"{name} is unavailable: {greyed}" + (
                        f" · the array says: {note}" if note != greyed else "")
        for warning in caught:
            if issubclass(warning.category, errors.UnusableVolumeWarning):
                kind, note = "warning", f"{note} · {warning.message}"
            else:  # not ours to show: hand it back to Python's warning machinery
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
        self._say(kind, f"{note} · {stale}" if stale else note)
        if (self.array, len(self.array.history)) != before:  # a new step, or a new model
            # Show it, not the step the slider was on: the redraw carries a slider on the
            # latest step it drew to the new latest step (no preview drawn in between).
            with self._fitting():
                self.step_slider.value = self.step_slider.max
        self.refresh()

    def _step_text(self, step: Step) -> str:
        """What a step did, in the panel's numbering, with what it changed."""
        return f"{self.step_label(step.number)}: " + step_outcome(step, self.pair)

    def _on_pair(self, command: Callable[[CopyPair], Step]) -> Step:
        return command(self._selected_pair())

    def _selected_pair(self) -> CopyPair:
        pair = self.pair
        if pair is None:
            raise errors.NotFoundError(f"{self.array.name} has no copy pair to act on")
        return pair

    def _write(self) -> Step:
        first, last = self.selector.blocks
        volume = self.array.volume(self.volume_select.value)
        return volume.write(slice(first, last + 1), panel_text.parse_value(self.value_text.value))

    def _read(self) -> str:
        first, last = self.selector.blocks
        volume = self.array.volume(self.volume_select.value)
        rows, step = volume.read_step(slice(first, last + 1))
        return f"{self.step_label(step.number)}: " + panel_text.read_text(
            volume.name, first, last, rows)

    def _cell_clicked(self, volume: str, block: int, extend: bool) -> None:
        """Select ``block`` of ``volume`` for Host I/O, as the Volume list and the Blocks
        range would; ``extend`` (a Shift-click on the chosen volume) selects a range.

        Changes no engine state, so it is no step; a click on a block the array no longer
        has (the map was out of date) is refused in the message line.
        """
        stale = self._catch_up()
        target = self.array.volumes.get(volume)
        if target is None or not 0 <= block < target.blocks:
            self._say("refused", f"cannot select block {block} of {volume}: {self.array.name} "
                      "has no such block (the map was out of date)"
                      + (f" · {stale}" if stale else ""))
            return
        extend = extend and volume == self.volume_select.value
        self.volume_select.value = volume  # another volume redraws, fitting the range to it
        self.selector.select(block, extend=extend)
        first, last = self.selector.blocks
        where = f"block {first}" if first == last else f"blocks {first}-{last}"
        # Replace the last outcome, which a click that is no step would otherwise leave up.
        self._say("info", f"selected {where} of {volume} for Write and Read"
                  + (f" · {stale}" if stale else ""))

    def _show_selection(self, _change: object = None) -> None:
        """Outline the blocks of the Blocks range on the chosen volume in the block map."""
        first, last = self.selector.blocks
        volume = self.volume_select.value
        self.blockmap_html.selected = ({"volume": volume, "first": first, "last": last}
                                       if volume is not None else {})

    def _run(self) -> str:
        ticks = self.array.run()
        return (f"ran {ticks} tick(s): every physical copy has ended" if ticks
                else "nothing to copy: no physical copy is running")

    def _played(self, change: dict) -> None:
        if change["new"] <= change["old"]:
            return  # Stop rewinds the Play's counter: not a tick
        if self.array.ticks_to_finish() == 0:
            self.play.playing = False
            self._say("info", "Play stopped: no physical copy is running")
            self.refresh()
            return
        self._act(lambda: self.array.tick())
        if self.array.ticks_to_finish() == 0:
            self.play.playing = False

    def _rate_changed(self, change: dict) -> None:
        if change["new"] != self.array.copy_rate:
            self._act(lambda: self.array.set_copy_rate(change["new"]))

    def _undo(self) -> str:
        last = len(self.array.history) - 1
        if last <= self.baseline:
            raise errors.HistoryError(f"nothing to undo: {self.step_label(last)} is where this "
                                      "panel started")
        undone = self.array.history[-1]
        self.array.undo()
        return (f"undid {self.step_label(undone.number)} ({describe(undone)[0]}); now at "
                f"{self.step_label(last - 1)}")

    def _reset(self) -> str:
        last = len(self.array.history) - 1
        if last <= self.baseline:
            raise errors.HistoryError(f"nothing to reset: {self.step_label(last)} is where "
                                      "this panel started")
        return self._rewind(self.baseline)

    def _go_back(self) -> str:
        return self._rewind(self.viewed_step)

    def _rewind(self, step: int) -> str:
        last = len(self.array.history) - 1
        if step >= last:
            raise errors.HistoryError(f"nothing to go back to: {self.step_label(step)} is the "
                                      "latest step; move the Step slider to an earlier one")
        self.array.rewind(step)
        return f"back at {self.step_label(step)}; {last - step} later step(s) dropped"

    def _back_to_now(self) -> str:
        with self._fitting():
            self.step_slider.value = self.step_slider.max
        return f"showing the latest step again: {self.step_label(len(self.array.history) - 1)}"

    def _export(self) -> str:
        self.export_html.value = ""  # never a link to an older page beside a refusal
        link, done = export_link(self.array, self.step_label(len(self.array.history) - 1),
                                 self.baseline)
        self.export_html.value = link
        return done

    def _save(self) -> str:
        done = self.script.save(self.array)
        self.tabs.selected_index = 2  # the Scenario script tab, to show what was saved
        return done

    def _load(self) -> str:
        transcript = self.script.load()
        if transcript.array is None:  # run_script always builds one; a guard for the types
            raise errors.ArgumentError("the script built no disk array")
        self.array = transcript.array
        # Reset goes back to the set-up: volumes, groups and the data written before the
        # first copy command (a script with no copy command is all set-up).
        self._first_step = next((step.number - 1 for step in self.array.history
                                 if step.action in COMMAND_ACTIONS),
                                len(self.array.history) - 1)
        last = len(self.array.history) - 1
        text = f"loaded {self.array.name}: now at {self.step_label(last)}"
        if transcript.refusals:
            text += f"; {len(transcript.refusals)} line(s) refused: " + "; ".join(
                f"line {line}: {reason}" for line, reason in transcript.refusals)
        return text

    def _say(self, kind: str, text: str) -> None:
        self.message.value = panel_text.message_html(kind, text)

    # Display -------------------------------------------------------------------------------
    def summary(self) -> str:
        """One line of text: the array, the step, the selected pair's state and progress."""
        text = (f"QuickOPC dashboard on {self.array.name}, "
                f"{self.step_label(len(self.array.history) - 1)}")
        pair = self.pair
        if pair is not None:
            text += f": {state_line(pair)}; {progress_text(pair)}"
        return text

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # The widget view, and for a reader with no kernel its static twin: the replay of
        # the steps so far as HTML, and a short text that says it is one (instead of the
        # widget tree's repr). See qopc_kit.dashboard.twin.
        bundle = dict(self.root._repr_mimebundle_(**kwargs))
        bundle["text/html"], bundle["text/plain"] = static_twin(self.array, self.summary(),
                                                                self.baseline)
        return bundle

    def __repr__(self) -> str:
        return f"<Dashboard on {self.array!r}>"
