"""The added exercises (2c-2e, 3c, 6c-6e, 7b): each answer re-derived from the printed scenario
by a simpler rule, or replayed through the shell, never read back from the generator."""

from __future__ import annotations

import functools
import math
import re

import pytest

from qopc_kit.shell.script import run_script
from qopc_kit.teaching.exercises import answer_key, format_answer
from qopc_kit.teaching.generators_lab import (
    ACCEPTED,
    BUSY,
    CASCADE,
    EXISTS,
    LIMIT,
    NO_SESSION,
    OUTCOMES,
    PHASE,
    SIZE,
    WARNED,
)
from qopc_kit.views.blockmap import block_map_text

SEEDS = [*range(25), "ada", "Grace Hopper"]


@functools.cache
def _key(seed: int | str) -> dict:
    return answer_key(seed)


def _number(pattern: str, text: str) -> int:
    return int(re.search(pattern, text).group(1))


def _blocks_of(pattern: str, text: str) -> set[int]:
    found: set[int] = set()
    for listed in re.findall(pattern, text):
        found |= {int(b) for b in listed.split(",")}
    return found


def _basics(setup: str) -> tuple[int, int, int]:
    """Blocks, copy rate and the ticks of step 3 (the copier took blocks 0..ticks*rate-1)."""
    return (_number(r"\((\d+) one-byte blocks", setup), _number(r"copy rate (\d+)", setup),
            _number(r"3\. tick (\d+)", setup))


@pytest.mark.parametrize("seed", SEEDS)
def test_2c_a_destination_read_copies_a_queued_block(seed):
    """2c: still queued = blocks the copier has not reached, less the destination's reads;
    a source read changes nothing (B2)."""
    exercise = _key(seed)["2c"]
    blocks, rate, ticks = _basics(exercise.setup)
    read = _blocks_of(r"reads ET001/0x6 blocks \[([\d, ]+)\]", exercise.setup)
    assert set(exercise.answer) == set(range(ticks * rate, blocks)) - read


@pytest.mark.parametrize("seed", SEEDS)
def test_2d_physical_and_logical_differ_where_blocks_are_queued(seed):
    """2d: physical != logical exactly on the blocks nothing has copied or filled yet (B6)."""
    exercise = _key(seed)["2d"]
    blocks, rate, ticks = _basics(exercise.setup)
    written = _blocks_of(r"to ET001/0x[16] blocks \[([\d, ]+)\]", exercise.setup)
    assert set(exercise.answer) == set(range(ticks * rate, blocks)) - written


@pytest.mark.parametrize("seed", SEEDS)
def test_2e_a_rate_change_applies_at_once(seed):
    """2e: ticks left = ceil(rest after the first ticks / the new rate) (B4)."""
    exercise = _key(seed)["2e"]
    blocks, old, ticks = _basics(exercise.setup)
    new = _number(r"copy-rate (\d+)", exercise.setup)
    assert exercise.answer == math.ceil((blocks - ticks * old) / new)


@pytest.mark.parametrize("seed", SEEDS)
def test_3c_diff_during_the_copy_keeps_the_undelivered_blocks(seed):
    """3c: Rest after -diff in Copying/Tracking = not yet copied | source | destination
    writes (T-diff-copy, the kit's queue rule)."""
    exercise = _key(seed)["3c"]
    blocks, rate, ticks = _basics(exercise.setup)
    written = _blocks_of(r"to ET001/0x[16] blocks \[([\d, ]+)\]", exercise.setup)
    assert exercise.answer == len(set(range(ticks * rate, blocks)) | written)


@pytest.mark.parametrize("seed", SEEDS)
def test_6e_the_reverse_opc_ends_after_its_blocks(seed):
    """6e: the reverse OPC copies the blocks written on either side, then ends (V-end)."""
    exercise = _key(seed)["6e"]
    rate = _number(r"copy rate (\d+)", exercise.setup)
    written = _blocks_of(r"to ET001/0x[16] blocks \[([\d, ]+)\]", exercise.setup)
    assert exercise.answer == math.ceil(len(written) / rate)


@pytest.mark.parametrize("seed", SEEDS)
def test_7b_each_destination_has_its_own_point_in_time(seed):
    """7b: ET001/0x7 reads the source as it was at CG2's start, plus its own write (S-multi)."""
    exercise = _key(seed)["7b"]
    letters = list(re.search(r'ET001/0x1 holds "([A-Z]+)"', exercise.setup).group(1))
    before, after = exercise.setup.split("acopc start -g CG2")
    for block in _blocks_of(r"to ET001/0x1 blocks \[([\d, ]+)\]", before):
        letters[block] = "s"
    for block in _blocks_of(r"to ET001/0x7 blocks \[([\d, ]+)\]", after):
        letters[block] = "d"
    assert exercise.answer == "".join(letters)
    assert exercise.answer not in exercise.setup


