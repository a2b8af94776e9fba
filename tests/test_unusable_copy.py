"""A start from an unusable source: it runs, warns, and the copy is shown as carrying an
unusable image (engine, shell, views, dashboard)."""

from __future__ import annotations

import warnings

import pytest

import qopc_kit
from qopc_kit import DiskArray, QuickOPCError, UnusableVolumeWarning
from qopc_kit.script import run_script
from qopc_kit.views.blockmap import block_map_html, capture, record_text
from qopc_kit.views.display import repr_html
from qopc_kit.views.strip import summary_strip_text


@pytest.fixture
def half_restored():
    """0x1 backed up to 0x6, damaged, then a restore cancelled after one of 3 blocks."""
    array = DiskArray("ET001")
    src, dst = array.add_volume(1, blocks=4), array.add_volume(6, blocks=4)
    src.write(slice(None), "ABCD")
    pair = array.add_copy_group("CG1", [(src, dst)]).pairs[0]
    pair.start()
    array.run()
    src.write(slice(0, 3), "xyz")
    pair.start(reverse=True)
    array.tick()
    pair.cancel(reverse=True)
    return array, src, dst, pair


@pytest.mark.parametrize("mode", ["full", "diff", "auto"])
def test_a_start_from_an_unusable_source_runs_and_warns(half_restored, mode):
    """start, -diff and -auto run as the array would; the warning names volume and blocks."""
    array, src, dst, pair = half_restored
    assert not src.usable and dst.usable and array.carried_unusable(dst) is None
    if mode == "full":
        pair.cancel()
    with pytest.warns(UnusableVolumeWarning) as caught:
        pair.start(diff=mode == "diff", auto=mode == "auto")
    assert len(caught) == 1
    text = str(caught[0].message)
    assert "ET001/0x1 was unusable (block(s) 1-2 never restored)" in text
    assert "ET001/0x6 now carries that unusable image" in text and text.endswith("[M]")
    assert caught[0].filename == __file__  # points at the caller's line
    array.run()
    assert (dst.image() == src.image()).all()  # the half-restored image was copied
    assert array.carried_unusable(dst) == (
        "ET001/0x6 carries an unusable image: a copy of ET001/0x1 taken while ET001/0x1 "
        "was unusable (block(s) 1-2 never restored)")


def test_a_refused_start_does_not_warn_and_a_good_source_clears_the_mark(half_restored):
    """A refusal changes nothing and says nothing more; a start from a good image clears it."""
    array, src, dst, pair = half_restored
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnusableVolumeWarning)
        with pytest.raises(QuickOPCError):
            pair.start()  # a session exists: refused before anything is copied
    with pytest.warns(UnusableVolumeWarning):
        pair.start(diff=True)
    marked = len(array.history) - 1
    assert array.at(marked).carried_unusable(array.at(marked).volume(6)) is not None
    assert array.at(marked - 1).carried_unusable(array.at(marked - 1).volume(6)) is None
    array.run()
    pair.cancel()
    fresh = array.add_volume(2, blocks=4)
    fresh.write(slice(None), "GOOD")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnusableVolumeWarning)
        array.add_copy_group("CG2", [(fresh, dst)]).start()
    assert array.carried_unusable(dst) is None  # its last copy came from a good image
    array.rewind(marked)
    assert array.carried_unusable(dst) is not None
    array.rewind(marked - 1)  # back before the warned start: nothing is marked
    assert array.carried_unusable(dst) is None


def test_a_restore_from_a_copy_that_carries_an_unusable_image_spreads_the_mark(half_restored):
    """start -r from a destination that carries an unusable image: the source carries it."""
    array, src, dst, pair = half_restored
    with pytest.warns(UnusableVolumeWarning):
        pair.start(auto=True)
    array.run()
    with pytest.warns(UnusableVolumeWarning, match="ET001/0x6 carried an unusable image"):
        pair.start(reverse=True)
    assert src.usable  # the restore ended the half-restored state ...
    assert array.carried_unusable(src).startswith(  # ... but not the bad image
        "ET001/0x1 carries an unusable image: a copy of ET001/0x6")


def test_the_shell_query_views_and_dashboard_say_the_copy_is_unusable(half_restored):
    """The start prints a WARNING line; query, block maps, repr and dashboard flag the copy."""
    array, src, dst, pair = half_restored
    output = array.acopc("start -g CG1 -auto")
    assert "WARNING: start -auto copied ET001/0x1 to ET001/0x6 while ET001/0x1 was unusable" in (
        output)
    query = array.acopc("query -g CG1")
    assert ("# ET001/0x6 carries an unusable image: a copy of ET001/0x1 taken while ET001/0x1 "
            "was unusable (block(s) 1-2 never restored) [M]") in query.splitlines()
    assert "ET001/0x6 CARRIES AN UNUSABLE IMAGE [M]" in record_text(capture(pair))
    assert "ET001/0x6 CARRIES AN UNUSABLE IMAGE [M]" in summary_strip_text(pair)
    assert "CARRIES AN UNUSABLE IMAGE [M]" in block_map_html(pair)
    assert "ET001/0x6 carries an unusable image" in repr_html(dst)
    assert "carries an unusable image [M]" in repr_html(array)
    dash = qopc_kit.dashboard(array)
    assert "ET001/0x6 carries an unusable image" in dash.state_html.value
    assert "qopc-warn" in dash.state_html.value


def test_without_an_unusable_source_nothing_is_flagged(half_restored):
    """The safe recovery: start -r from the intact destination warns about nothing."""
    array, src, dst, pair = half_restored
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnusableVolumeWarning)
        pair.start(reverse=True)
        array.run()
    assert src.usable and (src.image() == dst.image()).all()
    assert array.carried_unusable(src) is None and array.carried_unusable(dst) is None
    assert "carries" not in array.acopc("query -g CG1")


def test_scenario_17_shows_the_unsafe_copy_and_the_safe_recovery():
    """The transcript warns at the unsafe start and shows the start -r recovery before it."""
    from qopc_kit.scenarios import load
    scenario = load("17_reverse_rules")
    text = run_script(scenario.text).text
    assert text == scenario.golden
    assert "# The safe recovery: a new start -r from the intact destination 0x6." in text
    assert text.count("WARNING: start") == 2
    assert "# ET001/0x6 carries an unusable image" in text


def test_the_dashboard_start_button_shows_the_warning(half_restored):
    """Auto on a half-restored source runs, and the panel's message is a warning naming it."""
    array, src, dst, pair = half_restored
    dash = qopc_kit.dashboard(array)
    dash.buttons["Auto"].click()
    assert "qopc-msg-warning" in dash.message.value
    assert "ET001/0x1 was unusable (block(s) 1-2 never restored)" in dash.message.value
    assert "ET001/0x6 carries an unusable image" in dash.state_html.value
