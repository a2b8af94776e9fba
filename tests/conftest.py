"""Shared fixtures: a lesson-sized array and a fingerprint of everything an array holds."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

from qopc_kit import DiskArray

# Lesson 9 saves the answers of its STUDENT (the hub login, else "guest") into $QOPC_ANSWERS
# and reads them back: the tests (and nbval's kernels, which inherit this environment) use a
# fresh folder and no hub login, so that nothing saved on this machine changes an output.
os.environ["QOPC_ANSWERS"] = tempfile.mkdtemp(prefix="qopc-answers-")
atexit.register(shutil.rmtree, os.environ["QOPC_ANSWERS"], ignore_errors=True)
os.environ.pop("JUPYTERHUB_USER", None)


def array_fingerprint(array: DiskArray) -> tuple:
    """Everything observable in ``array``, as plain comparable values."""
    volumes = tuple((v.name, v.data.tobytes(), v.missing.tobytes(), v.usable)
                    for v in array.volumes.values())
    sessions = []
    for pair in array.pairs.values():
        for s in (pair.session, pair.reverse_session):
            sessions.append((pair.name, s.copy, s.state, s.sid, s.previous_state,
                             s.last_transition, s.queued.tobytes(), s.source_tracking.tobytes(),
                             s.destination_tracking.tobytes(), s.rolled_back.tobytes(),
                             s.copied_before_write.tobytes(), s.copied_blocks, s.rest_blocks))
    groups = tuple((name, tuple(p.name for p in group.pairs))
                   for name, group in array.groups.items())
    return array.copy_rate, volumes, tuple(sessions), groups, operations(array)


def operations(array: DiskArray) -> tuple[str, ...]:
    """The array's history as operations, a group made with its pairs spelled as the
    shell does it (an empty group, then one step per pair): a script replays to this."""
    found = []
    for step in array.history:
        if step.action == "add_copy_group":
            found.append(f"add_copy_group {step.target}")
            found += [f"add_pair {step.target} pair={pair}" for pair in step.args["pairs"]]
        else:
            found.append(str(step).split(": ", 1)[1])
    return tuple(found)


@pytest.fixture
def fingerprint():
    """The function that fingerprints a whole array (compare before and after)."""
    return array_fingerprint


@pytest.fixture
def lesson():
    """ET001 with 0x1 (A..H) and 0x6 (zeros) of 8 one-byte blocks, group CG1, rate 2."""
    array = DiskArray("ET001", copy_rate=2)
    src = array.add_volume(0x1, blocks=8)
    dst = array.add_volume(0x6, blocks=8)
    src.write(slice(None), "ABCDEFGH")
    group = array.add_copy_group("CG1", pairs=[(src, dst)])
    return array, src, dst, group.pairs[0]
