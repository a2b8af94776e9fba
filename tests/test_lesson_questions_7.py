"""Lesson 7's questions: each answer is the engine's, the notebook keeps every answer folded,
and the defects of issue 16 stay fixed in the lesson and the scenario library."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from qopc_kit import DiskArray, QuickOPCError
from qopc_kit.engine.errors import ArgumentError, UnusableVolumeWarning
from qopc_kit.scenarios import HERE, list_scenarios, load
from qopc_kit.teaching.predict import MAX_WRONG
from qopc_kit.teaching.questions import lesson_7

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_edge_cases.ipynb"
CELLS = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
P = "ET001/0x1:ET001/0x6"


def source(cell: dict) -> str:
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def pair_array(blocks: int, rate: int, data: str = "", *, max_sessions: int = 8) -> DiskArray:
    """ET001 with source 0x1 (written ``data``), destination 0x6 and group CG1."""
    array = DiskArray("ET001", copy_rate=rate, max_sessions=max_sessions)
    source_volume = array.add_volume(0x1, blocks=blocks)
    destination = array.add_volume(0x6, blocks=blocks)
    if data:
        source_volume.write(slice(None), data)
    array.add_copy_group("CG1", pairs=[(source_volume, destination)])
    return array


def text(array: DiskArray, volume: str) -> str:
    return bytes(array.volume(volume).read().reshape(-1)).decode()


def blocks(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(b) for b in np.flatnonzero(mask))


def refused(call) -> bool:
    try:
        call()
    except QuickOPCError:
        return True
    return False


# The answers, each computed here from the engine's API ------------------------------------

def test_q01_copied_after_one_tick_are_the_blocks_physically_on_the_destination():
    """L07.1: after one tick the destination physically holds exactly the answer's blocks."""
    array = pair_array(8, 2, "ABCDEFGH")
    array.pair(P).start()
    array.tick()
    assert lesson_7.q01_full_start().answer == blocks(array.volume("ET001/0x6").data[:, 0] != 0)


def test_q02_a_pair_emptied_by_reads_is_in_the_answers_phase():
    """L07.2: the phase after reading every queued destination block, with no tick."""
    array = DiskArray("ET001", copy_rate=1)
    src, dst = array.add_volume(0x3, blocks=2), array.add_volume(0x8, blocks=2)
    src.write(slice(None), "EF")
    pair = array.add_copy_group("CG1", pairs=[(src, dst)]).pairs[0]
    pair.start()
    dst.read([0, 1])
    assert lesson_7.q02_last_block_any_mover().answer == pair.state.copy_phase == "Tracking"


def test_q03_a_diff_from_tracking_queues_both_tracked_blocks():
    """L07.3: the -diff queues the source-tracked and the destination-tracked block."""
    array = pair_array(8, 2, "ABCDEFGH")
    pair = array.pair(P)
    pair.start()
    array.run()
    array.volume("ET001/0x1").write(1, "b")
    array.volume("ET001/0x6").write(5, "Z")
    pair.start(diff=True)
    assert lesson_7.q03_diff_from_tracking().answer == blocks(pair.queued)
    assert text(array, "ET001/0x6")[5] == "F"  # logically lost at the -diff already


def test_q04_rest_after_a_diff_in_copying_tracking():
    """L07.4: Rest Block after start, one tick, a source write and a -diff."""
    array = pair_array(8, 2, "ABCDEFGH")
    pair = array.pair(P)
    pair.start()
    array.tick()
    array.volume("ET001/0x1").write(0, "a")
    pair.start(diff=True)
    assert lesson_7.q04_restart_during_copy().answer == pair.rest_blocks


def test_q05_the_destination_reads_the_sources_block():
    """L07.5: a block written on both sides reads as the source's after the -diff."""
    array = pair_array(4, 4, "ABCD")
    pair = array.pair(P)
    pair.start()
    array.run()
    array.volume("ET001/0x1").write(2, "s")
    array.volume("ET001/0x6").write(2, "d")
    pair.start(diff=True)
    assert lesson_7.q05_same_block_both_sides().answer == text(array, "ET001/0x6")[2]


