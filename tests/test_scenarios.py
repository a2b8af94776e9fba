"""The scenario library: every script replays to its reviewed golden transcript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qopc_kit import TRANSITIONS, NotFoundError
from qopc_kit.scenarios import list_scenarios, load, regenerate
from qopc_kit.script import run_script, to_script
from qopc_kit.shell.scenarios import __main__ as scenarios_cli

SCENARIOS = list_scenarios()
ALL_TEXT = "\n".join(load(name).golden for name in SCENARIOS)


def test_the_library_has_at_least_fifteen_scenarios():
    """At least 15 scenarios, each a .qopc script with a golden .txt transcript."""
    assert len(SCENARIOS) >= 15
    assert all(load(name).golden for name in SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_replays_to_its_golden_transcript(name):
    """Running the script today prints exactly the reviewed transcript."""
    scenario = load(name)
    assert scenario.run().text == scenario.golden


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_has_title_explanation_and_tagged_facts(name):
    """Each script opens with a title, an explanation and facts tagged [D] or [M]."""
    scenario = load(name)
    assert scenario.title and len(scenario.explanation) > 80
    assert scenario.facts and {fact.tag for fact in scenario.facts} <= {"D", "M"}
    assert all(str(fact).startswith(f"[{fact.tag}] ") for fact in scenario.facts)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_end_state_survives_export(name, fingerprint):
    """The array a scenario leaves exports to a script that replays to the same state."""
    array = load(name).run().array
    assert fingerprint(run_script(to_script(array)).array) == fingerprint(array)


def test_every_transition_row_is_shown_by_some_scenario():
    """Every row of the state table appears as 'from -> to (event)' or a start/cancel line."""
    shown = set()
    for line in ALL_TEXT.splitlines():
        match = re.search(r"(reverse OPC\))?: (.+?) -> (.+?) \((.+)\)$", line)
        if match:
            shown.add((bool(match.group(1)), match.group(2), match.group(3), match.group(4)))
    commands = re.findall(r"^> acopc (start|cancel) -g \S+(?: -p \S+)?( -diff| -auto| -r)?$"
                          r"\n\S+ # \w+: .*\[(.+?) -> (.+?)\]$", ALL_TEXT, flags=re.MULTILINE)
    for verb, option, before, after in commands:
        reverse = option == " -r"
        label = f"acopc {verb}{option}" if not reverse else f"acopc {verb} -r"
        shown.add((reverse, before, after, label))
    for row in TRANSITIONS:
        reverse = row.copy.name == "OPC"
        event = row.event.label
        if reverse and row.event.label == "acopc cancel":
            event = "acopc cancel -r"
        key = (reverse, row.state.label, row.next.label, event)
        if row.event.label == "acopc start -r" and not reverse:
            continue  # the forward row of -r is shown by the reverse row's start line
        assert key in shown, f"no scenario shows {row}"


@pytest.mark.parametrize(("code", "words"), [
    ("32793", "Session does not exist"), ("32794", "Phase is not correct"),
    ("32821", "Cascade local copy session exist"), ("4097", "Size Not Supported"),
    ("32791", "the array's limit"), ("", "use -diff or -auto, or cancel first"),
    ("", "source and destination are the same volume"), ("", "is already the destination of"),
])
def test_every_refusal_of_the_spec_is_shown(code, words):
    """Each refusal of SPEC.md appears in some transcript, with its words and code."""
    refusals = [line for line in ALL_TEXT.splitlines() if line.startswith("ERROR: ")]
    assert any(words in line and f"({code})" * bool(code) in line for line in refusals)


def test_load_accepts_the_file_name_and_refuses_unknown_names():
    """load('01_full_start.qopc') works; an unknown name lists the scenarios."""
    assert load(f"{SCENARIOS[0]}.qopc").name == SCENARIOS[0]
    with pytest.raises(NotFoundError, match="no scenario 'nope'"):
        load("nope")


def test_regenerate_rewrites_only_what_changed(tmp_path, monkeypatch):
    """regenerate() writes the transcripts from the code and reports the changed ones."""
    import qopc_kit.shell.scenarios as library

    source = Path(library.__file__).parent / f"{SCENARIOS[0]}.qopc"
    (tmp_path / source.name).write_text(source.read_text())
    monkeypatch.setattr(library, "HERE", tmp_path)
    assert regenerate() == [SCENARIOS[0]]
    assert (tmp_path / f"{SCENARIOS[0]}.txt").read_text() == load(SCENARIOS[0]).golden
    assert regenerate() == []
    assert scenarios_cli.main(["--regenerate"]) == 0
