"""Replay pages: every frame is the dashboard's views of ``array.at(step)``, shared pieces
joined back exactly; captions and refusals from scripts; no network reference; size."""

from __future__ import annotations

import base64
import gzip
import json
import re

import pytest

import qopc_kit
from qopc_kit import scenarios
from qopc_kit.export import main, script_entries
from qopc_kit.shell.script import run_script
from qopc_kit.views import replay, theme
from qopc_kit.views.blockmap import capture, record_html
from qopc_kit.views.diagram import state_diagram_svg
from qopc_kit.views.snapshot import snapshot
from qopc_kit.views.status import progress_text, query_table_html, state_line

SETUP = ["acarray add -a ET001 -copy-rate 2", "volume add 0x1 blocks 16",
         "volume add 0x6 blocks 16", "acgroup create -g CG1 -type QuickOPC -a ET001",
         "acpair add -g CG1 -p ET001/0x1:ET001/0x6", "write ET001/0x1 0-15 ABCDEFGHIJKLMNOP",
         "acopc start -g CG1"]


def thirty_steps():
    """A session of 16-block volumes with exactly 30 history steps (ticks and writes)."""
    lines = list(SETUP)
    turn = 0
    while len(run_script("\n".join(lines)).array.history_steps()) < 30:
        lines.append("tick" if turn % 3 else f"write ET001/0x1 {turn % 16} Z")
        turn += 1
    array = run_script("\n".join(lines)).array
    assert len(array.history_steps()) == 30
    return array


def decoded(page: str) -> list[tuple[int, dict[tuple[str, str], str], str]]:
    """Each frame of ``page``: (step, its fragments by (pair, slot) joined back, its section)."""
    found = re.search(r'<script type="application/(json|gzip)" class="qopc-data"'
                      r'( data-encoding="base64")?>(.*?)</script>', page, re.S)
    assert found, "the page holds no data table"
    kind, base64_, text = found.groups()
    assert (kind == "gzip") == bool(base64_)
    data = json.loads(gzip.decompress(base64.b64decode(text)) if base64_ else text)
    # The markup holds the opening frame; the table holds the others, "" in its place.
    markup = re.findall(r'<section class="qopc-frame".*?</section>', page[:found.start()], re.S)
    assert len(markup) == 1 and data["sections"].count("") == 1
    frames = []
    for section in (text or markup[0] for text in data["sections"]):
        step = int(re.search(r'data-step="(\d+)"', section).group(1))
        show = re.search(r'data-show="([\d ]*)"', section).group(1).split()
        fragments = {}
        for ident in show:
            pair, slot, pieces = data["frags"][int(ident)]
            key = (data["pairs"][pair], data["slots"][slot])
            fragments[key] = "".join(data["pieces"][p] for p in pieces)
        frames.append((step, fragments, section))
    return frames


def expected(array, step: int, refused: bool = False) -> dict[tuple[str, str], str]:
    """The dashboard's views of every pair of ``array.at(step)``, the theme's sheet left out
    (``refused``: with no transition marked, see replay.settled)."""
    style = theme.style()
    shot = array.at(step)
    views = {}
    for name, pair in shot.pairs.items():
        record = capture(pair)
        snap = replay.settled(pair) if refused else snapshot(pair)
        for slot, text in (("diagram", state_diagram_svg(snap)),
                           ("physical", record_html(record)),
                           ("logical", record_html(record, logical=True)),
                           ("query", query_table_html(snap.query_rows()))):
            views[name, slot] = text.replace("\n" + style, "").replace(style, "")
    return views


def check_frames(array, page: str) -> list:
    frames = decoded(page)
    assert frames
    for step, fragments, section in frames:
        refused = 'data-refused="true"' in section
        body = {key: text for key, text in fragments.items() if key[1] != "head"}
        assert body == expected(array, step, refused), f"step {step}"
        for pair in array.at(step).pairs.values():
            line = state_line(replay.settled(pair) if refused else pair)
            assert f'<li class="qopc-state">{line}' in section.replace("&#x27;", "'")
            assert progress_text(pair) in section
    return frames


def test_each_frame_is_the_views_of_its_step():
    array = thirty_steps()
    frames = check_frames(array, replay.page_html(array))
    assert [step for step, _, _ in frames] == list(range(30))


def test_page_size_for_thirty_steps_of_sixteen_blocks():
    size = len(replay.page_html(thirty_steps()).encode("utf-8"))
    print(f"replay page, 30 steps of 16-block volumes: {size} bytes")
    assert size <= 300 * 1024