def test_q06_copied_block_after_one_read():
    """L07.6: Copied Block after reading one uncopied destination block."""
    array = pair_array(8, 1, "ABCDEFGH")
    pair = array.pair(P)
    pair.start()
    array.volume("ET001/0x6").read(6)
    assert lesson_7.q06_read_uncopied_block().answer == pair.copied_blocks


def test_q07_source_tracked_blocks():
    """L07.7: both source writes are tracked, before and after the block's copy."""
    array = pair_array(8, 1, "ABCDEFGH")
    pair = array.pair(P)
    pair.start()
    array.volume("ET001/0x1").write(4, "x")
    array.tick()
    array.volume("ET001/0x1").write(0, "y")
    assert lesson_7.q07_copy_before_write().answer == blocks(pair.source_tracking)


def test_q08_only_the_copy_cancelled_mid_copy_is_unusable():
    """L07.8: of four cancels, the one in Copying/Tracking leaves its destination unusable."""
    array = DiskArray("ET001", copy_rate=2)
    vols = {n: array.add_volume(n, blocks=4) for n in (1, 6, 2, 7, 3, 8, 4, 9)}
    group = array.add_copy_group("CG1", pairs=[(vols[s], vols[s + 5]) for s in (1, 2, 3, 4)])
    first, second, third, fourth = group.pairs
    for volume, data in ((1, "ABCD"), (2, "EFGH"), (3, "IJKL")):
        vols[volume].write(slice(None), data)
    second.start()
    third.start()
    array.run()
    array.fail(vols[3])
    first.start()
    array.tick()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnusableVolumeWarning)
        for pair in (first, second, third):
            pair.cancel()
    assert refused(fourth.cancel)
    unusable = [v.name for v in (vols[6], vols[7], vols[8], vols[9]) if not v.usable]
    assert [lesson_7.q08_cancel_in_each_state().answer] == unusable


def test_q09_only_auto_is_accepted_in_error_suspend():
    """L07.9: in Error suspend -diff and a full start are refused, -auto is accepted."""
    array = pair_array(8, 2, "ABCDEFGH")
    pair = array.pair(P)
    pair.start()
    array.tick()
    array.fail("ET001/0x6")
    assert refused(lambda: pair.start(diff=True)) and refused(pair.start)
    assert not refused(lambda: pair.start(auto=True))
    assert lesson_7.q09_error_suspend_auto().answer == "acopc start -g CG1 -auto"


def test_q10_rest_after_auto_in_copying_tracking():
    """L07.10: Rest Block after -auto from Tracking, a write, and -auto again."""
    array = pair_array(8, 2, "ABCDEFGH")
    pair = array.pair(P)
    pair.start(auto=True)
    array.run()
    array.volume("ET001/0x1").write(3, "d")
    pair.start(auto=True)
    array.volume("ET001/0x1").write(7, "h")
    pair.start(auto=True)
    assert lesson_7.q10_auto_in_each_state().answer == pair.rest_blocks


def test_q11_the_second_destination_reads_its_own_point_in_time():
    """L07.11: 0x7 reads the source as it was at 0x7's start."""
    array = DiskArray("ET001", copy_rate=2)
    src = array.add_volume(0x1, blocks=4)
    dst6, dst7 = array.add_volume(0x6, blocks=4), array.add_volume(0x7, blocks=4)
    group = array.add_copy_group("MULTI", pairs=[(src, dst6), (src, dst7)])
    src.write(slice(None), "ABCD")
    group.pairs[0].start()
    src.write(0, "a")
    group.pairs[1].start()
    src.write(1, "b")
    assert lesson_7.q11_two_destinations().answer == text(array, "ET001/0x7")


def test_q12_the_cascade_is_refused_at_start_not_when_defined():
    """L07.12: adding the cascading pair is accepted; its start is refused with 32821."""
    array = DiskArray("ET001", copy_rate=2)
    v1, v6, v7 = (array.add_volume(n, blocks=4) for n in (0x1, 0x6, 0x7))
    first = array.add_copy_group("FIRST", pairs=[(v1, v6)])
    second = array.add_copy_group("SECOND")
    second.add_pair(v6, v7)
    first.start()
    with pytest.raises(QuickOPCError) as refusal:
        second.start()
    assert refusal.value.code == 32821
    assert lesson_7.q12_refused_cascade().answer == "acopc start -g SECOND"


