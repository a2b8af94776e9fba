"""The "why QuickOPC" week: OPC full copies against QuickOPC differential starts."""

from __future__ import annotations

import math

import pytest

from qopc_kit import ArgumentError
from qopc_kit.teaching.compare import week_of_backups


def test_day_one_is_a_full_copy_both_ways():
    """The first backup has no tracking to use: both strategies copy every block."""
    week = week_of_backups(blocks=64, copy_rate=8, seed=1)
    first = week.days[0]
    assert (first.opc_copied, first.quickopc_copied) == (64, 64)
    assert (first.opc_ticks, first.quickopc_ticks) == (8, 8)


def test_opc_copies_everything_every_day():
    """Plain OPC keeps no tracking, so every daily backup is a full copy."""
    week = week_of_backups(blocks=64, days=5, copy_rate=8, seed=2)
    assert [d.opc_copied for d in week.days] == [64] * 5


def test_quickopc_copies_exactly_the_changed_blocks():
    """After day 1, start -diff copies the distinct blocks written since the last backup."""
    week = week_of_backups(blocks=128, days=7, change_rate=0.2, copy_rate=4, seed=3)
    later = week.days[1:]
    assert [d.quickopc_copied for d in later] == [d.changed for d in later]
    assert all(d.changed <= d.writes for d in later)
    assert any(d.changed < d.writes for d in later)  # a block written twice is copied once
    assert all(d.quickopc_copied < d.opc_copied for d in later)


def test_ticks_follow_the_copy_rate():
    """The copier moves copy_rate blocks per tick: ticks = ceil(copied / rate)."""
    week = week_of_backups(blocks=100, days=4, change_rate=0.15, copy_rate=7, seed=4)
    for d in week.days:
        assert d.opc_ticks == math.ceil(d.opc_copied / 7)
        assert d.quickopc_ticks == math.ceil(d.quickopc_copied / 7)
        # The logical copy makes each backup usable, with the start's image, at once.
        assert (d.opc_usable_at, d.quickopc_usable_at) == (0, 0)


def test_no_changes_means_nothing_to_copy():
    """With no host writes, -diff queues nothing and the copy is complete at once."""
    week = week_of_backups(blocks=32, days=3, change_rate=0.0, copy_rate=4)
    assert [(d.quickopc_copied, d.quickopc_ticks) for d in week.days[1:]] == [(0, 0), (0, 0)]


def test_same_seed_same_week():
    """The workload is seeded: the same seed gives the same week, another seed another."""
    assert week_of_backups(seed=5) == week_of_backups(seed=5)
    assert week_of_backups(seed=5).days != week_of_backups(seed=6).days


def test_table_reports_totals():
    """The text table has a row per day and the week's totals with QuickOPC's share."""
    week = week_of_backups(blocks=64, days=3, change_rate=0.25, copy_rate=8, seed=7)
    text = week.table()
    lines = text.splitlines()
    assert lines[1].split()[:4] == ["day", "writes", "changed", "OPC"]
    assert len(lines) == 2 + 3 + 1
    share = round(100 * week.quickopc_total / week.opc_total)
    assert lines[-1] == (f"week: OPC copied {week.opc_total} blocks, QuickOPC "
                         f"{week.quickopc_total} ({share}% of OPC)")
    assert week.opc_total == 3 * 64


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"change_rate": 1.5}, "change_rate must be between 0 and 1"),
    ({"days": 0}, "days must be a whole number"),
    ({"blocks": 0}, "blocks must be a whole number"),
    ({"copy_rate": 0}, "copy_rate must be a whole number"),
])
def test_bad_parameters_are_refused(kwargs, match):
    """A parameter out of range is a kit ArgumentError naming it."""
    with pytest.raises(ArgumentError, match=match):
        week_of_backups(**kwargs)


def test_plot_draws_both_strategies():
    """The plot has one bar series per strategy, labelled, one bar per day."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    week = week_of_backups(blocks=32, days=4, seed=8)
    ax = week.plot()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["OPC (full copy each day)", "QuickOPC (start -diff)"]
    assert [len(c) for c in ax.containers] == [4, 4]
    heights = [round(bar.get_height()) for bar in ax.containers[1]]
    assert heights == [d.quickopc_copied for d in week.days]