@pytest.mark.parametrize("packed", [False, True])
def test_no_network_reference(packed):
    array = thirty_steps()
    # From the first step with a pair, so that the opening frame has a still diagram.
    entries = replay.history_entries(array)[6:]
    page = (replay.replay_body(array, entries, note=replay.REPLAY_NOTE, packed=True)
            if packed else replay.page_html(array, entries))
    # The still diagrams are images in data: URLs (no request): look inside them too.
    inside = [base64.b64decode(data).decode("utf-8") for data in
              re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)]
    assert inside
    page = re.sub(r'src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', "", page)
    for text in [page, *inside]:
        # XML namespace names (the SVG's xmlns, also inside the JSON table) are never fetched.
        text = re.sub(r'xmlns(?::xlink)?=\\?"http://www\.w3\.org/(2000/svg|1999/xlink)\\?"',
                      "", text)
        assert not re.search(r"https?:", text)
        for reference in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"|url\(([^)]*)\)', text):
            assert not any(re.match(r"\s*['\"]?\w+:", part) for part in reference), reference


@pytest.mark.parametrize("name", ["01_full_start", scenarios.list_scenarios()[-1]])
def test_a_scenario_replays(name):
    array = scenarios.load(name).run().array
    check_frames(array, replay.page_html(array))


def test_script_comments_caption_the_next_step_and_refusals_change_nothing():
    text = "\n".join([*SETUP[:5], "# Start the copy", "acopc start -g CG1",
                      "acopc start -g NOPE", "# one tick", "# of the copier", "tick"])
    array, entries = script_entries(text)
    by_command = {entry.command: entry for entry in entries}
    assert by_command["acopc start -g CG1"].caption == "Start the copy"
    assert by_command["tick"].caption == "one tick\nof the copier"
    assert [e.command for e in entries if e.caption] == ["acopc start -g CG1", "tick"]
    refused = by_command["acopc start -g NOPE"]
    assert refused.refused and refused.output
    started = by_command["acopc start -g CG1"]
    assert refused.step == started.step  # the refusal made no step: the state shown is the same
    page = replay.page_html(array, entries)
    check_frames(array, page)
    frames = decoded(page)
    # A script's page (no set-up) numbers its frames by the history step, from its first.
    title = re.search(r'data-title="([^"]*)"', frames[0][2]).group(1)
    assert title == f"Frame 1 of {len(entries)}, step 0: {entries[0].command}"
    index = entries.index(refused)
    assert "Start the copy" in frames[index - 1][2]
    # The refused frame shows the state as it is, but not the previous step's news: no
    # "(was ...)", no highlighted arrow or previous state, no step number of its own.
    before, after = frames[index - 1], frames[index]
    assert "(was No session" in before[2] and "(was " not in after[2]
    for slot in ("physical", "logical", "query"):
        assert after[1]["ET001/0x1:ET001/0x6", slot] == before[1]["ET001/0x1:ET001/0x6", slot]
    diagram = after[1]["ET001/0x1:ET001/0x6", "diagram"]
    assert "qopc-last" in before[1]["ET001/0x1:ET001/0x6", "diagram"]
    assert "qopc-last" not in diagram and "qopc-previous" not in diagram
    assert "qopc-current" in diagram  # the state it is in stays marked
    title = re.search(r'data-title="([^"]*)"', after[2]).group(1)
    assert title == f"Frame {index + 1} of {len(entries)}, refused: acopc start -g NOPE"
    assert '<p class="qopc-command">Refused: acopc start -g NOPE</p>' in after[2]
    assert f"step {refused.step}" not in title and f"Step {refused.step}" not in after[2]
    assert "Refused, nothing changed" in after[2]
    alt = after[2].split('class="qopc-alt">')[1]
    assert alt.startswith("Refused: acopc start -g NOPE\nrefused, nothing changed: ")


def test_cli_writes_page_and_frames(tmp_path):
    script = scenarios.HERE / "01_full_start.qopc"
    page, folder = tmp_path / "page.html", tmp_path / "frames"
    assert main([str(script), "-o", str(page), "--frames", str(folder)]) == 0
    array, entries = script_entries(script.read_text(encoding="utf-8"))
    check_frames(array, page.read_text(encoding="utf-8"))
    svgs = sorted(folder.glob("*.svg"))
    assert len(svgs) == len(entries)
    assert all(path.read_text(encoding="utf-8").lstrip().startswith(("<svg", "<?xml"))
               for path in svgs)


def test_export_html_is_lazy_and_writes_the_page(tmp_path):
    array = scenarios.load("01_full_start").run().array
    path = qopc_kit.export_html(array, tmp_path / "p.html")
    check_frames(array, path.read_text(encoding="utf-8"))


