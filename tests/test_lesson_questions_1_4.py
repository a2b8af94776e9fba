"""Lessons 1 to 4: each checked question's answer is the engine's, and no stored output shows it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from qopc_kit import DiskArray
from qopc_kit.dashboard.panel import lesson_array
from qopc_kit.engine.states import Copy, states_of
from qopc_kit.teaching.model import Exercise, format_answer
from qopc_kit.teaching.predict import predict
from qopc_kit.teaching.questions import lessons_1_4 as questions
from qopc_kit.views import diagram
from qopc_kit.views.blockmap import capture

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = {n: next((ROOT / "notebooks").glob(f"{n}_*.ipynb")) for n in ("01", "02", "03", "04")}
SECRET = "SECRET-RESULT"


def lesson(blocks: int, letters: str) -> tuple[DiskArray, object, object, object]:
    array = DiskArray("ET001", copy_rate=2)
    src = array.add_volume(0x1, blocks=blocks)
    dst = array.add_volume(0x6, blocks=blocks)
    src.write(slice(None), letters)
    return array, src, dst, array.add_copy_group("CG1", pairs=[(src, dst)]).pairs[0]


def read_text(volume, blocks=None) -> str:
    """What a host reads, through the volume's public read (one letter a block)."""
    index = range(volume.blocks) if blocks is None else blocks
    return "".join(chr(volume.read(b).tobytes()[0]) for b in index)


def on_blocks(volume, blocks=None) -> str:
    index = range(volume.blocks) if blocks is None else blocks
    return "".join(chr(volume.data[b, 0]) if volume.data[b, 0] else "." for b in index)


def check(exercise: Exercise, expected: object) -> None:
    """The answer is ``expected``; typing it opens the result; each listed mistake is wrong."""
    assert exercise.answer == expected, exercise.key
    assert exercise.hint and exercise.why and exercise.mistakes
    assert re.search(r"\[[DM][],:]", exercise.why), "the why is tagged [D]/[M]"
    if exercise.kind == "choice":
        assert len(exercise.choices) >= 4 and exercise.answer in exercise.choices
    shown = predict(exercise, SECRET)
    assert not shown.revealed
    typed = (format_answer(exercise.kind, expected).strip('"') if exercise.kind != "choice"
             else str(expected))
    assert shown.answer(typed).correct and shown.revealed
    for wrong, mistake in exercise.mistakes:
        assert wrong != expected
        feedback = predict(exercise, SECRET).answer(
            format_answer(exercise.kind, wrong).strip('"') if exercise.kind != "choice" else wrong)
        assert not feedback.correct and mistake in feedback.message


# Lesson 1 --------------------------------------------------------------------------
def test_l01_blocks_that_left_the_queue():
    """L01.1: after a start and one tick, the blocks the query counts as copied, lowest first."""
    array = lesson_array(blocks=16, copy_rate=2)
    pair = array.pair("ET001/0x1:ET001/0x6")
    pair.start()
    array.tick()
    copied = pair.query().copied_block
    expected = tuple(b for b in range(16) if not pair.queued[b])
    assert len(expected) == copied
    check(questions.left_queue(pair), expected)


# Lesson 2 --------------------------------------------------------------------------
def test_l02_questions_follow_the_engine():
    """L02.1-4: the host's read at the start, copy-before-write, copy-on-read, tracking."""
    array, src, dst, pair = lesson(8, "ABCDEFGH")
    pair.start()
    check(questions.start_read(pair),
          questions.START_READ_CHOICES[0]
          if np.array_equal(dst.image(), src.image()) and not dst.data.any() else None)
    array.tick()
    src.write(5, "x")
    check(questions.cbw_block(pair, 5), on_blocks(dst, [5]))
    assert on_blocks(dst, [5]) == "F"
    before = capture(pair)
    rest = pair.query().rest_block
    dst.read(6)
    assert pair.query().rest_block == rest - 1
    check(questions.read_rest(pair, before), pair.query().rest_block)
    src.write(1, "y")
    array.run()
    check(questions.tracked_after_copy(pair),
          tuple(b for b in range(8) if pair.source_tracking[b]))


# Lesson 3 --------------------------------------------------------------------------
def test_l03_questions_follow_the_engine():
    """L03.1-5: tracking on both sides, the -diff queue, its ticks, an empty -diff, a -diff
    during the copy."""
    array, src, dst, pair = lesson(16, "ABCDEFGHIJKLMNOP")
    pair.start()
    full = array.run()
    src.write([2, 9], "s")
    dst.write([9, 13], "d")
    check(questions.destination_tracked(pair),
          tuple(b for b in range(16) if pair.destination_tracking[b]))
    before = capture(pair)
    pair.start(diff=True)
    check(questions.diff_queue(pair, before), tuple(b for b in range(16) if pair.queued[b]))
    question = questions.diff_ticks(array, full)
    check(question, array.run())
    pair.start(diff=True)
    check(questions.empty_diff_state(pair), pair.query().copy_phase)
    src.write([3, 4, 5, 6], "t")
    pair.start(diff=True)
    array.tick()
    src.write(0, "u")
    before = capture(pair)
    pair.start(diff=True)
    exercise = questions.diff_during_copy(pair, before, written=[3, 4, 5, 6, 0])
    check(exercise, tuple(b for b in range(16) if pair.queued[b]))
    assert len(exercise.answer) == pair.query().rest_block


