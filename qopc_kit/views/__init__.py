"""Views of the engine: state diagrams, block maps, a history timeline and rich display.

Every view is a pure function of the model (a pair, an array, or an immutable record
captured from one) that returns text: SVG, HTML or plain text. Nothing here changes the
engine. Graphviz is needed only to regenerate the shipped diagram layouts
(``python -m qopc_kit.views.layout --regenerate``).
"""

from __future__ import annotations

from .blockmap import (
    BlockRecord,
    before_after_html,
    before_after_text,
    block_map_html,
    block_map_text,
    capture,
)
from .diagram import StateDiagram, diagram_dot, diagram_text, state_diagram, state_diagram_svg
from .display import repr_html
from .snapshot import PairSnapshot, snapshot
from .status import progress_text, query_table_html, state_line
from .strip import StripRecord, capture_strip, summary_strip_html, summary_strip_text
from .timeline import timeline_html, timeline_text

__all__ = [
    "BlockRecord",
    "PairSnapshot",
    "StateDiagram",
    "StripRecord",
    "before_after_html",
    "before_after_text",
    "block_map_html",
    "block_map_text",
    "capture",
    "capture_strip",
    "diagram_dot",
    "diagram_text",
    "progress_text",
    "query_table_html",
    "repr_html",
    "snapshot",
    "state_diagram",
    "state_diagram_svg",
    "state_line",
    "summary_strip_html",
    "summary_strip_text",
    "timeline_html",
    "timeline_text",
]
