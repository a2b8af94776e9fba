"""The dashboard where no kernel runs: its text/html is the replay of its steps so far, its
text/plain says so; the Export page button's link holds the replay page of the session."""

from __future__ import annotations

import base64
import re

import pytest

from qopc_kit import DiskArray
from qopc_kit.dashboard import twin as twin_module
from qopc_kit.dashboard.panel import dashboard
from qopc_kit.dashboard.parts import MAP_CELLS
from qopc_kit.views import replay, theme
from tests.test_replay import check_frames, decoded

LIVE = "run the notebook for the live panel"


def played(dash, *names: str):
    for name in names:
        dash.buttons[name].click()
        assert "qopc-msg-refused" not in dash.message.value, (name, dash.message.value)
    return dash


def latest(dash) -> int:
    return len(dash.array.history_steps()) - 1


@pytest.mark.parametrize("clicks", [(), ("Start", "Tick"), ("Start", "Tick", "Write", "Tick")])
def test_static_html_is_the_replay_up_to_the_panels_step(clicks):
    dash = played(dashboard(), *clicks)
    bundle = dash._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live view stays
    twin = bundle["text/html"]
    # Folded: the replay reaches the panel's last step, the answer of a lesson's questions.
    steps = f"{latest(dash) + 1} steps" if latest(dash) else "1 step"
    assert twin == twin_module.folded(
        replay.replay_html(dash.array, upto=latest(dash), baseline=dash.baseline), steps)
    assert twin.startswith('<details class="qopc-twin"><summary>Replay of this panel')
    assert "predict first" in twin.split("</summary>")[0]
    assert replay.REPLAY_NOTE in twin
    frames = check_frames(dash.array, twin)  # each frame: the views of array.at(step)
    assert [step for step, _, _ in frames] == list(range(latest(dash) + 1))
    # Opens on the set-up, never on the panel's step (in a stored lesson, the answer to the
    # question just asked): the first frame is the one drawn in the markup, not hidden.
    opening = [section for _, _, section in frames if " hidden>" not in section]
    assert len(opening) == 1 and 'data-step="0"' in opening[0]
    assert 'data-start="0"' in twin and 'value="0"' in twin


def test_static_text_is_short_and_says_it_is_a_replay():
    dash = played(dashboard(), "Start", "Tick")
    text = dash._repr_mimebundle_()["text/plain"]
    assert text.startswith(dash.summary())
    assert f"replay of its {latest(dash) + 1} steps, from the set-up" in text and LIVE in text
    assert "\n" not in text and len(text) < 300


def test_an_undone_step_leaves_the_twin():
    dash = played(dashboard(), "Start", "Tick", "Undo")
    assert dash._repr_mimebundle_()["text/html"] == twin_module.folded(
        replay.replay_html(dash.array, baseline=dash.baseline), f"{latest(dash) + 1} steps")
    assert [s for s, _, _ in decoded(dash._repr_mimebundle_()["text/html"])][-1] == latest(dash)


def test_too_big_to_replay_says_why_and_never_raises():
    dash = played(dashboard(blocks=MAP_CELLS + 1), "Start")
    bundle = dash._repr_mimebundle_()
    assert "qopc-replay" not in bundle["text/html"]
    for text in (bundle["text/html"], bundle["text/plain"]):
        assert "no replay stored" in text and f"more than {MAP_CELLS} blocks" in text
        assert LIVE in text
    dash.buttons["Export page"].click()
    assert "qopc-msg-refused" in dash.message.value and "no page exported" in dash.message.value
    assert dash.export_html.value == ""


def test_no_snapshots_no_replay_but_a_twin_that_says_why():
    array = DiskArray("ET001", snapshots=False)
    source = array.add_volume(0x1, blocks=8)
    destination = array.add_volume(0x6, blocks=8)
    array.add_copy_group("CG1", pairs=[(source, destination)])
    dash = played(dashboard(array), "Start")
    bundle = dash._repr_mimebundle_()
    assert "no replay stored" in bundle["text/html"] and LIVE in bundle["text/plain"]
    dash.buttons["Export page"].click()
    assert "qopc-msg-refused" in dash.message.value and dash.export_html.value == ""


def exported(dash) -> tuple[str, str]:
    """(the download name, the page) of the panel's Export page link."""
    link = dash.export_html.value
    found = re.fullmatch(r'<a class="qopc-download qopc-export-link" download="([^"]+)" '
                         r'href="data:text/html;charset=utf-8;base64,([A-Za-z0-9+/=]+)">'
                         r"Download \1</a>", link)
    assert found, link[:200]
    return found.group(1), base64.b64decode(found.group(2)).decode("utf-8")


def test_export_page_links_the_replay_page_of_the_session():
    dash = played(dashboard(), "Start", "Tick", "Write", "Tick")
    assert dash.export_html.value == ""
    dash.buttons["Export page"].click()
    assert "qopc-msg-ok" in dash.message.value
    assert "exported a replay page up to step 4 (9 frames with the set-up" in dash.message.value
    name, page = exported(dash)
    assert name == "qopc-ET001-step-4.html" and name in dash.message.value  # the panel's 4th
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert f'<html lang="en" class="{theme.OS_SCHEME}">' in page  # all dark or all light
    frames = check_frames(dash.array, page)
    assert [step for step, _, _ in frames] == list(range(latest(dash) + 1))
    played(dash, "Tick")  # a later export covers the later step too
    dash.buttons["Export page"].click()
    assert [s for s, _, _ in decoded(exported(dash)[1])] == list(range(latest(dash) + 1))


def test_export_page_names_the_file_after_the_array_and_the_panels_step():
    dash = dashboard(name="A_1")
    dash.buttons["Export page"].click()
    assert exported(dash)[0] == "qopc-A_1-set-up.html"


def test_export_page_is_never_greyed_and_has_a_tooltip():
    dash = dashboard()
    for name in ((), ("Start",), ("Run to end",), ("Cancel",)):
        played(dash, *name)
        button = dash.buttons["Export page"]
        assert "Export page" not in dash.unavailable
        assert "qopc-unavailable" not in button._dom_classes and not button.disabled
        assert "replays this session" in button.tooltip
    assert dash.buttons["Export page"] in dash.share_box.children
    assert dash.export_html in dash.share_box.children


def titles(page: str) -> list[str]:
    return [re.search(r'data-title="([^"]*)"', section).group(1)
            for _, _, section in decoded(page)]


@pytest.mark.parametrize("source", ["twin", "export"])
def test_frames_number_the_steps_as_the_panel_does(source):
    """A number means the same on the panel and on its pages: the set-up frames say
    "set-up", the student's first action is step 1, and the file is named the same."""
    dash = played(dashboard(), "Start", "Tick")
    assert dash.baseline > 0 and dash.step_label(latest(dash)) == "step 2"
    if source == "twin":
        page = dash._repr_mimebundle_()["text/html"]
    else:
        dash.buttons["Export page"].click()
        name, page = exported(dash)
        assert name == "qopc-ET001-step-2.html"
    found = titles(page)
    assert len(found) == latest(dash) + 1
    for number, title in enumerate(found):
        label = dash.step_label(number)
        assert title.startswith(f"Frame {number + 1} of {len(found)}, {label}: "), title
    assert [t.split(", ")[1].split(":")[0] for t in found[dash.baseline:]] == [
        "set-up", "step 1", "step 2"]
    last = decoded(page)[-1][2]
    assert '<p class="qopc-command">Step 2: ' in last and "Step 2: " in last.split("qopc-alt")[1]
    assert f"step {latest(dash)}" not in " ".join(found)  # never the array's own number
