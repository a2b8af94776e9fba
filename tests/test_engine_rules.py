"""One test per rule of SPEC.md: transitions, block rules, reverse copy, what a user sees."""

from __future__ import annotations

import numpy as np
import pytest

from qopc_kit import (
    CascadeError,
    DestinationBusyError,
    DiskArray,
    PhaseError,
    SessionExistsError,
    SessionLimitError,
    SessionNotFoundError,
    SizeMismatchError,
    State,
    UnusableVolumeWarning,
)


def text(volume, logical=True):
    """The volume's blocks as a string (one-byte blocks, zeros as '.')."""
    raw = volume.image() if logical else volume.data
    return raw.tobytes().replace(b"\0", b".").decode()


def mask(bits):
    return "".join("1" if b else "0" for b in bits)


# Transitions --------------------------------------------------------------------------

def test_start_completes_the_logical_copy_at_once(lesson):
    """acopc start: Copying/Tracking; the destination reads as the source at once, all queued."""
    # Both tracking bitmaps start empty and nothing is physically copied yet.
    array, src, dst, pair = lesson
    pair.start()
    assert pair.state is State.COPYING_TRACKING
    assert text(dst) == "ABCDEFGH"
    assert text(dst, logical=False) == "........"
    assert mask(pair.queued) == "11111111"
    assert not pair.source_tracking.any() and not pair.destination_tracking.any()
    assert (pair.copied_blocks, pair.rest_blocks) == (0, 8)
    assert dst.usable


def test_destination_is_read_write_at_once(lesson):
    """After the logical copy the destination accepts host writes immediately."""
    array, src, dst, pair = lesson
    pair.start()
    dst.write(7, "z")
    assert text(dst) == "ABCDEFGz"


def test_copier_moving_last_block_goes_to_tracking(lesson):
    """Copying/Tracking -> Tracking when the copier moves the last queued block; session stays."""
    # The session stays because tracking goes on.
    array, src, dst, pair = lesson
    pair.start()
    array.tick(3)
    assert pair.state is State.COPYING_TRACKING and pair.rest_blocks == 2
    array.tick()
    assert pair.state is State.TRACKING
    assert text(dst, logical=False) == "ABCDEFGH"
    assert pair.sid is not None


@pytest.mark.parametrize("how", ["source write", "destination write", "destination read"])
def test_host_io_moving_last_block_goes_to_tracking_at_once(lesson, how):
    """Whatever moves the last queued block (here host I/O) ends the physical copy at once."""
    array, src, dst, pair = lesson
    pair.start()
    array.tick(3)  # blocks 6 and 7 left
    {"source write": lambda: src.write([6, 7], "xy"),
     "destination write": lambda: dst.write([6, 7], "xy"),
     "destination read": lambda: dst.read([6, 7])}[how]()
    assert pair.state is State.TRACKING
    assert pair.last_transition.event.label == "physical copy complete"


def test_differential_start_with_nothing_to_copy_goes_to_tracking_at_once(lesson):
    """A -diff with no tracked block passes through Copying/Tracking to Tracking at once."""
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    pair.start(diff=True)
    assert pair.state is State.TRACKING
    assert pair.previous_state is State.COPYING_TRACKING
    assert [str(c.next) for c in array.history[-1].changes] == ["Copying/Tracking", "Tracking"]


def test_differential_start_from_tracking_copies_tracked_blocks_and_rolls_back(lesson):
    """-diff from Tracking queues tracked blocks, rolls back destination writes, resets tracking."""
    # Queued = source-tracked + destination-tracked blocks; destination writes since the
    # last logical copy are overwritten; tracking restarts empty.
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    src.write(1, "b")
    dst.write(5, "y")
    assert mask(pair.source_tracking) == "01000000"
    assert mask(pair.destination_tracking) == "00000100"
    pair.start(diff=True)
    assert pair.state is State.COPYING_TRACKING
    assert mask(pair.queued) == "01000100"
    assert mask(pair.rolled_back) == "00000100"
    assert not pair.source_tracking.any() and not pair.destination_tracking.any()
    assert text(dst) == "AbCDEFGH"  # logical image rolled back at once
    array.run()
    assert text(dst, logical=False) == "AbCDEFGH"
    assert pair.copied_blocks == 2