def test_static_twin_stops_at_upto_and_opens_on_the_set_up():
    array = scenarios.load("01_full_start").run().array
    twin = replay.replay_html(array, upto=3)
    frames = decoded(twin)
    assert [step for step, _, _ in frames] == [0, 1, 2, 3]
    assert replay.REPLAY_NOTE in twin and 'data-start="0"' in twin
    assert "replay from the set-up" in replay.REPLAY_NOTE
    assert 'type="application/gzip" class="qopc-data" data-encoding="base64"' in twin
    assert decoded(replay.replay_html(array, upto=3, packed=False)) == frames
    for step, fragments, _ in frames:
        assert {k: v for k, v in fragments.items() if k[1] != "head"} == expected(array, step)
    with pytest.raises(qopc_kit.ArgumentError, match="upto"):
        replay.replay_html(array, upto=len(array.history_steps()))


def test_the_opening_frame_shows_without_javascript():
    """The opening frame's words are open and its diagrams are images of the same SVG (an
    inline SVG would not survive the sanitizers of stored outputs); controls hidden."""
    array = scenarios.load("01_full_start").run().array
    assert 'data-start="0"' in replay.replay_html(array)  # a twin opens on its first frame
    # From the first step with a pair, so that the opening frame has diagrams.
    entries = [e for e in replay.history_entries(array) if array.at(e.step).pairs]
    last = entries[0].step
    twin = replay.replay_body(array, entries, note=replay.REPLAY_NOTE, packed=True)
    markup = twin[:twin.index('class="qopc-data"')]
    images = re.findall(r'<img class="qopc-still-diagram" alt="([^"]*)" '
                        r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">', markup)
    views = expected(array, last)
    assert [base64.b64decode(data).decode("utf-8") for _, data in images] == [
        text for (_, slot), text in sorted(views.items()) if slot == "diagram"]
    assert images and all(alt.startswith("State diagram") for alt, _ in images)
    assert re.search(rf'<section [^>]*data-step="{last}"[^>]*aria-label="\d+">', markup)
    assert '<details open="open">' in markup
    assert '<div class="qopc-controls" hidden="hidden">' in markup
    assert '<p class="qopc-keys" hidden="hidden">' in markup
    assert markup.count('disabled="disabled"') == 2  # the slider and Play
    assert "<svg" not in markup


def test_python_m_qopc_kit_export(tmp_path):
    import subprocess
    import sys

    page = tmp_path / "p.html"
    script = scenarios.HERE / "01_full_start.qopc"
    done = subprocess.run([sys.executable, "-m", "qopc_kit", "export", str(script), "-o",
                           str(page)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    array, _ = script_entries(script.read_text(encoding="utf-8"))
    check_frames(array, page.read_text(encoding="utf-8"))


def test_the_qopc_command_exports_and_still_runs_the_shell(tmp_path, capsys):
    """``qopc export`` writes the page; any other ``qopc`` command is the shell's."""
    from pathlib import Path

    import qopc_kit.shell.scenarios as library
    from qopc_kit.export import qopc

    script = Path(library.__file__).parent / "01_full_start.qopc"
    page = tmp_path / "page.html"
    assert qopc(["export", str(script), "-o", str(page)]) == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    capsys.readouterr()
    assert qopc(["list"]) == 0  # a shell command: the scenario library
    assert "01_full_start" in capsys.readouterr().out


def test_a_page_keeps_one_colour_scheme():
    """A page is light whatever the browser prefers (the views' dark colours, under the OS
    preference, apply only on a page whose <html> follows it); one that follows the OS
    goes dark as a whole, page and views alike."""
    array = scenarios.load("01_full_start").run().array
    light, follows = replay.page_html(array), replay.page_html(array, follow_os=True)
    assert '<html lang="en">' in light and '<meta name="color-scheme" content="light">' in light
    assert f'<html lang="en" class="{theme.OS_SCHEME}">' in follows
    assert theme.os_scheme_css() in follows and theme.os_scheme_css() not in light
    blocks = re.findall(r"@media \(prefers-color-scheme: dark\)\{((?:[^{}]*\{[^{}]*\})*)\}",
                        theme.CSS + theme.dark_rules(replay.DARK_CSS))
    assert len(blocks) >= 3
    for block in blocks:
        for selector in re.findall(r"([^{}]+)\{", block):
            assert all(part.startswith(f"html.{theme.OS_SCHEME}:")
                       for part in selector.split(",")), selector
    assert theme.dark_rules(replay.DARK_CSS) in light  # the replay's own colours follow too
