"""The history budget: checkpoints within a byte budget, every kept step restored exactly."""

from __future__ import annotations

import warnings

import pytest
from conftest import array_fingerprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qopc_kit import ArgumentError, DiskArray, HistoryError, QuickOPCError
from qopc_kit.engine.history import HISTORY_BUDGET

PAIRS = ("0x1:0x2", "0x3:0x2", "0x1:0x3", "0x2:0x1", "0x4:0x1")
MODES = ("full", "diff", "auto", "reverse")

volume = st.sampled_from(("0x1", "0x2", "0x3", "0x4"))
blocks = st.lists(st.integers(0, 7), min_size=1, max_size=4)
operation = st.one_of(
    st.tuples(st.just("write"), volume, blocks, st.integers(0, 255)),
    st.tuples(st.just("read"), volume, blocks),
    st.tuples(st.just("tick"), st.integers(1, 3)),
    st.tuples(st.just("start"), st.sampled_from(PAIRS), st.sampled_from(MODES)),
    st.tuples(st.just("cancel"), st.sampled_from(PAIRS), st.booleans()),
    st.tuples(st.just("group start"), st.sampled_from(("G1", "G2")), st.sampled_from(MODES)),
    st.tuples(st.just("group cancel"), st.sampled_from(("G1", "G2")), st.booleans()),
    st.tuples(st.just("add_pair"), st.sampled_from(("G1", "G2")), st.sampled_from(PAIRS)),
    st.tuples(st.just("add_group"), st.just("G2"), st.just(())),
    st.tuples(st.just("add_volume"), st.just(4)),
    st.tuples(st.just("fail"), volume),
    st.tuples(st.just("copy_rate"), st.integers(1, 3)),
    st.tuples(st.just("rewind"), st.floats(0, 1)),
    st.tuples(st.just("undo")),
    st.tuples(st.just("snapshots"), st.sampled_from((None, None, None, True, False))),
)


def apply(array: DiskArray, op: tuple) -> None:
    """Do ``op`` on ``array`` by names (so it applies to an array from ``at`` too)."""
    kind, *args = op
    if kind == "write":
        array.volume(args[0]).write(args[1], args[2])
    elif kind == "read":
        array.volume(args[0]).read(args[1])
    elif kind == "tick":
        array.tick(args[0])
    elif kind in ("start", "group start"):
        target = array.pair(f"ET001/{args[0].replace(':', ':ET001/')}") if kind == "start" \
            else array.group(args[0])
        mode = args[1]
        target.start(diff=mode == "diff", auto=mode == "auto", reverse=mode == "reverse")
    elif kind in ("cancel", "group cancel"):
        target = array.pair(f"ET001/{args[0].replace(':', ':ET001/')}") if kind == "cancel" \
            else array.group(args[0])
        target.cancel(reverse=args[1])
    elif kind == "add_pair":
        array.group(args[0]).add_pair(args[1])
    elif kind == "add_group":
        array.add_copy_group(args[0], args[1])
    elif kind == "add_volume":
        array.add_volume(args[0], blocks=8)
    elif kind == "fail":
        array.fail(args[0])
    elif kind == "copy_rate":
        array.copy_rate = args[0]
    elif kind == "snapshots":
        array.snapshots = args[0]
    else:
        raise AssertionError(op)


