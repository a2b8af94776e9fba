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


def test_every_command_has_one_identity_from_parse_to_button():
    """Each Command parses from its own words, names its event, and is a dashboard button."""
    from qopc_kit import Command
    from qopc_kit.dashboard.session_buttons import SESSION_COMMANDS, session_enabled
    from qopc_kit.shell.parse import parse_line

    for command in Command:
        assert Command.of(command.verb, command.option) is command
        parsed = parse_line(f"acopc {command.words} -g CG1")
        assert parsed.args["command"] is command
        assert str(command) == f"acopc {command.words}"
        assert command.tooltip.startswith(str(command) + ": ")
        assert command.copy is (Copy.OPC if command.reverse else Copy.QUICKOPC)
    assert list(SESSION_COMMANDS) == [command.label for command in Command]
    assert list(session_enabled(None)) == [command.label for command in Command]


def test_a_command_step_reads_back_as_its_command():
    """A session command's step names its Command; the timeline and scripts print its words."""
    from qopc_kit import Command, DiskArray
    from qopc_kit.script import to_script
    from qopc_kit.views.timeline import describe

    array = DiskArray("ET001")
    src, dst = array.add_volume(1, blocks=2), array.add_volume(2, blocks=2)
    group = array.add_copy_group("CG1", pairs=[(src, dst)])
    step = group.run(Command.START)
    assert step.command is Command.START and step.changes_of(group.pairs[0].name)
    array.run()
    step = group.pairs[0].run(Command.START_DIFF)
    assert describe(step)[0] == "acopc start -p ET001/0x1:ET001/0x2 -diff"
    assert to_script(array).splitlines()[-1] == "acopc start -g CG1 -p ET001/0x1:ET001/0x2 -diff"


def test_every_action_has_its_words_and_its_script_line():
    """Each step action is described by the timeline and written by to_script: one table
    entry each, no action left out."""
    from qopc_kit import Action
    from qopc_kit.shell import script
    from qopc_kit.views import timeline

    assert set(timeline._DESCRIBE) == set(Action)
    assert set(script._LINES) == set(Action)
