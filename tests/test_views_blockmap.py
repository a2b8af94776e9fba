"""Block maps: every mark in the text twin and the HTML, before/after, summary strips."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from qopc_kit import ArgumentError, DiskArray
from qopc_kit.views.blockmap import (
    MAX_CELLS,
    before_after_html,
    before_after_text,
    block_map_html,
    block_map_text,
    capture,
    content_labels,
)
from qopc_kit.views.marks import MARKS
from qopc_kit.views.strip import strip_fractions, summary_strip_html, summary_strip_text


def row(text: str, name: str) -> str:
    """The cells of one row of a text twin (first stanza), joined without spaces."""
    for line in text.splitlines():
        if line.split(" ", 1)[0] == name:
            return "".join(line[9:].split())
    raise AssertionError(f"no row {name!r} in\n{text}")


def bits(mask: np.ndarray) -> str:
    return "".join("1" if v else "0" for v in mask.tolist())


def test_text_twin_shows_content_and_queue(lesson):
    """src/dst rows show block letters; the queued row is the engine's queue."""
    array, src, dst, pair = lesson
    pair.start()
    array.tick(1)
    text = block_map_text(pair)
    assert row(text, "src") == "ABCDEFGH"
    assert row(text, "dst") == "AB......"  # the copier moved two blocks
    assert row(text, "queued") == bits(pair.queued) == "00111111"


def test_physical_and_logical_differ_while_queued(lesson):
    """The logical image shows the point-in-time data of queued blocks; physical does not."""
    array, src, dst, pair = lesson
    pair.start()
    assert row(block_map_text(pair), "dst") == "........"
    assert row(block_map_text(pair, logical=True), "dst") == "ABCDEFGH"
    assert "[logical image" in block_map_text(pair, logical=True)
    assert pair.rest_blocks == 8  # drawing the logical image copied nothing


def test_text_twin_tracking_and_copy_before_write(lesson):
    """A source write to a queued block: copied before write and source-tracked."""
    array, src, dst, pair = lesson
    pair.start()
    src.write(5, "x")
    dst.write(6, "y")
    text = block_map_text(pair)
    assert row(text, "cbw") == bits(pair.copied_before_write) == "00000100"
    assert row(text, "src-trk") == bits(pair.source_tracking) == "00000100"
    assert row(text, "dst-trk") == bits(pair.destination_tracking) == "00000010"
    assert row(text, "dst")[5:7] == "Fy"  # the old F was copied ahead; y is the host's


def test_text_twin_rolled_back(lesson):
    """A destination write then -diff: the block is marked rolled back."""
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    dst.write(2, "Z")
    pair.start(diff=True)
    text = block_map_text(pair, logical=True)
    assert row(text, "rolled") == bits(pair.rolled_back) == "00100000"
    assert row(text, "dst")[2] == "C"
    page = block_map_html(pair)  # physical: the discarded Z struck through, then the C
    assert '<s class="qopc-discarded">Z</s><span class="qopc-reads">\u2192C</span>' in page


def test_text_twin_never_copied(lesson):
    """Cancel in Copying/Tracking: missing blocks marked and the destination named UNUSABLE."""
    array, src, dst, pair = lesson
    pair.start()
    array.tick(1)
    pair.cancel()
    text = block_map_text(pair)
    assert row(text, "missing") == bits(dst.missing) == "00111111"
    assert "ET001/0x6 UNUSABLE" in text.splitlines()[0]


def test_text_twin_reverse_rows_appear_only_when_used(lesson):
    """The restore row appears while a reverse OPC has blocks queued."""
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    assert "restore" not in block_map_text(pair)
    dst.write(1, "Q")
    pair.start(reverse=True)
    text = block_map_text(pair)
    assert row(text, "restore") == bits(pair.reverse_session.queued) == "01000000"


def test_text_twin_wraps_long_volumes():
    """More blocks than a line holds: stanzas of 32 with aligned block numbers."""
    array = DiskArray("ET001")
    src, dst = array.add_volume(1, blocks=40), array.add_volume(2, blocks=40)
    pair = array.add_copy_group("G", pairs=[(src, dst)]).pairs[0]
    text = block_map_text(pair)
    blocks = [line for line in text.splitlines() if line.startswith("block")]
    assert len(blocks) == 2
    assert blocks[1].split()[1:3] == ["32", "33"]