def test_q13_the_reverse_copies_only_the_damaged_blocks():
    """L07.13: the reverse OPC's Rest Block after damage to two source blocks."""
    array = pair_array(8, 1, "ABCDEFGH")
    pair = array.pair(P)
    pair.start()
    array.run()
    array.volume("ET001/0x1").write([2, 3], "??")
    pair.start(reverse=True)
    assert lesson_7.q13_reverse_after_backup().answer == pair.reverse_session.rest_blocks


def test_q14_copied_after_a_rate_change():
    """L07.14: Copied Block after two ticks at 1 and one at 4."""
    array = pair_array(12, 1, "ABCDEFGHIJKL")
    pair = array.pair(P)
    pair.start()
    array.tick(2)
    array.set_copy_rate(4)
    array.tick()
    assert lesson_7.q14_copy_rate_mid_copy().answer == pair.copied_blocks


def test_q15_one_bad_pair_starts():
    """L07.15: of the BAD pairs, only the one that breaks no rule starts."""
    array = pair_array(4, 2, max_sessions=2)
    for number, size in ((0x7, 4), (0x8, 4), (0x9, 8), (0x2, 4)):
        array.add_volume(number, blocks=size)
    array.pair(P).start()
    bad = array.add_copy_group("BAD", pairs=["ET001/0x1:ET001/0x9", "ET001/0x1:ET001/0x1",
                                             "ET001/0x2:ET001/0x6", "ET001/0x1:ET001/0x7",
                                             "ET001/0x1:ET001/0x8"])
    started = [pair.name for pair in bad.pairs if not refused(pair.start)]
    assert [lesson_7.q15_refused_starts().answer] == started


def test_q16_a_refused_group_diff_leaves_pair_one_alone():
    """L07.16: the group -diff is refused, so pair 1's Rest Block does not change."""
    array = pair_array(4, 4)
    v2, v7 = array.add_volume(0x2, blocks=4), array.add_volume(0x7, blocks=4)
    group = array.group("CG1")
    group.add_pair(v2, v7)
    pair = array.pair(P)
    pair.start()
    array.run()
    array.volume("ET001/0x1").write(0, "x")
    assert refused(lambda: group.start(diff=True))
    assert lesson_7.q16_group_all_or_none().answer == pair.rest_blocks


def test_q17_a_copy_from_a_half_restored_source_runs_and_warns():
    """L07.17: a start from an unusable source runs, and the engine warns."""
    array = pair_array(4, 1, "ABCD")
    pair = array.pair(P)
    pair.start()
    array.run()
    array.volume("ET001/0x1").write([0, 1, 2], "xyz")
    pair.start(reverse=True)
    array.tick()
    pair.cancel(reverse=True)
    assert not array.volume("ET001/0x1").usable
    with pytest.warns(UnusableVolumeWarning):
        pair.start(auto=True)
    assert pair.state.has_session
    assert lesson_7.q17_reverse_rules().answer == "runs, and warns"


def test_q18_the_start_after_a_cancel_in_tracking_is_full():
    """L07.18: Rest Block of -auto after a cancel in Tracking."""
    array = pair_array(8, 4, "ABCDEFGH")
    pair = array.pair(P)
    pair.start()
    array.run()
    array.volume("ET001/0x1").write(0, "a")
    pair.cancel()
    assert refused(lambda: pair.start(diff=True))
    pair.start(auto=True)
    assert lesson_7.q18_cancel_tracking_then_full().answer == pair.rest_blocks


def test_q19_a_failure_in_tracking_suspends():
    """L07.19: the OPC Status after a failure on the source of a pair in Tracking."""
    array = pair_array(4, 4, "ABCD")
    array.add_volume(0x5, blocks=4)
    pair = array.pair(P)
    pair.start()
    array.run()
    array.fail("ET001/0x5")
    array.fail("ET001/0x1")
    assert lesson_7.q19_failure_in_tracking().answer == pair.query().opc_status


# The questions as the lesson asks them ------------------------------------------------------

