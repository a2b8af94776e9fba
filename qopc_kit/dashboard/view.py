"""The dashboard's views as widgets: HTML that changes in place, and the clickable block map.

With anywidget installed, every view is a small anywidget whose ES module
(``static/view.js``) draws :attr:`HtmlView.value` and, on a new value, changes only the
nodes that differ: a Tick moves a few cells of the map, and the rest of the page is
left alone. :class:`BlockMapWidget` adds the map's selection and clicks: the module
outlines the :attr:`~BlockMapWidget.selected` blocks and, on a click of a cell or Enter or
Space on a focused one, sets :attr:`~BlockMapWidget.clicked` (Tab reaches each volume's
cells, the arrow keys move between them; Shift extends). Headless, a test sets
``clicked`` as the module would.

Without anywidget both are plain ``ipywidgets.HTML``: the panel still works, redraws whole
views, and its map cannot be clicked (the Blocks range chooses the blocks;
:data:`CLICKABLE` is False and the panel says how to get the clickable map).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
import traitlets

try:
    import anywidget
except ImportError:  # only the clickable map and the in-place redraw need it
    anywidget = None  # type: ignore[assignment]

_STATIC = Path(__file__).parent / "static"

#: True when the block map reports clicks (anywidget is installed).
CLICKABLE = anywidget is not None

#: How to get the clickable map, for the panel's hint when it is missing.
INSTALL_HINT = ("the block map is not clickable here: pip install anywidget (or "
                "'qopc-kit[widgets]') and restart the kernel; until then the Blocks range "
                "chooses the blocks")

#: ``callback(volume, block, extend)``: the cell of ``block`` of ``volume`` was clicked.
CellCallback = Callable[[str, int, bool], None]


class _Cells:
    """What both block maps share: the click callbacks and their dispatch."""

    _callbacks: list[CellCallback]

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


if anywidget is not None:
    class HtmlView(anywidget.AnyWidget):
        """HTML like ``widgets.HTML.value``, redrawn in place in the browser."""

        _esm = _STATIC / "view.js"
        _css = _STATIC / "view.css"

        #: The view's HTML.
        value = traitlets.Unicode("").tag(sync=True)

    class BlockMapWidget(_Cells, HtmlView):
        """A block map's HTML, its selected blocks outlined, and its cells reporting clicks.

        Cells are found by their ``data-volume`` and ``data-block`` attributes, so a
        summary strip simply has none.
        """

        #: The blocks to outline: ``{"volume": name, "first": b, "last": b}``, or ``{}``.
        selected = traitlets.Dict().tag(sync=True)
        #: Set by the browser: ``{"volume": name, "block": b, "extend": bool, "count": n}``;
        #: ``count`` goes up on every click, so a second click on one cell is a change too.
        clicked = traitlets.Dict().tag(sync=True)

        def __init__(self, **kwargs: object) -> None:
            super().__init__(**kwargs)
            self._callbacks = []
            self.observe(self._clicked, names="clicked")
else:
    class HtmlView(widgets.HTML):  # type: ignore[no-redef]
        """HTML, redrawn whole (anywidget is not installed)."""

    class BlockMapWidget(_Cells, widgets.HTML):  # type: ignore[no-redef]
        """The block map without clicks: ``selected`` and ``clicked`` stay in Python."""

        selected = traitlets.Dict()
        clicked = traitlets.Dict()

        def __init__(self, **kwargs: object) -> None:
            super().__init__(**kwargs)
            self._callbacks = []
            self.observe(self._clicked, names="clicked")


def html_view(css_class: str) -> HtmlView:
    """A view widget with ``css_class`` on its element."""
    view = HtmlView()
    view.add_class(css_class)
    return view
