"""Figure 7: the history's memory and the time to go back, within the history budget.

Each measurement runs in a fresh interpreter (``python -m benchmarks.history``), so the
resident set is this array's alone, not what the other figures left behind.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tracemalloc
from pathlib import Path
from time import perf_counter

import numpy as np

from qopc_kit import DiskArray
from qopc_kit.engine.history import HISTORY_BUDGET

from .engine import BenchmarkError
from .sizes import Sizes
from .timing import Row

MiB = 2**20
#: The issue's targets for at(k) of a step far back.
LESSON_AT = 0.1
BIG_AT = 1.0


def played(blocks: int, block_size: int, ticks: int, seed: int) -> DiskArray:
    """The dashboard's lesson array at this size after ``ticks`` rounds of Play with host
    writes: each round writes 4 random source blocks, then ticks once (copy rate 2, so
    the copy runs all along and writes copy ahead)."""
    array = DiskArray("ET001", copy_rate=2)
    source = array.add_volume(0x1, blocks=blocks, block_size=block_size)
    target = array.add_volume(0x6, blocks=blocks, block_size=block_size)
    source.write(slice(None), (np.arange(blocks) % 26 + ord("A")).astype(np.uint8)[:, None])
    array.add_copy_group("CG1", pairs=[(source, target)]).pairs[0].start()
    rng = np.random.default_rng(seed)
    for n in range(ticks):
        source.write(rng.integers(0, blocks, 4), n % 256)
        array.tick()
    return array


def resident() -> int:
    """Bytes of this process's resident set now (Linux /proc; else the peak, from resource)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(blocks: int, block_size: int, ticks: int, seed: int, repeats: int,
            traced: bool) -> dict[str, float]:
    """In this (fresh) process: memory after playing, then the times of going back."""
    if traced:
        tracemalloc.start()
    before = resident()
    held_before = tracemalloc.get_traced_memory()[0] if traced else 0
    array = played(blocks, block_size, ticks, seed)
    result = {"rss_growth": resident() - before, "checkpoints": array._checkpoints.nbytes,
              "every": array._checkpoints.every, "steps": len(array.history)}
    if traced:
        result["held"] = tracemalloc.get_traced_memory()[0] - held_before
        tracemalloc.stop()
        return result
    # Far back: the step just before each checkpoint after the first (the longest replays)
    # and the middle step; the slowest of their medians.
    steps = array._checkpoints.steps
    last = len(array.history) - 1
    chosen = sorted({s - 1 for s in steps[1:]} | {last // 2, 5})
    times = {}
    for step in chosen:
        runs = []
        for _ in range(repeats):
            start = perf_counter()
            array.at(step)
            runs.append(perf_counter() - start)
        times[step] = statistics.median(runs)
    result["at_step"], result["at"] = max(times.items(), key=lambda item: item[1])
    runs = []
    for _ in range(repeats):
        twin = array.at(last)
        start = perf_counter()
        twin.undo()
        runs.append(perf_counter() - start)
    result["undo"] = statistics.median(runs)
    return result


def _run(blocks: int, block_size: int, ticks: int, seed: int, repeats: int,
         traced: bool) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.history", str(blocks), str(block_size),
               str(ticks), str(seed), str(repeats), "traced" if traced else "timed"]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode:
        raise BenchmarkError(f"figure 7: {' '.join(command)} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def history_budget(sizes: Sizes, rng: np.random.Generator) -> list[Row]:
    """Memory of the history after ``sizes.history_ticks`` rounds of Play with writes on two
    volumes of ``history_blocks`` x ``history_block_size`` (the default budget), and the
    time of ``at(k)`` for a step far back, there and on the 16-block lesson array."""
    seed = int(rng.integers(2**31))
    blocks, size, ticks = sizes.history_blocks, sizes.history_block_size, sizes.history_ticks
    volumes = 2 * blocks * size
    big = _run(blocks, size, ticks, seed, sizes.repeats, traced=False)
    held = _run(blocks, size, ticks, seed, sizes.repeats, traced=True)
    lesson = _run(16, 1, ticks, seed, sizes.repeats, traced=False)
    name = f"2 x {_size(volumes // 2)} ({blocks:,} x {size} B), {ticks:,} ticks with writes"
    limit = HISTORY_BUDGET + volumes
    what = f"budget + volumes: {_size(HISTORY_BUDGET)} + {_size(volumes)}"
    return [
        Row("7", f"memory held (tracemalloc), {name}, {held['steps']:,} steps",
            held["held"] / MiB, what, limit / MiB, limit=1.0, unit="MiB"),
        Row("7", f"resident set growth (/proc/self/statm), {name}",
            big["rss_growth"] / MiB, what, limit / MiB, limit=1.0, unit="MiB"),
        Row("7", f"of which checkpoints, one every {big['every']} steps",
            big["checkpoints"] / MiB, "budget", HISTORY_BUDGET / MiB, limit=1.0, unit="MiB"),
        Row("7", f"at(k) far back (slowest: k = {big['at_step']:,}), {name}", big["at"],
            "target", BIG_AT, limit=1.0),
        Row("7", f"undo() at the last step, {name}", big["undo"], "target", BIG_AT,
            limit=1.0),
        Row("7", f"at(k) far back (slowest: k = {lesson['at_step']:,}), 16-block lesson, "
            f"{ticks:,} ticks", lesson["at"], "target", LESSON_AT, limit=1.0),
    ]


def _size(nbytes: int) -> str:
    return f"{nbytes / MiB:g} MiB" if nbytes >= MiB else f"{nbytes / 1024:g} KiB"


if __name__ == "__main__":
    blocks, block_size, ticks, seed, repeats = (int(v) for v in sys.argv[1:6])
    print(json.dumps(measure(blocks, block_size, ticks, seed, repeats,
                             traced=sys.argv[6] == "traced")))