@pytest.mark.parametrize("name", list_scenarios())
def test_every_scenario_has_a_question_with_hint_why_and_mistakes(name):
    """One checked question per scenario: key L07.n, a hint, a tagged why, wrong answers."""
    exercise = lesson_7.question(name)
    assert exercise.key == f"L07.{int(name[:2])}" and exercise.hint
    assert re.search(r"\[[DM][:\]]", exercise.why)
    assert exercise.mistakes and all(wrong != exercise.answer for wrong, _ in exercise.mistakes)
    if exercise.kind == "choice":
        assert len(exercise.choices) >= 4 and exercise.answer in exercise.choices


@pytest.mark.parametrize("name", list_scenarios())
def test_a_right_answer_opens_the_transcript_and_wrong_ones_diagnose(name):
    """The folded result is the scenario's transcript; a likely mistake gets its diagnosis."""
    exercise = lesson_7.question(name)
    wrong, mistake = exercise.mistakes[0]
    prediction = lesson_7.ask(name)
    feedback = prediction.answer(wrong if exercise.kind != "blocks" else list(wrong))
    assert not feedback.correct and mistake in feedback.message and not prediction.revealed
    assert "<details>" in prediction.static_html()
    assert load(name).golden not in prediction.static_text()
    assert prediction.answer(exercise.answer).correct and prediction.revealed
    assert str(prediction.result).startswith(load(name).golden)
    assert "same as the library's golden transcript: True" in str(prediction.result)


def test_three_wrong_answers_also_open_it():
    """After MAX_WRONG counted wrong answers the result opens with the solution."""
    prediction = lesson_7.ask("06_read_uncopied_block")
    for _ in range(MAX_WRONG):
        prediction.answer("5")
    assert prediction.revealed


def test_the_revealed_transcript_scrolls_after_a_screen():
    """A long transcript opens in a box no taller than about a screen of lines."""
    html = lesson_7.ask("17_reverse_rules").result._repr_html_()
    assert "max-height" in html and "overflow:auto" in html


def test_unknown_scenarios_and_missing_lines_are_clear_errors():
    """question() names the scenarios; run_until() names the line it could not find."""
    with pytest.raises(QuickOPCError, match="no scenario 'nope'"):
        lesson_7.question("nope")
    with pytest.raises(ArgumentError, match="has no line 'tick 9'"):
        lesson_7.run_until("01_full_start", "tick 9")


def test_load_into_puts_a_scenario_in_the_panel_with_its_set_up_as_baseline():
    """load_into(panel, name) gives the panel the scenario's end state; Reset goes to set-up."""
    pytest.importorskip("ipywidgets")
    import qopc_kit

    panel = lesson_7.load_into(qopc_kit.dashboard(), "03_diff_from_tracking")
    assert panel.array.pair(P).state.copy_phase == "Tracking"
    assert panel.array.pair(P).copied_blocks == 2
    first_start = next(s.number for s in panel.array.history if s.action == "start")
    assert panel.baseline == first_start - 1
    with pytest.raises(ArgumentError, match=r"needs a qopc_kit\.dashboard"):
        lesson_7.load_into(object(), "01_full_start")


# The stored notebook -------------------------------------------------------------------------

def ask_cells() -> list[tuple[int, str]]:
    found = []
    for index, cell in enumerate(CELLS):
        match = re.fullmatch(r'ask\("(\w+)"\)', source(cell).strip())
        if cell["cell_type"] == "code" and match:
            found.append((index, match.group(1)))
    return found


def test_one_part_per_scenario_in_order():
    """Every scenario has its ask() cell, in the library's order (01 first)."""
    assert [name for _, name in ask_cells()] == list_scenarios()


def test_each_part_is_a_markdown_a_question_and_a_sentence_with_the_load_call():
    """Before each question a markdown names the scenario; after it, the one-call load."""
    for index, name in ask_cells():
        before, after = source(CELLS[index - 1]), source(CELLS[index + 1])
        assert before.startswith(f"### {name}: ") and ("[D]" in before or "[M]" in before)
        assert f'load_into(qopc_kit.dashboard(), "{name}")' in after


def test_stored_outputs_keep_every_result_folded():
    """A question's stored output is the question, its result behind a closed <details>."""
    for index, name in ask_cells():
        outputs = CELLS[index]["outputs"]
        data = outputs[0]["data"]
        plain = "".join(data["text/plain"])
        html = "".join(data["text/html"])
        assert plain.startswith(f"Predict (L07.{int(name[:2])}):") and "\n> " not in plain
        assert "<details>" in html and "<details open" not in html
        assert html.index("<details>") < html.index("<pre")


