"""A logical volume of one disk array: an array of equal-sized blocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .blocks import block_data, select

if TYPE_CHECKING:
    from .array import DiskArray
    from .history import Step


class Volume:
    """A volume named like ``ET001/0x1``, its blocks held in a uint8 array.

    Host I/O goes through :meth:`write` and :meth:`read`, which follow the copy
    rules of every session on the volume; :attr:`data` shows the physical blocks.
    """

    def __init__(self, array: DiskArray, number: int, blocks: int, block_size: int) -> None:
        self.array = array
        self.number = number
        self.name = f"{array.name}/0x{number:x}"
        self._data = np.zeros((blocks, block_size), dtype=np.uint8)
        # The same bytes as one record per block: numpy moves a record with one memcpy,
        # so gathering or scattering scattered blocks is faster than on (n, size) uint8.
        self._records = self._data.view(np.dtype((np.void, block_size))).reshape(blocks)
        # Blocks a cancelled copy never delivered; None while the volume is usable.
        self._missing: np.ndarray | None = None

    @property
    def blocks(self) -> int:
        """The number of blocks."""
        return self._data.shape[0]

    @property
    def block_size(self) -> int:
        """Bytes per block."""
        return self._data.shape[1]

    @property
    def data(self) -> np.ndarray:
        """The physical blocks, read-only (no copy rule runs)."""
        view = self._data.view()
        view.flags.writeable = False
        return view

    @property
    def usable(self) -> bool:
        """False after a cancel left this volume's copy incomplete, until a new start."""
        return self._missing is None

    @property
    def missing(self) -> np.ndarray:
        """Bool mask of the blocks a cancelled copy never delivered (all False if usable)."""
        if self._missing is None:
            return np.zeros(self.blocks, dtype=bool)
        view = self._missing.view()
        view.flags.writeable = False
        return view

    def blocks_at(self, index: np.ndarray | slice) -> np.ndarray:
        """The physical blocks at ``index`` (no copy rule runs): a view for a slice, a copy
        for block numbers. The array's copier and host I/O read through this."""
        if isinstance(index, slice):
            return self._data[index]
        return self._records[index].view(np.uint8).reshape(-1, self.block_size)

    def store(self, index: np.ndarray | slice, rows: np.ndarray) -> None:
        """Store ``rows`` (n, block_size) at ``index`` physically (no copy rule runs: a host
        writes with :meth:`write`, which applies them first)."""
        if isinstance(index, slice) or not rows.flags.c_contiguous:
            self._data[index] = rows
        else:
            self._records[index] = rows.view(self._records.dtype).reshape(-1)

    @property
    def nbytes(self) -> int:
        """Bytes the volume's blocks hold."""
        return int(self._data.nbytes)

    def mark_never_copied(self, mask: np.ndarray | None) -> None:
        """Record the blocks a cancelled copy never delivered (None: the volume is usable)."""
        self._missing = None if mask is None else np.array(mask, dtype=bool, copy=True)

    def saved(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Its blocks and never-copied mask, copied, for a history checkpoint."""
        return self._data.copy(), None if self._missing is None else self._missing.copy()

    def restore(self, data: np.ndarray | None, missing: np.ndarray | None) -> None:
        """Put back what :meth:`saved` returned (``data`` None: all zero, as when created)."""
        if data is None:
            self._data[:] = 0
        else:
            self._data[:] = data
        self.mark_never_copied(missing)

    def write(self, blocks: object, data: object) -> Step:
        """Host write of ``data`` to ``blocks``, following every session's copy rules;
        returns the step it made.

        ``blocks``: an int, a slice, ints, or a bool mask. ``data``: bytes or text
        (a fill, one block, or every block), an int fill, or an array broadcasting
        to (n, block_size). Raises ArgumentError and changes nothing on bad input.
        """
        what = f"write to {self.name}"
        self.array.check_registered(self, what)
        chosen = select(blocks, self.blocks, what)
        rows = block_data(data, chosen.index.size, self.block_size, what)
        return self.array.host_write(self, chosen, rows)

    def read(self, blocks: object = None) -> np.ndarray:
        """Host read of the logical image, uint8 array (n, block_size).

        A destination block still queued for physical copy is copied first
        (copy-on-read). Warns with UnusableVolumeWarning on an unusable volume.
        """
        what = f"read of {self.name}"
        self.array.check_registered(self, what)
        return self.array.host_read(self, select(blocks, self.blocks, what))[0]

    def read_step(self, blocks: object = None) -> tuple[np.ndarray, Step]:
        """:meth:`read`, with the step that recorded the read (what it copied, what moved)."""
        what = f"read of {self.name}"
        self.array.check_registered(self, what)
        return self.array.host_read(self, select(blocks, self.blocks, what))

    def image(self, blocks: object = None) -> np.ndarray:
        """The logical image a host would read, computed without side effects."""
        chosen = select(blocks, self.blocks, f"image of {self.name}")
        return self.array.logical_image(self, chosen.index)

    def _repr_html_(self) -> str:
        from ..views.display import repr_html  # views are optional: only a notebook needs them
        return repr_html(self)

    def __repr__(self) -> str:
        state = "usable" if self.usable else "UNUSABLE"
        return (f"<Volume {self.name}: {self.blocks} blocks of {self.block_size} byte(s), "
                f"{state}>")
