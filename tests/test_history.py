"""History: every step is recorded, and rewind restores the exact earlier state."""

from __future__ import annotations

import copy
import pickle

import pytest

from qopc_kit import DiskArray, HistoryError, NotFoundError, State


def test_history_records_commands_io_and_ticks_in_order(lesson):
    """Every command, host I/O and tick is a step, oldest first."""
    array, src, dst, pair = lesson
    pair.start()
    src.write(0, "a")
    dst.read(1)
    array.tick(2)
    assert [s.action for s in array.history] == [
        "create", "add_volume", "add_volume", "write", "add_copy_group", "start", "write",
        "read", "tick"]
    assert array.history[-1].args == {"n": 2}
    assert array.history[5].changes[0].next is State.COPYING_TRACKING


def test_refused_commands_are_not_history(lesson):
    """A refused command leaves no step."""
    array, src, dst, pair = lesson
    steps = len(array.history)
    with pytest.raises(Exception, match="no session"):
        pair.cancel()
    assert len(array.history) == steps


def _play_with_marks(lesson, fingerprint) -> dict[int, tuple]:
    """A session through copy, -diff, a restore and a failure; fingerprints at three steps."""
    array, src, dst, pair = lesson
    pair.start()
    src.write(2, "c")
    marks = {len(array.history) - 1: fingerprint(array)}
    dst.write(4, "e")
    array.tick()
    pair.start(diff=True)
    marks[len(array.history) - 1] = fingerprint(array)
    array.run()
    pair.start(reverse=True)
    marks[len(array.history) - 1] = fingerprint(array)
    array.fail(src)
    return marks


def test_rewind_restores_everything_exactly(lesson, fingerprint):
    """rewind(step) restores volumes, bitmaps, states and counters as they were."""
    array = lesson[0]
    marks = _play_with_marks(lesson, fingerprint)
    for step in sorted(marks, reverse=True):
        array.rewind(step)
        assert fingerprint(array) == marks[step]


def test_rewind_forgets_later_volumes_and_groups(lesson):
    """Rewinding past a set-up step removes what it created; new steps follow on."""
    array, src, dst, pair = lesson
    array.rewind(2)
    assert list(array.volumes) == ["ET001/0x1", "ET001/0x6"] and not array.groups
    assert not src.data.any()
    array.rewind(0)
    with pytest.raises(NotFoundError, match="removed by a rewind"):
        src.write(0, 1)
    third = array.add_volume(3, blocks=2)
    assert array.history[-1].number == 1 and third.name == "ET001/0x3"


def test_undo_steps_back_once(lesson, fingerprint):
    """undo() goes back one step, and refuses at the array's creation."""
    array, src, dst, pair = lesson
    before = fingerprint(array)
    pair.start()
    array.undo()
    assert fingerprint(array) == before
    array.rewind(0)
    with pytest.raises(HistoryError, match="nothing to undo"):
        array.undo()


def test_rewind_refuses_unknown_steps(lesson):
    """A step that does not exist is refused by number."""
    array, *_ = lesson
    with pytest.raises(HistoryError, match="steps are 0 to"):
        array.rewind(99)


def test_large_arrays_keep_steps_but_not_snapshots():
    """Above the snapshot limit a step is recorded but rewinding to it is refused."""
    array = DiskArray("ET001")
    big = array.add_volume(1, blocks=20 * 2**20)
    big.write(0, 1)
    assert array.history[-1].args == {"blocks": 1}
    with pytest.raises(HistoryError, match="not kept"):
        array.rewind(len(array.history) - 1)
    assert array.history[0].can_rewind


def test_steps_record_copy_progress(lesson):
    """Each step records Copied/Rest of every session that exists after it."""
    array, src, dst, pair = lesson
    pair.start()
    array.tick()
    name, copy, copied, rest = array.history[-1].progress[0]
    assert (name, copied, rest) == (pair.name, 2, 6)
    pair.cancel()
    assert array.history[-1].progress == ()


def test_at_gives_the_earlier_state_and_leaves_the_array_untouched(lesson, fingerprint):
    """at(step) is a new array exactly as this one was after step; using it changes nothing here."""
    array = lesson[0]
    marks = _play_with_marks(lesson, fingerprint)
    now = fingerprint(array)
    for step, mark in marks.items():
        earlier = array.at(step)
        assert fingerprint(earlier) == mark
        earlier.tick(3)
        earlier.volume(0x1).write(0, "z")
        earlier.rewind(2)  # its own history rewinds its own volumes
        assert not earlier.groups and earlier.volume(0x1).data[:, 0].tobytes() == bytes(8)
        assert fingerprint(array) == now


def test_at_refuses_steps_that_do_not_exist_or_were_not_kept(lesson):
    """A step out of range, not a whole number, or without a snapshot is refused by number."""
    array, *_ = lesson
    for step, reason in [(99, "steps are 0 to 4"), (-1, "steps are 0 to 4"),
                         ("2", "a step is a whole number"), (True, "a step is a whole number")]:
        with pytest.raises(HistoryError, match=f"cannot show step .*{reason}"):
            array.at(step)
    big = DiskArray("ET001")
    big.add_volume(1, blocks=20 * 2**20)
    with pytest.raises(HistoryError, match="cannot show step 1: its state was not kept"):
        big.at(1)


def test_history_is_a_tuple_that_a_notebook_shows_as_a_timeline(lesson):
    """array.history compares and slices as a tuple and displays the timeline while current."""
    array, src, dst, pair = lesson
    pair.start()
    history = array.history
    assert history == tuple(array.history) and isinstance(history[1:], tuple)
    shown = history._repr_html_()
    assert "qopc-timeline" in shown and "acopc start" in shown
    array.tick()  # the array moves on: the old tuple shows its own steps, as text
    assert history._repr_html_().startswith("<pre>") and "tick" not in history._repr_html_()
    assert "copier runs 1 tick" in array.history._repr_html_()


def test_a_differential_start_after_a_rewind_copies_what_was_tracked_then(lesson):
    """A rewind restores the tracking bitmaps, and -diff then queues exactly those blocks."""
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    src.write([5], "X")
    mark = len(array.history) - 1
    array.tick()
    array.rewind(mark)
    pair.start(diff=True)
    assert pair.rest_blocks == 1
    array.run()
    assert dst.data[5].tobytes() == b"X"


def test_pair_and_group_handles_removed_by_a_rewind_are_refused(fingerprint):
    """A pair or group that a rewind removed refuses commands instead of acting unseen."""
    array = DiskArray("ET001", copy_rate=2)
    first, second, _ = (array.add_volume(n, blocks=8) for n in (1, 2, 3))
    group = array.add_copy_group("G")
    mark = len(array.history) - 1
    pair = group.add_pair(first, second)
    later = array.add_copy_group("H", [("0x3", "0x2")])
    array.rewind(mark)
    before = fingerprint(array)
    with pytest.raises(NotFoundError, match=r"the pair is not in ET001 .*removed by a rewind"):
        pair.start()
    with pytest.raises(NotFoundError, match="copy group H: it is not in ET001"):
        later.start()
    with pytest.raises(NotFoundError, match="add a pair to copy group H"):
        later.add_pair("0x1:0x3")
    assert fingerprint(array) == before


def test_copies_of_the_history_are_plain_tuples(lesson):
    """copy, deepcopy and pickle of array.history give the steps as a plain tuple."""
    array, *_ = lesson
    for copied in (copy.copy(array.history), copy.deepcopy(array.history),
                   pickle.loads(pickle.dumps(array.history))):
        assert type(copied) is tuple and [s.action for s in copied] == [
            s.action for s in array.history]
