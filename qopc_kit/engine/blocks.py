"""Turn what a user types as blocks and data into checked numpy arrays.

Every check happens here, before the engine touches anything, so that bad input
raises :class:`ArgumentError` naming the mistake and changes nothing.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .errors import ArgumentError


@dataclass(frozen=True)
class Selection:
    """Checked block numbers: sorted-or-not ``index`` and whether it has no repeats."""

    index: np.ndarray  # intp, 1-D
    unique: bool


def select(blocks: object, count: int, what: str) -> Selection:
    """Check ``blocks`` against a volume of ``count`` blocks and return their numbers.

    Accepts None (every block), an int, a slice, a sequence or array of ints, or a
    bool mask of length ``count``. Raises ArgumentError for anything else.
    """
    if blocks is None:
        return Selection(np.arange(count, dtype=np.intp), True)
    if isinstance(blocks, (bool, np.bool_)):
        raise ArgumentError(f"{what}: blocks must be block numbers, not the bool {blocks}")
    if isinstance(blocks, numbers.Integral):
        number = int(blocks)
        _check_range(number, number, count, what)
        return Selection(np.array([number], dtype=np.intp), True)
    if isinstance(blocks, slice):
        return Selection(_slice(blocks, count, what), True)
    if isinstance(blocks, (str, bytes, float, numbers.Real, dict, set)):
        raise ArgumentError(f"{what}: blocks must be an int, a slice, ints or a bool mask, "
                            f"not {type(blocks).__name__} {blocks!r}")
    try:
        array = np.asarray(blocks)
    except (ValueError, TypeError) as exc:
        raise ArgumentError(f"{what}: cannot read blocks {blocks!r}: {exc}") from None
    if array.ndim == 0:  # a complex, a Decimal, a generator...: not a sequence numpy reads
        raise ArgumentError(f"{what}: blocks must be an int, a slice, ints or a bool mask, "
                            f"not {type(blocks).__name__} {blocks!r}")
    if array.ndim != 1:
        raise ArgumentError(f"{what}: blocks must be one-dimensional, got shape {array.shape}")
    if (array.dtype != bool and isinstance(blocks, (list, tuple))
            and any(isinstance(x, (bool, np.bool_)) for x in blocks)):
        # numpy would read [True, 2] as blocks 1 and 2: a bool is never a block number.
        raise ArgumentError(f"{what}: block numbers must be integers, not bools ({blocks!r})")
    if array.dtype == bool:
        if array.size != count:
            raise ArgumentError(f"{what}: a block mask must have {count} entries, got {array.size}")
        return Selection(np.flatnonzero(array), True)
    if array.size == 0:
        return Selection(np.empty(0, dtype=np.intp), True)
    if array.dtype.kind not in "iu":
        if array.dtype.kind == "O" and all(
                isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in array):
            _check_range(int(min(array)), int(max(array)), count, what)  # before any overflow
            array = array.astype(np.int64)
        else:
            raise ArgumentError(f"{what}: block numbers must be integers, got {array.dtype} "
                                f"({_show(array)})")
    _check_range(int(array.min()), int(array.max()), count, what)
    index = array.astype(np.intp, copy=False)
    return Selection(index, index.size < 2)


def _slice(blocks: slice, count: int, what: str) -> np.ndarray:
    for name in ("start", "stop", "step"):
        value = getattr(blocks, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
            raise ArgumentError(f"{what}: slice {name} must be an int, got {value!r}")
    start = 0 if blocks.start is None else int(blocks.start)
    stop = count if blocks.stop is None else int(blocks.stop)
    step = 1 if blocks.step is None else int(blocks.step)
    if step <= 0:
        raise ArgumentError(f"{what}: slice step must be positive, got {step}")
    if start < 0 or stop < 0:
        raise ArgumentError(f"{what}: negative block numbers are not allowed, "
                            f"got {start}:{stop}")
    if stop > count:
        raise ArgumentError(f"{what}: blocks {start}:{stop} go past the last block "
                            f"({count - 1})")
    return np.arange(start, max(start, stop), step, dtype=np.intp)


def _check_range(low: int, high: int, count: int, what: str) -> None:
    if low < 0:
        raise ArgumentError(f"{what}: negative block number {low} (blocks are 0 to {count - 1})")
    if high >= count:
        raise ArgumentError(f"{what}: block {high} is out of range (blocks are 0 to {count - 1})")


def _show(array: np.ndarray) -> str:
    text = np.array2string(array[:6], separator=", ")
    return text if array.size <= 6 else text[:-1] + ", ...]"


def block_data(data: object, count: int, block_size: int, what: str) -> np.ndarray:
    """Check ``data`` for ``count`` blocks and return a uint8 array (count, block_size).

    Accepts bytes or str (one byte as a fill, one block's worth repeated, or the
    whole run), an int fill from 0 to 255, or an integer array broadcasting to
    (count, block_size). Raises ArgumentError naming what does not fit.
    """
    shape = (count, block_size)
    if isinstance(data, str):
        try:
            data = data.encode("ascii")
        except UnicodeEncodeError:
            raise ArgumentError(f"{what}: text data must be ASCII, got {data!r}") from None
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = np.frombuffer(bytes(data), dtype=np.uint8)
        if raw.size == 1:
            return np.full(shape, raw[0], dtype=np.uint8)
        if raw.size == block_size:
            return np.broadcast_to(raw, shape).copy()
        if raw.size == count * block_size:
            return raw.reshape(shape).copy()
        sizes = sorted({1, block_size, count * block_size})  # a fill, one block, all
        wanted = ", ".join(map(str, sizes[:-1])) + (" or " if len(sizes) > 1 else "") + str(sizes[-1])
        raise ArgumentError(f"{what}: got {raw.size} bytes for {count} block(s) of "
                            f"{block_size} byte(s); give {wanted} byte{'s' if sizes[-1] > 1 else ''}")
    if isinstance(data, (bool, np.bool_)):
        raise ArgumentError(f"{what}: data must be bytes, text, an int or an array, not a bool")
    if isinstance(data, numbers.Integral):
        _check_bytes(int(data), int(data), what)
        return np.full(shape, int(data), dtype=np.uint8)
    if data is None or isinstance(data, (float, numbers.Real, dict, set)):
        raise ArgumentError(f"{what}: data must be bytes, text, an int or an array, "
                            f"not {type(data).__name__} {data!r}")
    try:
        array = np.asarray(data)
    except (ValueError, TypeError) as exc:
        raise ArgumentError(f"{what}: cannot read data: {exc}") from None
    if array.dtype.kind not in "iu":
        raise ArgumentError(f"{what}: data must be integers from 0 to 255, got {array.dtype}")
    if array.size and array.dtype != np.uint8:  # uint8 holds only 0 to 255: no scan needed
        _check_bytes(int(array.min()), int(array.max()), what)
    try:
        # No copy when the caller already has uint8 rows: assignment copies them anyway.
        return np.asarray(np.broadcast_to(array, shape), dtype=np.uint8)
    except ValueError:
        raise ArgumentError(f"{what}: data of shape {array.shape} does not fit {count} "
                            f"block(s) of {block_size} byte(s) {shape}") from None


def _check_bytes(low: int, high: int, what: str) -> None:
    if low < 0 or high > 255:
        raise ArgumentError(f"{what}: byte values must be 0 to 255, got {low if low < 0 else high}")


def format_blocks(index: object, limit: int | None = None) -> str:
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
