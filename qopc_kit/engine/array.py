"""The disk array: its volumes, copy groups and sessions, and the rules that move blocks."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Iterable, Iterator
from types import MappingProxyType
from typing import Any

import numpy as np

from . import errors
from .blocks import Selection
from .commands import Commanding, change_of
from .history import (
    HISTORY_BUDGET,
    Action,
    Change,
    Checkpoints,
    Step,
)
from .pair import CopyGroup, CopyPair
from .rewind import Rewinding
from .session import Index, Session
from .states import Copy, Event, State, transition
from .volume import Volume

#: Volume numbers up to this are accepted (the shell reads whole numbers up to 2**40, so
#: every volume can be written in a script).
MAX_VOLUME_NUMBER = 2**40
#: A simulated volume holds at most this many bytes (the benchmarks' largest is 512 MiB):
#: a typo must not reserve terabytes that a later step would touch.
MAX_VOLUME_BYTES = 2**32


class DiskArray(Commanding, Rewinding):
    """One ETERNUS disk array (``ET001``): volumes, QuickOPC copy groups and a clock.

    ``copy_rate`` is how many queued blocks the background copier moves per tick
    for each session. ``max_sessions`` caps the sessions one source may feed.
    ``snapshots`` keeps what restores every step, so that :meth:`rewind`, :meth:`at` and
    :meth:`undo` work; None keeps it while the volumes hold at most 16 MiB, False never.
    ``history_budget`` caps the bytes of the checkpoints (copies of the whole state)
    kept for that, 64 MiB by default: every kept step stays restorable exactly, the ones
    between checkpoints by doing the recorded steps again (see :class:`Checkpoints`).
    """

    def __init__(self, name: str = "ET001", copy_rate: int = 1, *, max_sessions: int = 8,
                 snapshots: bool | None = None, history_budget: int = HISTORY_BUDGET) -> None:
        if not isinstance(name, str) or not name or any(c in name for c in " /:\t\n"):
            raise errors.ArgumentError(f"array name must be a word like 'ET001', got {name!r}")
        self.name = name
        self._copy_rate = _positive(copy_rate, "copy_rate")
        self.max_sessions = _positive(max_sessions, "max_sessions")
        self.snapshots = snapshots
        self._checkpoints = Checkpoints(history_budget)
        self._replaying = False
        self._registered = (0, 0, 0)  # volumes, groups, pairs when the last step was recorded
        self._volumes: dict[str, Volume] = {}
        self._groups: dict[str, CopyGroup] = {}
        self._pairs: dict[str, CopyPair] = {}
        self._next_sid = 1
        self._history: list[Step] = []
        self._record(Action.CREATE, name, {"copy_rate": copy_rate, "max_sessions": max_sessions})

    # Set-up ----------------------------------------------------------------------
    def add_volume(self, number: int, blocks: int, block_size: int = 1) -> Volume:
        """Create volume ``<array>/0x<number>`` of ``blocks`` zeroed blocks."""
        if (isinstance(number, bool) or not isinstance(number, numbers.Integral)
                or not 0 <= number <= MAX_VOLUME_NUMBER):
            raise errors.ArgumentError(
                f"volume number must be an int from 0 to 0x{MAX_VOLUME_NUMBER:x}, got {number!r}")
        blocks = _positive(blocks, "blocks")
        block_size = _positive(block_size, "block_size")
        if blocks * block_size > MAX_VOLUME_BYTES:
            raise errors.ArgumentError(
                f"volume 0x{int(number):x}: {blocks} blocks of {block_size} byte(s) is more than "
                f"the {MAX_VOLUME_BYTES // 2**30} GiB a simulated volume may hold")
        try:
            volume = Volume(self, int(number), blocks, block_size)
        except MemoryError:  # numpy could not allocate the blocks
            raise errors.ArgumentError(f"volume 0x{int(number):x}: {blocks} blocks of "
                                       f"{block_size} byte(s) do not fit in memory") from None
        if volume.name in self._volumes:
            raise errors.ArgumentError(f"volume {volume.name} already exists")
        self._volumes[volume.name] = volume
        self._record(Action.ADD_VOLUME, volume.name,
                     {"number": int(number), "blocks": blocks, "block_size": block_size})
        return volume

    def add_copy_group(self, name: str, pairs: Iterable[Any] = ()) -> CopyGroup:
        """Create QuickOPC copy group ``name`` of ``(source, destination)`` pairs.

        A pair may be given as two volumes (or their names) or as one string
        ``"ET001/0x1:ET001/0x6"``. A group may start empty and get its pairs with
        :meth:`CopyGroup.add_pair` (the shell's ``acpair add``). Conflicts between
        sessions are checked at start.
        """
        if not isinstance(name, str) or not name.strip() or any(c.isspace() for c in name):
            raise errors.ArgumentError(f"copy group name must be one word, got {name!r}")
        if name in self._groups:
            raise errors.ArgumentError(f"copy group {name} already exists")
        if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Iterable):
            raise errors.ArgumentError(f"pairs of {name} must be a list of (source, destination)")
        resolved = [self._resolve_pair(name, item) for item in pairs]
        names = [f"{s.name}:{d.name}" for s, d in resolved]
        if len(set(names)) != len(names):
            raise errors.ArgumentError(f"copy group {name} lists a pair twice")
        group = CopyGroup(self, name, [self._pair_of(s, d) for s, d in resolved])
        self._groups[name] = group
        self._record(Action.ADD_COPY_GROUP, name, {"pairs": names})
        return group

    def add_pair_to(self, group: CopyGroup, source: Any, destination: Any) -> CopyPair:
        """:meth:`CopyGroup.add_pair`: checked first, so a refusal changes nothing."""
        group.check_in_array("add a pair to")
        item = source if destination is None else (source, destination)
        found, target = self._resolve_pair(group.name, item)
        name = f"{found.name}:{target.name}"
        if any(pair.name == name for pair in group.pairs):
            raise errors.ArgumentError(f"copy group {group.name} already has {name}")
        pair = self._pair_of(found, target)
        group.pairs = (*group.pairs, pair)
        self._record(Action.ADD_PAIR, group.name, {"pair": name})
        return pair

    def _pair_of(self, source: Volume, destination: Volume) -> CopyPair:
        """The array's pair of these volumes: the one another group made, or a new one."""
        name = f"{source.name}:{destination.name}"
        if name not in self._pairs:
            self._pairs[name] = CopyPair(self, source, destination)
        return self._pairs[name]

    def _resolve_pair(self, group: str, item: Any) -> tuple[Volume, Volume]:
        """The two volumes of a pair given as ``(source, destination)`` or ``"src:dst"``."""
        if isinstance(item, str):
            if item.count(":") != 1:
                raise errors.ArgumentError(f"pair {item!r} is not written 'source:destination'")
            item = tuple(item.split(":"))
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise errors.ArgumentError(f"a pair of {group} must be (source, destination), "
                                       f"got {item!r}")
        return self.volume(item[0]), self.volume(item[1])

    def acopc(self, arguments: str) -> str:
        """Run one ``acopc`` command line (``"start -g CG1 -diff"``); return its output."""
        from ..shell.run import acopc  # the command language lives in the shell
        return acopc(self, arguments)

    # Look-up ---------------------------------------------------------------------
    def volume(self, key: Volume | str | int) -> Volume:
        """The volume given as a Volume, a name (``ET001/0x1`` or ``0x1``) or a number."""
        if isinstance(key, Volume):
            self.check_registered(key, "use")
            return key
        if isinstance(key, str):
            text = key.strip()
            if "/" not in text:
                text = f"{self.name}/{text}"
            box, _, number = text.partition("/")
            if box != self.name:
                raise errors.ArgumentError(
                    f"volume {key} belongs to array {box}, not {self.name} "
                    "(QuickOPC copies only inside one disk array)")
            try:
                key = int(number, 0)
            except ValueError:
                raise errors.NotFoundError(f"no volume {key!r} in {self.name}") from None
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            if key < 0:
                raise errors.NotFoundError(f"no volume {int(key)} in {self.name}: volume "
                                           "numbers are 0 or more")
            found = self._volumes.get(f"{self.name}/0x{int(key):x}")
            if found is None:
                raise errors.NotFoundError(f"no volume 0x{int(key):x} in {self.name} "
                                           f"(volumes: {', '.join(self._volumes) or 'none'})")
            return found
        raise errors.ArgumentError(f"a volume is a Volume, a name or a number, not {key!r}")

    def pair(self, name: str) -> CopyPair:
        """The pair named ``source:destination`` (as in any copy group)."""
        if not isinstance(name, str) or name not in self._pairs:
            raise errors.NotFoundError(f"no copy pair {name!r} in {self.name} "
                                       f"(pairs: {', '.join(self._pairs) or 'none'})")
        return self._pairs[name]

    def group(self, name: str) -> CopyGroup:
        """The copy group called ``name``."""
        if not isinstance(name, str) or name not in self._groups:
            raise errors.NotFoundError(f"no copy group {name!r} in {self.name} "
                                       f"(groups: {', '.join(self._groups) or 'none'})")
        return self._groups[name]

    @property
    def volumes(self) -> MappingProxyType[str, Volume]:
        """Volumes by name, in creation order."""
        return MappingProxyType(self._volumes)

    @property
    def groups(self) -> MappingProxyType[str, CopyGroup]:
        """Copy groups by name."""
        return MappingProxyType(self._groups)

    @property
    def pairs(self) -> MappingProxyType[str, CopyPair]:
        """Every pair of every copy group, by name."""
        return MappingProxyType(self._pairs)

    @property
    def sessions(self) -> list[Session]:
        """Every session that exists now, in SID order."""
        return sorted(self._live(lambda s: s.state.has_session), key=lambda s: s.sid or 0)

    # The clock and the knobs -------------------------------------------------------
    @property
    def copy_rate(self) -> int:
        """Blocks each session's background copier moves per tick."""
        return self._copy_rate

    @copy_rate.setter
    def copy_rate(self, rate: int) -> None:
        self.set_copy_rate(rate)

    def set_copy_rate(self, rate: int) -> Step:
        """Set :attr:`copy_rate`; return the step it made."""
        self._copy_rate = _positive(rate, "copy_rate")
        return self._record(Action.COPY_RATE, self.name, {"rate": self._copy_rate})

    def tick(self, n: int = 1) -> Step:
        """Advance the background copier ``n`` ticks; return the step it made.

        Each tick moves up to ``copy_rate`` queued blocks of every copying session,
        lowest block first, then ends the copies that have nothing left.
        """
        n = _positive(n, "n")
        changes: list[Change] = []
        for _ in range(n):
            busy = [s for s in self._live(_moving) if s.rest_blocks]
            if not busy:
                break
            for session in sorted(busy, key=lambda s: s.sid or 0):
                blocks = session.next_blocks(self._copy_rate)
                self._physical_write(session.destination, blocks, session.source.blocks_at(blocks))
            changes += self._settle()
        return self._record(Action.TICK, self.name, {"n": n}, changes)

    def ticks_to_finish(self) -> int:
        """Ticks the copier needs to end every running physical copy, with no host I/O."""
        rests = [s.rest_blocks for s in self._live(_moving)]
        return max((-(-rest // self._copy_rate) for rest in rests), default=0)

    def run(self) -> int:
        """Tick until every running physical copy has ended; return the ticks taken."""
        needed = self.ticks_to_finish()
        if needed:
            self.tick(needed)
        return needed

    def fail(self, volume: Volume | str | int) -> Step:
        """Inject a failure on ``volume``: every session on it goes to Error suspend.
        Returns the step it made."""
        volume = self.volume(volume)
        changes = []
        for pair in self._pairs.values():
            for session in (pair.session, pair.reverse_session):
                if volume in (session.source, session.destination):
                    row = transition(session.copy, session.state, Event.FAILURE)
                    if row is not None:
                        session.move(row)
                        changes.append(change_of(pair, row))
        return self._record(Action.FAIL, volume.name, {}, changes)

    # Host I/O (called by Volume) --------------------------------------------------------
    def host_write(self, volume: Volume, chosen: Selection, rows: np.ndarray) -> Step:
        """A host write of checked ``rows`` to ``chosen`` blocks of ``volume``, under every
        session's rules (what :meth:`Volume.write` does after checking its arguments)."""
        index = chosen.index
        if index.size:
            for session in self._live(_copying):
                if session.destination is volume:
                    session.take(index, chosen.unique)  # a whole-block write needs no copy
                    if session.copy is Copy.QUICKOPC:
                        session.mark_destination(index)
            self._physical_write(volume, index, rows, chosen.unique)
            for session in self._live(_copying):
                if session.source is volume and session.copy is Copy.QUICKOPC:
                    session.mark_source(index)
        changes = self._settle()
        args = {"blocks": index.tolist(), "data": rows.tobytes()} if self._keeping() else {
            "blocks": int(index.size)}
        return self._record(Action.WRITE, volume.name, args, changes)

    def host_read(self, volume: Volume, chosen: Selection) -> tuple[np.ndarray, Step]:
        """A host read of ``chosen`` blocks (copy-on-read first); the data and its step
        (what :meth:`Volume.read` does after checking its arguments)."""
        index = chosen.index
        for session in self._live(_copying):
            if session.destination is volume:
                hits = session.take(index, chosen.unique)
                if hits.size:  # copy-on-read: fetch the point-in-time image first
                    self._physical_write(volume, hits, session.source.blocks_at(hits))
        changes = self._settle()
        step = self._record(Action.READ, volume.name, {"blocks": index.tolist()}
                            if self._keeping() else {"blocks": int(index.size)}, changes)
        if not volume.usable:
            warnings.warn(f"{volume.name} is unusable: its copy was cancelled before it "
                          f"completed ({int(volume.missing.sum())} block(s) never copied)",
                          errors.UnusableVolumeWarning, stacklevel=3)
        for session in self.suspended_copies(volume):
            # A suspended copy fetches nothing: these blocks still hold the old data.
            distinct = index if chosen.unique else np.unique(index)
            stale = int(np.count_nonzero(session.queued[distinct]))
            if stale:
                warnings.warn(f"{volume.name}: {stale} block(s) read never reached it: the copy "
                              f"from {session.source.name} is in Error suspend (cancel, then "
                              "start, or start -auto)", errors.UnusableVolumeWarning,
                              stacklevel=3)
        return volume.blocks_at(index), step

    def suspended_copies(self, volume: Volume) -> list[Session]:
        """The sessions copying into ``volume`` that a failure suspended with blocks still
        queued: those blocks never reached it, and nothing fetches them (not even a read)."""
        return [session for session in self._live(lambda s: s.state is State.ERROR_SUSPEND)
                if session.destination is volume and session.rest_blocks]

    def _physical_write(self, volume: Volume, index: Index, rows: np.ndarray,
                        unique: bool = True) -> None:
        """Put ``rows`` on ``volume``'s blocks, copying the old blocks ahead where a session
        still has them queued (copy-before-write)."""
        for session in self._live(_copying):
            if session.source is volume and session.rest_blocks:
                hits = session.take(index, unique)
                if hits.size:
                    session.mark_copied_before_write(hits)
                    self._physical_write(session.destination, hits, volume.blocks_at(hits))
        volume.store(index, rows)

    def logical_image(self, volume: Volume, index: np.ndarray) -> np.ndarray:
        """What a host would read at ``index`` of ``volume``, with no side effect."""
        image = volume.blocks_at(index)
        for session in self._live(_copying):
            if session.destination is volume and session.rest_blocks:
                waiting = session.queued[index]
                image[waiting] = session.source.blocks_at(index[waiting])
        return image

    def check_registered(self, volume: Volume, what: str) -> None:
        """Refuse ``what`` on a volume of another array or one a rewind removed."""
        if volume.array is not self:
            raise errors.ArgumentError(f"{what}: volume {volume.name} belongs to array "
                                       f"{volume.array.name}, not {self.name}")
        if self._volumes.get(volume.name) is not volume:
            raise errors.NotFoundError(f"{what}: volume {volume.name} is not in {self.name} "
                                       "(it was removed by a rewind)")

    def _live(self, keep: Callable[[Session], bool]) -> Iterator[Session]:
        for pair in self._pairs.values():
            if keep(pair.session):
                yield pair.session
            if keep(pair.reverse_session):
                yield pair.reverse_session

    def _repr_html_(self) -> str:
        from ..views.display import repr_html  # views are optional: only a notebook needs them
        return repr_html(self)

    def __repr__(self) -> str:
        return (f"<DiskArray {self.name}: {len(self._volumes)} volume(s), "
                f"{len(self._groups)} copy group(s), copy rate {self._copy_rate}, "
                f"step {len(self._history) - 1}>")


def _copying(session: Session) -> bool:
    return session.state.copying


def _moving(session: Session) -> bool:
    return session.state in (State.COPYING_TRACKING, State.COPYING)


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise errors.ArgumentError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)
