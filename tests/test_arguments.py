"""Bad input raises the kit's own clear error, names what was wrong and changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from qopc_kit import ArgumentError, DiskArray, HistoryError, NotFoundError, QuickOPCError

BAD_BLOCKS = [
    (8, "block 8 is out of range"),
    (-1, "negative block number -1"),
    (1.0, "not float"),
    (True, "not the bool"),
    ([1, 2.5], "must be integers"),
    (np.zeros(7, dtype=bool), "mask must have 8 entries"),
    (slice(2, 9), "go past the last block"),
    (slice(-2, None), "negative block numbers"),
    (slice(0, 4, 0), "step must be positive"),
    ("3", "not str"),
    ([[1, 2]], "one-dimensional"),
]


@pytest.mark.parametrize(("blocks", "message"), BAD_BLOCKS)
def test_bad_blocks_are_refused_by_name(lesson, fingerprint, blocks, message):
    """Out-of-range, negative, float, bool, wrong-length or malformed blocks: ArgumentError."""
    array, src, dst, pair = lesson
    pair.start()
    before = fingerprint(array)
    for call in (lambda: src.write(blocks, 1), lambda: dst.read(blocks)):
        with pytest.raises(ArgumentError, match=message):
            call()
    assert fingerprint(array) == before


BAD_DATA = [
    (b"abc", r"got 3 bytes for 2 block\(s\) of 1 byte\(s\); give 1 or 2 bytes"),
    (256, "0 to 255"),
    (-1, "0 to 255"),
    (1.5, "not float"),
    (None, "not NoneType"),
    (np.ones((3, 2), dtype=np.uint8), r"shape \(3, 2\) does not fit"),
    (np.array([0.5]), "integers from 0 to 255"),
    ("é", "ASCII"),
]


@pytest.mark.parametrize(("data", "message"), BAD_DATA)
def test_bad_data_is_refused_by_name(lesson, fingerprint, data, message):
    """Data of the wrong length, shape, type or range: ArgumentError naming it."""
    array, src, dst, pair = lesson
    pair.start()
    before = fingerprint(array)
    with pytest.raises(ArgumentError, match=message):
        src.write([0, 1], data)
    assert fingerprint(array) == before


def test_accepted_block_and_data_forms(lesson):
    """Blocks: int, slice, ints, bool mask; data: fill byte, one block, every block, arrays."""
    array, src, dst, pair = lesson
    src.write(np.arange(8) % 2 == 1, "z")
    assert src.data.tobytes() == b"AzCzEzGz"
    src.write([0, 2], b"xy")
    src.write(slice(4, 8, 2), np.array([[1], [2]]))
    src.write(np.int64(6), 77)
    assert src.data.tobytes() == b"xzyz\x01z\x4dz"
    wide = DiskArray("ET002").add_volume(1, blocks=2, block_size=3)
    wide.write(0, "abc")
    wide.write(1, "q")
    assert wide.data.tobytes() == b"abcqqq"


def test_repeated_blocks_in_one_write_keep_the_last_value(lesson):
    """A write naming a block twice leaves the last value, after one copy-before-write."""
    array, src, dst, pair = lesson
    pair.start()
    src.write([3, 3, 3], "xyz")
    assert src.data.tobytes()[3:4] == b"z"
    assert dst.data.tobytes()[3:4] == b"D"
    assert pair.rest_blocks == 7


def test_unknown_and_foreign_volumes_are_refused():
    """A volume the array does not have, or one of another array, is refused by name."""
    one, two = DiskArray("ET001"), DiskArray("ET002")
    a = one.add_volume(1, blocks=4)
    b = two.add_volume(2, blocks=4)
    with pytest.raises(NotFoundError, match="no volume 0x9 in ET001"):
        one.volume(9)
    with pytest.raises(ArgumentError, match="belongs to array ET002, not ET001"):
        one.add_copy_group("G", [(a, b)])
    with pytest.raises(ArgumentError, match="belongs to array ET002"):
        one.volume("ET002/0x2")
    with pytest.raises(NotFoundError):
        one.pair("ET001/0x1:ET001/0x2")
    with pytest.raises(NotFoundError, match="no copy group 'X'"):
        one.group("X")


def test_bad_set_up_arguments_are_refused():
    """Set-up checks its arguments: sizes, names, duplicates, pair spelling, rates."""
    array = DiskArray("ET001")
    a = array.add_volume(1, blocks=4)
    cases = [
        (lambda: array.add_volume(1, blocks=4), "already exists"),
        (lambda: array.add_volume(2, blocks=0), "blocks must be a whole number >= 1"),
        (lambda: array.add_volume(2, blocks=4, block_size=2.0), "block_size"),
        (lambda: array.add_volume(-2, blocks=4), "volume number"),
        (lambda: array.add_volume(2**40 + 1, blocks=4), "from 0 to 0x10000000000"),
        (lambda: array.add_copy_group("G", ["ET001/0x1"]), "source:destination"),
        (lambda: array.add_copy_group("two words", [(a, a)]), "one word"),
        (lambda: array.add_copy_group("G", [(a, a), (a, a)]), "twice"),
        (lambda: setattr(array, "copy_rate", 0), "copy_rate must be"),
        (lambda: array.tick(-1), "n must be"),
        (lambda: DiskArray("ET 1"), "array name"),
    ]
    for call, message in cases:
        with pytest.raises(ArgumentError, match=message):
            call()


def test_start_takes_one_mode(lesson):
    """start with two of -diff, -auto, -r is refused."""
    array, src, dst, pair = lesson
    with pytest.raises(ArgumentError, match="one of -diff, -auto, -r"):
        pair.start(diff=True, auto=True)


def test_errors_share_one_base():
    """Every kit error is a QuickOPCError."""
    assert issubclass(ArgumentError, QuickOPCError) and issubclass(HistoryError, QuickOPCError)


def test_huge_block_numbers_are_out_of_range_not_overflow(lesson):
    """Block numbers too big for numpy still get the kit's range error."""
    array, src, dst, pair = lesson
    with pytest.raises(ArgumentError, match="out of range"):
        src.write([1, 2**70], 0)


