"""Figures 1 to 4: the engine's copies, host writes and copier ticks against plain numpy."""

from __future__ import annotations

import numpy as np

from qopc_kit import Copy, CopyPair, DiskArray, Session, State, Volume

from .sizes import Sizes
from .timing import Row, compare


class BenchmarkError(RuntimeError):
    """The engine did not end where the benchmark expected: its timing would mean nothing."""


def build_pair(blocks: int, block_size: int, rate: int, rng: np.random.Generator
               ) -> tuple[DiskArray, Volume, Volume, CopyPair]:
    """Array BENCH with 0x1 (random bytes) and 0x2 (written once) paired in group CG1.

    Snapshots are off so no history copy of the volumes distorts a timing, and every
    page of both volumes is written here, so no first-touch page fault lands in a
    timed run (the numpy baselines get warm buffers too).
    """
    array = DiskArray("BENCH", copy_rate=rate, snapshots=False)
    source = array.add_volume(0x1, blocks=blocks, block_size=block_size)
    target = array.add_volume(0x2, blocks=blocks, block_size=block_size)
    source.write(slice(None), rng.integers(0, 256, (blocks, block_size), dtype=np.uint8))
    target.write(slice(None), 0)
    pair = array.add_copy_group("CG1", pairs=[(source, target)]).pairs[0]
    return array, source, target, pair


def warm_copy(data: np.ndarray) -> np.ndarray:
    """A written (page-faulted) copy of ``data`` for a numpy baseline."""
    return np.array(data, copy=True)


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise BenchmarkError(what)


def _cancel(pair: CopyPair) -> None:
    if pair.state.has_session:
        pair.cancel()


