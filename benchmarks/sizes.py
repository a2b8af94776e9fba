"""The volume sizes and repeat counts of a benchmark run (the issue's, or tiny ones)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """How big each figure's volumes are and how often each measurement repeats."""

    full_blocks: int = 65_536        # figure 1: 256 MiB of 4 KiB blocks
    full_block_size: int = 4096
    big_blocks: int = 1_048_576      # figures 2, 3, 4, 6: a million 512-byte blocks
    big_block_size: int = 512
    writes: int = 100_000            # figure 3: random single-block writes in one call
    panel_blocks: tuple[int, ...] = (64, 4096)   # figure 5: dashboard volumes
    summary_blocks: int = 1_048_576  # figure 5: the summary view of a million blocks
    tick_rate: int = 1024            # figure 4: blocks the copier moves per tick
    history_blocks: int = 16_384     # figure 7: two 8 MiB volumes of 512-byte blocks
    history_block_size: int = 512
    history_ticks: int = 1000
    repeats: int = 9
    browser_rounds: int = 3  # figure 8: page loads, each with the lesson's clicks
    seed: int = 20261128


#: What ``python -m benchmarks`` measures: the sizes the issue names.
ISSUE = Sizes()

#: A run of every code path in well under a second, for the smoke test.
TINY = Sizes(full_blocks=64, full_block_size=16, big_blocks=4096, big_block_size=8, writes=300,
             panel_blocks=(16,), summary_blocks=4096, tick_rate=8, history_blocks=64,
             history_block_size=8, history_ticks=40, repeats=2,
             browser_rounds=0)
