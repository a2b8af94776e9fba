"""The dashboard's block map as a widget: a click on a block's cell selects that block.

``ipywidgets.HTML`` reports no clicks, so the map is an anywidget whose small ES module
(``static/blockmap.js``) draws :attr:`BlockMapWidget.value` as it is (the HTML of the
views, unchanged), outlines the :attr:`~BlockMapWidget.selected` blocks, and on a click
of a cell, or Enter or Space on a focused one, sets :attr:`~BlockMapWidget.clicked`
(Tab reaches each volume's cells, the arrow keys move between them; Shift extends).
Headless, a test sets ``clicked`` as the module would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

try:
    import anywidget
except ImportError as missing:  # the engine runs without it; only the panel needs it
    raise ImportError("the dashboard's block map needs anywidget: pip install "
                      "'qopc-kit[widgets]' (or pip install anywidget)") from missing
import traitlets

_STATIC = Path(__file__).parent / "static"

#: ``callback(volume, block, extend)``: the cell of ``block`` of ``volume`` was clicked.
CellCallback = Callable[[str, int, bool], None]


class BlockMapWidget(anywidget.AnyWidget):
    """A block map's HTML, its selected blocks outlined, and its cells reporting clicks.

    ``value`` is HTML like ``widgets.HTML.value``; cells are found by their
    ``data-volume`` and ``data-block`` attributes, so a summary strip simply has none.
    """

    _esm = _STATIC / "blockmap.js"
    _css = _STATIC / "blockmap.css"

    #: The map's HTML, drawn as it is.
    value = traitlets.Unicode("").tag(sync=True)
    #: The blocks to outline: ``{"volume": name, "first": b, "last": b}``, or ``{}``.
    selected = traitlets.Dict().tag(sync=True)
    #: Set by the browser: ``{"volume": name, "block": b, "extend": bool, "count": n}``;
    #: ``count`` goes up on every click, so a second click on one cell is a change too.
    clicked = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._callbacks: list[CellCallback] = []
        self.observe(self._clicked, names="clicked")

    def on_cell(self, callback: CellCallback) -> None:
        """Call ``callback(volume, block, extend)`` whenever a cell is clicked."""
        self._callbacks.append(callback)

    def _clicked(self, change: dict) -> None:
        click = change["new"]
        volume, block = click.get("volume"), click.get("block")
        # The browser sends JSON: ignore anything that is not a volume name and a block.
        if not isinstance(volume, str) or isinstance(block, bool) or not isinstance(block, int):
            return
        for callback in self._callbacks:
            callback(volume, block, bool(click.get("extend")))