def _replay(setup: str, sequence: str) -> tuple[str, str]:
    """Run the 6c scenario with one candidate order through the shell: the block maps."""
    letters = re.search(r'ET001/0x1 holds "([A-Z]+)"', setup).group(1)
    rate = _number(r"copy rate (\d+)", setup)
    script = [f"acarray add -a ET001 -copy-rate {rate}",
              f"volume add 0x1 blocks {len(letters)}", f"volume add 0x6 blocks {len(letters)}",
              "acgroup create -g CG1 -type QuickOPC -a ET001",
              "acpair add -g CG1 -p ET001/0x1:ET001/0x6",
              f"write ET001/0x1 0-{len(letters) - 1} {letters}", "acopc start -g CG1"]
    for step in sequence.split("; "):
        wrote = re.fullmatch(r'write "(\w+)" to (\S+) blocks \[([\d, ]+)\]', step)
        script.append(f"write {wrote[2]} {wrote[3].replace(' ', '')} {wrote[1][0]}"
                      if wrote else step)
    transcript = run_script("\n".join(script), strict=True)
    pair = transcript.array.pair("ET001/0x1:ET001/0x6")
    return block_map_text(pair), block_map_text(pair, logical=True)


@pytest.mark.parametrize("seed", range(12))
def test_6c_only_the_answer_replays_to_the_printed_maps(seed):
    """6c: every candidate order, replayed through the shell, gives its own map, and only
    the answer's is the printed one."""
    exercise = _key(seed)["6c"]
    printed = "\n".join(line[4:] for line in exercise.setup.splitlines()
                        if line.startswith("    "))
    sequences = dict(re.findall(r"^  \(([a-d])\) (.+)$", exercise.setup, re.MULTILINE))
    assert sorted(sequences) == list(exercise.choices) == ["a", "b", "c", "d"]
    maps = {letter: _replay(exercise.setup, steps) for letter, steps in sequences.items()}
    assert len(set(maps.values())) == 4
    assert [letter for letter, m in maps.items() if "\n".join(m) == printed] == [exercise.answer]


def _expected_outcome(setup: str) -> str:
    """6d by the refusal table of SPEC.md, read from the printed steps."""
    steps = re.findall(r"^\s+\d+\. (.+)$", setup, re.MULTILINE)
    last, before = steps[-1], steps[2:-1]
    started = "acopc start -g CG1" in before
    cancelled = "acopc cancel -g CG1" in before
    failed = any("failure" in step for step in before)
    if "CG3 = ET001/0x7:ET001/0x7" in setup or "CG2 = ET001/0x7:ET001/0x6" in setup:
        return BUSY
    if "CG3 = ET001/0x1:ET001/0x8" in setup:
        return SIZE
    if "CG2 = ET001/0x6:ET001/0x7" in setup:
        return CASCADE
    if "CG2 = ET001/0x1:ET001/0x7" in setup:
        return LIMIT if "at most 1 sessions" in setup else ACCEPTED
    if any("cancel -g CG1 -r" in step for step in before):
        return WARNED
    if last == "acopc start -g CG1":
        return EXISTS if started and not cancelled else ACCEPTED
    if last == "acopc start -g CG1 -auto":
        return ACCEPTED
    if last == "acopc cancel -g CG1":
        return NO_SESSION if cancelled or not started else ACCEPTED
    return NO_SESSION if cancelled or not started else PHASE if failed else ACCEPTED


@pytest.mark.parametrize("seed", range(60))
def test_6d_the_refusal_follows_the_table(seed):
    """6d: the engine's answer matches the refusal table read from the steps."""
    exercise = _key(seed)["6d"]
    assert exercise.answer == _expected_outcome(exercise.setup), exercise.setup


def test_6d_reaches_every_outcome():
    """Over 200 students, every one of 6d's outcomes is somebody's answer."""
    assert {_key(seed)["6d"].answer for seed in range(200)} == set(OUTCOMES)


def test_new_exercises_tag_their_sources():
    """Each added exercise's explanation carries the SPEC tags, [D] naming its document."""
    for key in ("2c", "2d", "2e", "3c", "6c", "6d", "6e", "7b"):
        why = _key("ada")[key].why
        assert re.search(r"\[[DM][]:,]", why), key
        assert "Fujitsu's description" not in why


@pytest.mark.parametrize("seed", SEEDS)
def test_no_text_answer_can_be_read_off_the_question(seed):
    """No text answer is printed in its own scenario or question."""
    for exercise in _key(seed).values():
        if exercise.kind == "text":
            assert exercise.answer not in exercise.text(), exercise.key
        typed = format_answer(exercise.kind, exercise.answer)
        assert exercise.judge(typed).correct
