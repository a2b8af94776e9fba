"""Random and malformed arguments to the engine raise only the kit's errors, and a refused
call changes nothing."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qopc_kit import DiskArray, QuickOPCError

anything = st.one_of(
    st.none(), st.booleans(), st.integers(-2**66, 2**66), st.floats(allow_nan=True),
    st.text(max_size=12), st.binary(max_size=12),
    st.lists(st.integers(-3, 20), max_size=10),
    st.lists(st.booleans(), max_size=10),
    st.lists(st.floats(-2, 20), max_size=4),
    st.builds(slice, st.integers(-3, 12) | st.none(), st.integers(-3, 12) | st.none(),
              st.integers(-2, 3) | st.none()),
    st.builds(lambda n, k: np.arange(n).reshape(-1, 1) % k, st.integers(0, 10), st.integers(1, 300)),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


def build():
    array = DiskArray("ET001", copy_rate=2)
    src = array.add_volume(1, blocks=8)
    dst = array.add_volume(6, blocks=8)
    src.write(slice(None), "ABCDEFGH")
    pair = array.add_copy_group("CG1", [(src, dst)]).pairs[0]
    pair.start()
    return array, src, dst, pair


@settings(max_examples=400, deadline=None)
@given(call=st.sampled_from(["write", "read", "image", "tick", "rate", "volume", "group",
                             "pair", "fail", "rewind", "add_volume", "add_copy_group"]),
       first=anything, second=anything)
def test_any_argument_gives_a_kit_error_or_works(call, first, second):
    """Whatever the arguments, a call succeeds or raises a QuickOPCError and changes nothing."""
    from conftest import array_fingerprint

    array, src, dst, pair = build()
    before = array_fingerprint(array)
    actions = {
        "write": lambda: dst.write(first, second),
        "read": lambda: dst.read(first),
        "image": lambda: dst.image(first),
        "tick": lambda: array.tick(first),
        "rate": lambda: setattr(array, "copy_rate", first),
        "volume": lambda: array.volume(first),
        "group": lambda: array.group(first),
        "pair": lambda: array.pair(first),
        "fail": lambda: array.fail(first),
        "rewind": lambda: array.rewind(first),
        "add_volume": lambda: array.add_volume(first, second),
        "add_copy_group": lambda: array.add_copy_group(first, second),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            actions[call]()
        except QuickOPCError as error:
            assert str(error)
            assert array_fingerprint(array) == before