@pytest.mark.parametrize(("blocks", "message"), [
    ([True, 2], "not bools"),
    ([np.True_, 1], "not bools"),
    (1j, "not complex"),
    ((n for n in range(2)), "not generator"),
])
def test_blocks_numpy_would_misread_are_refused(lesson, fingerprint, blocks, message):
    """A bool among block numbers, a complex or a generator is refused, not reinterpreted."""
    array, src, dst, pair = lesson
    before = fingerprint(array)
    with pytest.raises(ArgumentError, match=message):
        src.write(blocks, 7)
    assert fingerprint(array) == before


def test_a_negative_volume_number_is_named_as_given():
    """volume(-1) says there is no volume -1, not 'no volume 0x-1'."""
    array = DiskArray("ET001")
    with pytest.raises(NotFoundError, match="no volume -1 in ET001: volume numbers are 0 or more"):
        array.volume(-1)


def test_pairs_added_to_a_group_are_checked_and_rewound(fingerprint):
    """add_pair refuses a duplicate or unknown volume unchanged; rewind removes a pair added."""
    array = DiskArray("ET001")
    a, b, c = (array.add_volume(n, blocks=2) for n in (1, 2, 3))
    group = array.add_copy_group("G")
    with pytest.raises(NotFoundError, match="cannot start copy group G: it has no pairs"):
        group.start()
    first = group.add_pair(a, b)
    mark = len(array.history) - 1
    before = fingerprint(array)
    for bad in ((a, b), ("ET001/0x1:ET001/0x2",), (a, 9), ("0x1",)):
        with pytest.raises(QuickOPCError):
            group.add_pair(*bad)
        assert fingerprint(array) == before
    second = group.add_pair("0x1:0x3")
    assert group.pairs == (first, second) and array.history[-1].action == "add_pair"
    array.rewind(mark)
    assert group.pairs == (first,) and second.name not in array.pairs


def test_an_array_like_without_iteration_is_read_as_numpy_reads_it(lesson):
    """An object that only has __array__ is accepted as block numbers."""
    array, src, dst, pair = lesson

    class Numbers:
        def __array__(self, dtype=None, copy=None):
            return np.array([0, 1])

    assert src.read(Numbers())[:, 0].tobytes() == b"AB"


def test_a_volume_too_large_to_simulate_is_refused():
    """add_volume refuses more than MAX_VOLUME_BYTES, naming the volume and its size."""
    from qopc_kit.engine.array import MAX_VOLUME_BYTES

    array = DiskArray("ET001")
    with pytest.raises(ArgumentError, match=r"volume 0x1: 25275995877 blocks of 1 byte"):
        array.add_volume(1, 25_275_995_877)
    with pytest.raises(ArgumentError, match="GiB"):
        array.add_volume(2, MAX_VOLUME_BYTES // 512 + 1, block_size=512)
    assert not array.volumes and len(array.history) == 1