# Lesson 4 --------------------------------------------------------------------------
def test_l04_questions_follow_the_engine():
    """L04.1-4: the rollback read, the physical blocks before the copy, both sides, and a
    destination write to a queued block."""
    array, src, dst, pair = lesson(8, "ABCDEFGH")
    pair.start()
    array.run()
    dst.write([1, 4], "d")
    before = capture(pair)
    pair.start(diff=True)
    check(questions.physical_after_diff(pair, [1, 4]), on_blocks(dst, [1, 4]))
    check(questions.rollback_read(pair, before), read_text(dst))  # the read copies: asked last
    array.run()
    src.write(6, "S")
    dst.write([2, 6], "D")
    before = capture(pair)
    pair.start(diff=True)
    check(questions.both_sides(pair, before), read_text(dst))
    array.run()
    src.write([0, 1, 2, 3], "n")
    pair.start(diff=True)
    dst.write(3, "w")
    pair.start(diff=True)
    assert pair.queued[3] and pair.rolled_back[3]
    check(questions.next_diff(pair, 3), questions.NEXT_DIFF_CHOICES[0])


def test_folded_text_shows_only_its_summary_in_plain_text():
    """The "In text" fold: plain text is the summary; HTML is a closed <details>."""
    shown = questions.folded(SECRET)
    assert SECRET not in repr(shown)
    page = shown._repr_html_()
    assert "<details" in page and "<details open" not in page
    assert page.index("<summary>") < page.index(SECRET)


