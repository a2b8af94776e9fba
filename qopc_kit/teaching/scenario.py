"""The exercises' scenario steps: the lesson's pair, host writes and ticks, each printed as a
numbered step, so that a generator describes exactly what it ran on the engine."""

from __future__ import annotations

import numpy as np

from ..engine.array import DiskArray
from ..engine.pair import CopyPair
from ..engine.volume import Volume

EMPTY = "."  # how a zero byte (never written) prints


def row_text(rows: np.ndarray) -> str:
    """Blocks as text, one character a block (its first byte), a zero byte as ``.``."""
    return "".join(chr(b) if b else EMPTY for b in np.asarray(rows)[:, 0].tolist())


def volume_text(volume: Volume, physical: bool = False) -> str:
    """A volume as text, one character a block: its logical image, or its ``physical`` data."""
    return row_text(volume.data if physical else volume.image())


def blocks_of(mask: np.ndarray) -> tuple[int, ...]:
    """The block numbers set in a boolean mask."""
    return tuple(int(b) for b in np.flatnonzero(mask))


#: What :func:`lesson_pair` returns: the array, source, destination, pair and the steps so far.
Lesson = tuple[DiskArray, Volume, Volume, CopyPair, list[str]]


def lesson_pair(rng: np.random.Generator, low: int = 8, high: int = 12,
                rate: tuple[int, int] = (1, 3)) -> Lesson:
    """ET001 with 0x1 (letters) and 0x6 (zeros) of a random size, group CG1, a random rate."""
    blocks = int(rng.integers(low, high + 1))
    copy_rate = int(rng.integers(rate[0], rate[1] + 1))
    array = DiskArray("ET001", copy_rate=copy_rate)
    src, dst = array.add_volume(0x1, blocks=blocks), array.add_volume(0x6, blocks=blocks)
    src.write(slice(None), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:blocks])
    pair = array.add_copy_group("CG1", [(src, dst)]).pairs[0]
    steps = [f"ET001/0x1 holds \"{volume_text(src)}\" ({blocks} one-byte blocks, "
             f"0 to {blocks - 1}); "
             f"ET001/0x6 is zeroed (shown \"{EMPTY}\"); copy rate {copy_rate} block(s) per tick",
             "acopc start -g CG1"]
    pair.start()
    return array, src, dst, pair, steps


def pick_blocks(rng: np.random.Generator, blocks: int, low: int, high: int) -> list[int]:
    """Between ``low`` and ``high`` distinct blocks of ``blocks``, sorted."""
    count = int(rng.integers(low, high + 1))
    return sorted(int(b) for b in rng.choice(blocks, size=count, replace=False))


def write_step(volume: Volume, blocks: list[int], letter: str, steps: list[str]) -> None:
    """A host write of ``letter`` to ``blocks`` of ``volume``, printed as a step."""
    data = letter * len(blocks)
    volume.write(blocks, data)
    steps.append(f"write \"{data}\" to {volume.name} blocks {blocks}")


def tick_step(array: DiskArray, n: int, steps: list[str]) -> None:
    """``n`` ticks of the copier, printed as a step."""
    array.tick(n)
    steps.append(f"tick {n}")


def run_step(array: DiskArray, steps: list[str]) -> int:
    """The copier run to the end of every copy, printed as a step with its ticks; returns
    the ticks. With nothing left to copy it takes no tick and prints no step (a "tick 0"
    labelled as a copy running to its end would say what did not happen)."""
    ticks = array.run()
    if ticks:
        steps.append(f"tick {ticks}   (the copier runs to the end of the copy)")
    return ticks


def numbered(steps: list[str]) -> str:
    """The steps as the exercise prints them, numbered from 1."""
    return "\n".join(f"  {i}. {step}" for i, step in enumerate(steps, 1))
