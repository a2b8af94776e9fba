"""The dashboard's controls: how each section of the panel is built.

:class:`Controls` holds the builders only; the state they show and the actions they call
are the :class:`~qopc_kit.dashboard.panel.Dashboard`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..engine.history import Step
from .blockmap import BlockMapWidget
from .parts import html_box, section
from .picker import BlockSelector
from .script_box import ScriptBox
from .session_buttons import SESSION_COMMANDS

if TYPE_CHECKING:
    from ..engine.array import DiskArray
    from ..engine.pair import CopyPair


class Controls:
    """The widget builders of :class:`~qopc_kit.dashboard.panel.Dashboard` (a mixin)."""

    buttons: dict[str, widgets.Button]

    if TYPE_CHECKING:  # what the builders wire the widgets to: the Dashboard's
        array: DiskArray

        def _act(self, call: Callable[[], Step | str | None]) -> None: ...
        def _say(self, kind: str, text: str) -> None: ...
        def _choice_changed(self, _change: object) -> None: ...
        def _cell_clicked(self, volume: str, block: int, extend: bool) -> None: ...
        def _show_selection(self, _change: object = None) -> None: ...
        def _slider_moved(self, _change: object) -> None: ...
        def _played(self, change: dict) -> None: ...
        def _rate_changed(self, change: dict) -> None: ...
        def _on_pair(self, command: Callable[[CopyPair], Step]) -> Step: ...
        def _write(self) -> Step: ...
        def _read(self) -> str: ...
        def _run(self) -> str: ...
        def _undo(self) -> str: ...
        def _reset(self) -> str: ...
        def _go_back(self, step: int) -> str: ...
        def _load(self) -> str: ...

    def _button(self, name: str, tooltip: str, action: Callable[[], Step | str | None]) -> None:
        button = widgets.Button(description=name, tooltip=tooltip,
                                layout=widgets.Layout(width="auto"))
        button.on_click(lambda _button: self._act(action))
        self.buttons[name] = button

    def _build_views(self) -> None:
        self.title_html = widgets.HTML()
        self.pair_select = widgets.Dropdown(description="Pair", options=[],
                                            layout=widgets.Layout(width="auto"))
        self.pair_select.observe(self._choice_changed, names="value")
        self.diagram_html = widgets.HTML()
        self.diagram_box = widgets.Box([self.diagram_html])
        self.diagram_box.add_class("qopc-diagram")
        self.state_html = html_box("qopc-state")
        self.query_html = html_box("qopc-query-box")
        self.progress = widgets.IntProgress(description="Copied", min=0, max=1, value=0)
        self.progress_html = widgets.HTML()
        self.status_box = widgets.VBox([self.query_html,
                                        widgets.HBox([self.progress, self.progress_html])])
        self.logical_toggle = widgets.ToggleButtons(
            options=[("Physical", False), ("Logical", True)], value=False,
            description="Show", tooltips=["What is on the blocks", "What a host reads"])
        self.logical_toggle.observe(self._choice_changed, names="value")
        self.blockmap_html = BlockMapWidget()
        self.blockmap_html.on_cell(self._cell_clicked)
        self.map_hint = html_box("qopc-map-hint")
        self.map_hint.value = ('<span style="font-size: 12px; opacity: .75;">Click a block to '
                               "select it for Host I/O; Shift-click selects a range</span>")
        self.log_html = html_box("qopc-log-box")

    def _build_session(self) -> None:
        for name, (command, tooltip) in SESSION_COMMANDS.items():
            self._button(name, tooltip, partial(self._on_pair, command))
        self.session_box = section("Session", list(self.buttons.values()))

    def _build_host_io(self) -> None:
        self.volume_select = widgets.Dropdown(description="Volume", options=[])
        self.volume_select.observe(self._choice_changed, names="value")
        self.selector = BlockSelector()
        self.selector.range.observe(self._show_selection, names="value")
        self.value_text = widgets.Text(value="X", description="Value",
                                       placeholder="a letter, or a byte like 0x41",
                                       layout=widgets.Layout(width="220px"))
        self._button("Write", "Host write of Value to the blocks", self._write)
        self._button("Read", "Host read of the blocks (the logical image)", self._read)
        self.io_box = section("Host I/O", [
            self.volume_select, self.selector.range, self.value_text,
            widgets.HBox([self.buttons["Write"], self.buttons["Read"]])])
        self.blockmap_box = widgets.VBox([
            widgets.HBox([self.logical_toggle, self.map_hint],
                         layout=widgets.Layout(align_items="center", grid_gap="12px")),
            self.blockmap_html])
        self.blockmap_box.add_class("qopc-blockmap-box")

    def _build_clock(self) -> None:
        self._button("Tick", "Advance the background copier one tick", lambda: self.array.tick())
        self._button("Run to end", "Tick until every physical copy has ended", self._run)
        self.play = widgets.Play(value=0, min=0, max=10**9, step=1, interval=500,
                                 description="Play", tooltip="Tick repeatedly",
                                 show_repeat=False)
        self.play.observe(self._played, names="value")
        self.speed = widgets.IntSlider(value=2, min=1, max=10, description="Ticks/s",
                                       tooltip="Play speed, ticks per second")
        self.speed.observe(lambda c: setattr(self.play, "interval", 1000 // c["new"]),
                           names="value")
        self.rate = widgets.IntSlider(value=self.array.copy_rate, min=1, max=16,
                                      description="Copy rate", continuous_update=False,
                                      tooltip="Blocks each session copies per tick")
        self.rate.observe(self._rate_changed, names="value")
        self.fail_select = widgets.Dropdown(description="Fail volume", options=[],
                                            layout=widgets.Layout(width="240px"))
        self._button("Fail", "Inject a failure: sessions on it go to Error suspend",
                     lambda: self.array.fail(self.fail_select.value))
        self.clock_box = section("Clock and faults", [
            widgets.HBox([self.buttons["Tick"], self.buttons["Run to end"]]),
            widgets.HBox([self.play, self.speed]), self.rate,
            widgets.HBox([self.fail_select, self.buttons["Fail"]])])

    def _build_time(self) -> None:
        self._button("Undo", "Go back one step", self._undo)
        self._button("Reset", "Back to the step where this panel started", self._reset)
        self.step_slider = widgets.IntSlider(value=0, min=0, max=0, description="Step",
                                             tooltip="Preview an earlier step")
        self.step_slider.observe(self._slider_moved, names="value")
        self.step_html = widgets.HTML()
        self.preview_html = html_box("qopc-preview")
        self.preview_html.layout.display = "none"
        self._button("Go back to step", "Rewind to the step on the slider (drops later steps)",
                     lambda: self._go_back(self.step_slider.value))
        self._button("Save", "Write the session as a scenario script (in the box below)",
                     lambda: self.script.save(self.array))
        self._button("Load", "Run the script in the box below on a new array (refused "
                     "lines change nothing)", self._load)
        self.time_box = section("Time", [
            widgets.HBox([self.buttons["Undo"], self.buttons["Reset"], self.buttons["Save"],
                          self.buttons["Load"]]),
            self.step_slider, self.step_html, self.buttons["Go back to step"]])

    def _build_script(self) -> None:
        self.script = ScriptBox(self._say)
        self.script_text, self.upload = self.script.text, self.script.upload
        self.download_html, self.script_box = self.script.download, self.script.box
