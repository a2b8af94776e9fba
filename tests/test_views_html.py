"""Rich display and the history timeline: deterministic, scoped, readable without styles."""

from __future__ import annotations

import re
from itertools import accumulate

from qopc_kit import DiskArray
from qopc_kit.views.display import repr_html
from qopc_kit.views.theme import CSS
from qopc_kit.views.timeline import timeline_html, timeline_text


def _script() -> DiskArray:
    array = DiskArray("ET001", copy_rate=2)
    src = array.add_volume(0x1, blocks=8)
    dst = array.add_volume(0x6, blocks=8)
    src.write(slice(None), "ABCDEFGH")
    pair = array.add_copy_group("CG1", pairs=[(src, dst)]).pairs[0]
    pair.start()
    src.write(1, "x")
    array.tick(2)
    array.run()
    dst.write(2, "Z")
    pair.start(diff=True)
    array.copy_rate = 4
    array.fail(dst)
    return array


def _objects(array: DiskArray) -> list:
    pair = array.pair("ET001/0x1:ET001/0x6")
    return [array.volume(0x1), array.volume(0x6), pair, array.group("CG1"), array]


def test_every_engine_object_displays_itself():
    """Volume, CopyPair, CopyGroup and DiskArray: _repr_html_ starts with their plain repr."""
    array = _script()
    for obj in _objects(array):
        page = obj._repr_html_()
        assert page == repr_html(obj)
        assert page.startswith('<div class="qopc-view qopc-repr')
        plain = re.sub(r"<[^>]+>", "", page.split("</style>", 1)[1])
        assert repr(obj) in plain.replace("&lt;", "<").replace("&gt;", ">")


def test_display_is_deterministic_and_has_no_ids():
    """The same history gives the same HTML on two arrays; no id attribute can clash."""
    first = [repr_html(o) for o in _objects(_script())]
    second = [repr_html(o) for o in _objects(_script())]
    assert first == second
    for page in first:
        assert " id=" not in page


def test_css_is_scoped_to_kit_classes():
    """Every selector in the style sheet names a qopc- class, so a notebook is untouched."""
    for rule in re.findall(r"([^{}]+)\{[^{}]*\}", CSS):
        for selector in rule.split(","):
            assert "qopc-" in selector, selector


def test_css_uses_theme_variables_with_fallbacks():
    """Colours come from JupyterLab variables, each with a fallback for static renders."""
    variables = re.findall(r"var\((--jp-[\w-]+)([^)]*)\)", CSS)
    assert variables
    assert all(rest.startswith(",") for _, rest in variables)


def test_pair_display_has_query_diagram_and_block_map():
    """A pair shows its acopc query row, the highlighted diagram and its block map."""
    array = _script()
    page = repr_html(array.pair("ET001/0x1:ET001/0x6"))
    assert "OPC Error Suspend" in page
    assert 'qopc-current" data-state="ERROR_SUSPEND"' in page
    assert 'class="qopc-view qopc-blockmap"' in page


def test_unusable_volume_says_so():
    """A volume left incomplete by a cancel is shown UNUSABLE with its missing blocks."""
    array = DiskArray("ET001")
    src, dst = array.add_volume(1, blocks=4), array.add_volume(2, blocks=4)
    pair = array.add_copy_group("G", pairs=[(src, dst)]).pairs[0]
    pair.start()
    array.tick(1)
    pair.cancel()
    page = repr_html(dst)
    assert "UNUSABLE" in page
    marked = re.findall(r'data-block="(\d+)" aria-label="[^"]*; never copied"', page)
    assert [int(b) for b in marked] == [int(b) for b in dst.missing.nonzero()[0]]


def test_timeline_text_lists_every_step():
    """One line per step with the clock, the words and the state changes."""
    array = _script()
    text = timeline_text(array)
    lines = text.splitlines()
    assert len(lines) == 1 + len(array.history) + 1
    assert any("acopc start -p ET001/0x1:ET001/0x6 -diff" in line
               and "Tracking -> Copying/Tracking" in line for line in lines)
    tick_lines = [line for line in lines if "copier runs" in line]
    clocks = [int(line.split()[1]) for line in tick_lines]
    ticks = [step.args["n"] for step in array.history if step.action == "tick"]
    assert clocks == list(accumulate(ticks)) and ticks[0] == 2
    assert lines[-1].startswith("now: ET001/0x1:ET001/0x6 Error suspend")


def test_timeline_html_has_a_row_per_step_and_state_chips():
    """The table has one row per step; each pair's state after it is shown as a chip."""
    array = _script()
    page = timeline_html(array)
    assert len(re.findall(r"<tr class=\"qopc-", page)) == len(array.history)
    last = page[page.rindex('<tr class="qopc-'):]
    assert 'qopc-chip-ERROR_SUSPEND' in last
    assert 'class="qopc-fault"' in last


def test_timeline_caps_long_histories():
    """Past MAX_STEPS steps, the earliest are counted, not drawn."""
    from qopc_kit.views.timeline import MAX_STEPS

    array = DiskArray("ET001")
    volume = array.add_volume(1, blocks=2)
    for _ in range(MAX_STEPS + 5):
        volume.write(0, "a")
    hidden = len(array.history) - MAX_STEPS
    assert f"({hidden} earlier steps not shown)" in timeline_text(array)
    assert f"{hidden} earlier steps not shown" in timeline_html(array)


def test_names_are_escaped():
    """An array named with HTML symbols shows them as text, never as markup."""
    array = DiskArray("<b>")
    src, dst = array.add_volume(1, blocks=2), array.add_volume(2, blocks=2)
    pair = array.add_copy_group("G", pairs=[(src, dst)]).pairs[0]
    for obj in (src, pair, array):
        page = repr_html(obj)
        assert "<b>" not in page and "&lt;b&gt;/0x1" in page


def test_timeline_shows_progress_a_step_records():
    """Where a step records progress (pair, copy, copied, rest), its row shows a bar."""
    from dataclasses import replace
    from types import SimpleNamespace

    from qopc_kit import Copy

    array = _script()
    steps = [replace(s, progress=(("ET001/0x1:ET001/0x6", Copy.QUICKOPC, s.number, 3),))
             for s in array.history]
    stand_in = SimpleNamespace(name=array.name, history=steps, pairs=array.pairs)
    page = timeline_html(stand_in)
    row = page[page.index('data-step="5"'):]
    row = row[:row.index("</tr>")]
    assert 'aria-label="copied 5 of 8"' in row


def test_pair_of_different_sizes_displays_both_volumes():
    """A pair whose source is shorter than its destination displays, each side its own size."""
    array = DiskArray("ET001")
    src, dst = array.add_volume(1, blocks=4), array.add_volume(9, blocks=8)
    pair = array.add_copy_group("BAD", pairs=[(src, dst)]).pairs[0]
    page = pair._repr_html_()
    assert page.count('data-volume="ET001/0x1"') == 4
    assert page.count('data-volume="ET001/0x9"') == 8
    assert "only on the destination" in page
