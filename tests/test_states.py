"""The state table is data, checked when defined, and the engine follows it."""

from __future__ import annotations

import pytest

from qopc_kit import TRANSITIONS, Copy, Event, State
from qopc_kit.engine.states import Transition, allowed_events, check_table, states_of


def test_table_has_the_spec_states():
    """QuickOPC sessions use four states; the reverse OPC uses Copying."""
    assert set(states_of(Copy.QUICKOPC)) == {State.NO_SESSION, State.COPYING_TRACKING,
                                             State.TRACKING, State.ERROR_SUSPEND}
    assert set(states_of(Copy.OPC)) == {State.NO_SESSION, State.COPYING, State.ERROR_SUSPEND}


def test_duplicate_rows_are_refused():
    """A table with two rows for one (state, event) is refused."""
    row = TRANSITIONS[0]
    with pytest.raises(ValueError, match="duplicate transition"):
        check_table((*TRANSITIONS, row))


def test_unreachable_states_are_refused():
    """A state no row leads to is refused."""
    rows = tuple(r for r in TRANSITIONS if r.next is not State.ERROR_SUSPEND)
    with pytest.raises(ValueError, match="unreachable states"):
        check_table(rows)


def test_trap_states_are_refused():
    """A state with no way back to No session is refused."""
    rows = tuple(r for r in TRANSITIONS
                 if not (r.copy is Copy.QUICKOPC and r.state is State.ERROR_SUSPEND))
    rows += (Transition(Copy.QUICKOPC, State.ERROR_SUSPEND, Event.START_AUTO,
                        State.ERROR_SUSPEND, "stuck", "M"),)
    with pytest.raises(ValueError, match="trap states"):
        check_table(rows)


def test_allowed_events_follow_the_table():
    """What the dashboard enables is what the table accepts."""
    assert set(allowed_events(Copy.QUICKOPC, State.NO_SESSION)) == {Event.START, Event.START_AUTO}
    assert Event.START_REVERSE in allowed_events(Copy.QUICKOPC, State.TRACKING)
    assert Event.START_DIFF not in allowed_events(Copy.QUICKOPC, State.ERROR_SUSPEND)


def test_every_transition_the_engine_takes_is_a_row(lesson):
    """Every change the engine records is a row of the table."""
    array, src, dst, pair = lesson
    pair.start()
    array.tick()
    pair.start(diff=True)
    array.run()
    dst.write(0, "q")
    pair.start(reverse=True)
    array.run()
    array.fail(src)
    pair.start(auto=True)
    pair.cancel()
    rows = {(r.copy, r.state, r.event, r.next) for r in TRANSITIONS}
    taken = [(c.copy, c.state, c.event, c.next) for s in array.history for c in s.changes]
    assert len(taken) >= 9
    assert set(taken) <= rows
