"""The engine against a deliberately simple per-block reference model, under random
interleavings of commands, host I/O, ticks, copy-rate changes and failures (hypothesis).

The reference keeps plain Python sets and lists of bytes and applies SPEC.md one block at a
time; it shares no code with the engine. It also keeps, for each QuickOPC session, the
source's image at the last logical copy, to check the spec's central promise directly: the
destination reads as that image, except where the destination itself was written.
"""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import qopc_kit.engine.copier
import qopc_kit.engine.session
from qopc_kit import DiskArray, QuickOPCError, State, UnusableVolumeWarning

BLOCKS, SIZE = 6, 2
VOLUMES = {1: BLOCKS, 2: BLOCKS, 3: BLOCKS, 4: BLOCKS, 5: BLOCKS + 1}
# 1->2 and 1->3: two destinations of one source; 2->4 and 3->1: cascades; 1->5: size mismatch.
GROUPS = {"G12": [(1, 2)], "G13": [(1, 3)], "G24": [(2, 4)], "G31": [(3, 1)], "G15": [(1, 5)],
          "GM": [(1, 2), (1, 3)]}


class RefSession:
    def __init__(self, forward: bool, source: int, destination: int) -> None:
        self.forward, self.source, self.destination = forward, source, destination
        self.state = "N"
        self.sid = None
        self.queued: set[int] = set()
        self.src_tr: set[int] = set()
        self.dst_tr: set[int] = set()
        self.rolled: set[int] = set()
        self.cbw: set[int] = set()
        self.total = 0
        self.image: list[bytes] | None = None  # source image at the logical copy

    def copying(self) -> bool:
        return self.state in ("CT", "T", "C")

    def moving(self) -> bool:
        return self.state in ("CT", "C")


