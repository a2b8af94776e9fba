"""Block events (rollback, copy-before-write, never copied) computed from a BlockRecord."""

from __future__ import annotations

import numpy as np

from qopc_kit.views.blockmap import capture, content_labels
from qopc_kit.views.events import block_events, events_text, rollback_summary


def test_rolled_back_block_shows_both_values_until_copied(lesson):
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    dst.write(2, "Z")
    dst.write(5, "Y")
    pair.start(diff=True)
    record = capture(pair)
    rolled = [int(b) for b in np.flatnonzero(pair.rolled_back)]
    assert rolled == [2, 5]
    physical = content_labels(dst.data)
    logical = content_labels(src.image())  # a host reads the source's value
    expected = [f"{b}: {physical[b]}->{logical[b]} (rolled back)" for b in rolled]
    assert events_text(record).splitlines() == expected
    assert rollback_summary(record) == "rolled back 2 destination writes: blocks 2, 5"
    array.run()  # the physical copy lands: no pending rollback left to show
    assert events_text(capture(pair)) == ""


def test_copy_before_write_and_never_copied(lesson):
    array, src, dst, pair = lesson
    pair.start()
    src.write(6, "x")  # block 6 still queued: its old value copied to the destination first
    record = capture(pair)
    assert [e.block for e in block_events(record) if e.event == "copied_before_write"] == [6]
    assert "6: G (copied before write)" in events_text(record)
    pair.cancel()
    record = capture(pair)
    never = [e.block for e in block_events(record) if e.event == "never_copied"]
    assert never == [int(b) for b in np.flatnonzero(dst.missing)] and never
    assert rollback_summary(record) == ""
