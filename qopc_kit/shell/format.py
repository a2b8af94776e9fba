"""How the shell prints blocks, data, bitmaps and the ``acopc query`` table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..engine.pair import QueryRow

SHOW_LIMIT = 64


COLUMNS = ("Source", "<=>", "Target", "SID", "OPC Status", "Copy Phase", "Copied Block",
            "Rest Block")


def sid_text(sid: int | None) -> str:
    return f"0x{sid or 0:X}"


def format_blocks(index: Any, limit: int | None = None) -> str:
    """Block numbers as runs, in the given order: ``0-3,7``; ``none`` for no block.

    ``limit`` caps the runs shown (the rest are counted); the runs parse back to the
    same numbers, which is what an exported script needs.
    """
    values = np.asarray(index, dtype=np.int64).ravel()
    if not values.size:
        return "none"
    breaks = np.flatnonzero(np.diff(values) != 1) + 1  # where an ascending run ends
    firsts = values[np.concatenate(([0], breaks))].tolist()
    lasts = values[np.concatenate((breaks, [values.size])) - 1].tolist()
    shown = len(firsts) if limit is None else min(limit, len(firsts))
    runs = [f"{a}" if a == b else f"{a}-{b}" for a, b in zip(firsts[:shown], lasts[:shown],
                                                            strict=True)]
    if shown < len(firsts):
        runs.append(f"... ({len(firsts) - shown} more runs)")
    return ",".join(runs)


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
    widths = [max(len(c[i]) for c in [COLUMNS, *cells]) for i in range(len(COLUMNS))]
    return [" ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip()
            for row in [COLUMNS, tuple("-" * w for w in widths), *cells]]