def test_content_labels():
    """Zero is '.', a printable byte its letter, others hex; short text blocks their text."""
    image = np.array([[0, 0], [65, 65], [7, 7], [72, 105], [200, 1]], dtype=np.uint8)
    assert content_labels(image) == [".", "A", "07", "Hi", "c8…"]


def test_html_has_cells_aria_labels_and_legend(lesson):
    """One cell per block per side, each with data-volume, data-block and an aria-label;
    the legend explains every mark."""
    array, src, dst, pair = lesson
    pair.start()
    src.write(0, "x")
    page = block_map_html(pair)
    assert 'class="qopc-view qopc-blockmap"' in page
    cells = re.findall(r'<span class="qopc-cell[^"]*" role="listitem" data-volume="([^"]+)" '
                       r'data-block="(\d+)" aria-label="([^"]+)"', page)
    assert len(cells) == 16
    assert {v for v, _, _ in cells} == {src.name, dst.name}
    assert ("ET001/0x6", "0", "ET001/0x6 block 0: A; queued for physical copy"
            ) not in cells  # block 0 was copied before the write
    # A physical map also says what a host reads where it differs (queued: the source's B).
    assert ("ET001/0x6", "1", "ET001/0x6 block 1: empty (zeros), a host reads B; "
            "queued for physical copy") in cells
    legend = page[page.index('class="qopc-legend"'):]
    for mark in MARKS:
        if mark.always:
            assert mark.meaning in legend


def test_html_marks_each_cell_with_its_class(lesson):
    """Cells carry one class per mark the engine has on that block."""
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    dst.write(4, "W")
    pair.start(diff=True)
    page = block_map_html(pair)
    rolled = re.findall(r'qopc-rolled-back[^"]*" role="listitem" data-volume="([^"]+)" '
                        r'data-block="(\d+)"', page)
    assert rolled == [("ET001/0x6", "4")]


def test_before_after_shows_the_rollback(lesson):
    """Around a -diff: the destination write is gone after, marked rolled back and changed."""
    array, src, dst, pair = lesson
    pair.start()
    array.run()
    dst.write(3, "Z")
    before = capture(pair)
    pair.start(diff=True)
    after = capture(pair)
    text = before_after_text(before, after)
    steps = len(array.history) - 2, len(array.history) - 1
    assert text.startswith(f"before (step {steps[0]})\n")  # the two moments are named
    first, second = text.split(f"\n\nafter (step {steps[1]})\n")
    assert row(first, "dst") == "ABCZEFGH"
    assert row(second, "dst") == "ABCDEFGH"
    assert row(second, "rolled") == "00010000"
    assert row(second, "changed") == "00010000"
    page = before_after_html(before, after)
    assert "1 destination block changed" in page
    assert f"after (step {steps[1]}): " in page
    before_part, after_part = page.split('data-when="after"')
    cell = 'data-volume="ET001/0x6" data-block="3" aria-label="'
    assert f'{cell}ET001/0x6 block 3: Z; destination-tracked"' in before_part
    assert f'{cell}ET001/0x6 block 3: D; queued for physical copy; rolled back; changed"' \
        in after_part


def test_before_after_refuses_two_pairs(lesson):
    """Records of different pairs cannot be compared: a kit error says which."""
    array, src, dst, pair = lesson
    other = array.add_volume(0x9, blocks=8)
    spare = array.add_copy_group("CG2", pairs=[(src, other)]).pairs[0]
    with pytest.raises(ArgumentError, match="same pair"):
        before_after_html(capture(pair), capture(spare))


def test_capture_is_immutable(lesson):
    """A record keeps what it saw: later engine steps do not change it; arrays are read-only."""
    array, src, dst, pair = lesson
    pair.start()
    record = capture(pair)
    array.run()
    assert record.masks["queued"].all() and record.rest_blocks == 8
    with pytest.raises(ValueError):
        record.physical[1][0, 0] = 1
    with pytest.raises(TypeError):
        record.masks["queued"] = np.zeros(8, dtype=bool)


def _big_pair(blocks: int):
    array = DiskArray("ET001", copy_rate=1000)
    src, dst = array.add_volume(1, blocks=blocks), array.add_volume(2, blocks=blocks)
    pair = array.add_copy_group("G", pairs=[(src, dst)]).pairs[0]
    return array, src, dst, pair