def test_no_cell_is_taller_than_a_screen():
    """No markdown cell and no printed output runs past about 40 lines."""
    for cell in CELLS:
        assert len(source(cell).splitlines()) <= 40
        for output in cell.get("outputs", []):
            assert len("".join(output.get("text", "")).splitlines()) <= 40


def test_the_rule_tags_sit_on_the_parts_that_show_them():
    """rule:<id> tags of lesson 7 are on the markdown of the scenario showing each rule."""
    tagged = {tag.removeprefix("rule:"): source(cell).splitlines()[0]
              for cell in CELLS for tag in cell.get("metadata", {}).get("tags", [])}
    assert tagged == {
        "T-suspend": f"### 09_error_suspend_auto: {load('09_error_suspend_auto').title}",
        "R-config": f"### 15_refused_starts: {load('15_refused_starts').title}",
        "S-multi": f"### 11_two_destinations: {load('11_two_destinations').title}",
        "U-unusable-source": f"### 17_reverse_rules: {load('17_reverse_rules').title}",
        "U-cascade": f"### 12_refused_cascade: {load('12_refused_cascade').title}",
    }


def test_no_title_or_markdown_gives_an_answer_away():
    """The titles and parts before each question do not state its answer."""
    for index, name in ask_cells():
        before = source(CELLS[index - 1]) + load(name).title
        answer = lesson_7.question(name).answer
        if isinstance(answer, str) and len(answer) > 3:
            assert answer not in before, name
    assert "all or none" not in source(CELLS[ask_cells()[15][0] - 1])


# The defects of issue 16 -----------------------------------------------------------------------

LIBRARY = "\n".join((HERE / f"{name}.qopc").read_text(encoding="utf-8")
                    for name in list_scenarios())
LESSON = "\n".join(source(cell) for cell in CELLS if cell["cell_type"] == "markdown")
DOCUMENTS = ("Express V15.0 Operation Guide A.5.1", "CCM guide", "ETERNUSmgr",
             "Evaluator Group", "Design Guide", "AdvancedCopy Manager")


def test_every_documented_fact_of_the_library_names_its_document():
    """Each [D] fact of a scenario header names where it is documented."""
    for name in list_scenarios():
        for fact in load(name).facts:
            if fact.documented:
                assert any(doc in fact.text for doc in DOCUMENTS), f"{name}: {fact}"


def test_scenario_03_says_the_write_is_lost_at_the_diff():
    """03: the destination's Z is logically lost at the -diff, not 'about to be lost'."""
    assert "about to be lost" not in LIBRARY + LESSON
    assert "logically lost at the -diff" in load("03_diff_from_tracking").text


def test_scenario_06_tags_the_copy_on_read_as_documented_by_the_evaluator_group():
    """06: the block copied first is [D] (Evaluator Group / IBM), not [M]."""
    facts = load("06_read_uncopied_block").facts
    copied_first = [fact for fact in facts if "copied first" in fact.text]
    assert copied_first and all(fact.documented and "Evaluator Group" in fact.text
                                for fact in copied_first)


def test_cascades_are_the_kits_simplification():
    """12: the cascade refusal is [M], the kit's simplification, never a product fact."""
    scenario = load("12_refused_cascade")
    assert "cannot be the destination of one session" not in LIBRARY + LESSON
    assert all(not fact.documented for fact in scenario.facts if "cascade" in fact.text.lower())
    assert "simplification" in scenario.explanation and "2 TB" in scenario.explanation


def test_no_unsourced_reason_for_the_recovery_after_a_failure():
    """19: no 'because the tracking information cannot be trusted'."""
    assert "cannot be trusted" not in LIBRARY + LESSON


def test_third_parties_are_named_as_such():
    """The Evaluator Group is named as a third party wherever it is cited, never as
    'Fujitsu's description'."""
    assert "Fujitsu's description" not in LIBRARY + LESSON
    cited = [fact.text for name in list_scenarios() for fact in load(name).facts
             if "Evaluator Group" in fact.text]
    cited += [source(c) for c in CELLS if c["cell_type"] == "markdown"
              and "Evaluator Group" in source(c)]
    assert len(cited) >= 5 and all("third party" in text_ for text_ in cited)
