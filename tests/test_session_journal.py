"""A differential start from the journal of changed blocks gives exactly what the
whole-bitmap passes give (the journal only makes it cheaper)."""

from __future__ import annotations

import numpy as np
import pytest

import qopc_kit.engine.copier
from qopc_kit import DiskArray


def backup_week(seed: int, blocks: int = 50_000) -> DiskArray:
    rng = np.random.default_rng(seed)
    array = DiskArray("ET001", copy_rate=997, snapshots=False)
    src, dst = array.add_volume(1, blocks=blocks), array.add_volume(2, blocks=blocks)
    pair = array.add_copy_group("G", [(src, dst)]).pairs[0]
    pair.start()
    for day in range(7):
        src.write(rng.choice(blocks, 40, replace=False), day + 1)
        dst.write(rng.choice(blocks, 5, replace=False), 200)
        if day % 3:
            array.tick(int(rng.integers(1, 20)))
        pair.start(diff=True)
        array.tick(int(rng.integers(0, 3)) + 1)
        dst.read(rng.choice(blocks, 3, replace=False))
    array.run()
    return array


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_journal_and_bitmaps_agree(monkeypatch, fingerprint, seed):
    """The journal path and the whole-bitmap path end in the same array, step by step."""
    with_journal = backup_week(seed)
    monkeypatch.setattr(qopc_kit.engine.copier, "JOURNAL_MIN", 0)
    monkeypatch.setattr(qopc_kit.engine.copier, "JOURNAL_SHARE", 10**9)  # drop at once
    without = backup_week(seed)
    assert fingerprint(with_journal) == fingerprint(without)
    pair = with_journal.pair("ET001/0x1:ET001/0x2")
    assert pair.state.label == "Tracking" and pair.copied_blocks > 0
    assert sum(step.action == "start" for step in with_journal.history) == 8
