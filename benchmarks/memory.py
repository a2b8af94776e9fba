"""Figure 6: what the engine holds per block beyond the volumes' data, traced with tracemalloc."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import numpy as np

from qopc_kit import DiskArray, State

from .engine import BenchmarkError
from .sizes import Sizes
from .timing import Row


def engine_memory(sizes: Sizes, rng: np.random.Generator) -> list[Row]:
    """Bytes per block the engine holds for a million-block pair, beyond the data.

    Traced with tracemalloc (numpy reports its buffers to it) over a lesson's life:
    set-up, full copy, 1% host writes, differential copy, then a reverse OPC, which
    gives the pair its second session. Held: what stays allocated after each phase;
    peak: the most allocated at once, temporaries included. Baseline: the data of
    the two volumes, per block. Snapshots are off (they copy the data at every step).
    """
    blocks, block_size = sizes.big_blocks, sizes.big_block_size
    changed = rng.choice(blocks, max(1, blocks // 100), replace=False)
    data_per_block = 2 * block_size
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        array = DiskArray("BENCH", copy_rate=blocks, snapshots=False)
        source = array.add_volume(0x1, blocks=blocks, block_size=block_size)
        target = array.add_volume(0x2, blocks=blocks, block_size=block_size)
        pair = array.add_copy_group("CG1", pairs=[(source, target)]).pairs[0]
        data = source.data.nbytes + target.data.nbytes
        peak = 0

        def phase(action: Callable[[], object]) -> float:
            """Run ``action``; return the bytes per block held after it (beyond the data)."""
            nonlocal peak
            tracemalloc.reset_peak()
            action()
            held, top = tracemalloc.get_traced_memory()
            peak = max(peak, top - base - data)
            return (held - base - data) / blocks

        setup = phase(lambda: None)
        forward = max(phase(pair.start), phase(array.run),
                      phase(lambda: source.write(changed, 7)),
                      phase(lambda: pair.start(diff=True)), phase(array.run))
        both = max(phase(lambda: pair.start(reverse=True)), phase(array.run))
        if pair.state is not State.TRACKING or pair.reverse_state is not State.NO_SESSION:
            raise BenchmarkError("figure 6: the lesson did not end with the restore done")
    finally:
        if started:
            tracemalloc.stop()
    name = f"{blocks:,} blocks of {block_size} B"
    return [
        Row("6", f"engine memory held, {name}, pair set up (no session yet)", setup,
            "data of the pair", data_per_block, unit="B/block"),
        Row("6", f"engine memory held, {name}, QuickOPC session in use", forward,
            "data of the pair", data_per_block, unit="B/block"),
        Row("6", f"engine memory held, {name}, after a reverse OPC too", both,
            "data of the pair", data_per_block, unit="B/block"),
        Row("6", f"engine memory peak (temporaries included), {name}", peak / blocks,
            "data of the pair", data_per_block, unit="B/block"),
    ]