class Reference:
    """SPEC.md, one block at a time."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.sid = 0
        self.data = {n: [bytes(SIZE)] * count for n, count in VOLUMES.items()}
        self.missing: dict[int, set[int] | None] = dict.fromkeys(VOLUMES)
        self.pairs: dict[tuple[int, int], tuple[RefSession, RefSession]] = {}
        for pairs in GROUPS.values():
            for s, d in pairs:
                self.pairs[(s, d)] = (RefSession(True, s, d), RefSession(False, d, s))

    def sessions(self):
        for fwd, rev in self.pairs.values():
            yield fwd
            yield rev

    def new_sid(self) -> int:
        self.sid += 1
        return self.sid

    # Block rules
    def physical_write(self, volume: int, block: int, value: bytes) -> None:
        for s in self.sessions():
            if s.copying() and s.source == volume and block in s.queued:
                s.queued.discard(block)
                s.cbw.add(block)
                self.physical_write(s.destination, block, self.data[volume][block])
        self.data[volume][block] = value

    def write(self, volume: int, blocks: list[int], values: list[bytes]) -> None:
        for block, value in zip(blocks, values, strict=True):
            for s in self.sessions():
                if s.copying() and s.destination == volume:
                    s.queued.discard(block)
                    if s.forward:
                        s.dst_tr.add(block)
            self.physical_write(volume, block, value)
            for s in self.sessions():
                if s.copying() and s.forward and s.source == volume:
                    s.src_tr.add(block)
        self.settle()

    def read(self, volume: int, blocks: list[int]) -> list[bytes]:
        for block in blocks:
            for s in self.sessions():
                if s.copying() and s.destination == volume and block in s.queued:
                    s.queued.discard(block)
                    self.physical_write(volume, block, self.data[s.source][block])
        self.settle()
        return [self.data[volume][b] for b in blocks]

    def logical(self, volume: int, block: int) -> bytes:
        for s in self.sessions():
            if s.copying() and s.destination == volume and block in s.queued:
                return self.data[s.source][block]
        return self.data[volume][block]

    def tick(self, n: int) -> None:
        for _ in range(n):
            busy = sorted((s for s in self.sessions() if s.moving() and s.queued),
                          key=lambda s: s.sid)
            if not busy:
                return
            for s in busy:
                for block in sorted(s.queued)[:self.rate]:
                    s.queued.discard(block)
                    self.physical_write(s.destination, block, self.data[s.source][block])
            self.settle()

    def settle(self) -> None:
        for s in self.sessions():
            if s.moving() and not s.queued:
                if s.forward:
                    s.state = "T"
                else:
                    self.end(s)

    def end(self, s: RefSession) -> None:
        s.state, s.sid, s.total, s.image = "N", None, 0, None
        s.queued, s.src_tr, s.dst_tr, s.rolled, s.cbw = set(), set(), set(), set(), set()

    # Commands: check every pair first, then apply (all or none)
    def command(self, kind: str, mode: str, pairs: list[tuple[int, int]]) -> str | None:
        pending: list[tuple[int, int]] = []
        plans = []
        for key in pairs:
            fwd, rev = self.pairs[key]
            refusal = self.check(kind, mode, fwd, rev, pending)
            if refusal:
                return refusal
            plans.append((fwd, rev))
        for fwd, rev in plans:
            self.apply(kind, mode, fwd, rev)
        self.settle()
        return None

    def check(self, kind, mode, fwd, rev, pending) -> str | None:
        if mode == "reverse":
            if kind == "cancel":
                return None if rev.state in ("C", "ES") else "SessionNotFoundError"
            if fwd.state != "T":
                return "PhaseError"
            if rev.state != "N":
                return "SessionExistsError"
            for s in self.sessions():
                if s.state != "N" and s.source == fwd.source and s is not fwd:
                    return "CascadeError"
            return None
        if rev.state != "N":
            return "PhaseError"
        if kind == "cancel":
            return None if fwd.state != "N" else "SessionNotFoundError"
        if mode == "full" and fwd.state != "N":
            return "SessionExistsError"
        if mode == "diff" and fwd.state in ("N", "ES"):
            return "SessionNotFoundError" if fwd.state == "N" else "PhaseError"
        if mode in ("full", "auto") and fwd.state in ("N", "ES"):
            s, d = fwd.source, fwd.destination
            if s == d:
                return "DestinationBusyError"
            if VOLUMES[s] != VOLUMES[d]:
                return "SizeMismatchError"
            live = [(o.source, o.destination) for o in self.sessions()
                    if o.state != "N" and o is not fwd] + pending
            for src, dst in live:
                if dst == d:
                    return "DestinationBusyError"
                if src == d or dst == s:
                    return "CascadeError"
            if sum(src == s for src, _ in live) >= 8:
                return "SessionLimitError"
            pending.append((s, d))
        return None

    def apply(self, kind, mode, fwd, rev) -> None:
        if kind == "cancel":
            s = rev if mode == "reverse" else fwd
            incomplete = s.state != "T" and s.queued
            self.missing[s.destination] = set(s.queued) if incomplete else None
            self.end(s)
        elif mode == "reverse":
            rev.queued = fwd.src_tr | fwd.dst_tr
            rev.total = len(rev.queued)
            rev.state, rev.sid = "C", self.new_sid()
            fwd.src_tr |= rev.queued
            fwd.image = None  # the restore breaks the simple point-in-time check
            self.missing[fwd.source] = None
        elif mode == "diff" or (mode == "auto" and fwd.state in ("CT", "T")):
            fwd.rolled = set(fwd.dst_tr)
            fwd.queued = fwd.queued | fwd.src_tr | fwd.dst_tr
            fwd.src_tr, fwd.dst_tr, fwd.cbw = set(), set(), set()
            fwd.total, fwd.state = len(fwd.queued), "CT"
            fwd.image = [self.logical(fwd.source, b) for b in range(BLOCKS)]
        else:
            self.end(fwd)
            fwd.queued = set(range(BLOCKS))
            fwd.total, fwd.state, fwd.sid = BLOCKS, "CT", self.new_sid()
            fwd.image = [self.logical(fwd.source, b) for b in range(BLOCKS)]
            self.missing[fwd.destination] = None

    def fail(self, volume: int) -> None:
        for s in self.sessions():
            if volume in (s.source, s.destination) and s.state in ("CT", "T", "C"):
                s.state = "ES"


STATES = {"N": State.NO_SESSION, "CT": State.COPYING_TRACKING, "T": State.TRACKING,
          "ES": State.ERROR_SUSPEND, "C": State.COPYING}
block_lists = st.lists(st.integers(0, BLOCKS - 1), min_size=1, max_size=4)


class EngineVersusReference(RuleBasedStateMachine):
    runs = 0

    def __init__(self) -> None:
        super().__init__()
        # Vary how soon a session drops its journal of tracked blocks, so differential
        # starts run both ways: from the journal and over whole bitmaps.
        # Likewise how many blocks a start without a journal lists for the copier.
        self.saved_limits = qopc_kit.engine.copier.JOURNAL_MIN, qopc_kit.engine.session.SPARSE_MIN
        qopc_kit.engine.copier.JOURNAL_MIN = (EngineVersusReference.runs % 3) * 16
        qopc_kit.engine.session.SPARSE_MIN = (EngineVersusReference.runs // 3 % 2) * 64
        EngineVersusReference.runs += 1
        self.array = DiskArray("ET001", copy_rate=2)
        self.ref = Reference(rate=2)
        self.vol = {n: self.array.add_volume(n, blocks=count, block_size=SIZE)
                    for n, count in VOLUMES.items()}
        for name, pairs in GROUPS.items():
            self.array.add_copy_group(name, [(self.vol[s], self.vol[d]) for s, d in pairs])
        self.counter = 0

    def run_command(self, kind, mode, group, pair_index):
        pairs = GROUPS[group]
        if pair_index is not None:
            pairs = [pairs[pair_index % len(pairs)]]
        target = self.array.group(group)
        if len(pairs) == 1 and pair_index is not None:
            s, d = pairs[0]
            target = self.array.pair(f"{self.vol[s].name}:{self.vol[d].name}")
        expected = self.ref.command(kind, mode, pairs)
        before = len(self.array.history)
        try:
            if kind == "start":
                with warnings.catch_warnings():  # a start from an unusable source warns
                    warnings.simplefilter("ignore", UnusableVolumeWarning)
                    target.start(**({} if mode == "full" else {mode: True}))
            else:
                target.cancel(reverse=mode == "reverse")
        except QuickOPCError as error:
            assert type(error).__name__ == expected, (kind, mode, pairs, error)
            assert len(self.array.history) == before
        else:
            assert expected is None, (kind, mode, pairs, expected)

    @rule(mode=st.sampled_from(["full", "diff", "auto", "reverse"]),
          group=st.sampled_from(sorted(GROUPS)), pair_index=st.none() | st.integers(0, 1))
    def start(self, mode, group, pair_index):
        self.run_command("start", mode, group, pair_index)

    @rule(reverse=st.booleans(), group=st.sampled_from(sorted(GROUPS)),
          pair_index=st.none() | st.integers(0, 1))
    def cancel(self, reverse, group, pair_index):
        self.run_command("cancel", "reverse" if reverse else "full", group, pair_index)

    @rule(group=st.sampled_from(["G12", "G13"]), then=st.sampled_from(["cancel", "fail", "tick"]))
    def interrupted_restore(self, group, then):
        # A reverse OPC usually ends within a tick; this reaches each of its rows.
        source, destination = GROUPS[group][0]
        self.write(destination, [0])  # something for the restore to copy
        self.run_command("start", "reverse", group, 0)
        if then == "cancel":
            self.run_command("cancel", "reverse", group, 0)
        elif then == "tick":
            self.tick(1)
        else:
            self.fail(source)
            self.run_command("cancel", "reverse", group, 0)

    @rule(group=st.sampled_from(["G12", "G13", "GM"]), blocks=block_lists,
          finished=st.booleans())
    def backup_cycle(self, group, blocks, finished):
        # The daily routine: changes (during or after the copy), a differential start,
        # the copier.
        if finished:
            self.run()
        self.write(1, blocks)
        self.run_command("start", "diff", group, None)
        self.tick(1)

    def teardown(self):
        qopc_kit.engine.copier.JOURNAL_MIN, qopc_kit.engine.session.SPARSE_MIN = self.saved_limits

    @rule(volume=st.sampled_from([1, 2, 3, 4]), blocks=block_lists)
    def write(self, volume, blocks):
        values = []
        for _ in blocks:
            self.counter = self.counter % 250 + 1
            values.append(bytes([self.counter, 255 - self.counter]))
        self.vol[volume].write(blocks, b"".join(values))
        self.ref.write(volume, blocks, values)

    @rule(volume=st.sampled_from([1, 2, 3, 4]), blocks=block_lists)
    def read(self, volume, blocks):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnusableVolumeWarning)
            got = self.vol[volume].read(blocks)
        assert [bytes(row) for row in got] == self.ref.read(volume, blocks)

    @rule(n=st.integers(1, 4))
    def tick(self, n):
        self.array.tick(n)
        self.ref.tick(n)

    @rule()
    def run(self):
        self.array.run()
        self.ref.tick(10 * BLOCKS)  # stops by itself once nothing is queued

    @rule(rate=st.integers(1, 4))
    def copy_rate(self, rate):
        self.array.copy_rate = rate
        self.ref.rate = rate

    @rule(volume=st.sampled_from([1, 2, 3, 4]))
    def fail(self, volume):
        self.array.fail(self.vol[volume])
        self.ref.fail(volume)

    @invariant()
    def everything_matches(self):
        def bits(indices, count=BLOCKS):
            out = np.zeros(count, dtype=bool)
            out[sorted(indices)] = True
            return out.tolist()

        for n, volume in self.vol.items():
            assert [bytes(r) for r in volume.data] == self.ref.data[n], f"physical 0x{n}"
            logical = [self.ref.logical(n, b) for b in range(VOLUMES[n])]
            assert [bytes(r) for r in volume.image()] == logical, f"logical 0x{n}"
            missing = self.ref.missing[n]
            assert volume.usable == (missing is None)
            assert volume.missing.tolist() == bits(missing or (), VOLUMES[n])
        for (s, d), (fwd, rev) in self.ref.pairs.items():
            pair = self.array.pair(f"{self.vol[s].name}:{self.vol[d].name}")
            for session, ref in ((pair.session, fwd), (pair.reverse_session, rev)):
                assert session.state is STATES[ref.state], pair.name
                assert session.sid == ref.sid
                assert session.queued.tolist() == bits(ref.queued, session.queued.size)
                assert session.rest_blocks == len(ref.queued)
                assert session.copied_blocks == ref.total - len(ref.queued)
                if ref.forward:
                    assert session.source_tracking.tolist() == bits(ref.src_tr)
                    assert session.destination_tracking.tolist() == bits(ref.dst_tr)
                    assert session.rolled_back.tolist() == bits(ref.rolled)
                    assert session.copied_before_write.tolist() == bits(ref.cbw)
            if fwd.image is not None and fwd.state in ("CT", "T"):
                # SPEC: the destination reads as the source at the last logical copy,
                # except the blocks the destination itself has written since.
                image = self.vol[d].image()
                for block in range(BLOCKS):
                    if block not in fwd.dst_tr:
                        assert bytes(image[block]) == fwd.image[block], (pair.name, block)


EngineVersusReference.TestCase.settings = settings(
    max_examples=300, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_engine_matches_reference_model = EngineVersusReference.TestCase
