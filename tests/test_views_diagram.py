"""The state diagram: drawn from the table, highlighted from the engine, no Graphviz needed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from qopc_kit import TRANSITIONS, Copy, DiskArray, State
from qopc_kit.engine.states import states_of
from qopc_kit.views import diagram, layout
from qopc_kit.views.diagram import diagram_dot, state_diagram_svg
from qopc_kit.views.display import repr_html
from qopc_kit.views.status import state_line


def _table_edges(copy: Copy) -> set[tuple[str, str, str]]:
    return {(r.state.name, r.event.name, r.next.name) for r in TRANSITIONS if r.copy is copy}


def _svg_edges(svg: str) -> set[tuple[str, str, str]]:
    found = re.findall(r'data-from="(\w+)" data-to="(\w+)" data-events="([\w ]+)"', svg)
    return {(a, event, b) for a, b, events in found for event in events.split()}


def _svg_nodes(svg: str) -> list[str]:
    return re.findall(r'<g class="node[^"]*" data-state="(\w+)"', svg)


def _marked(svg: str) -> dict[str, list[str]]:
    """Which nodes and edges carry each highlight class."""
    found: dict[str, list[str]] = {"qopc-current": [], "qopc-previous": [], "qopc-last": []}
    for classes, rest in re.findall(r'<g class="([^"]*)" ([^>]*)>', svg):
        for name in found:
            if name in classes.split():
                state = re.search(r'data-state="(\w+)"', rest)
                edge = re.search(r'data-from="(\w+)" data-to="(\w+)"', rest)
                found[name].append(state.group(1) if state else ":".join(edge.groups()))
    return found


@pytest.mark.parametrize("copy", list(Copy))
def test_shipped_layout_nodes_and_edges_equal_the_table(copy):
    """The shipped SVG has one node per state and one edge per row of the table, no more."""
    svg = state_diagram_svg(reverse=copy is Copy.OPC)
    assert sorted(_svg_nodes(svg)) == sorted(s.name for s in states_of(copy))
    assert _svg_edges(svg) == _table_edges(copy)
    pairs = {(a, b) for a, _, b in _table_edges(copy)}
    assert len(re.findall(r'class="edge', svg)) == len(pairs)  # parallel rows merged


@pytest.mark.parametrize("copy", list(Copy))
def test_dot_source_is_the_table(copy):
    """DOT: one edge per row labelled with the event; nodes carry query and Express wording."""
    dot = diagram_dot(copy)
    edges = re.findall(r'(\w+) -> (\w+) \[id="e:\w+:\w+", label="([^"]*)"', dot)
    assert len(edges) == len({(a, b) for a, b, _ in edges})  # one edge per pair of states
    found = {(a, b, lab.removesuffix(" [D]").removesuffix(" [M]"))
             for a, b, labels in edges for lab in labels.split("\\n")}
    rows = {(r.state.name, r.next.name, r.event.label) for r in TRANSITIONS if r.copy is copy}
    assert found == rows
    for state in states_of(copy):
        line = next(x for x in dot.splitlines() if x.strip().startswith(f"{state.name} ["))
        assert state.label in line and state.opc_status in line and state.copy_phase in line
        assert state.express in line
    groups = diagram.edges_of(copy).values()
    assert dot.count("style=dashed") == sum(all(r.source == "M" for r in g) for g in groups)
    assert (diagram.KEY in dot) == any(r.source == "M" for g in groups for r in g)


def test_diagram_dot_refuses_a_non_copy():
    """diagram_dot names what it got when it is not a Copy."""
    with pytest.raises(TypeError, match="must be a Copy"):
        diagram_dot("QUICKOPC")


def test_node_tooltips_give_both_wordings():
    """Each node's <title> tooltip has the acopc query and the Express wording."""
    svg = state_diagram_svg()
    title = re.search(r'data-state="TRACKING">\n<title>([^<]*)</title>', svg).group(1)
    assert "OPC Executing / Tracking" in title and "Tracking state" in title


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
@pytest.mark.parametrize("copy", list(Copy))
def test_regenerating_gives_the_shipped_file(copy):
    """Laying the table out again gives the shipped file (same Graphviz: byte for byte)."""
    pytest.importorskip("graphviz")
    fresh = layout.render_layout(copy)
    shipped = diagram.shipped_layout(copy)
    assert _svg_edges(fresh) == _svg_edges(shipped)
    assert sorted(_svg_nodes(fresh)) == sorted(_svg_nodes(shipped))
    made_by = re.search(r"laid out by Graphviz ([\d.]+)", shipped)
    if layout._graphviz_version() != (made_by.group(1) if made_by else ""):
        pytest.skip("another Graphviz version lays the diagram out differently")
    assert fresh == shipped