def test_differential_start_during_copy_adds_uncopied_blocks(lesson):
    """-diff in Copying/Tracking queues uncopied + tracked blocks as a new point in time."""
    # Queued = not yet copied + tracked on both sides; a new point in time; tracking
    # restarts (kit's modelling choice).
    array, src, dst, pair = lesson
    pair.start()
    array.tick()          # 0, 1 copied
    src.write(0, "a")     # tracked (already copied)
    dst.write(1, "q")     # tracked on the destination
    src.write(4, "e")     # copy-before-write of 4, tracked
    pair.start(diff=True)
    assert mask(pair.queued) == "11111111"
    assert (pair.copied_blocks, pair.rest_blocks) == (0, 8)
    assert text(dst) == "aBCDeFGH"


def test_cancel_during_copy_leaves_destination_unusable(lesson):
    """Cancel in Copying/Tracking: no session, destination unusable, never-copied blocks known."""
    array, src, dst, pair = lesson
    pair.start()
    array.tick()
    pair.cancel()
    assert pair.state is State.NO_SESSION
    assert not dst.usable
    assert mask(dst.missing) == "00111111"
    assert mask(pair.never_copied) == "00111111"
    assert text(dst) == "AB......"


def test_cancel_in_tracking_leaves_a_usable_image_and_next_start_is_full(lesson):
    """Cancel in Tracking leaves a complete image; tracking is lost, so the next start is full."""
    # Without tracking data, -diff is refused.
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    src.write(0, "a")
    pair.cancel()
    assert dst.usable and text(dst) == "ABCDEFGH"
    with pytest.raises(SessionNotFoundError):
        pair.start(diff=True)
    pair.start(auto=True)
    assert pair.rest_blocks == 8


@pytest.mark.parametrize("copied", [False, True])
def test_failure_suspends_every_session_on_the_volume(lesson, copied):
    """A failure on either volume moves the session to Error suspend; copying stops."""
    array, src, dst, pair = lesson
    pair.start()
    if copied:
        array.run()
    array.fail(dst)
    assert pair.state is State.ERROR_SUSPEND
    rest = pair.rest_blocks
    before = dst.data.copy()
    array.tick(5)
    assert pair.rest_blocks == rest
    assert np.array_equal(dst.data, before)
    assert pair.query().opc_status == "OPC Error Suspend"


def test_a_read_of_blocks_a_suspended_copy_never_delivered_warns(lesson):
    """[M] In Error suspend nothing is copied on read; reading still-queued blocks warns."""
    array, src, dst, pair = lesson
    pair.start()
    array.tick()  # blocks 0 and 1 copied, 2-7 still queued
    array.fail(src)
    with pytest.warns(UnusableVolumeWarning, match="6 block\\(s\\) read never reached it"):
        rows = dst.read()
    with pytest.warns(UnusableVolumeWarning, match=r"\b1 block\(s\) read never reached it"):
        dst.read([5, 5, 5, 0])  # one distinct block was never delivered
    assert rows[:2, 0].tobytes() == b"AB" and rows[2:, 0].tobytes() == bytes(6)
    assert pair.rest_blocks == 6  # nothing was copied by the read


def test_error_suspend_recovers_only_by_cancel_and_full_start(lesson):
    """In Error suspend -diff is refused (32794); cancel then a full start recovers."""
    array, src, dst, pair = lesson
    pair.start()
    array.fail(src)
    with pytest.raises(PhaseError, match=r"Error suspend.*\(32794\)"):
        pair.start(diff=True)
    with pytest.raises(SessionExistsError):
        pair.start()
    pair.cancel()
    pair.start()
    assert pair.state is State.COPYING_TRACKING and pair.rest_blocks == 8


def test_auto_start_from_every_state(lesson):
    """-auto: full from No session, -diff from (Copying/)Tracking, cancel+full in Error suspend."""
    # Differential from both Tracking and Copying/Tracking; from Error suspend, cancel then full.
    array, src, dst, pair = lesson
    pair.start(auto=True)
    assert pair.rest_blocks == 8
    array.tick()
    pair.start(auto=True)        # differential: uncopied + tracked
    assert pair.rest_blocks == 6
    array.run()
    dst.write(3, "w")
    pair.start(auto=True)        # differential from Tracking
    assert mask(pair.queued) == "00010000"
    sid = pair.sid
    array.fail(dst)
    pair.start(auto=True)        # cancel, then full
    assert pair.state is State.COPYING_TRACKING and pair.rest_blocks == 8
    assert pair.sid != sid


# Refusals ----------------------------------------------------------------------------

def test_full_start_with_a_session_is_refused(lesson, fingerprint):
    """A full start while the pair has a session is refused: use -diff, -auto or cancel."""
    array, src, dst, pair = lesson
    pair.start()
    before = fingerprint(array)
    with pytest.raises(SessionExistsError, match=r"cannot start on ET001/0x1:ET001/0x6: "
                                                 r"a session exists \(Copying/Tracking\)"):
        pair.start()
    assert fingerprint(array) == before