def test_large_volumes_get_a_summary_strip():
    """Above MAX_CELLS blocks the map is a strip of bins, not one cell per block."""
    array, src, dst, pair = _big_pair(MAX_CELLS + 4)
    pair.start()
    array.tick(1)
    page = block_map_html(pair)
    assert 'class="qopc-cell' not in page and "qopc-summary" in page
    assert 'data-mark="queued"' in page
    assert block_map_text(pair) == summary_strip_text(pair)


def test_strip_fractions_match_a_simple_count():
    """Each bin's fraction equals a plain per-bin count, for sizes that do not divide evenly."""
    rng = np.random.default_rng(7)
    mask = rng.random(1000) < 0.3
    shares = strip_fractions({"m": mask}, 7)["m"]
    edges = [(i * 1000) // 7 for i in range(8)]
    expected = [mask[a:b].mean() for a, b in itertools.pairwise(edges)]
    assert np.allclose(shares, expected)


def test_summary_strip_text_grades_bins():
    """'.' no block, '#' every block, a digit the tenths in between."""
    array, src, dst, pair = _big_pair(8000)
    pair.start()
    array.tick(3)  # 3000 blocks copied: bins 0-2 empty of queued blocks
    text = summary_strip_text(pair, width=8)
    queued = next(line for line in text.splitlines() if line.startswith("queued"))
    assert queued.split()[1:] == ["...#####", "5000"]
    assert "8000 blocks in 8 bins of up to 1000" in text


def test_summary_strip_rejects_a_bad_width(lesson):
    """The strip width must be a whole number >= 1."""
    *_, pair = lesson
    with pytest.raises(ArgumentError, match="strip width"):
        summary_strip_html(pair, width=0)


def _uneven_pair(source_blocks: int, destination_blocks: int):
    """A pair whose volumes differ in size: a group accepts it, only its start is refused."""
    array = DiskArray("ET001")
    src = array.add_volume(1, blocks=source_blocks)
    dst = array.add_volume(9, blocks=destination_blocks)
    src.write(slice(None), "A")
    return array.add_copy_group("BAD", pairs=[(src, dst)]).pairs[0]


@pytest.mark.parametrize(("sizes", "longer", "mark"), [((4, 8), "ET001/0x9", "dst-only"),
                                                       ((8, 4), "ET001/0x1", "src-only")])
def test_volumes_of_different_sizes_are_drawn_with_their_own_sizes(sizes, longer, mark):
    """Each side has its own number of cells; the longer side's extra blocks are marked."""
    pair = _uneven_pair(*sizes)
    page = block_map_html(pair)
    cells = re.findall(r'data-volume="([^"]+)" data-block="(\d+)" aria-label="([^"]+)"', page)
    assert [v for v, _, _ in cells].count("ET001/0x1") == sizes[0]
    assert [v for v, _, _ in cells].count("ET001/0x9") == sizes[1]
    extra = [int(b) for v, b, label in cells if "only on the" in label]
    assert extra == [4, 5, 6, 7] and all(v == longer for v, _, said in cells if "only on" in said)
    assert "sizes differ: ET001/0x1" in page
    text = block_map_text(pair)
    assert row(text, "block") == "01234567"
    assert row(text, "src") == "A" * sizes[0]  # the shorter side's row is blank past its end
    assert row(text, mark) == "0000" + "1111"


@pytest.mark.parametrize("sizes", [(MAX_CELLS + 8, MAX_CELLS - 8), (MAX_CELLS - 8, MAX_CELLS + 8)])
def test_strips_of_volumes_of_different_sizes_span_the_larger(sizes):
    """The summary strip bins the larger volume; the other side's missing blocks show."""
    pair = _uneven_pair(*sizes)
    text = summary_strip_text(pair, width=4)
    assert f"{max(sizes)} blocks in 4 bins" in text
    only = next(line for line in text.splitlines() if line.startswith(("src-only", "dst-only")))
    assert only.split()[-1] == "16"
    page = block_map_html(pair)
    assert "qopc-summary" in page and "Traceback" not in page


def test_strip_fractions_refuse_masks_of_different_lengths():
    """One bin axis needs one length: a mismatch is an ArgumentError, not a wrong shade."""
    with pytest.raises(ArgumentError, match="one length"):
        strip_fractions({"a": np.zeros(4, dtype=bool), "b": np.zeros(8, dtype=bool)}, 2)
