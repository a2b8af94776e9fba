"""Scripts: whole-script parsing, transcripts, --strict, and history export that replays."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qopc_kit import DiskArray, HistoryError, QuickOPCError, State, UnusableVolumeWarning
from qopc_kit.script import ScriptError, parse_script, run_script, to_script
from qopc_kit.shell.parse import ShellSyntaxError

LAB = """\
# a comment is copied to the transcript
acarray add -a ET002 -copy-rate 3 -max-sessions 4
volume add 0x1 blocks 6
volume add 0x6 blocks 6
acgroup create -g CG1 -type QuickOPC -a ET002
acpair add -g CG1 -p 0x1:0x6

write 0x1 all QWERTY
acopc start -g CG1 -diff
acopc start -g CG1
tick
"""


def test_transcript_prints_each_command_then_its_output():
    """Comments and blanks are kept; commands follow '> '; refusals read 'ERROR: ...'."""
    transcript = run_script(LAB)
    lines = transcript.text.splitlines()
    assert lines[0] == "# a comment is copied to the transcript"
    assert lines[1:3] == ["> acarray add -a ET002 -copy-rate 3 -max-sessions 4",
                          "Disk array ET002: copy rate 3, up to 4 sessions per source"]
    assert "" in lines
    refusal = lines.index("> acopc start -g CG1 -diff") + 1
    assert lines[refusal] == ("ERROR: cannot start -diff on ET002/0x1:ET002/0x6: no session: "
                              "Session does not exist (32793)")
    assert transcript.refusals == [(9, lines[refusal].removeprefix("ERROR: "))]
    assert lines[-1] == "  ET002/0x1:ET002/0x6: Copied Block 3, Rest Block 3"
    assert transcript.array.name == "ET002" and transcript.array.copy_rate == 3


def test_transcript_is_the_same_every_run():
    """Replaying a script gives the same text, byte for byte."""
    assert run_script(LAB).text == run_script(LAB).text


def test_syntax_errors_stop_the_script_before_anything_runs():
    """A bad line anywhere: ShellSyntaxError with its line and column, listing every bad line."""
    text = LAB + "tick 0\nstart -g CG1 -xml\n"
    with pytest.raises(ShellSyntaxError) as caught:
        run_script(text)
    assert (caught.value.line, caught.value.column) == (12, 6)
    assert "line 13, column 14: acopc start -xml is not modelled" in str(caught.value)
    array = DiskArray("ET001")
    with pytest.raises(ShellSyntaxError):
        run_script("volume add 0x1 blocks 4\nwrite 0x1 9-1 A\n", array=array)
    assert len(array.history) == 1  # the first line did not run either


def test_acarray_add_only_as_the_first_command():
    """acarray add after another command is a syntax error naming its line."""
    with pytest.raises(ShellSyntaxError, match="first command") as caught:
        parse_script("# hello\ntick\n  acarray add -a ET002\n")
    assert (caught.value.line, caught.value.column) == (3, 3)


def test_strict_stops_at_the_first_refusal():
    """strict: ScriptError with the line and the code; the transcript so far is kept."""
    with pytest.raises(ScriptError, match=r"line 9: cannot start -diff") as caught:
        run_script(LAB, strict=True)
    assert caught.value.code == 32793
    assert caught.value.transcript.text.splitlines()[-1].startswith("ERROR: cannot start -diff")
    assert "> tick" not in caught.value.transcript.text


def test_script_runs_on_a_given_array():
    """run_script(text, array) continues an existing array."""
    array = DiskArray("ET001", copy_rate=2)
    array.add_volume(0x1, blocks=4)
    transcript = run_script("volume add 0x2 blocks 4\nwrite 0x1 0 A\n", array=array)
    assert transcript.array is array and list(array.volumes) == ["ET001/0x1", "ET001/0x2"]


def test_export_of_a_session_replays_to_the_same_state(fingerprint):
    """to_script of a lab replays (history included) to an identical array."""
    original = run_script(LAB).array
    script = to_script(original)
    assert script.splitlines()[1] == "acarray add -a ET002 -copy-rate 3 -max-sessions 4"
    assert "acpair add -g CG1 -p ET002/0x1:ET002/0x6" in script
    assert fingerprint(run_script(script).array) == fingerprint(original)


def test_export_writes_pair_commands_and_binary_data(fingerprint):
    """Pair-level starts export as -g GROUP -p PAIR; bytes that are not text as hex:."""
    array = DiskArray("ET001")
    src, dst = array.add_volume(1, 3, block_size=2), array.add_volume(2, 3, block_size=2)
    group = array.add_copy_group("G", [(src, dst)])
    src.write([2, 0, 0], np.array([[0, 255], [65, 66], [67, 68]]))
    src.write([], b"")
    group.pairs[0].start()
    dst.write(1, "#x")
    script = to_script(array)
    assert "write ET001/0x1 2,0,0 hex:00ff41424344" in script
    assert "write ET001/0x1 none \"\"" in script
    assert "acopc start -g G -p ET001/0x1:ET001/0x2" in script
    assert "write ET001/0x2 1 hex:2378" in script
    assert fingerprint(run_script(script).array) == fingerprint(array)


def test_export_refuses_steps_without_their_data():
    """Host I/O on arrays too large to keep its bytes cannot be exported: a clear error."""
    array = DiskArray("ET001", snapshots=False)
    volume = array.add_volume(1, 4)
    volume.write(0, "A")
    with pytest.raises(HistoryError, match=r"cannot export step 2 \(write of 1 block"):
        to_script(array)


# Round trip: random sessions through the Python API, exported and replayed -------------------

_PAIRS = ["ET001/0x1:ET001/0x6", "ET001/0x1:ET001/0x7", "ET001/0x6:ET001/0x8",
          "ET001/0x2:ET001/0x9", "ET001/0x1:ET001/0x9"]


def _action(array: DiskArray, draw) -> None:
    kind = draw(st.sampled_from(["start", "group", "cancel", "write", "read", "tick", "rate",
                                 "fail"]))
    volumes = list(array.volumes.values())
    if kind in ("start", "cancel"):
        pair = array.pair(draw(st.sampled_from(_PAIRS)))
        if kind == "cancel":
            pair.cancel(reverse=draw(st.booleans()))
        else:
            mode = draw(st.sampled_from(["full", "diff", "auto", "reverse"]))
            pair.start(diff=mode == "diff", auto=mode == "auto", reverse=mode == "reverse")
    elif kind == "group":
        group = array.group(draw(st.sampled_from(["A", "B"])))
        if draw(st.booleans()):
            group.start(auto=True)
        else:
            group.cancel()
    elif kind in ("write", "read"):
        volume = draw(st.sampled_from(volumes))
        blocks = draw(st.lists(st.integers(0, volume.blocks - 1), max_size=5))
        if kind == "read":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UnusableVolumeWarning)
                volume.read(blocks)
        else:
            data = draw(st.binary(min_size=len(blocks) * volume.block_size,
                                  max_size=len(blocks) * volume.block_size))
            volume.write(blocks, data)
    elif kind == "tick":
        array.tick(draw(st.integers(1, 3)))
    elif kind == "rate":
        array.copy_rate = draw(st.integers(1, 4))
    else:
        array.fail(draw(st.sampled_from(volumes)))


# The fingerprint fixture is a pure function, so sharing it between examples is safe.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                        HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_sessions_round_trip_through_a_script(fingerprint, data):
    """history -> to_script -> run_script gives identical volumes, bitmaps, states and history."""
    array = DiskArray("ET001", copy_rate=data.draw(st.integers(1, 3)), max_sessions=2)
    size = data.draw(st.sampled_from([1, 2]))
    for number in (0x1, 0x2, 0x6, 0x7, 0x8, 0x9):
        array.add_volume(number, blocks=6, block_size=size)
    array.add_copy_group("A", _PAIRS[:3])
    array.add_copy_group("B", _PAIRS[3:])
    for _ in range(data.draw(st.integers(0, 25))):
        # A refusal records nothing: the export must not see it either.
        with contextlib.suppress(QuickOPCError):
            _action(array, data.draw)
    replayed = run_script(to_script(array)).array
    assert fingerprint(replayed) == fingerprint(array)
    for name, pair in array.pairs.items():
        assert replayed.pair(name).state is pair.state
        assert replayed.pair(name).reverse_state is pair.reverse_state
        assert (replayed.pair(name).queued == pair.queued).all()
    assert [v.image().tobytes() for v in replayed.volumes.values()] == [
        v.image().tobytes() for v in array.volumes.values()]


def test_round_trip_covers_error_suspend_and_reverse():
    """A replayed export reaches the same reverse OPC and Error suspend states."""
    array = run_script(LAB).array
    pair = array.pair("ET002/0x1:ET002/0x6")
    array.run()
    array.volume(1).write(0, "!")
    pair.start(reverse=True)
    array.fail(2 * 3)
    replayed = run_script(to_script(array)).array.pair(pair.name)
    assert (replayed.state, replayed.reverse_state) == (State.ERROR_SUSPEND, State.ERROR_SUSPEND)


def test_export_refuses_names_the_shell_cannot_write():
    """A group named with characters the shell cannot parse: HistoryError naming it."""
    array = DiskArray("ET001")
    array.add_volume(1, 2)
    array.add_volume(2, 2)
    array.add_copy_group("CG#1", ["ET001/0x1:ET001/0x2"])
    with pytest.raises(HistoryError, match="the name 'CG#1' cannot be written"):
        to_script(array)


def test_export_names_a_group_that_had_the_pair_at_that_step(fingerprint):
    """A pair-level command exports with -g of a group that had the pair then, not now."""
    array = DiskArray("ET001")
    v1, v2 = array.add_volume(1, blocks=2), array.add_volume(2, blocks=2)
    g1 = array.add_copy_group("CG1")
    array.add_copy_group("CG2", pairs=[(v1, v2)])
    array.pair("ET001/0x1:ET001/0x2").start()
    g1.add_pair(v1, v2)
    script = to_script(array)
    assert "acopc start -g CG2 -p ET001/0x1:ET001/0x2" in script
    replayed = run_script(script, strict=True)
    assert replayed.refusals == []
    assert fingerprint(replayed.array) == fingerprint(array)


# Round trip with groups that gain pairs, refused commands and rewinds ------------------------

_VOLUMES = (0x1, 0x2, 0x6, 0x7)
# Few pairs, so that the same pair often joins a second group; some conflict (cascades).
_ALL_PAIRS = ["ET001/0x1:ET001/0x2", "ET001/0x1:ET001/0x6", "ET001/0x2:ET001/0x7",
              "ET001/0x7:ET001/0x1"]


def _moving_action(array: DiskArray, draw) -> None:
    """One random operation; pairs join groups as the history goes (refusals allowed)."""
    kind = draw(st.sampled_from(["group", "group", "add_pair", "add_pair", "add_pair", "pair",
                                 "pair", "pair", "group_cmd", "write", "read", "tick", "rate",
                                 "fail", "rewind"]))
    volumes = list(array.volumes.values())
    if kind == "group":
        array.add_copy_group("G3",
                             draw(st.lists(st.sampled_from(_ALL_PAIRS), max_size=2)))
    elif kind == "add_pair":
        array.group(draw(st.sampled_from(["G1", "G2", "G3"]))).add_pair(
            draw(st.sampled_from(_ALL_PAIRS)))
    elif kind in ("pair", "group_cmd"):
        target = (array.pair(draw(st.sampled_from(_ALL_PAIRS))) if kind == "pair"
                  else array.group(draw(st.sampled_from(["G1", "G2", "G3"]))))
        mode = draw(st.sampled_from(["full", "diff", "auto", "reverse", "cancel", "cancel -r"]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnusableVolumeWarning)
            if mode.startswith("cancel"):
                target.cancel(reverse=mode == "cancel -r")
            else:
                target.start(diff=mode == "diff", auto=mode == "auto", reverse=mode == "reverse")
    elif kind in ("write", "read"):
        volume = draw(st.sampled_from(volumes))
        blocks = draw(st.lists(st.integers(0, volume.blocks - 1), max_size=4))
        if kind == "read":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UnusableVolumeWarning)
                volume.read(blocks)
        else:
            volume.write(blocks, draw(st.binary(min_size=len(blocks), max_size=len(blocks))))
    elif kind == "tick":
        array.tick(draw(st.integers(1, 3)))
    elif kind == "rate":
        array.copy_rate = draw(st.integers(1, 3))
    elif kind == "fail":
        array.fail(draw(st.sampled_from(volumes)))
    else:
        # Back to any step after the volumes were made (before it, nothing is left to do).
        array.rewind(draw(st.integers(len(_VOLUMES), len(array.history) - 1)))


def _steps(array: DiskArray) -> list[tuple]:
    """Every step's action, arguments, transitions and copy progress; a group made with
    its pairs counts as the empty group and one add_pair per pair, as a script makes it."""
    found = []
    for step in array.history:
        if step.action == "add_copy_group":
            found.append(("add_copy_group", step.target, (), (), step.progress))
            found += [("add_pair", step.target, (("pair", p),), (), step.progress)
                      for p in step.args["pairs"]]
        else:
            found.append((step.action, step.target, tuple(step.args.items()), step.changes,
                          step.progress))
    return found


def _shown(array: DiskArray) -> list[str]:
    """What the shell shows of every group, pair and volume."""
    lines = [array.acopc(f"query -g {name}{r}") for name, group in array.groups.items()
             if group.pairs for r in ("", " -r")]
    lines += [array.acopc(f"show {name}") for name in (*array.pairs, *array.volumes)]
    return lines


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                        HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_histories_with_moving_pairs_replay_exactly(fingerprint, data):
    """Pairs joining groups late, refusals and rewinds: the export replays every observable."""
    array = DiskArray("ET001", copy_rate=data.draw(st.integers(1, 2)), max_sessions=2)
    for number in _VOLUMES:
        array.add_volume(number, blocks=4)
    array.add_copy_group("G1")  # made first, so the pairs it gets later are often in use
    array.add_copy_group("G2", [data.draw(st.sampled_from(_ALL_PAIRS))])
    for _ in range(data.draw(st.integers(1, 30))):
        with contextlib.suppress(QuickOPCError):  # a refusal leaves no step and no line
            _moving_action(array, data.draw)
    script = to_script(array)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnusableVolumeWarning)
        transcript = run_script(script, strict=True)
    replayed = transcript.array
    assert transcript.refusals == []
    assert fingerprint(replayed) == fingerprint(array)
    assert _steps(replayed) == _steps(array)
    assert _shown(replayed) == _shown(array)
    assert [v.image().tobytes() for v in replayed.volumes.values()] == [
        v.image().tobytes() for v in array.volumes.values()]
    assert to_script(replayed).splitlines()[1:] == script.splitlines()[1:]  # but the count