def test_diff_without_session_is_refused_with_32793(lesson, fingerprint):
    """start -diff with no session: "Session does not exist" (32793)."""
    array, src, dst, pair = lesson
    before = fingerprint(array)
    with pytest.raises(SessionNotFoundError) as caught:
        pair.start(diff=True)
    assert str(caught.value) == ("cannot start -diff on ET001/0x1:ET001/0x6: no session: "
                                 "Session does not exist (32793)")
    assert caught.value.code == 32793
    assert fingerprint(array) == before


def test_cancel_without_session_is_refused(lesson, fingerprint):
    """cancel with no session: "Session does not exist"."""
    array, src, dst, pair = lesson
    before = fingerprint(array)
    with pytest.raises(SessionNotFoundError, match=r"cannot cancel .*Session does not exist"):
        pair.cancel()
    assert fingerprint(array) == before


def test_size_mismatch_is_refused_with_4097(fingerprint):
    """Source and destination of different size: "Size Not Supported" (4097)."""
    array = DiskArray("ET001")
    a, b = array.add_volume(1, blocks=8), array.add_volume(2, blocks=9)
    pair = array.add_copy_group("G", [(a, b)]).pairs[0]
    before = fingerprint(array)
    with pytest.raises(SizeMismatchError, match=r"Size Not Supported \(4097\)"):
        pair.start()
    assert fingerprint(array) == before


def test_same_volume_on_both_sides_is_refused():
    """A pair whose source is its destination is refused at start."""
    array = DiskArray("ET001")
    a = array.add_volume(1, blocks=4)
    pair = array.add_copy_group("G", [(a, a)]).pairs[0]
    with pytest.raises(DestinationBusyError, match="same volume"):
        pair.start()


def three_volumes():
    array = DiskArray("ET001")
    a, b, c = (array.add_volume(n, blocks=4) for n in (1, 2, 3))
    return array, a, b, c


def test_destination_of_another_session_is_refused(fingerprint):
    """A volume already the destination of another session cannot be a destination again."""
    array, a, b, c = three_volumes()
    array.add_copy_group("G1", [(a, c)]).start()
    pair = array.add_copy_group("G2", [(b, c)]).pairs[0]
    before = fingerprint(array)
    with pytest.raises(DestinationBusyError, match="already the destination of ET001/0x1"):
        pair.start()
    assert fingerprint(array) == before


@pytest.mark.parametrize("order", ["destination then source", "source then destination"])
def test_cascade_is_refused_with_32821(fingerprint, order):
    """A volume can't be destination of one session and source of another: refused with 32821."""
    # Error message: "Cascade local copy session exist" (32821).
    array, a, b, c = three_volumes()
    first, second = [(a, b), (b, c)] if order.startswith("destination") else [(b, c), (a, b)]
    array.add_copy_group("G1", [first]).start()
    pair = array.add_copy_group("G2", [second]).pairs[0]
    before = fingerprint(array)
    with pytest.raises(CascadeError, match=r"Cascade local copy session exist \(32821\)"):
        pair.start()
    assert fingerprint(array) == before


def test_sessions_per_source_are_limited(fingerprint):
    """More sessions on one source than the array's limit are refused (32791)."""
    array = DiskArray("ET001", max_sessions=2)
    src = array.add_volume(0, blocks=4)
    pairs = [array.add_copy_group(f"G{n}", [(src, array.add_volume(n, blocks=4))]).pairs[0]
             for n in (1, 2, 3)]
    pairs[0].start()
    pairs[1].start()
    before = fingerprint(array)
    with pytest.raises(SessionLimitError, match=r"\(32791\)"):
        pairs[2].start()
    assert fingerprint(array) == before


def test_default_session_limit_is_eight():
    """The default limit is 8 sessions on one source."""
    array = DiskArray("ET001")
    src = array.add_volume(0, blocks=2)
    group = array.add_copy_group("G", [(src, array.add_volume(n, blocks=2)) for n in range(1, 10)])
    for pair in group.pairs[:8]:
        pair.start()
    with pytest.raises(SessionLimitError):
        group.pairs[8].start()


def test_conflicts_are_checked_at_start_not_when_defined():
    """A group may define conflicting pairs; the conflict is refused only at start."""
    array, a, b, c = three_volumes()
    group = array.add_copy_group("G", [(a, b), (b, c)])
    with pytest.raises(CascadeError):
        group.start()
    assert all(p.state is State.NO_SESSION for p in group.pairs)  # all or none
    group.pairs[1].start()
    assert group.pairs[1].state is State.COPYING_TRACKING