def full_copy(sizes: Sizes, rng: np.random.Generator) -> list[Row]:
    """Figure 1: start to Tracking in four ticks, against ``np.copyto`` of the same bytes."""
    blocks = sizes.full_blocks
    array, source, target, pair = build_pair(blocks, sizes.full_block_size, -(-blocks // 4), rng)
    plain_from, plain_to = warm_copy(source.data), warm_copy(target.data)

    def engine() -> None:
        pair.start()
        array.run()

    seconds, baseline, paired = compare(engine, lambda: np.copyto(plain_to, plain_from),
                                        repeats=sizes.repeats, prepare=lambda: _cancel(pair))
    _expect(pair.state is State.TRACKING and np.array_equal(target.data, source.data),
            "figure 1: the full copy did not reach Tracking with equal volumes")
    mib = blocks * sizes.full_block_size / 2**20
    rows = [Row("1", f"full copy, {blocks:,} x {sizes.full_block_size} B ({mib:.3g} MiB), "
                     "start to Tracking in 4 ticks", seconds, "np.copyto", baseline, limit=1.5,
                paired=paired)]
    # The floor of a four-tick copy: the same bytes in the four slices the ticks copy.
    # (glibc's memcpy switches to non-temporal stores only above a size threshold, so
    # four quarter-size copies can cost more than one whole copy.)
    quarter = -(-blocks // 4)

    def four_slices() -> None:
        for first in range(0, blocks, quarter):
            np.copyto(plain_to[first:first + quarter], plain_from[first:first + quarter])

    seconds, baseline, paired = compare(four_slices, lambda: np.copyto(plain_to, plain_from),
                                        repeats=sizes.repeats)
    rows.append(Row("1", "numpy floor: np.copyto of the same bytes in the 4 slices the ticks "
                         "copy", seconds, "np.copyto", baseline, paired=paired))
    return rows


def differential(sizes: Sizes, rng: np.random.Generator) -> list[Row]:
    """Figure 2: start -diff and copy with 0.1%, 1%, 10% tracked, against a full copy.

    Each differential run is interleaved with a full copy (start and run from No
    session) of the same pair: that full copy is its baseline.
    """
    blocks = sizes.big_blocks
    array, source, target, pair = build_pair(blocks, sizes.big_block_size, -(-blocks // 4), rng)

    def full() -> None:
        pair.start()
        array.run()

    rows, times = [], {}
    for percent in (0.1, 1.0, 10.0):
        tracked = max(1, round(blocks * percent / 100))

        def track(tracked: int = tracked) -> None:
            # The untimed writes that a differential start then copies (pair is in Tracking).
            _expect(pair.state is State.TRACKING, "figure 2: the full copy did not end")
            chosen = rng.choice(blocks, tracked, replace=False)
            source.write(chosen, int(rng.integers(1, 256)))
            _expect(int(pair.source_tracking.sum()) == tracked, "figure 2: tracking count")

        def diff() -> None:
            pair.start(diff=True)
            array.run()

        seconds, baseline, paired = compare(diff, full, repeats=sizes.repeats, prepare=track,
                                            prepare_baseline=lambda: _cancel(pair))
        _expect(pair.state is State.TRACKING and np.array_equal(target.data, source.data),
                "figure 2: the differential copy did not leave equal volumes")
        times[percent] = (seconds, tracked)
        rows.append(Row("2", f"start -diff and copy, {percent:g}% of {blocks:,} blocks "
                             f"({tracked:,}) tracked", seconds, "full copy", baseline,
                        limit=0.05 if percent == 1.0 else None, paired=paired))
    # The floor: plain numpy copying only the same scattered blocks, cache as cold. Its own
    # cost per block is not linear either: at 0.1% every block sits on a page of its own,
    # at 10% neighbours share pages and cache lines.
    plain_from, plain_to = warm_copy(source.data), warm_copy(target.data)
    # One 512-byte record per block: numpy's fastest way to move scattered rows (as the
    # engine does), so the floor is the best plain numpy can do.
    record = np.dtype((np.void, sizes.big_block_size))
    from_records, to_records = plain_from.view(record).ravel(), plain_to.view(record).ravel()
    floors = {}
    for percent in (0.1, 1.0, 10.0):
        tracked = max(1, round(blocks * percent / 100))
        chosen: list[np.ndarray] = []

        def plain_track(tracked: int = tracked, chosen: list = chosen) -> None:
            chosen[:] = [np.sort(rng.choice(blocks, tracked, replace=False))]
            plain_from[chosen[0]] = int(rng.integers(1, 256))

        def plain_copy(chosen: list = chosen) -> None:
            to_records[chosen[0]] = from_records[chosen[0]]

        seconds, baseline, paired = compare(plain_copy, full, repeats=sizes.repeats,
                                            prepare=plain_track,
                                            prepare_baseline=lambda: _cancel(pair))
        floors[percent] = seconds / tracked
        if percent == 1.0:
            rows.append(Row("2", f"numpy floor: dst[idx] = src[idx] (records) of the same 1% "
                                 f"({tracked:,}) scattered blocks", seconds, "full copy",
                            baseline, paired=paired))
    # Linear means the same cost per tracked block at every point; the 10% point is the
    # reference because fixed per-start costs weigh least there.
    per_block = {p: s / n for p, (s, n) in times.items()}
    for percent in (0.1, 1.0):
        rows.append(Row("2", f"cost per tracked block at {percent:g}% vs at 10% "
                             "(1.00 = linear)", per_block[percent], "at 10%",
                        per_block[10.0], limit=2.0))
        rows.append(Row("2", f"numpy floor: cost per block at {percent:g}% vs at 10%",
                        floors[percent], "at 10%", floors[10.0]))
    return rows


def host_writes(sizes: Sizes, rng: np.random.Generator) -> list[Row]:
    """Figure 3: random single-block writes in one call, against fancy-index assignment.

    Measured in Copying/Tracking with every block still queued (each write copies
    the old block to the destination first), and again in Tracking (tracking only).
    """
    blocks, count = sizes.big_blocks, sizes.writes
    array, source, target, pair = build_pair(blocks, sizes.big_block_size, blocks, rng)
    chosen = rng.integers(0, blocks, count)
    rows_data = rng.integers(0, 256, (count, sizes.big_block_size), dtype=np.uint8)
    plain = warm_copy(source.data)

    def write() -> None:
        source.write(chosen, rows_data)

    def plain_write() -> None:
        plain[chosen] = rows_data

    def queued_in_full() -> None:
        _cancel(pair)
        pair.start()

    rows = []
    seconds, baseline, paired = compare(write, plain_write, repeats=sizes.repeats,
                                        prepare=queued_in_full)
    distinct = np.unique(chosen).size
    _expect(pair.state is State.COPYING_TRACKING
            and int(pair.copied_before_write.sum()) == distinct
            and pair.rest_blocks == blocks - distinct,
            "figure 3: copy-before-write did not take each written block off the queue")
    rows.append(Row("3", f"{count:,} random 1-block writes in one call, Copying/Tracking "
                         "(copy-before-write)", seconds, "data[idx] = rows", baseline, limit=5,
                    paired=paired))

    def tracking_only() -> None:
        if pair.state is not State.TRACKING:
            array.run()

    seconds, baseline, paired = compare(write, plain_write, repeats=sizes.repeats,
                                        prepare=tracking_only)
    _expect(pair.state is State.TRACKING and int(pair.source_tracking.sum()) == distinct,
            "figure 3: the writes in Tracking were not tracked")
    rows.append(Row("3", "the same writes in Tracking (tracking only)", seconds,
                    "data[idx] = rows", baseline, limit=5, paired=paired))
    return rows


def copier_tick(sizes: Sizes, rng: np.random.Generator) -> list[Row]:
    """Figure 4: one tick with 1% of a million blocks queued, against one np.flatnonzero.

    Two layouts: the 1% scattered at random (a differential start) and the 1% left
    at the end of a full copy. A tick that scanned the whole bitmap would cost at
    least one full-volume flatnonzero (ratio >= 1).
    """
    blocks, rate = sizes.big_blocks, sizes.tick_rate
    left = max(1, blocks // 100)
    array, source, target, pair = build_pair(blocks, sizes.big_block_size, blocks, rng)
    pair.start()
    array.run()
    mask = np.zeros(blocks, dtype=bool)
    mask[rng.choice(blocks, left, replace=False)] = True

    def scattered() -> None:
        array.copy_rate = blocks
        array.run()
        source.write(rng.choice(blocks, left, replace=False), int(rng.integers(1, 256)))
        pair.start(diff=True)
        array.copy_rate = rate
        _expect(pair.rest_blocks == left, "figure 4: the differential start queued too much")

    def tail() -> None:
        _cancel(pair)
        pair.start()
        array.copy_rate = blocks - left
        array.tick()
        array.copy_rate = rate
        _expect(pair.rest_blocks == left, "figure 4: the full copy left more than 1%")

    rows = []
    # The copier's scan alone, on a session of its own (the array is not touched).
    scan = Session(Copy.QUICKOPC, source, target)
    seconds, baseline, paired = compare(lambda: scan.next_blocks(rate),
                                        lambda: np.flatnonzero(mask), repeats=sizes.repeats,
                                        prepare=lambda: scan.logical_copy(mask, 1))
    _expect(scan.rest_blocks == max(0, left - rate), "figure 4: the scan took the wrong count")
    rows.append(Row("4", f"the copier's scan alone (Session.next_blocks of {rate:,}), "
                         "1% queued at random", seconds, "np.flatnonzero(1 bitmap)", baseline,
                    limit=1.0, paired=paired))
    for layout, prepare in (("scattered at random", scattered), ("at the end", tail)):
        seconds, baseline, paired = compare(array.tick, lambda: np.flatnonzero(mask),
                                            repeats=sizes.repeats, prepare=prepare)
        _expect(pair.rest_blocks == max(0, left - rate), "figure 4: a tick copied the wrong count")
        rows.append(Row("4", f"one tick ({rate:,} blocks) with 1% of {blocks:,} blocks "
                             f"queued, {layout}", seconds, "np.flatnonzero(1 bitmap)", baseline,
                        paired=paired))
    return rows