def _session_script():
    """A scripted session: yields (what was done, pair) after each step."""
    array = DiskArray("ET001", copy_rate=2)
    src = array.add_volume(0x1, blocks=6)
    dst = array.add_volume(0x6, blocks=6)
    pair = array.add_copy_group("CG1", pairs=[(src, dst)]).pairs[0]
    yield "new", pair
    pair.start()
    yield "start", pair
    array.run()
    yield "tick to Tracking", pair
    src.write(3, "S")  # something to copy, so the -diff stays in Copying/Tracking
    pair.start(diff=True)
    yield "-diff", pair
    pair.cancel()
    yield "cancel", pair
    pair.start()
    array.fail(dst)
    yield "failure", pair
    pair.start(auto=True)
    yield "-auto from Error suspend", pair
    array.run()
    pair.start(reverse=True)
    yield "reverse", pair
    array.run()
    yield "reverse done", pair


def test_highlighting_follows_the_engine_through_a_session():
    """Current, previous and last-transition marks equal the session's, at every step."""
    seen = []
    for what, pair in _session_script():
        for reverse in (False, True):
            session = pair.reverse_session if reverse else pair.session
            marked = _marked(state_diagram_svg(pair, reverse=reverse))
            assert marked["qopc-current"] == [session.state.name], what
            previous = session.previous_state
            expected = [] if previous in (None, session.state) else [previous.name]
            assert marked["qopc-previous"] == expected, what
            last = session.last_transition
            expected = [] if last is None else [f"{last.state.name}:{last.next.name}"]
            assert marked["qopc-last"] == expected, what
        seen.append((what, pair.state, _marked(state_diagram_svg(pair))["qopc-last"]))
    # The script takes the rows the lesson is about.
    assert seen[1] == ("start", State.COPYING_TRACKING, ["NO_SESSION:COPYING_TRACKING"])
    assert seen[2] == ("tick to Tracking", State.TRACKING, ["COPYING_TRACKING:TRACKING"])
    assert seen[3] == ("-diff", State.COPYING_TRACKING, ["TRACKING:COPYING_TRACKING"])
    assert seen[4] == ("cancel", State.NO_SESSION, ["COPYING_TRACKING:NO_SESSION"])
    assert seen[5] == ("failure", State.ERROR_SUSPEND, ["COPYING_TRACKING:ERROR_SUSPEND"])
    assert seen[6] == ("-auto from Error suspend", State.COPYING_TRACKING,
                       ["ERROR_SUSPEND:COPYING_TRACKING"])
    assert seen[7] == ("reverse", State.TRACKING, ["TRACKING:TRACKING"])


def test_reverse_diagram_follows_the_reverse_opc():
    """The reverse diagram marks Copying while the OPC runs, and No session after it ends."""
    array = DiskArray("ET001", copy_rate=1)
    src, dst = array.add_volume(0x1, blocks=4), array.add_volume(0x6, blocks=4)
    pair = array.add_copy_group("CG1", pairs=[(src, dst)]).pairs[0]
    pair.start()
    array.run()
    dst.write(0, "Z")
    pair.start(reverse=True)
    marked = _marked(state_diagram_svg(pair, reverse=True))
    assert marked == {"qopc-current": ["COPYING"], "qopc-previous": ["NO_SESSION"],
                      "qopc-last": ["NO_SESSION:COPYING"]}
    array.run()
    marked = _marked(state_diagram_svg(pair, reverse=True))
    assert marked == {"qopc-current": ["NO_SESSION"], "qopc-previous": ["COPYING"],
                      "qopc-last": ["COPYING:NO_SESSION"]}


def test_highlight_also_recolours_for_renders_without_styles():
    """The current node's shape is filled by attribute too, for renders that strip <style>."""
    _, pair = next(x for x in _session_script() if x[0] == "start")
    svg = state_diagram_svg(pair)
    node = svg[svg.index('qopc-current" data-state'):]
    node = node[:node.index("</g>")]
    assert 'fill="#ffd54f"' in node and 'fill="none"' not in node