def test_multi_copy_keeps_a_queue_and_tracking_per_session():
    """One source feeds several destinations, each session with its own queue and tracking."""
    array = DiskArray("ET001", copy_rate=1)
    src = array.add_volume(1, blocks=4)
    src.write(slice(None), "ABCD")
    d1, d2 = array.add_volume(2, blocks=4), array.add_volume(3, blocks=4)
    p1, p2 = array.add_copy_group("G", [(src, d1), (src, d2)]).pairs
    p1.start()
    array.tick()
    p2.start()
    src.write(2, "c")
    assert mask(p1.queued) == "0101" and mask(p2.queued) == "1101"
    assert text(d1) == "ABCD" and text(d2) == "ABCD"
    d2.write(0, "z")
    assert mask(p1.destination_tracking) == "0000" and mask(p2.destination_tracking) == "1000"
    assert p1.sid != p2.sid


# Block rules while blocks are queued ----------------------------------------------------

def test_source_write_copies_the_old_block_first(lesson):
    """Rule 1: a source write to a queued block copies the old block first; it is source-tracked."""
    # The old block goes to the destination, then the write lands; the block leaves the queue.
    array, src, dst, pair = lesson
    pair.start()
    src.write(3, "x")
    assert text(dst, logical=False) == "...D...."
    assert text(src) == "ABCxEFGH" and text(dst) == "ABCDEFGH"
    assert mask(pair.queued) == "11101111"
    assert mask(pair.source_tracking) == "00010000"
    assert mask(pair.copied_before_write) == "00010000"
    assert pair.copied_blocks == 1


def test_destination_read_copies_the_point_in_time_block_first(lesson):
    """Rule 2: a destination read copies a queued block first and returns point-in-time data."""
    # The point-in-time data is the source's; the block leaves the queue.
    array, src, dst, pair = lesson
    pair.start()
    assert dst.read(5).tobytes() == b"F"
    assert text(dst, logical=False) == ".....F.."
    assert mask(pair.queued) == "11111011"
    assert not pair.destination_tracking.any()


def test_destination_write_dequeues_without_copy(lesson):
    """Rule 3: a destination write dequeues a queued block, uncopied, and destination-tracks it."""
    array, src, dst, pair = lesson
    pair.start()
    dst.write(2, "w")
    assert text(dst, logical=False) == "..w....."
    assert mask(pair.queued) == "11011111"
    assert mask(pair.destination_tracking) == "00100000"
    assert not pair.copied_before_write.any()


def test_copier_moves_copy_rate_blocks_per_session_in_ascending_order(lesson):
    """Rule 4: each tick moves up to copy_rate queued blocks per session, lowest first."""
    # Rest = still queued; Copied = left the queue by any rule.
    array, src, dst, pair = lesson
    pair.start()
    dst.write(0, "z")     # leaves the queue by rule 3
    array.tick()
    assert mask(pair.queued) == "00011111"
    assert (pair.copied_blocks, pair.rest_blocks) == (3, 5)
    src.write(7, "x")     # rule 1
    array.tick()
    assert mask(pair.queued) == "00000110"
    assert (pair.copied_blocks, pair.rest_blocks) == (6, 2)


def test_copy_rate_change_applies_at_once(lesson):
    """Rule 4: a new copy rate applies to running sessions at the next tick."""
    array, src, dst, pair = lesson
    pair.start()
    array.tick()
    array.copy_rate = 5
    array.tick()
    assert pair.rest_blocks == 1


def test_writes_after_copy_only_mark_tracking(lesson):
    """Rule 5: once a block is copied, writes only mark tracking; reads see each volume's data."""
    array, src, dst, pair = lesson
    pair.start()
    array.tick()  # 0 and 1 copied
    src.write(0, "a")
    dst.write(1, "b")
    assert text(dst, logical=False)[:2] == "Ab"
    assert dst.read(0).tobytes() == b"A" and src.read(0).tobytes() == b"a"
    assert mask(pair.source_tracking) == "10000000"
    assert mask(pair.destination_tracking) == "01000000"
    assert not pair.copied_before_write.any()


def test_physical_and_logical_images_differ_while_queued(lesson):
    """Rule 6: while blocks are queued, the destination's physical and host-read images differ."""
    # image() shows the logical image without copying.
    array, src, dst, pair = lesson
    pair.start()
    assert text(dst) != text(dst, logical=False)
    assert pair.rest_blocks == 8  # image() moved nothing
    array.run()
    assert text(dst) == text(dst, logical=False)


