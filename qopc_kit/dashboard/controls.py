"""The dashboard's controls and its one-screen layout: how each part of the panel is built.

:class:`Controls` holds the builders only; the state they show and the actions they call
are the :class:`~qopc_kit.dashboard.panel.Dashboard`'s. The layout (see
:mod:`qopc_kit.dashboard.style`): a header; the state diagram and the query table on the
left; on the right the state line, the progress, both block maps and one row each of
Session, Clock, Host I/O and Time buttons; below, tabs for the log, faults and the script.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..engine.history import Step
from .parts import html_box, row, slug
from .picker import BlockSelector
from .script_box import ScriptBox
from .session_buttons import SESSION_COMMANDS
from .style import panel_style
from .view import CLICKABLE, INSTALL_HINT, BlockMapWidget, html_view

if TYPE_CHECKING:
    from ..engine.array import DiskArray
    from ..engine.pair import CopyPair

_COMPACT = {"description_width": "initial"}


class Controls:
    """The widget builders of :class:`~qopc_kit.dashboard.panel.Dashboard` (a mixin)."""

    buttons: dict[str, widgets.Button]
    tooltips: dict[str, str]

    if TYPE_CHECKING:  # what the builders wire the widgets to: the Dashboard's
        array: DiskArray

        def _act(self, call: Callable[[], Step | str | None], name: str = "") -> None: ...
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
        def _go_back(self) -> str: ...
        def _back_to_now(self) -> str: ...
        def _load(self) -> str: ...
        def _save(self) -> str: ...
        def _export(self) -> str: ...

    def _button(self, name: str, tooltip: str, action: Callable[[], Step | str | None]) -> None:
        button = widgets.Button(description=name, tooltip=tooltip,
                                layout=widgets.Layout(width="auto"))
        button.add_class("qopc-button")
        button.add_class(f"qopc-btn-{slug(name)}")
        button.on_click(lambda _button: self._act(action, name))
        self.buttons[name] = button
        self.tooltips[name] = tooltip

    def _build_layout(self) -> widgets.VBox:
        """Every part, placed: see the module's docstring."""
        self._build_views()
        self._build_session()
        self._build_host_io()
        self._build_clock()
        self._build_time()
        self._build_script()
        header = widgets.HBox([self.title_html, self.pair_select])
        header.add_class("qopc-header")
        left = widgets.VBox([self.diagram_box, self.query_html])
        left.add_class("qopc-left")
        right = widgets.VBox([self.viewing_box, self.state_html, self.progress_box,
                              self.blockmap_box, self.session_box, self.clock_box, self.io_box,
                              self.time_box, self.why_html, self.message, self.share_box])
        right.add_class("qopc-right")
        grid = widgets.Box([left, right])
        grid.add_class("qopc-grid")
        self.tabs = widgets.Tab([self.log_html, self.faults_box, self.script_box],
                                titles=("Log", "Faults and speed", "Scenario script"))
        self.tabs.add_class("qopc-tabs")
        root = widgets.VBox([self.style_html, header, grid, self.tabs])
        root.add_class("qopc-dashboard")
        return root

    def _build_views(self) -> None:
        self.style_html = widgets.HTML(panel_style())
        self.title_html = html_view("qopc-title")
        self.pair_select = widgets.Dropdown(description="Pair", options=[], style=_COMPACT,
                                            layout=widgets.Layout(width="auto"))
        self.pair_select.observe(self._choice_changed, names="value")
        self.viewing_html = html_view("qopc-viewing-text")
        self._button("Back to now", "Show the latest step again (nothing is dropped)",
                     self._back_to_now)
        self.viewing_box = row([self.viewing_html, self.buttons["Back to now"]], "qopc-viewing")
        self.viewing_box.layout.display = "none"
        self.diagram_html = html_view("qopc-diagram-view")
        self.diagram_box = widgets.Box([self.diagram_html])
        self.diagram_box.add_class("qopc-diagram")
        self.state_html = html_view("qopc-state")
        self.query_html = html_view("qopc-query-box")
        self.progress = widgets.IntProgress(description="Copied", min=0, max=1, value=0,
                                            style=_COMPACT)
        self.progress_html = html_view("qopc-progress-text")
        self.progress_box = row([self.progress, self.progress_html], "qopc-progress")
        self.blockmap_html = BlockMapWidget()
        self.blockmap_html.add_class("qopc-map")
        self.blockmap_html.on_cell(self._cell_clicked)
        self.map_hint = html_box("qopc-map-hint")
        self.map_hint.value = ("click a block to choose it; Shift-click: a range" if CLICKABLE
                               else INSTALL_HINT)
        self.blockmap_box = widgets.VBox([self.blockmap_html])
        self.blockmap_box.add_class("qopc-blockmap-box")
        # One line per unavailable button, shown while that button is hovered or focused.
        self.why_html = html_box("qopc-why-box")
        self.message = html_view("qopc-message")
        self.log_html = html_view("qopc-log-box")

    def _build_session(self) -> None:
        for name, (command, tooltip) in SESSION_COMMANDS.items():
            self._button(name, tooltip, partial(self._on_pair, command))
        self.session_box = row([widgets.Label("Session"),
                                *(self.buttons[name] for name in SESSION_COMMANDS)],
                               "qopc-row-session")

    def _build_host_io(self) -> None:
        self.volume_select = widgets.Dropdown(description="Volume", options=[], style=_COMPACT,
                                              layout=widgets.Layout(width="170px"))
        self.volume_select.observe(self._choice_changed, names="value")
        self.selector = BlockSelector()
        self.selector.range.observe(self._show_selection, names="value")
        self.value_text = widgets.Text(value="X", description="Value", style=_COMPACT,
                                       placeholder="a letter, or a byte like 0x41",
                                       layout=widgets.Layout(width="90px"))
        self._button("Write", "Host write of Value to the chosen blocks", self._write)
        self._button("Read", "Host read of the chosen blocks (what a host reads)", self._read)
        self.io_box = widgets.VBox([
            row([widgets.Label("Host I/O"), self.volume_select, self.selector.range], "qopc-row-io"),
            row([widgets.Label(""), self.value_text, self.buttons["Write"], self.buttons["Read"],
                 self.map_hint], "qopc-row-io2")])

    def _build_clock(self) -> None:
        self._button("Tick", "Advance the background copier one tick", lambda: self.array.tick())
        self._button("Run to end", "Tick until every physical copy has ended", self._run)
        self.play = widgets.Play(value=0, min=0, max=10**9, step=1, interval=500,
                                 description="Play", tooltip="Tick repeatedly",
                                 show_repeat=False)
        self.play.observe(self._played, names="value")
        self.rate = widgets.IntSlider(value=self.array.copy_rate, min=1, max=16,
                                      description="Copy rate", continuous_update=False,
                                      style=_COMPACT, layout=widgets.Layout(width="200px"),
                                      tooltip="Blocks each session copies per tick")
        self.rate.observe(self._rate_changed, names="value")
        self.clock_box = row([widgets.Label("Clock"), self.buttons["Tick"],
                              self.buttons["Run to end"], self.play, self.rate], "qopc-row-clock")
        self.speed = widgets.IntSlider(value=2, min=1, max=10, description="Play ticks/s",
                                       style=_COMPACT, tooltip="Play speed, ticks per second")
        self.speed.observe(lambda c: setattr(self.play, "interval", 1000 // c["new"]),
                           names="value")
        self.fail_select = widgets.Dropdown(description="Fail volume", options=[],
                                            style=_COMPACT, layout=widgets.Layout(width="auto"))
        self._button("Fail", "Inject a failure: sessions on it go to Error suspend",
                     lambda: self.array.fail(self.fail_select.value))
        self.faults_box = widgets.VBox([row([self.fail_select, self.buttons["Fail"]], ""),
                                        self.speed])

    def _build_time(self) -> None:
        self._button("Undo", "Go back one step", self._undo)
        self._button("Reset", "Back to where this panel started", self._reset)
        self.step_slider = widgets.IntSlider(value=0, min=0, max=0, description="Step",
                                             style=_COMPACT, layout=widgets.Layout(width="220px"),
                                             tooltip="Look at an earlier step (changes nothing)")
        self.step_slider.observe(self._slider_moved, names="value")
        self._button("Go back to step", "Rewind to the step on the slider (drops later steps)",
                     self._go_back)
        self._button("Save", "Write the session as a scenario script (Scenario script tab)",
                     self._save)
        self._button("Load", "Run the script of the Scenario script tab on a new array "
                     "(refused lines change nothing)", self._load)
        self.time_box = row([widgets.Label("Time"), self.buttons["Undo"], self.buttons["Reset"],
                             self.step_slider, self.buttons["Go back to step"]], "qopc-row-time")
        self._button("Export page", "Make a page that replays this session step by step: a "
                     "download link appears here (no server needed)", self._export)
        self.export_html = html_box("qopc-export-box")
        self.share_box = row([widgets.Label("Share"), self.buttons["Export page"],
                              self.export_html], "qopc-row-share")

    def _build_script(self) -> None:
        self.script = ScriptBox(self._say)
        self.script_text, self.upload = self.script.text, self.script.upload
        self.download_html = self.script.download
        self.script_box = widgets.VBox([row([self.buttons["Save"], self.buttons["Load"]], ""),
                                        self.script.box])
