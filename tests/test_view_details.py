"""Details of the views and exports that a reader relies on, each checked by its own rule."""

from __future__ import annotations

import re

from qopc_kit import DiskArray, Step
from qopc_kit.dashboard.text import log_html
from qopc_kit.script import run_script, to_script
from qopc_kit.views.strip import summary_strip_text
from qopc_kit.views.timeline import timeline_html, timeline_rows


def _lab(blocks: int = 4) -> tuple[DiskArray, object]:
    array = DiskArray("ET001")
    src, dst = array.add_volume(1, blocks=blocks), array.add_volume(6, blocks=blocks)
    pair = array.add_copy_group("CG1", pairs=[(src, dst)]).pairs[0]
    return array, pair


def test_timeline_chips_show_each_state_in_short():
    """A timeline chip shows the state's short text (C/T, T, ERR) and its full name."""
    array, pair = _lab()
    pair.start()
    array.run()
    array.fail("0x1")
    page = timeline_html(array)
    chips = re.findall(r'<span class="qopc-chip qopc-chip-(\w+)" title="([^"]+)">([^<]+)</span>',
                       page)
    assert ("COPYING_TRACKING", "Copying/Tracking", "C/T") in chips
    assert ("TRACKING", "Tracking", "T") in chips
    assert ("ERROR_SUSPEND", "Error suspend", "ERR") in chips
    assert ("NO_SESSION", "No session", "-") in chips


def test_event_log_keeps_the_last_steps_and_counts_the_others():
    """The event log numbers steps after ``first`` from 1, shows its last ``keep`` and says
    how many earlier ones it hides."""
    array, _ = _lab()
    first = len(array.history) - 1
    for _ in range(12):
        array.tick()
    page = log_html(timeline_rows(array), first, keep=5)
    numbers = [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", page)]
    assert numbers == list(range(8, 13))
    assert "7 earlier step(s)" in page and "set-up" in page
    assert "earlier step" not in log_html(timeline_rows(array), first, keep=12)

def test_step_text_shortens_long_data_and_lists():
    """A step's text shows data up to 16 bytes and lists up to 8 items; longer ones are
    counted."""
    def text(args: dict) -> str:
        return str(Step(3, "write", "ET001/0x1", args))
    assert text({"data": b"x" * 16}) == f"3: write ET001/0x1 data={b'x' * 16!r}"
    assert text({"data": b"x" * 17}) == "3: write ET001/0x1 data=<17 bytes>"
    assert text({"blocks": list(range(8))}) == f"3: write ET001/0x1 blocks={list(range(8))}"
    assert text({"blocks": list(range(9))}) == "3: write ET001/0x1 blocks=[9 items]"


def test_summary_strip_names_an_unusable_source():
    """After a cancelled reverse OPC, the summary strip says the source is UNUSABLE."""
    array, pair = _lab(blocks=8)
    pair.start()
    array.run()
    pair.destination.write(slice(0, 8), "R")  # something for the restore to copy back
    array.copy_rate = 1
    pair.start(reverse=True)
    pair.cancel(reverse=True)  # before the restore copied anything
    assert not pair.source.usable
    header = summary_strip_text(pair).splitlines()[0]
    assert "ET001/0x1 UNUSABLE" in header
    assert "ET001/0x6 UNUSABLE" not in header


def test_exported_scripts_write_the_shortest_data_word():
    """to_script writes a fill as one byte and a repeated block once, and replays exactly."""
    array = DiskArray("ET001")
    volume = array.add_volume(1, blocks=4, block_size=2)
    volume.write(slice(0, 4), "Z")           # one byte fills every block
    volume.write(slice(0, 2), b"ab")         # one block's worth, repeated
    volume.write(slice(2, 4), b"abcd")       # two different blocks
    volume.write(0, bytes([0, 255]))         # not printable: hex
    lines = [line for line in to_script(array).splitlines() if line.startswith("write")]
    assert lines == ["write ET001/0x1 0-3 Z", "write ET001/0x1 0-1 ab",
                     "write ET001/0x1 2-3 abcd", "write ET001/0x1 0 hex:00ff"]
    replayed = run_script(to_script(array)).array
    assert replayed.volume(1).data.tobytes() == volume.data.tobytes()


def test_a_strip_record_is_a_snapshot():
    """A strip captured at one step still draws that step after the array moves on."""
    from qopc_kit.views.strip import capture_strip, summary_strip_text

    array, pair = _lab(blocks=300)
    pair.start()
    record = capture_strip(pair, 16)
    before = summary_strip_text(record)
    array.run()
    assert summary_strip_text(record) == before
    assert summary_strip_text(pair, 16) != before
    assert not record.fractions["queued"].flags.writeable