#: The set-up every random history starts from: three volumes, 0x1 written, group G1.
SET_UP = (("add_volume", 1), ("add_volume", 2), ("add_volume", 3),
          ("write", "0x1", list(range(8)), "ABCDEFGH"), ("add_group", "G1", ["0x1:0x2"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(operation, max_size=40), budget=st.sampled_from((0, 1500, 6000)),
       later=st.lists(st.integers(0, 10**6), min_size=3, max_size=3))
def test_every_kept_step_is_restored_exactly_under_a_tiny_budget(ops, budget, later):
    """For random histories (refusals, rewinds, undo, pairs moving between groups) under a
    budget that evicts checkpoints, at(k), rewind(k) and undo() give exactly the state
    recorded after step k, and the restored array then behaves exactly as it did."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reads of unusable volumes warn; not the point here
        array = DiskArray("ET001", copy_rate=2, history_budget=budget)
        seen = {0: array_fingerprint(array)}
        done: dict[int, tuple] = {}  # step -> the operation that made it, snapshots then
        for op in (*SET_UP, *ops):
            if op[0] == "rewind":
                step = int(op[1] * (len(array.history) - 1))
                if array.history[step].can_rewind:
                    array.rewind(step)
                    assert array_fingerprint(array) == seen[step]
            elif op[0] == "undo":
                if len(array.history) > 1 and array.history[-2].can_rewind:
                    array.undo()
                    assert array_fingerprint(array) == seen[len(array.history) - 1]
            else:
                before = len(array.history)
                try:
                    apply(array, op)
                except QuickOPCError:
                    assert len(array.history) == before  # refused: no step
                    continue
                if len(array.history) > before:
                    done[before] = (op, array.snapshots)
            last = len(array.history) - 1
            seen = {s: f for s, f in seen.items() if s < last}
            seen[last] = array_fingerprint(array)
        checkpoints = array._checkpoints
        assert checkpoints.nbytes <= budget or set(checkpoints.steps) == checkpoints._pinned
        last = len(array.history) - 1
        kept = [s for s in range(last + 1) if array.history[s].can_rewind]
        for step in kept:
            assert array_fingerprint(array.at(step)) == seen[step]
        assert array_fingerprint(array) == seen[last]  # at() changed nothing here
        # From a restored step the array goes on exactly as the first time: same commands,
        # same states, bitmaps and data (so the copier's cursor and journals were right).
        for pick in later:
            if kept:
                step = kept[pick % len(kept)]
                twin = array.at(step)
                for number in range(step + 1, last + 1):
                    op, twin.snapshots = done[number]
                    apply(twin, op)
                    assert array_fingerprint(twin) == seen[number]
        while len(array.history) > 1 and array.history[-2].can_rewind:
            array.undo()
            assert array_fingerprint(array) == seen[len(array.history) - 1]


def test_a_small_budget_keeps_fewer_checkpoints_and_every_step():
    """Under a budget smaller than the checkpoints, they are thinned, evenly spread, and
    every step is still restored (by replaying the steps after a checkpoint)."""
    array = DiskArray("ET001", copy_rate=1, history_budget=20_000)
    source = array.add_volume(1, blocks=1024)
    array.add_volume(2, blocks=1024)
    pair = array.add_copy_group("CG1", pairs=[("0x1", "0x2")]).pairs[0]
    pair.start()
    marks = {}
    for n in range(200):
        source.write([n, 1023 - n], n % 251)
        marks[len(array.history) - 1] = array_fingerprint(array)
        array.tick()
        marks[len(array.history) - 1] = array_fingerprint(array)
    steps = array._checkpoints.steps
    assert 1 < len(steps) < 20 and array._checkpoints.nbytes <= 20_000
    every = array._checkpoints.every
    assert every > 1 and all(s % every == 0 for s in steps)
    assert min(marks) == 5 and max(marks) == 404
    for step in (5, 150, 151, 399, 403):
        assert step not in steps and array_fingerprint(array.at(step)) == marks[step]
    array.rewind(151)
    assert array_fingerprint(array) == marks[151]
    array.undo()
    assert array_fingerprint(array) == marks[150]


def test_a_handle_on_a_volume_survives_a_rewind_that_replays_its_creation():
    """A rewind that replays add_volume brings back the same Volume object, as new."""
    array = DiskArray("ET001", history_budget=0)  # only the creation is a checkpoint
    first = array.add_volume(1, blocks=4)
    first.write(0, "x")
    array.add_volume(2, blocks=4)
    array.rewind(1)
    assert array.volume(1) is first and not first.data.any()
    first.write(1, "y")
    assert array.volume(1).data[1, 0] == ord("y")


@pytest.mark.parametrize("budget", [-1, 1.5, "64M", True, None, 2**20 + 0.0])
def test_the_history_budget_must_be_a_whole_number_of_bytes(budget):
    """A budget that is not a whole number >= 0 is refused, naming history_budget."""
    with pytest.raises(ArgumentError, match=r"history_budget must be a whole number of bytes"
                                            rf" >= 0 .*got {budget!r}"):
        DiskArray("ET001", history_budget=budget)
    array = DiskArray("ET001")
    with pytest.raises(ArgumentError, match="history_budget must be"):
        array.history_budget = budget
    assert array.history_budget == HISTORY_BUDGET


def test_lowering_the_budget_drops_checkpoints_and_keeps_the_steps():
    """Setting a smaller history_budget thins the checkpoints at once; no step is lost."""
    array = DiskArray("ET001")
    volume = array.add_volume(1, blocks=64)
    marks = {}
    for n in range(30):
        volume.write(n, n)
        marks[len(array.history) - 1] = array_fingerprint(array)
    assert len(array._checkpoints.steps) == len(array.history)  # the default holds them all
    array.history_budget = 0
    assert array._checkpoints.steps == (0,) and array.history_budget == 0
    for step, mark in marks.items():
        assert array_fingerprint(array.at(step)) == mark


def test_steps_made_with_snapshots_off_stay_refused_and_later_ones_restore():
    """Steps recorded while snapshots were off cannot be restored; the ones after turning
    them back on can, even with a zero budget (the first of them is a checkpoint)."""
    array = DiskArray("ET001", history_budget=0)
    volume = array.add_volume(1, blocks=4)
    array.snapshots = False
    volume.write(0, "a")
    off = len(array.history) - 1
    array.snapshots = True
    volume.write(1, "b")
    volume.write(2, "c")
    mark = array_fingerprint(array)
    volume.write(3, "d")
    with pytest.raises(HistoryError, match=f"cannot rewind to step {off}: its state was not"):
        array.rewind(off)
    array.undo()
    assert array_fingerprint(array) == mark
    assert array.at(1).volume(1).data.tobytes() == bytes(4)


def test_an_earlier_array_of_an_earlier_array_is_exact_and_independent():
    """at() of an array that at() gave restores its steps too, with its own objects."""
    array = DiskArray("ET001", copy_rate=1, history_budget=3000)
    source = array.add_volume(1, blocks=64)
    array.add_volume(2, blocks=64)
    pair = array.add_copy_group("CG1", pairs=[("0x1", "0x2")]).pairs[0]
    pair.start()
    marks = {}
    for n in range(40):
        source.write(n, n + 1)
        array.tick()
        marks[len(array.history) - 1] = array_fingerprint(array)
    assert 0 < len(array._checkpoints.steps) < 10
    middle = array.at(60)
    for step in (8, 34, 60):
        earlier = middle.at(step)
        assert array_fingerprint(earlier) == marks[step]
        assert earlier.volume(1) is not middle.volume(1) is not source
    middle.rewind(34)
    assert array_fingerprint(middle) == marks[34] and array_fingerprint(array) == marks[84]