# The stored notebooks --------------------------------------------------------------
def cells(number: str) -> list[dict]:
    return json.loads(NOTEBOOKS[number].read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def open_texts(cell: dict) -> list[str]:
    """What a cell's outputs show in the open: streams, text/plain, and HTML outside <details>."""
    found = []
    for output in cell.get("outputs", []):
        if "text" in output:
            found.append("".join(output["text"]))
        data = output.get("data", {})
        for mime in ("text/plain", "text/html"):
            value = data.get(mime)
            if value is not None:
                value = value if isinstance(value, str) else "".join(value)
                found.append(re.sub(r"<details.*?</details>", "", value, flags=re.S))
    return found


@pytest.mark.parametrize("number", sorted(NOTEBOOKS))
def test_every_predict_step_shows_a_question_and_keeps_its_result_folded(number):
    """Each predict() cell's stored output is the question with the result in a closed fold."""
    predicting = [c for c in cells(number) if c["cell_type"] == "code"
                  and re.search(r"^predict\(", source(c), re.M)]
    assert predicting, "at least one checked question per lesson"
    for cell in predicting:
        [output] = [o for o in cell["outputs"] if "data" in o]
        plain = "".join(output["data"]["text/plain"])
        page = "".join(output["data"]["text/html"])
        assert plain.startswith("Predict (L0") and "<details" not in plain
        assert "<details>" in page and "<details open" not in page
        assert page.index("<summary>") < page.index("</summary>") < page.index("<pre>")


@pytest.mark.parametrize("number", sorted(NOTEBOOKS))
def test_no_block_map_or_explanation_in_the_open_after_the_first_question(number):
    """From "Predict, then run" on, no block map, query table or solution shows in the open."""
    asked = False
    for cell in cells(number):
        if asked and cell["cell_type"] == "code":
            for text in open_texts(cell):
                assert not re.search(r"^(src|dst|queued)\s+[.\w] ", text, re.M), text[:200]
                assert "Copied Block Rest Block" not in text and "Answer:" not in text
        asked = asked or "## Predict, then run" in source(cell)


def test_predict_cells_are_followed_by_prose_that_does_not_explain_them():
    """The sentences that gave answers away right under the questions are gone."""
    text = "\n".join(source(c) for n in NOTEBOOKS for c in cells(n) if c["cell_type"] == "markdown")
    for given_away in ("Blocks 0 and 1 left the queue", "The host already reads `ABCDEFGH`",
                       "Copy-before-write: the array copied the old", "Copy-on-read: the block",
                       "Queued = source-tracked ∪ destination-tracked blocks: 2, 9 and 13",
                       "Both `d` are gone", "Until the copier reaches them",
                       "Block 6 gets the source's new", "The write to block 3 won",
                       "The start is a new logical copy (Copying/Tracking), and with nothing",
                       "here 3 blocks and 2 ticks"):
        assert given_away not in text


def test_tour_defines_its_terms_and_keeps_its_promises():
    """01: the panel opens at its set-up; map rows named before they show; In text's promise
    is what the lessons do; the diagram has a text twin that counts its boxes."""
    tour = cells("01")
    first = source(tour[0])
    assert "set-up" in first and "step 4" not in first
    for row in ("`src-trk`", "`dst-trk`", "`cbw`", "`missing`", "`rolled`", "`queued`"):
        assert row in first
    text = "\n".join(source(c) for c in tour)
    assert "the same result printed" not in text
    [shown] = [c for c in tour if "state_diagram()" in source(c)]
    plain = "".join(next(o for o in shown["outputs"] if "data" in o)["data"]["text/plain"])
    assert "IPython.core.display" not in plain
    assert f"{len(states_of(Copy.QUICKOPC))} boxes (states)" in plain
    assert "<svg" in "".join(next(o for o in shown["outputs"] if "data" in o)["data"]["text/html"])


def test_lesson_2_shows_the_copied_answer_and_both_views():
    """02: the start's reply ("copied") is printed; In text holds the logical and physical maps."""
    lesson2 = cells("02")
    start = next(c for c in lesson2 if 'acopc("start -g CG1")' in source(c))
    assert "# copied: QuickOPC full copy" in "".join(open_texts(start))
    in_text = lesson2[next(i for i, c in enumerate(lesson2)
                       if source(c).startswith("## In text")) + 1]
    page = "".join("".join(o["data"]["text/html"]) for o in in_text["outputs"] if "data" in o)
    assert "[logical image (what a host reads)]" in page and "[physical data (on the blocks)]" in page


@pytest.mark.parametrize("number", ["02", "03", "04"])
def test_in_text_runs_no_command_and_leaves_the_panel_alone(number):
    """The "In text" cell has prose, runs no command and does not redraw the panel."""
    lesson_cells = cells(number)
    at = next(i for i, c in enumerate(lesson_cells) if source(c).startswith("## In text"))
    assert len(source(lesson_cells[at]).split("\n", 2)[-1].strip()) > 80, "prose under the heading"
    code = source(lesson_cells[at + 1])
    assert not re.search(r"\.(run|tick|start|cancel|write|read|refresh)\(", code)
    assert "before_after" not in code


def test_lesson_3_cites_the_ccm_guide_for_the_auto_table():
    """03: the -auto table is the ACM CCM guide's acopc start page, not the Express text."""
    text = "\n".join(source(c) for c in cells("03"))
    assert "The manual's table for `-auto`" not in text
    assert re.search(r"CCM guide's `acopc start`\s+page", text)
    step = next(source(c) for c in cells("03") if "changed" in source(c) and "folded" in source(c))
    assert "`changed`" in step


def test_lesson_4_letters_and_recap():
    """04: the source writes do not use the queued mark's letter; the recap says the rollback."""
    code = "\n".join(source(c) for c in cells("04") if c["cell_type"] == "code")
    assert not re.search(r"""write\([^)]*["']q["']\)""", code)
    text = "\n".join(source(c) for c in cells("04"))
    assert "is not a backup any more" not in text
    assert "again the source's image" in text


TAGS = {"T-start": "02", "T-complete": "02", "U-query": "02", "B1": "02", "B2": "02",
        "B4": "02", "B5": "02", "B6": "02", "T-diff": "03", "T-diff-copy": "03", "B3": "04"}


def test_each_rule_is_tagged_once_in_these_lessons():
    """Each rule of lessons 1-4 tags exactly one cell, in the lesson that shows it."""
    found: dict[str, list[str]] = {}
    for number in NOTEBOOKS:
        for cell in cells(number):
            for tag in cell.get("metadata", {}).get("tags", []):
                found.setdefault(tag.removeprefix("rule:"), []).append(number)
    assert {rule: found.get(rule) for rule in TAGS} == {r: [n] for r, n in TAGS.items()}


def test_diagram_tooltips_tag_claims_as_spec_does():
    """Tracking -diff is [D]; Copying/Tracking -diff's queue is [M]; the end of the copy tags
    the instant [M]; no tooltip or text says "(the kit's model) [D]"."""
    svg = diagram.shipped_layout(Copy.QUICKOPC)
    text = diagram.diagram_text()
    for shown in (svg, text):
        assert "(the kit's model) [D]" not in shown
        assert "queued = not yet copied + tracked on both sides [M]" in shown
        assert "queued = tracked on both sides; destination writes rolled back; tracking " \
               "restarts empty [D]" in shown
        assert "the session stays, tracking goes on [D]; at that instant, whatever moved " \
               "the block [M]" in shown


def test_state_diagram_object_has_both_faces():
    """state_diagram(): SVG as HTML, the boxes and arrows (and the pair's state) as text."""
    array = lesson_array(blocks=4)
    pair = array.pair("ET001/0x1:ET001/0x6")
    pair.start()
    shown = diagram.state_diagram(pair)
    assert shown._repr_html_().lstrip().startswith("<svg")
    lines = repr(shown).splitlines()
    arrows = len(diagram.edges_of(Copy.QUICKOPC))
    assert lines[0].endswith(f"{arrows} arrows")
    assert lines[-1].startswith("Now: ET001/0x1:ET001/0x6: Copying/Tracking")
    with pytest.raises(TypeError, match="copy must be a Copy"):
        diagram.diagram_text("QuickOPC")  # type: ignore[arg-type]
    assert np.sum([line.startswith("  [") for line in lines]) == len(
        states_of(Copy.QUICKOPC))