def test_copier_order_is_ascending_for_a_scattered_queue():
    """Rule 4 on a large scattered queue: blocks come out lowest first, copy_rate at a time."""
    array = DiskArray("ET001", copy_rate=3)
    src, dst = array.add_volume(1, blocks=50_000), array.add_volume(2, blocks=50_000)
    pair = array.add_copy_group("G", [(src, dst)]).pairs[0]
    pair.start()
    array.run()
    chosen = np.array([7, 9_000, 9_001, 20_000, 49_999])
    src.write(chosen, 1)
    pair.start(diff=True)
    array.tick()
    assert np.flatnonzero(pair.queued).tolist() == [20_000, 49_999]
    array.tick()
    assert pair.state is State.TRACKING
    assert np.array_equal(dst.data, src.data)


# Reverse copy ----------------------------------------------------------------------------

def test_reverse_copy_needs_tracking(lesson, fingerprint):
    """start -r needs the forward pair in Tracking (physical copy complete)."""
    array, src, dst, pair = lesson
    pair.start()
    before = fingerprint(array)
    with pytest.raises(PhaseError, match="needs Tracking"):
        pair.start(reverse=True)
    assert fingerprint(array) == before


def test_reverse_copy_restores_the_source_from_the_destination(lesson):
    """start -r: a self-ending OPC restores the source from the destination; Tracking continues."""
    # The source reads as the destination at once and only changed blocks are queued; the
    # forward session keeps tracking and records the restored blocks as source changes;
    # source writes since the backup are lost.
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    src.write(0, "a")      # a change since the backup: lost by the restore
    dst.write(6, "g")      # a change on the backup
    pair.start(reverse=True)
    rev = pair.reverse_session
    assert pair.state is State.TRACKING and pair.reverse_state is State.COPYING
    assert mask(rev.queued) == "10000010"
    assert text(src) == "ABCDEFgH"
    assert text(src, logical=False) == "aBCDEFGH"
    assert mask(pair.source_tracking) == "10000010"
    assert pair.query(reverse=True).direction == "<=="
    array.tick()
    assert pair.reverse_state is State.NO_SESSION and rev.sid is None
    assert text(src, logical=False) == "ABCDEFgH"
    assert pair.state is State.TRACKING


def test_forward_commands_wait_for_the_reverse_copy(lesson):
    """While the reverse OPC runs, forward start, -diff and cancel are refused."""
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    dst.write(0, "z")
    pair.start(reverse=True)
    for command in (lambda: pair.start(diff=True), pair.cancel):
        with pytest.raises(PhaseError, match="reverse OPC"):
            command()
    pair.cancel(reverse=True)
    assert not src.usable and mask(src.missing) == "10000000"


# What a user sees ------------------------------------------------------------------------

def test_query_rows_use_the_acopc_wording(lesson):
    """acopc query: Source <=> Target, SID, OPC Status, Copy Phase, Copied and Rest Block."""
    array, src, dst, pair = lesson
    row = pair.query()
    assert (row.direction, row.opc_status, row.copy_phase) == ("N/A", "OPC action not startup",
                                                               "Not set")
    pair.start()
    array.tick()
    row = pair.query()
    assert (row.source, row.direction, row.target) == ("ET001/0x1", "==>", "ET001/0x6")
    assert (row.opc_status, row.copy_phase) == ("OPC Executing", "Copying/Tracking")
    assert (row.copied_block, row.rest_block) == (2, 6)
    array.run()
    assert pair.query().copy_phase == "Tracking"
    assert State.COPYING_TRACKING.express == "Physical copy and Tracking"


def test_unusable_destination_is_flagged_until_a_new_full_start(lesson):
    """A read of an unusable destination warns; a new full start makes it usable again."""
    array, src, dst, pair = lesson
    pair.start()
    pair.cancel()
    with pytest.warns(UnusableVolumeWarning, match="8 block"):
        dst.read(0)
    assert "UNUSABLE" in repr(dst)
    pair.start()
    assert dst.usable and not dst.missing.any()


def test_group_commands_are_all_or_none(fingerprint):
    """A group command refused for one pair changes no pair."""
    array, a, b, c = three_volumes()
    d = array.add_volume(4, blocks=4)
    group = array.add_copy_group("G", [(a, b), (c, d)])
    group.pairs[0].start()
    before = fingerprint(array)
    with pytest.raises(SessionNotFoundError, match="ET001/0x3:ET001/0x4"):
        group.start(diff=True)
    assert fingerprint(array) == before
    rows = group.query()
    assert [r.copy_phase for r in rows] == ["Copying/Tracking", "Not set"]