def test_renders_with_dot_missing(monkeypatch, tmp_path):
    """With no dot on PATH and no graphviz package, the diagram and the pair still render."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "graphviz", None)  # any import of it now fails
    diagram.shipped_layout.cache_clear()
    assert shutil.which("dot") is None
    _, pair = next(x for x in _session_script() if x[0] == "tick to Tracking")
    svg = state_diagram_svg(pair)
    assert svg.startswith("<svg") and 'qopc-current" data-state="TRACKING"' in svg
    assert "Tracking (was Copying/Tracking; physical copy complete)" in repr_html(pair)


def test_svg_is_embeddable_and_deterministic():
    """No XML prolog, no ids, and the same text for the same history on two arrays."""
    first = [state_diagram_svg(p) for _, p in _session_script()]
    second = [state_diagram_svg(p) for _, p in _session_script()]
    assert first == second
    for svg in first:
        assert svg.startswith("<svg") and "<?xml" not in svg and " id=" not in svg
        assert "<style>" in svg


def test_state_line_names_state_and_last_transition():
    """One line: pair, state, previous state and the event that moved it."""
    steps = [(what, state_line(pair)) for what, pair in _session_script()]
    assert steps[0][1] == "ET001/0x1:ET001/0x6: No session"
    assert steps[2][1] == ("ET001/0x1:ET001/0x6: Tracking "
                           "(was Copying/Tracking; physical copy complete)")


def test_state_line_of_the_reverse_opc():
    """state_line(reverse=True) describes the reverse OPC session."""
    *_, (what, pair) = _session_script()
    assert what == "reverse done"
    line = state_line(pair, reverse=True)
    assert line == ("ET001/0x1:ET001/0x6 (reverse OPC): No session "
                    "(was Copying; physical copy complete)")


def test_engine_and_views_do_not_import_graphviz():
    """Using the engine and drawing the views never imports graphviz."""
    code = ("import sys\n"
            "from qopc_kit import DiskArray\n"
            "from qopc_kit.views import state_diagram_svg, block_map_html, repr_html\n"
            "a = DiskArray(); s = a.add_volume(1, blocks=4); d = a.add_volume(2, blocks=4)\n"
            "p = a.add_copy_group('G', pairs=[(s, d)]).pairs[0]; p.start()\n"
            "state_diagram_svg(p); block_map_html(p); repr_html(a)\n"
            "print('graphviz' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_diagram_says_the_state_to_screen_readers():
    """The SVG's aria-label names the pair's state and its last transition."""
    _, pair = next(x for x in _session_script() if x[0] == "tick to Tracking")
    label = re.search(r'<svg [^>]*aria-label="([^"]*)"', state_diagram_svg(pair)).group(1)
    assert label.endswith("ET001/0x1:ET001/0x6: Tracking "
                          "(was Copying/Tracking; physical copy complete)")


def test_layout_command_prints_dot_and_explains_its_usage(capsys):
    """``python -m qopc_kit.views.layout --dot`` prints the DOT; a wrong call shows usage."""
    assert layout.main(["--dot", "reverse"]) == 0
    assert capsys.readouterr().out == diagram_dot(Copy.OPC)
    assert layout.main(["--bogus"]) == 2
    assert "usage: python -m qopc_kit.views.layout" in capsys.readouterr().err


def _emphasised(svg: str, css: str) -> list[str]:
    group = svg[svg.index(f'{css}" data-'):]
    group = group[:group.index("</g>")]
    found = re.findall(r'<text class="qopc-emph" font-weight="bold"[^>]*>([^<]*)</text>', group)
    return [text.replace("&#45;", "-") for text in found]


def test_marks_carry_a_cue_that_is_not_colour():
    """Current: thick border + bold name; previous: dashed border; last: the label in bold."""
    _, pair = next(x for x in _session_script() if x[0] == "-diff")
    svg = state_diagram_svg(pair)
    last = pair.session.last_transition
    rows = diagram.edges_of(Copy.QUICKOPC)[(last.state, last.next)]
    assert len(rows) > 1  # the -diff edge also holds -auto: only the -diff label is bold
    assert _emphasised(svg, "qopc-last") == [last.event.label]
    assert _emphasised(svg, "qopc-current") == [pair.state.label]
    current = svg[svg.index('qopc-current" data-'):]
    assert 'stroke-width="3.5"' in current[:current.index("</g>")]
    previous = svg[svg.index('qopc-previous" data-'):]
    assert 'stroke-dasharray="5,3"' in previous[:previous.index("</g>")]


def test_mixed_edges_tag_each_label_and_tooltips_tag_each_claim():
    """A merged edge mixing D and M rows tags every label; no tooltip says [D] after an [M]."""
    for copy in Copy:
        for rows in diagram.edges_of(copy).values():
            labels = diagram.edge_labels(rows)
            if len({r.source for r in rows}) > 1:
                assert all(lab.endswith(f" [{r.source}]") for lab, r in zip(labels, rows, strict=True))
    svg = diagram.shipped_layout(Copy.QUICKOPC)
    assert "(the kit's model) [D]" not in svg
    assert "queued = not yet copied + tracked on both sides [M]" in svg
