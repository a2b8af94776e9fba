"""How the shell prints blocks, data, bitmaps and the ``acopc query`` table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..engine.blocks import format_blocks
from ..engine.pair import QUERY_COLUMNS

if TYPE_CHECKING:
    from ..engine.pair import QueryRow

__all__ = ["SHOW_LIMIT", "format_blocks", "format_data", "format_mask",
           "query_table", "sid_text"]

SHOW_LIMIT = 64




def sid_text(sid: int | None) -> str:
    return f"0x{sid or 0:X}"


def format_data(rows: np.ndarray, limit: int = SHOW_LIMIT) -> str:
    """Blocks as words: text where every byte is printable ASCII, else hex; ``limit`` blocks."""
    words = []
    for row in rows[:limit]:
        raw = row.tobytes()
        printable = all(0x21 <= b <= 0x7E for b in raw)
        words.append(raw.decode("ascii") if printable else raw.hex())
    if len(rows) > limit:
        words.append(f"... ({len(rows) - limit} more)")
    return " ".join(words) if words else "(no blocks)"


def format_mask(mask: np.ndarray) -> str:
    """A bool mask as 0 and 1, a space every 8 blocks, cut after 64 blocks."""
    bits = "".join("1" if b else "0" for b in mask[:SHOW_LIMIT])
    text = " ".join(bits[i:i + 8] for i in range(0, len(bits), 8))
    return text + (f" ... ({mask.size - SHOW_LIMIT} more)" if mask.size > SHOW_LIMIT else "")


def query_table(rows: list[QueryRow]) -> list[str]:
    """The fixed-width table of ``acopc query``: header, rule and one line per row."""
    cells = [(r.source, r.direction, r.target, r.sid_text, f'"{r.opc_status}"',
              f'"{r.copy_phase}"', str(r.copied_block), str(r.rest_block)) for r in rows]
    widths = [max(len(c[i]) for c in [QUERY_COLUMNS, *cells]) for i in range(len(QUERY_COLUMNS))]
    return [" ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip()
            for row in [QUERY_COLUMNS, tuple("-" * w for w in widths), *cells]]
