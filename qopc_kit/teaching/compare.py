"""Why QuickOPC: a week of daily backups with OPC (full copies) against QuickOPC (differential).

Both strategies run on the real engine with the same seeded workload, so every
number here is what the engine did, not a formula: blocks queued by each day's
start, ticks until the physical copy completes, and whether the backup held the
source's image of that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.array import DiskArray
from ..engine.errors import ArgumentError


@dataclass(frozen=True)
class Day:
    """One day of the week: what each strategy copied and how long its copy took.

    ``writes``: host block writes that day (some hit the same block twice);
    ``changed``: distinct source blocks they changed since the previous backup.
    ``*_copied``: blocks the day's start queued for physical copy (Copied Block at the end).
    ``*_ticks``: copier ticks until the physical copy was complete.
    ``*_usable_at``: the first tick at which the backup volume was usable and read as the
    source's image of the start (0: at once, thanks to the logical copy).
    """

    day: int
    writes: int
    changed: int
    opc_copied: int
    quickopc_copied: int
    opc_ticks: int
    quickopc_ticks: int
    opc_usable_at: int
    quickopc_usable_at: int


@dataclass(frozen=True)
class Week:
    """The result of :func:`week_of_backups`: its parameters and one :class:`Day` per day."""

    blocks: int
    copy_rate: int
    change_rate: float
    seed: int
    days: tuple[Day, ...]

    @property
    def opc_total(self) -> int:
        """Blocks OPC copied over the week."""
        return sum(d.opc_copied for d in self.days)

    @property
    def quickopc_total(self) -> int:
        """Blocks QuickOPC copied over the week."""
        return sum(d.quickopc_copied for d in self.days)

    def table(self) -> str:
        """The week as a text table (what a static render and nbval see)."""
        lines = [f"{self.blocks} blocks, about {self.change_rate:.0%} of them written per day, "
                 f"copy rate {self.copy_rate} blocks/tick, seed {self.seed}",
                 "day  writes  changed  OPC copied  QuickOPC copied  OPC ticks  QuickOPC ticks"]
        for d in self.days:
            lines.append(f"{d.day:>3}  {d.writes:>6}  {d.changed:>7}  {d.opc_copied:>10}  "
                         f"{d.quickopc_copied:>15}  {d.opc_ticks:>9}  {d.quickopc_ticks:>14}")
        share = self.quickopc_total / self.opc_total
        lines.append(f"week: OPC copied {self.opc_total} blocks, QuickOPC {self.quickopc_total} "
                     f"({share:.0%} of OPC)")
        return "\n".join(lines)

    def summary(self) -> str:
        """The table, then the notes that explain it."""
        return "\n".join([self.table(), *self.notes()])

    def notes(self) -> list[str]:
        """What the table does not say in numbers: day 1's writes, and when each backup could
        be used (checked on the engine each day)."""
        notes = [f"day 1: the new source volume is filled before its first backup (all "
                 f"{self.blocks} blocks written once), so both strategies copy it in full"]
        late = [(d.day, d.opc_usable_at, d.quickopc_usable_at) for d in self.days
                if d.opc_usable_at or d.quickopc_usable_at]
        if not late:
            notes.append("every backup, both ways, could be read as the source's image of its "
                         "start at tick 0 (the logical copy), before any block was copied")
        for day, opc, quick in late:
            notes.append(f"day {day}: readable as the start's image at tick {opc} (OPC), "
                         f"{quick} (QuickOPC)")
        return notes

    def plot(self, ax: Any = None) -> Any:
        """Bar chart of blocks copied per day by each strategy (needs matplotlib).

        The legend sits above the plot, clear of the bars.
        """
        import matplotlib.pyplot as plt  # only this function needs matplotlib

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.2))
        days = np.array([d.day for d in self.days])
        ax.bar(days - 0.2, [d.opc_copied for d in self.days], width=0.4,
               label="OPC (full copy each day)")
        ax.bar(days + 0.2, [d.quickopc_copied for d in self.days], width=0.4,
               label="QuickOPC (start -diff)")
        ax.set_xlabel("day")
        ax.set_ylabel("blocks copied")
        ax.set_xticks(days)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        return ax

    def caption(self) -> str:
        """One sentence saying what the plot shows, with its numbers (its text alternative)."""
        later = [d.quickopc_copied for d in self.days[1:]]
        span = f"; then {min(later)} to {max(later)} a day for QuickOPC" if later else ""
        return (f"Blocks copied per daily backup of {self.blocks} blocks: OPC copies all "
                f"{self.blocks} every day; QuickOPC copies {self.days[0].quickopc_copied} on "
                f"day 1{span}. The table gives every number.")

    def _repr_html_(self) -> str:
        """The table and the plot, the plot with its caption as alt text (needs matplotlib)."""
        import base64
        import html
        import io

        import matplotlib.pyplot as plt

        figure, ax = plt.subplots(figsize=(7, 3.2))
        self.plot(ax)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight",
                       metadata={"Software": None})
        plt.close(figure)
        image = base64.b64encode(buffer.getvalue()).decode("ascii")
        caption = html.escape(self.caption())
        return (f"<pre>{html.escape(self.summary())}</pre><figure style='margin:0'>"
                f"<img src='data:image/png;base64,{image}' alt='{caption}'>"
                f"<figcaption>{caption}</figcaption></figure>")


def week_of_backups(blocks: int = 256, days: int = 7, change_rate: float = 0.1,
                    copy_rate: int = 16, seed: int = 0) -> Week:
    """Run a week of daily backups both ways on the engine and return what each copied.

    Each day the host makes about ``change_rate`` x ``blocks`` block writes at random
    blocks (a generator seeded with ``seed`` draws them, the same for both
    strategies; a block may be hit twice), then the backup
    runs: OPC cancels yesterday's session and starts a full copy; QuickOPC starts
    once, then ``start -diff``. The copier runs until the copy is complete.
    Raises ArgumentError on a parameter out of range.
    """
    if not 0 <= change_rate <= 1:
        raise ArgumentError(f"change_rate must be between 0 and 1, got {change_rate!r}")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ArgumentError(f"days must be a whole number >= 1, got {days!r}")
    opc, quick = _Strategy(blocks, copy_rate, diff=False), _Strategy(blocks, copy_rate, diff=True)
    rng = np.random.default_rng(seed)
    result = []
    for day in range(1, days + 1):
        # Day 1 starts from a fresh volume: fill it all so that the first copy matters.
        if day == 1:
            written = np.arange(blocks)
        else:
            written = rng.integers(0, blocks, size=rng.binomial(blocks, change_rate))
        data = rng.integers(1, 256, size=written.size, dtype=np.uint8)
        (o_copied, o_ticks, o_usable), (q_copied, q_ticks, q_usable) = (
            opc.backup(written, data), quick.backup(written, data))
        result.append(Day(day, int(written.size), int(np.unique(written).size),
                          o_copied, q_copied, o_ticks, q_ticks, o_usable, q_usable))
    return Week(blocks, copy_rate, change_rate, seed, tuple(result))


class _Strategy:
    """One array with one pair, backed up each day either fully or differentially."""

    def __init__(self, blocks: int, copy_rate: int, diff: bool) -> None:
        # No history snapshots: a week of steps does not need rewind.
        self.array = DiskArray("ET001", copy_rate=copy_rate, snapshots=False)
        self.source = self.array.add_volume(0x1, blocks=blocks)
        self.backup_volume = self.array.add_volume(0x6, blocks=blocks)
        self.pair = self.array.add_copy_group("CG1", [(self.source, self.backup_volume)]).pairs[0]
        self.diff = diff

    def backup(self, blocks: np.ndarray, data: np.ndarray) -> tuple[int, int, int]:
        """Write the day's changes, take the backup; return (blocks copied, ticks, usable at)."""
        self.source.write(blocks, data[:, None])
        image = self.source.image().copy()
        if self.pair.state.has_session and self.diff:
            self.pair.start(diff=True)
        else:
            if self.pair.state.has_session:
                self.pair.cancel()  # plain OPC keeps no tracking: each day is a new full copy
            self.pair.start()
        usable_at = 0 if self._holds(image) else None
        ticks = self.array.run()
        if not (self._holds(image) and np.array_equal(self.backup_volume.data, image)):
            raise RuntimeError("engine fault: the backup differs from the image it was taken of")
        return self.pair.copied_blocks, ticks, ticks if usable_at is None else usable_at

    def _holds(self, image: np.ndarray) -> bool:
        """Whether a host can use the backup now and reads ``image`` from it."""
        return self.backup_volume.usable and np.array_equal(self.backup_volume.image(), image)
