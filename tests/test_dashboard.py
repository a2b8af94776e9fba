"""The dashboard, driven headless with .click() and .value as a student would in the browser."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from urllib.parse import unquote

import numpy as np
import pytest
from conftest import operations

import qopc_kit
from qopc_kit import ArgumentError, Copy, DiskArray, Event, State
from qopc_kit.dashboard import text as panel_text
from qopc_kit.dashboard.panel import Dashboard, dashboard
from qopc_kit.dashboard.parts import MAP_CELLS
from qopc_kit.dashboard.session_buttons import SESSION_COMMANDS
from qopc_kit.engine.states import allowed_events
from qopc_kit.scenarios import list_scenarios
from qopc_kit.scenarios import load as load_scenario
from qopc_kit.script import run_script

SESSION = list(SESSION_COMMANDS)
DOM_BUTTONS = ["Start", "Differential start", "Auto", "Reverse", "Cancel", "Cancel reverse",
               "Tick", "Run to end", "Write", "Read", "Fail", "Undo", "Reset", "Save", "Load",
               "Export page"]


def enabled(dash: Dashboard) -> set[str]:
    """Names of the session buttons that are available (the others are greyed, with a reason
    in their tooltip and in the panel's hover line)."""
    for name in SESSION:
        greyed = "qopc-unavailable" in dash.buttons[name]._dom_classes
        assert greyed == (name in dash.unavailable), name
        assert not dash.buttons[name].disabled  # greyed, never disabled: it keeps its click
        if greyed:
            assert dash.buttons[name].tooltip == f"Unavailable: {dash.unavailable[name]}"
            assert f"qopc-why-{name.lower().replace(' ', '-')}" in dash.why_html.value
    return {name for name in SESSION if name not in dash.unavailable}


def message(dash: Dashboard) -> tuple[str, str]:
    """The message's kind (ok, refused, warning, info) and its text without tags."""
    kind = re.search(r"qopc-msg-(\w+)", dash.message.value).group(1)
    return kind, html.unescape(re.sub(r"<[^>]+>", "", dash.message.value))


def write(dash: Dashboard, volume: str, blocks: tuple[int, int], value: str) -> None:
    """Pick a volume, blocks and a value, then press Write."""
    dash.volume_select.value = volume
    dash.selector.range.value = blocks
    dash.value_text.value = value
    dash.buttons["Write"].click()


def click_cell(dash: Dashboard, volume: str, block: int, shift: bool = False) -> None:
    """Click a block's cell in the map, as the widget's module does: it sets ``clicked``."""
    count = dash.blockmap_html.clicked.get("count", 0) + 1
    dash.blockmap_html.clicked = {"volume": volume, "block": block, "extend": shift,
                                  "count": count}


def test_dashboard_builds_the_lesson_array():
    """With no array, dashboard() builds ET001: 0x1 written A..P, 0x6 zeroed, CG1, rate 2."""
    dash = qopc_kit.dashboard()
    array = dash.array
    assert list(array.volumes) == ["ET001/0x1", "ET001/0x6"]
    assert array.volume(0x1).data[:, 0].tobytes() == b"ABCDEFGHIJKLMNOP"
    assert not array.volume(0x6).data.any()
    assert list(array.groups) == ["CG1"]
    assert array.copy_rate == 2
    assert dash.pair is array.pair("ET001/0x1:ET001/0x6")
    assert dash.array.history[dash.baseline].action == "add_copy_group"


def test_lesson_options_change_the_array():
    """blocks, block_size and copy_rate shape the lesson array; letters repeat after Z."""
    array = dashboard(blocks=30, block_size=4, copy_rate=3).array
    source = array.volume(0x1)
    assert (source.blocks, source.block_size, array.copy_rate) == (30, 4, 3)
    assert source.data[27].tobytes() == b"BBBB"


def test_bad_options_are_refused():
    """Unknown options, lesson options with an array, or a non-array raise ArgumentError."""
    with pytest.raises(ArgumentError, match="no option colour"):
        dashboard(colour="red")
    with pytest.raises(ArgumentError, match="drop blocks"):
        dashboard(DiskArray("ET002"), blocks=4)
    with pytest.raises(ArgumentError, match="needs a DiskArray"):
        dashboard("ET001")
    with pytest.raises(ArgumentError, match="blocks must be"):
        dashboard(blocks=0)


def test_dom_contract_classes_and_button_names():
    """The browser tests' hooks: CSS classes on the root and views, buttons' exact names."""
    dash = dashboard()
    assert "qopc-dashboard" in dash.root._dom_classes
    assert "qopc-state" in dash.state_html._dom_classes
    assert "qopc-diagram" in dash.diagram_box._dom_classes
    assert dash.diagram_html in dash.diagram_box.children
    assert "qopc-blockmap-box" in dash.blockmap_box._dom_classes
    assert dash.blockmap_html in dash.blockmap_box.children
    assert "qopc-message" in dash.message._dom_classes
    for name in DOM_BUTTONS:
        assert dash.buttons[name].description == name
    assert "qopc-current" in dash.diagram_html.value
    assert State.NO_SESSION.label in dash.state_html.value


def test_every_control_is_labelled():
    """Every button, slider, box and selector in the panel has a description for readers."""
    dash = dashboard()
    controls = [dash.pair_select, dash.volume_select, dash.fail_select, dash.value_text,
                dash.selector.range, dash.play, dash.speed, dash.rate,
                dash.step_slider, dash.script_text, dash.upload,
                dash.progress, *dash.buttons.values()]
    for control in controls:
        assert control.description, control


def test_session_buttons_follow_the_state_table():
    """No session: Start and Auto; Copying/Tracking: -diff, Auto, Cancel; Tracking adds Reverse."""
    dash = dashboard()
    assert enabled(dash) == {"Start", "Auto"}
    dash.buttons["Start"].click()
    assert dash.pair.state is State.COPYING_TRACKING
    assert enabled(dash) == {"Differential start", "Auto", "Cancel"}
    dash.buttons["Run to end"].click()
    assert dash.pair.state is State.TRACKING
    assert enabled(dash) == {"Differential start", "Auto", "Reverse", "Cancel"}
    write(dash, "ET001/0x1", (0, 15), "r")  # a restore with blocks to copy back
    dash.buttons["Reverse"].click()
    assert dash.pair.reverse_state is State.COPYING
    assert enabled(dash) == {"Cancel reverse"}  # a running restore blocks forward commands
    dash.fail_select.value = "ET001/0x1"
    dash.buttons["Fail"].click()
    assert dash.pair.state is State.ERROR_SUSPEND
    assert enabled(dash) == {"Cancel reverse"}
    dash.buttons["Cancel reverse"].click()
    assert enabled(dash) == {"Auto", "Cancel"}


def test_enabled_buttons_match_allowed_events_in_every_state():
    """Whatever the state, a session button is enabled exactly when the table has its event."""
    events = {"Start": Event.START, "Differential start": Event.START_DIFF,
              "Auto": Event.START_AUTO, "Cancel": Event.CANCEL}
    dash = dashboard()
    seen = set()
    for press in ["Start", "Run to end", "Fail", "Auto", "Cancel"]:
        allowed = allowed_events(Copy.QUICKOPC, dash.pair.state)
        expected = {name for name, event in events.items() if event in allowed}
        assert enabled(dash) - {"Reverse", "Cancel reverse"} == expected
        seen.add(dash.pair.state)
        dash.buttons[press].click()
    assert seen == {State.NO_SESSION, State.COPYING_TRACKING, State.TRACKING,
                    State.ERROR_SUSPEND}


@pytest.mark.parametrize("setup", [[], ["Start"], ["Start", "Run to end"]])
def test_a_disabled_button_still_asks_the_engine_and_changes_nothing(setup, fingerprint):
    """.click() on a disabled session button shows the engine's refusal; the array is unchanged."""
    dash = dashboard()
    for name in setup:
        dash.buttons[name].click()
    disabled = [name for name in SESSION if (name in dash.unavailable)]
    assert disabled
    for name in disabled:
        before = fingerprint(dash.array)
        dash.buttons[name].click()
        assert fingerprint(dash.array) == before, name
        kind, text = message(dash)
        assert kind == "refused", name
        assert "cannot" in text and "ET001/0x1:ET001/0x6" in text, text
        assert "Traceback" not in dash.message.value


def test_a_whole_lesson_through_the_panel():
    """Start, writes on both sides, ticks, -diff, cancel and undo, checked on engine and HTML."""
    dash = dashboard()
    pair, array = dash.pair, dash.array
    dash.buttons["Start"].click()
    assert "Copying/Tracking" in dash.state_html.value
    assert "Copied 0 / Rest 16" in dash.progress_html.value
    # A source write to a queued block: copy-before-write keeps the destination's image.
    write(dash, "ET001/0x1", (2, 2), "x")
    assert message(dash)[0] == "ok"
    assert array.volume(0x6).data[2].tobytes() == b"C"
    assert pair.source_tracking[2]
    # A destination write: the block leaves the queue and is destination-tracked.
    write(dash, "ET001/0x6", (5, 6), "0x7a")
    assert array.volume(0x6).data[5:7, 0].tobytes() == b"zz"
    assert pair.destination_tracking[5] and pair.destination_tracking[6]
    dash.buttons["Tick"].click()
    dash.buttons["Tick"].click()
    assert pair.copied_blocks == dash.progress.value == 7  # 3 by host I/O, 4 by the copier
    assert pair.rest_blocks == 9 and dash.progress.max == 16
    assert "Copied 7 / Rest 9" in dash.progress_html.value
    assert ">7<" in dash.query_html.value and ">9<" in dash.query_html.value
    dash.buttons["Run to end"].click()
    assert pair.state is State.TRACKING
    assert "Tracking" in dash.query_html.value and "Rest 0" in dash.progress_html.value
    # The differential start copies the source change and rolls back the destination's.
    dash.buttons["Differential start"].click()
    assert pair.state is State.COPYING_TRACKING
    assert pair.rest_blocks == 3
    dash.buttons["Cancel"].click()
    assert pair.state is State.NO_SESSION
    assert not array.volume(0x6).usable
    assert "No session" in dash.state_html.value
    assert enabled(dash) == {"Start", "Auto"}
    dash.buttons["Undo"].click()
    assert pair.state is State.COPYING_TRACKING and array.volume(0x6).usable
    assert "undid step" in message(dash)[1]
    assert "Copying/Tracking" in dash.state_html.value


def test_views_are_redrawn_from_the_model_by_refresh():
    """An engine call made outside the panel shows after refresh(): the panel keeps no copy."""
    dash = dashboard()
    dash.pair.start()
    dash.array.tick(3)
    assert "No session" in dash.state_html.value  # not redrawn yet
    dash.refresh()
    assert "Copying/Tracking" in dash.state_html.value
    assert "Copied 6 / Rest 10" in dash.progress_html.value
    assert dash.step_label(len(dash.array.history) - 1) in dash.title_html.value


def test_clicking_a_destination_cell_selects_that_volume_and_block():
    """A click on a block's cell chooses its volume and that block alone; Write then writes it."""
    dash = dashboard()
    steps = len(dash.array.history)
    click_cell(dash, "ET001/0x6", 7)
    assert dash.volume_select.value == "ET001/0x6"
    assert dash.selector.blocks == (7, 7) and dash.selector.range.value == (7, 7)
    assert dash.blockmap_html.selected == {"volume": "ET001/0x6", "first": 7, "last": 7}
    assert len(dash.array.history) == steps  # choosing a block is no step
    dash.value_text.value = "Q"
    dash.buttons["Write"].click()
    assert message(dash)[0] == "ok"
    assert dash.array.volume(0x6).data[:, 0].tobytes() == b"\0" * 7 + b"Q" + b"\0" * 8


def test_a_second_click_on_the_same_cell_selects_it_again():
    """The click counter makes a repeated click a change: it selects the block after the
    slider moved away."""
    dash = dashboard()
    click_cell(dash, "ET001/0x1", 3)
    dash.selector.range.value = (5, 9)
    assert dash.blockmap_html.selected == {"volume": "ET001/0x1", "first": 5, "last": 9}
    click_cell(dash, "ET001/0x1", 3)
    assert dash.selector.blocks == (3, 3)


def test_shift_click_selects_from_the_anchor():
    """Shift-click selects from the block last clicked alone; on another volume it selects
    that block alone."""
    dash = dashboard()
    click_cell(dash, "ET001/0x6", 3)
    click_cell(dash, "ET001/0x6", 7, shift=True)
    assert dash.selector.blocks == (3, 7)
    assert message(dash) == ("info", "Note: selected blocks 3-7 of ET001/0x6 for Write and Read")
    click_cell(dash, "ET001/0x6", 1, shift=True)
    assert dash.selector.blocks == (1, 3)
    dash.selector.range.value = (10, 12)  # the anchor no longer ends the range
    click_cell(dash, "ET001/0x6", 14, shift=True)
    assert dash.selector.blocks == (10, 14)
    click_cell(dash, "ET001/0x1", 9, shift=True)
    assert (dash.volume_select.value, dash.selector.blocks) == ("ET001/0x1", (9, 9))


def test_a_click_on_a_block_the_array_no_longer_has_is_refused(fingerprint):
    """A map out of date may offer a block that is gone: the click is refused, nothing changes."""
    dash = dashboard(blocks=4)
    before = fingerprint(dash.array)
    click_cell(dash, "ET001/0x6", 2)
    click_cell(dash, "ET001/0x6", 9)
    kind, text = message(dash)
    assert kind == "refused" and "cannot select block 9 of ET001/0x6" in text
    click_cell(dash, "ET001/0x9", 0)
    assert message(dash)[0] == "refused"
    assert dash.selector.blocks == (2, 2) and fingerprint(dash.array) == before
    dash.blockmap_html.clicked = {"volume": "ET001/0x6", "block": True, "count": 9}
    assert dash.selector.blocks == (2, 2)  # not a block number: ignored


def test_the_map_widget_draws_cells_that_report_clicks():
    """The map's module sets the traitlet Python reads; its cells look clickable, and every
    cell carries its volume and block."""
    dash = dashboard()
    widget = dash.blockmap_html
    assert "export default" in str(widget._esm) and 'model.set("clicked"' in str(widget._esm)
    for key in ("volume", "block", "extend", "count"):
        assert key in str(widget._esm)
    assert "cursor: pointer" in str(widget._css)
    for volume in ("ET001/0x1", "ET001/0x6"):
        for block in range(16):
            assert f'data-volume="{volume}" data-block="{block}"' in widget.value
    assert "click a block" in dash.map_hint.value and dash.map_hint.layout.display is None


def test_large_volumes_get_the_range_slider_only():
    """Above MAP_CELLS blocks the map is a strip with no cells to click; the slider spans the
    volume and the click hint is hidden."""
    dash = dashboard(blocks=MAP_CELLS + 1)
    assert "data-block=" not in dash.blockmap_html.value
    assert dash.map_hint.layout.display == "none"
    assert dash.selector.range.max == MAP_CELLS


def test_read_shows_the_logical_image_and_warns_on_an_unusable_volume():
    """Read shows what the host got; after a cancel during the copy it also warns, no traceback."""
    dash = dashboard()
    dash.buttons["Start"].click()
    dash.buttons["Cancel"].click()
    dash.volume_select.value = "ET001/0x6"
    dash.selector.range.value = (0, 3)
    dash.buttons["Read"].click()
    kind, text = message(dash)
    assert kind == "warning"
    assert "read ET001/0x6 blocks 0-3" in text and "is unusable" in text
    dash.buttons["Start"].click()
    dash.buttons["Read"].click()
    assert message(dash) == ("ok", f"Done: {dash.step_label(len(dash.array.history) - 1)}: "
                                   "read ET001/0x6 blocks 0-3: A B C D")


def test_bad_host_input_is_refused_and_changes_nothing(fingerprint):
    """An empty value or a byte above 255 gives the engine's own message; nothing changes."""
    dash = dashboard()
    before = fingerprint(dash.array)
    for value in ["", "300", "ABC"]:
        write(dash, "ET001/0x1", (0, 1), value)
        kind, text = message(dash)
        assert kind == "refused" and "write to ET001/0x1" in text, value
    assert fingerprint(dash.array) == before


def test_play_ticks_on_each_value_and_stops_when_the_copy_ends():
    """Each new Play value is one tick; at the end of the copy Play stops and ticks no more."""
    dash = dashboard(blocks=4)
    dash.buttons["Start"].click()
    dash.play.playing = True
    dash.play.value = 1
    assert dash.pair.rest_blocks == 2
    dash.play.value = 2
    assert dash.pair.state is State.TRACKING
    assert dash.play.playing is False
    steps = len(dash.array.history)
    dash.play.value = 3
    assert len(dash.array.history) == steps
    assert "Play stopped" in message(dash)[1]
    dash.play.value = 0  # Stop rewinds the counter: not a tick
    assert len(dash.array.history) == steps


def test_speed_sets_the_play_interval():
    """Ticks per second set Play's interval in milliseconds."""
    dash = dashboard()
    dash.speed.value = 4
    assert dash.play.interval == 250


def test_copy_rate_slider_sets_the_array_and_follows_undo():
    """The Copy rate slider is one engine call; after Undo it shows the model's rate again."""
    dash = dashboard()
    dash.rate.value = 5
    assert dash.array.copy_rate == 5
    assert dash.array.history[-1].action == "copy_rate"
    dash.buttons["Undo"].click()
    assert dash.array.copy_rate == 2 and dash.rate.value == 2
    assert dash.array.history[-1].action == "add_copy_group"


def test_step_slider_shows_a_step_in_place_and_go_back_rewinds():
    """Moving the Step slider changes nothing and marks the views "viewing step k"; Back to
    now returns; Go back to step drops the later steps. The student's first action is step 1."""
    dash = dashboard()
    first = len(dash.array.history)
    for name in ["Start", "Tick", "Tick"]:
        dash.buttons[name].click()
    assert dash.step_slider.value == dash.step_slider.max == 3
    assert dash.step_label(first) == "step 1" and dash.step_label(first - 1) == "set-up"
    dash.step_slider.value = 1
    assert len(dash.array.history) == first + 3
    assert dash.viewing_box.layout.display is None
    banner = html.unescape(dash.viewing_html.value)
    assert banner.startswith("Viewing step 1: acopc start -p ET001/0x1:ET001/0x6")
    assert "the array is still at step 3" in banner
    assert "Go back to step" not in dash.unavailable
    dash.buttons["Back to now"].click()
    assert dash.step_slider.value == 3 and dash.viewing_box.layout.display == "none"
    dash.step_slider.value = 1
    dash.buttons["Go back to step"].click()
    assert len(dash.array.history) == first + 1
    assert dash.pair.copied_blocks == 0 and dash.pair.state is State.COPYING_TRACKING
    assert "Go back to step" in dash.unavailable


def current_nodes(page: str) -> list[str]:
    """The states marked current in the diagrams of ``page``."""
    return re.findall(r'qopc-current" data-state="(\w+)"', page)


def test_step_slider_draws_the_earlier_step_in_the_main_views(fingerprint):
    """On an earlier step the diagram, state line and block map show the pair as it was then
    (from ``array.at``); the array stays; at the latest step they show now again."""
    dash = dashboard(blocks=4)
    dash.buttons["Start"].click()
    write(dash, "ET001/0x6", (0, 0), "Q")
    dash.buttons["Run to end"].click()
    now = fingerprint(dash.array)
    assert current_nodes(dash.diagram_html.value) == ["TRACKING"]
    dash.step_slider.value = 1
    then = dash.array.at(dash.baseline + 1).pairs[dash.pair.name]
    assert current_nodes(dash.diagram_html.value) == ["COPYING_TRACKING"]
    assert "Copying/Tracking" in dash.state_html.value
    assert dash.progress.value == then.copied_blocks == 0
    assert "ET001/0x6 block 0: Q" not in dash.blockmap_html.value
    assert fingerprint(dash.array) == now
    dash.step_slider.value = 3
    assert current_nodes(dash.diagram_html.value) == ["TRACKING"]
    assert "ET001/0x6 block 0: Q" in dash.blockmap_html.value
    assert dash.viewing_box.layout.display == "none"
    assert fingerprint(dash.array) == now


def test_an_earlier_step_of_a_big_pair_draws_its_summary_strip():
    """Above MAP_CELLS blocks the earlier step is drawn as the summary strip, as now is."""
    dash = dashboard(blocks=MAP_CELLS + 1)
    dash.buttons["Start"].click()
    dash.buttons["Tick"].click()
    dash.step_slider.value = 1
    assert "qopc-summary" in dash.blockmap_html.value
    assert current_nodes(dash.diagram_html.value) == ["COPYING_TRACKING"]
    dash.step_slider.value = 0  # the set-up: no session yet
    assert current_nodes(dash.diagram_html.value) == ["NO_SESSION"]
    assert html.unescape(dash.viewing_html.value).startswith("Viewing set-up")


def test_an_earlier_step_draws_the_selected_pair_or_says_it_did_not_exist():
    """The earlier step shows the pair chosen in the selector; before its group, it says so."""
    array = DiskArray("ET001")
    for number in (1, 6, 2, 7):
        array.add_volume(number, blocks=4)
    array.add_copy_group("CG1", pairs=[("0x1", "0x6")])
    dash = dashboard(array)
    array.add_copy_group("CG2", pairs=[("0x2", "0x7")])
    dash.refresh()
    dash.pair_select.value = "ET001/0x2:ET001/0x7"
    dash.buttons["Start"].click()
    dash.step_slider.value = 1
    assert 'data-pair="ET001/0x2:ET001/0x7"' in dash.blockmap_html.value
    assert current_nodes(dash.diagram_html.value) == ["NO_SESSION"]
    dash.step_slider.value = 0
    assert "no copy pair" in dash.state_html.value


def test_an_array_without_snapshots_shows_the_step_text_only(fingerprint):
    """Without a snapshot of the step the banner says why and the views stay at now."""
    array = DiskArray("ET001", snapshots=False)
    source = array.add_volume(1, blocks=4)
    array.add_copy_group("CG1", pairs=[(source, array.add_volume(6, blocks=4))])
    dash = dashboard(array)
    dash.buttons["Start"].click()
    dash.buttons["Tick"].click()
    now = fingerprint(array)
    dash.step_slider.value = 1
    banner = html.unescape(dash.viewing_html.value)
    assert banner.startswith("Viewing step 1: acopc start -p ET001/0x1:ET001/0x6")
    assert "its state was not kept" in banner and "the views show the latest step" in banner
    assert fingerprint(array) == now


def test_reset_and_undo_stop_at_the_end_of_the_set_up(fingerprint):
    """Reset returns to the lesson's start; Undo there is refused and changes nothing."""
    dash = dashboard()
    initial = fingerprint(dash.array)
    assert ("Undo" in dash.unavailable) and ("Reset" in dash.unavailable)
    dash.buttons["Start"].click()
    write(dash, "ET001/0x6", (0, 0), "Q")
    dash.buttons["Reset"].click()
    assert fingerprint(dash.array) == initial
    dash.buttons["Undo"].click()
    assert message(dash)[0] == "refused" and "nothing to undo" in message(dash)[1]
    assert fingerprint(dash.array) == initial
    assert dash.step_slider.min == 0 and dash.step_slider.max == 0


def test_fail_then_auto_recovers():
    """Fail puts the session in Error suspend; Auto cancels and starts a full copy."""
    dash = dashboard()
    dash.buttons["Start"].click()
    dash.fail_select.value = "ET001/0x6"
    dash.buttons["Fail"].click()
    assert dash.pair.state is State.ERROR_SUSPEND
    assert "Error suspend" in dash.state_html.value and "OPC Error Suspend" in dash.query_html.value
    dash.buttons["Auto"].click()
    assert dash.pair.state is State.COPYING_TRACKING and dash.pair.rest_blocks == 16


def test_reverse_shows_the_reverse_session():
    """A restore shows its own diagram, state line and query row until it ends."""
    dash = dashboard(blocks=4)
    dash.buttons["Start"].click()
    dash.buttons["Run to end"].click()
    write(dash, "ET001/0x1", (1, 1), "w")
    dash.buttons["Reverse"].click()
    assert dash.diagram_html.value.count("<svg") == 2
    assert "(reverse OPC): Copying" in dash.state_html.value
    assert "&lt;==" in dash.query_html.value
    dash.buttons["Run to end"].click()
    assert dash.pair.reverse_state is State.NO_SESSION
    assert dash.diagram_html.value.count("<svg") == 1
    assert dash.array.volume(0x1).data[1].tobytes() == b"B"


def test_several_pairs_get_a_selector():
    """With two pairs the Pair selector shows, and the buttons act on the chosen pair."""
    array = DiskArray("ET001")
    volumes = [array.add_volume(n, blocks=4) for n in (1, 2, 3)]
    array.add_copy_group("CG1", pairs=[(volumes[0], volumes[1]), (volumes[0], volumes[2])])
    dash = dashboard(array)
    assert dash.pair_select.layout.display is None
    assert dash.pair_select.options == ("ET001/0x1:ET001/0x2", "ET001/0x1:ET001/0x3")
    dash.pair_select.value = "ET001/0x1:ET001/0x3"
    dash.buttons["Start"].click()
    assert array.pair("ET001/0x1:ET001/0x3").state is State.COPYING_TRACKING
    assert array.pair("ET001/0x1:ET001/0x2").state is State.NO_SESSION
    assert "ET001/0x1:ET001/0x3: Copying/Tracking" in dash.state_html.value
    dash.pair_select.value = "ET001/0x1:ET001/0x2"
    assert enabled(dash) == {"Start", "Auto"}


def test_an_array_without_pairs_refuses_session_buttons(fingerprint):
    """With no copy pair, the session buttons are disabled and a click says why."""
    array = DiskArray("ET001")
    array.add_volume(1, blocks=4)
    dash = dashboard(array)
    assert enabled(dash) == set()
    before = fingerprint(array)
    dash.buttons["Start"].click()
    assert message(dash) == ("refused", "Refused: Start is unavailable: this array has no copy "
                                        "pair: add one first · the array says: ET001 has no "
                                        "copy pair to act on")
    assert fingerprint(array) == before


def test_save_then_load_gives_the_same_session(fingerprint):
    """Save writes the session as a script with a download link; Load replays it to a new array."""
    dash = dashboard()
    dash.buttons["Start"].click()
    write(dash, "ET001/0x6", (3, 3), "k")
    dash.buttons["Tick"].click()
    old = dash.array
    dash.buttons["Save"].click()
    assert message(dash)[0] == "ok"
    assert "write" in dash.script_text.value
    assert 'download="qopc-session.qopc"' in dash.download_html.value
    assert "data:text/plain" in dash.download_html.value
    dash.buttons["Load"].click()
    assert message(dash)[0] == "ok", message(dash)
    assert dash.array is not old
    # The group built with its pair comes back as the shell builds it: group, then pair.
    assert operations(dash.array) == operations(old)
    assert len(dash.array.history) == len(old.history) + 1
    assert dash.baseline == 5  # a loaded session replays from the end of its set-up
    assert dash.step_slider.value == len(dash.array.history) - 1 - dash.baseline
    assert dash.array.volume(0x6).data.tobytes() == old.volume(0x6).data.tobytes()
    assert np.array_equal(dash.pair.queued, old.pair("ET001/0x1:ET001/0x6").queued)
    assert dash.pair.state is State.COPYING_TRACKING
    assert "Copying/Tracking" in dash.state_html.value
    dash.buttons["Run to end"].click()  # the panel now drives the loaded array
    assert dash.array.pair("ET001/0x1:ET001/0x6").state is State.TRACKING
    assert old.pair("ET001/0x1:ET001/0x6").state is State.COPYING_TRACKING
    dash.buttons["Reset"].click()  # back through the loaded session, to its set-up
    assert dash.pair.state is State.NO_SESSION and len(dash.array.history) == 6


def test_a_bad_script_is_refused_and_keeps_the_array(fingerprint):
    """Load of a script with an error shows the error with its line; the panel keeps its array."""
    dash = dashboard()
    before = fingerprint(dash.array)
    dash.script_text.value = "this is not a command\n"
    dash.buttons["Load"].click()
    kind, text = message(dash)
    assert kind == "refused" and "line 1" in text
    assert fingerprint(dash.array) == before


def test_uploaded_script_goes_to_the_box():
    """A file given to the upload control lands in the script box, ready for Load."""
    dash = dashboard()
    dash.script._uploaded({"new": ({"name": "a.qopc", "content": memoryview(b"tick 1\n")},)})
    assert dash.script_text.value == "tick 1\n"
    dash.script._uploaded({"new": ({"name": "b.qopc", "content": memoryview(b"\xff\xfe")},)})
    assert message(dash) == ("refused", "Refused: b.qopc is not a UTF-8 text script")


def test_display_gives_the_widget_and_a_text_twin():
    """In a notebook the panel displays as its widget, with one line of text for static renders
    (and the replay as HTML: tests/test_dashboard_twin.py)."""
    dash = dashboard()
    bundle = dash._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == dash.root.model_id
    assert bundle["text/plain"] == ("QuickOPC dashboard on ET001, set-up: "
                                    "ET001/0x1:ET001/0x6: No session; Copied 0 / Rest 0 "
                                    "(stored as a replay of its 5 steps, from the set-up; run the notebook "
                                    "for the live panel)")


def test_value_box_reads_letters_and_bytes():
    """One character is itself; 65 and 0x41 are bytes; longer text goes to the engine as text."""
    assert panel_text.parse_value("7") == "7"
    assert panel_text.parse_value("65") == panel_text.parse_value(" 0x41 ") == ord("A")
    assert panel_text.parse_value("ABCD") == "ABCD"


def test_read_text_shows_letters_or_hex_and_abbreviates():
    """Printable one-byte blocks read as letters; other blocks as hex; long reads are cut."""
    letters = np.frombuffer(b"ABC", dtype=np.uint8).reshape(3, 1)
    assert panel_text.read_text("ET001/0x1", 0, 2, letters) == "read ET001/0x1 blocks 0-2: A B C"
    zeros = np.zeros((1, 2), dtype=np.uint8)
    assert panel_text.read_text("ET001/0x6", 4, 4, zeros) == "read ET001/0x6 block 4: 0000"
    many = np.full((panel_text.READ_SHOWN + 3, 1), ord("Z"), dtype=np.uint8)
    assert panel_text.read_text("v", 0, len(many) - 1, many).endswith("Z … (3 more)")


def test_messages_escape_the_text():
    """A message can never inject markup: the engine's words are escaped."""
    assert "&lt;b&gt;" in panel_text.message_html("refused", "<b>")
    assert 'role="alert"' in panel_text.message_html("refused", "x")


def test_download_link_carries_the_whole_script():
    """The data: URL decodes back to the script, byte for byte."""
    script = "# a session\nwrite ET001/0x1 0-3 A&B \"q\"\n"
    link = panel_text.download_link_html(script)
    url = html.unescape(re.search(r'href="([^"]+)"', link).group(1))
    assert unquote(url.removeprefix("data:text/plain;charset=utf-8,")) == script


def test_event_log_keeps_the_last_steps():
    """The log numbers the student's steps from 1 after one set-up row, keeps the last
    LOG_STEPS and says how many earlier ones the Step slider reaches."""
    dash = dashboard()
    for _ in range(panel_text.LOG_STEPS + 3):
        dash.buttons["Tick"].click()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", dash.log_html.value)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in rows]
    assert cells[0] == ["step", "tick", "what", "state changes"]
    assert cells[1][0] == "set-up"
    assert "3 earlier step(s)" in cells[2][0]
    numbers = [int(row[0]) for row in cells[3:]]
    last = len(dash.array.history) - 1 - dash.baseline
    assert numbers == list(range(last - panel_text.LOG_STEPS + 1, last + 1))
    assert all(row[2] == "copier runs 1 tick" for row in cells[3:])


def test_block_selector_follows_the_chosen_volume():
    """Choosing a bigger volume widens the slider; back again, the selection is cut to fit;
    the map outlines the selection only on the volume it is drawn for."""
    array = DiskArray("ET001")
    small = array.add_volume(1, blocks=8)
    array.add_volume(2, blocks=8)
    array.add_volume(3, blocks=128)
    array.add_copy_group("CG1", pairs=[(small, "0x2")])
    dash = dashboard(array)
    dash.volume_select.value = "ET001/0x3"
    dash.selector.range.value = (100, 120)
    assert dash.blockmap_html.selected == {"volume": "ET001/0x3", "first": 100, "last": 120}
    click_cell(dash, "ET001/0x2", 5)
    assert dash.selector.range.max == 7 and dash.selector.blocks == (5, 5)
    dash.volume_select.value = "ET001/0x3"
    dash.selector.range.value = (100, 120)
    dash.volume_select.value = "ET001/0x1"
    assert dash.selector.range.max == 7 and dash.selector.blocks == (7, 7)


def test_each_action_redraws_once():
    """Every click, including one that swaps the model (Load), runs refresh() exactly once."""
    dash = dashboard()
    calls = []
    redraw = dash.refresh
    dash.refresh = lambda: (calls.append(1), redraw())
    for name in ["Start", "Tick", "Differential start", "Start", "Undo", "Save", "Load",
                 "Reset"]:
        calls.clear()
        dash.buttons[name].click()
        assert len(calls) == 1, name
    calls.clear()
    dash.script_text.value = "acarray add -a ET002\n"  # a bare array, no volumes
    dash.buttons["Load"].click()
    assert len(calls) == 1
    assert dash.pair is None and dash.volume_select.options == ()
    assert "no copy pair" in dash.state_html.value


def test_reset_keeps_a_prepared_lesson_array(fingerprint):
    """Given an array already in Tracking with a write, Reset comes back to it, not before it."""
    array = DiskArray("ET001", copy_rate=4)
    source = array.add_volume(1, blocks=8)
    array.add_volume(6, blocks=8)
    pair = array.add_copy_group("CG1", pairs=[(source, "0x6")]).pairs[0]
    pair.start()
    array.run()
    array.volume(6).write(2, "d")
    prepared = fingerprint(array)
    dash = dashboard(array)
    assert ("Undo" in dash.unavailable)
    dash.buttons["Differential start"].click()
    dash.buttons["Tick"].click()
    dash.buttons["Reset"].click()
    assert fingerprint(array) == prepared
    dash.buttons["Undo"].click()
    assert message(dash) == ("refused", "Refused: Undo is unavailable: nothing to undo: set-up is "
                                        "where this panel started")
    assert fingerprint(array) == prepared


def test_without_ipywidgets_the_error_names_it():
    """Where ipywidgets is missing, dashboard() says which package to install."""
    code = ("import sys; sys.modules['ipywidgets'] = None\n"
            "import qopc_kit\n"
            "try:\n    qopc_kit.dashboard()\n"
            "except ImportError as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert "the dashboard needs ipywidgets: pip install 'qopc-kit[widgets]'" in result.stdout


def test_without_anywidget_the_panel_works_with_a_map_that_says_how_to_click():
    """Without anywidget the panel still drives the engine, draws a plain (not clickable) map
    and says how to get the clickable one; the Blocks range chooses the blocks."""
    code = ("import sys; sys.modules['anywidget'] = None\n"
            "import ipywidgets, qopc_kit\n"
            "dash = qopc_kit.dashboard()\n"
            "assert type(dash.blockmap_html).__mro__[2] is ipywidgets.HTML, type(dash.blockmap_html)\n"
            "dash.buttons['Start'].click()\n"
            "dash.volume_select.value = 'ET001/0x6'\n"
            "dash.selector.range.value = (3, 3)\n"
            "dash.buttons['Write'].click()\n"
            "print(dash.pair.state.label, dash.array.volume(6).data[3, 0])\n"
            "print(dash.map_hint.value)\n"
            "print('qopc-cell' in dash.blockmap_html.value)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    state, hint, cells = result.stdout.splitlines()
    assert state == f"Copying/Tracking {ord('X')}"
    assert "pip install anywidget" in hint and "Blocks range" in hint
    assert cells == "True"


def test_a_pair_of_volumes_of_different_sizes_is_drawn_without_error():
    """A group may hold a pair whose sizes differ (only its start is refused): the panel
    draws each volume with its own size and marks the blocks only one side has."""
    array = run_script(load_scenario("15_refused_starts").text).array
    dash = dashboard(array)
    dash.pair_select.value = "ET001/0x1:ET001/0x9"
    page = dash.blockmap_html.value
    assert page.count('data-volume="ET001/0x1"') == 4
    assert page.count('data-volume="ET001/0x9"') == 8
    assert "ET001/0x9 block 4: empty (zeros); only on the destination" in page
    dash.buttons["Start"].click()
    kind, text = message(dash)
    assert kind == "refused" and "4097" in text


@pytest.mark.parametrize("sizes", [(MAP_CELLS + 40, MAP_CELLS - 40),
                                   (MAP_CELLS - 40, MAP_CELLS + 40)])
def test_a_pair_of_different_sizes_gets_a_summary_strip_for_its_larger_volume(sizes):
    """The map becomes a strip when either volume is large; the strip spans the larger one."""
    array = DiskArray("ET001")
    source, destination = (array.add_volume(n, blocks=b) for n, b in zip((1, 2), sizes,
                                                                            strict=True))
    array.add_copy_group("CG1", pairs=[(source, destination)])
    page = dashboard(array).blockmap_html.value
    assert "qopc-summary" in page and f"{max(sizes)} blocks in" in page
    assert 'data-mark="source_only"' in page or 'data-mark="destination_only"' in page


@pytest.mark.parametrize("name", list_scenarios())
def test_every_shipped_scenario_loads_as_a_transcript_runs_it(name, fingerprint):
    """Load runs the whole script: refused lines change nothing and are listed with their
    line numbers; the array ends as run_script leaves it."""
    text = load_scenario(name).text
    expected = run_script(text)
    dash = dashboard()
    dash.script_text.value = text
    dash.buttons["Load"].click()
    kind, said = message(dash)
    assert kind != "refused", said
    assert fingerprint(dash.array) == fingerprint(expected.array)
    if expected.refusals:
        assert f"{len(expected.refusals)} line(s) refused: " in said
        for line, reason in expected.refusals:
            assert f"line {line}: {reason}" in said
    else:
        assert "refused" not in said


@pytest.mark.parametrize("script", ["", "  \n\n", "# only a comment\n\n# and another\n"])
def test_load_of_a_script_without_commands_is_refused(script, fingerprint):
    """An empty box would swap the lesson's array for a bare one no Undo brings back."""
    dash = dashboard()
    dash.buttons["Start"].click()
    before, steps = fingerprint(dash.array), dash.step_slider.max
    dash.script_text.value = script
    dash.buttons["Load"].click()
    kind, text = message(dash)
    assert kind == "refused" and "no command" in text
    assert fingerprint(dash.array) == before and dash.step_slider.max == steps
    dash.buttons["Reset"].click()
    assert dash.pair.state is State.NO_SESSION  # still the lesson's array, Reset still works


def test_reset_and_go_back_with_nothing_to_drop_are_refused(fingerprint):
    """Reset at the panel's first step, or Go back to the current step, is refused like Undo."""
    dash = dashboard()
    before = fingerprint(dash.array)
    assert ("Reset" in dash.unavailable) and ("Go back to step" in dash.unavailable)
    dash.buttons["Reset"].click()
    assert message(dash) == ("refused", "Refused: Reset is unavailable: nothing to reset: "
                                        "set-up is where this panel started")
    dash.buttons["Go back to step"].click()
    kind, text = message(dash)
    assert kind == "refused" and "set-up is the latest step" in text
    assert fingerprint(dash.array) == before
    dash.buttons["Tick"].click()
    dash.buttons["Go back to step"].click()  # the slider follows the new step
    assert message(dash)[0] == "refused"
    assert len(dash.array.history) == dash.baseline + 2


def test_the_panel_redraws_when_a_cell_changed_the_array():
    """A change made outside the panel shows at the next click, before that click acts."""
    dash = dashboard(blocks=4)
    dash.buttons["Start"].click()
    dash.pair.cancel()  # a notebook cell, behind the panel's back
    assert "Copying/Tracking" in dash.state_html.value  # ipywidgets cannot know yet
    dash.buttons["Cancel"].click()
    kind, text = message(dash)
    assert kind == "refused" and "redrawn at step" in text
    assert "No session" in dash.state_html.value
    assert enabled(dash) == {"Start", "Auto"}
    assert dash.step_slider.max == len(dash.array.history) - 1 - dash.baseline


def test_the_panel_notices_an_undo_then_a_new_step_outside():
    """An undo then a new step keeps the history's length: the panel still sees the move."""
    dash = dashboard(blocks=4)
    dash.buttons["Start"].click()
    dash.array.undo()
    dash.array.tick()
    dash.step_slider.value = 0  # moving the slider is enough to catch up
    assert "No session" in dash.state_html.value
    assert "copier runs 1 tick" in dash.log_html.value


def test_the_panel_follows_a_rewind_below_its_first_step():
    """A cell that rewinds below the panel's first step moves the first step down with it."""
    dash = dashboard(blocks=4)
    first = dash.baseline
    dash.array.rewind(first - 1)
    dash.refresh()
    assert dash.baseline == first - 1 and dash.step_slider.max == 0
    assert ("Reset" in dash.unavailable) and ("Undo" in dash.unavailable)


@pytest.mark.parametrize("blocks", [65, MAP_CELLS])
def test_every_cell_of_a_map_up_to_map_cells_can_be_clicked_and_written(blocks):
    """Up to MAP_CELLS blocks every block has a cell: a click on the last one and Write
    write that block; the Blocks range spans every block too."""
    dash = dashboard(blocks=blocks)
    assert f'data-volume="ET001/0x6" data-block="{blocks - 1}"' in dash.blockmap_html.value
    assert (dash.selector.range.min, dash.selector.range.max) == (0, blocks - 1)
    click_cell(dash, "ET001/0x6", blocks - 1)
    dash.value_text.value = "Q"
    dash.buttons["Write"].click()
    assert message(dash)[0] == "ok"
    assert dash.array.volume(0x6).data[blocks - 1].tobytes() == b"Q"


def test_reset_after_load_keeps_the_data_the_script_wrote_before_its_first_command():
    """A loaded scenario's Reset goes back to just before its first acopc start or cancel."""
    dash = dashboard()
    dash.script_text.value = load_scenario("01_full_start").text
    dash.buttons["Load"].click()
    dash.buttons["Reset"].click()
    assert message(dash)[0] == "ok"
    assert dash.array.history[-1].action == "write"
    assert dash.array.volume(0x1).data[:, 0].tobytes() == b"ABCDEFGH"
    assert all(pair.state is State.NO_SESSION for pair in dash.array.pairs.values())


def test_the_message_names_the_rolled_back_writes_and_the_uncopied_blocks():
    """After a differential start the message lists the destination writes it rolled back,
    after a cancel during the copy the blocks left never copied: both from the engine."""
    dash = dashboard()
    dash.buttons["Start"].click()
    dash.buttons["Run to end"].click()
    write(dash, "ET001/0x6", (4, 5), "Y")
    dash.buttons["Differential start"].click()
    rolled = np.flatnonzero(dash.pair.rolled_back).tolist()
    assert rolled == [4, 5]
    assert message(dash)[1].endswith("rolled back 2 destination writes: blocks 4, 5")
    dash.buttons["Cancel"].click()
    missing = np.flatnonzero(dash.pair.destination.missing).tolist()
    assert missing == rolled  # the two re-queued blocks were never copied back
    assert message(dash)[1].endswith("left 2 destination blocks never copied: blocks 4, 5 "
                                     "(the destination is unusable)")


def test_a_greyed_button_gives_the_state_tables_reason():
    """The reason names the state and the buttons the table allows there."""
    dash = dashboard()
    dash.buttons["Start"].click()
    dash.buttons["Run to end"].click()
    allowed = [name for name in SESSION if name not in dash.unavailable]
    assert allowed == ["Differential start", "Auto", "Reverse", "Cancel"]
    assert dash.unavailable["Start"] == ("Tracking has no full start: use Differential start, "
                                         "Auto, Reverse or Cancel first")
    assert "Start" in dash.why_html.value and dash.unavailable["Start"] in dash.why_html.value
