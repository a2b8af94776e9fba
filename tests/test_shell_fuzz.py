"""Fuzz: any line gives output, the kit's parse error or a refusal; errors change nothing."""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qopc_kit import DiskArray, QuickOPCError, UnusableVolumeWarning
from qopc_kit.script import ScriptError, run_script
from qopc_kit.shell.parse import ShellSyntaxError
from qopc_kit.shell.run import acopc

SETUP = """\
acarray add -a ET001 -copy-rate 2 -max-sessions 2
volume add 0x1 blocks 8
volume add 0x6 blocks 8
volume add 0x7 blocks 8
volume add 0x9 blocks 4 block-size 2
acgroup create -g CG1 -type QuickOPC -a ET001
acpair add -g CG1 -p 0x1:0x6
acpair add -g CG1 -p 0x1:0x7
acgroup create -g CG2 -type QuickOPC -a ET001
acpair add -g CG2 -p 0x6:0x7
write 0x1 all ABCDEFGH
"""

VERBS = ["acopc", "start", "cancel", "query", "acarray", "acgroup", "acpair", "volume", "write",
         "read", "show", "tick", "run", "copy-rate", "fail", "help", "add", "create", "detail"]
WORDS = ["-g", "CG1", "CG2", "CG3", "-p", "0x1:0x6", "ET001/0x1:ET001/0x7", "0x6:0x7", "1:9",
         "ET002/0x1", "-diff", "-auto", "-r", "-xml", "-concur", "-type", "QuickOPC", "OPC",
         "-a", "ET001", "0x1", "0x6", "0x7", "0x9", "0x5", "all", "none", "0-3", "7", "3,1,1",
         "8", "99", "0", "-1", "blocks", "block-size", "2", "16", "A", "hex:4142", "hex:4",
         '"a b"', '"', "#", "é", "\t", "0x", "1-", "--", "99999999999999", "4097"]

line_from_words = st.lists(
    st.one_of(st.sampled_from(VERBS + WORDS), st.text(max_size=6)), min_size=0,
    max_size=7).map(" ".join)
group = st.sampled_from(["CG1", "CG2", "CG3"])
pair = st.sampled_from(["0x1:0x6", "ET001/0x1:ET001/0x7", "0x6:0x7", "0x1:0x9", "0x1:0x1"])
volume = st.sampled_from(["0x1", "ET001/0x6", "0x7", "0x9", "0x5"])
blocks = st.sampled_from(["all", "none", "0", "1-3", "7", "3,1,1", "0-7", "9"])
data = st.sampled_from(["A", "xy", "abcdefgh", "hex:00ff", '"a b"', "ZZZZZZZZZZZZZZZZ"])
number = st.integers(1, 5).map(str)
start = st.tuples(st.just("acopc start -g"), group, st.sampled_from(["", "-p"]), pair,
                  st.sampled_from(["", "-diff", "-auto", "-r"]))
valid = st.one_of(
    start.map(lambda t: " ".join(t[:2] + ((t[2], t[3]) if t[2] else ()) + t[4:])),
    st.tuples(st.sampled_from(["cancel -g", "query -g"]), group,
              st.sampled_from(["", "-r", "-p 0x1:0x6"])).map(" ".join),
    st.tuples(st.just("write"), volume, blocks, data).map(" ".join),
    st.tuples(st.just("read"), volume, blocks).map(" ".join),
    st.tuples(st.sampled_from(["tick", "copy-rate", "volume add 0x2 blocks"]), number).map(
        " ".join),
    st.tuples(st.sampled_from(["fail", "show"]), st.one_of(volume, pair)).map(" ".join),
    st.sampled_from(["run", "help", "help start", "acgroup detail -g CG1"]),
    st.tuples(st.just("acgroup create -g"), group, st.just("-type QuickOPC -a ET001")).map(
        " ".join),
    st.tuples(st.just("acpair add -g"), group, st.just("-p"), pair).map(" ".join),
)
# A valid command with one word dropped, doubled or replaced: near misses.
mutated = st.tuples(valid, st.integers(0, 6), st.sampled_from(["drop", "double", "swap"]),
                    st.sampled_from(WORDS)).map(lambda t: _mutate(*t))


def _mutate(line: str, at: int, how: str, word: str) -> str:
    words = line.split(" ")
    at %= len(words)
    if how == "drop":
        del words[at]
    elif how == "double":
        words.insert(at, words[at])
    else:
        words[at] = word
    return " ".join(words)


lines = st.one_of(valid, valid, mutated, line_from_words, st.text(max_size=40),
                  st.tuples(st.sampled_from(VERBS), line_from_words).map(" ".join))


def state(array: DiskArray) -> tuple:
    """Everything a command could change, groups and their pairs included."""
    volumes = tuple((v.name, v.data.tobytes(), v.missing.tobytes()) for v in array.volumes.values())
    sessions = tuple((p.name, s.state, s.sid, s.queued.tobytes(), s.source_tracking.tobytes(),
                      s.destination_tracking.tobytes(), s.rolled_back.tobytes(),
                      s.copied_blocks, s.rest_blocks)
                     for p in array.pairs.values() for s in (p.session, p.reverse_session))
    return (array.copy_rate, volumes, sessions, tuple((name, tuple(p.name for p in group.pairs)) for name, group in array.groups.items()),
            tuple(str(step) for step in array.history))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, min_size=1, max_size=12))
def test_random_lines_never_crash_and_errors_change_nothing(commands):
    """Each line returns text or raises a QuickOPCError; on an error the state is unchanged."""
    array = run_script(SETUP).array
    for line in commands:
        before = state(array)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UnusableVolumeWarning)
                output = acopc(array, line)
        except ShellSyntaxError as problem:
            assert problem.line == 1 and 1 <= problem.column <= len(line) + 1
            assert state(array) == before
        except QuickOPCError:
            assert state(array) == before
        else:
            assert isinstance(output, str)


@settings(max_examples=100, deadline=None)
@given(st.lists(lines, max_size=8).map("\n".join))
def test_random_scripts_give_a_transcript_or_a_syntax_error(text):
    """A script fails to parse (running nothing) or runs; --strict stops at its first refusal."""
    try:
        transcript = run_script(SETUP + text)
    except ShellSyntaxError as problem:
        assert problem.line > SETUP.count("\n") and problem.column >= 1
        return
    try:
        strict = run_script(SETUP + text, strict=True)
    except ScriptError as stop:
        assert stop.line == transcript.refusals[0][0]
    else:
        assert not transcript.refusals and strict.text == transcript.text
