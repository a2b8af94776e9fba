"""The review fixes of lessons 2, 5 and 7 (issue 16) stay fixed: nothing in a stored output
answers a question in the open, lesson 5's step 1 asks what its question checks, refusals
are tagged [M] with the Fujitsu code, the recaps are tagged, and ``load_into`` takes a number
and names a bad scenario in one line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qopc_kit import DiskArray
from qopc_kit.engine.errors import ArgumentError
from qopc_kit.scenarios import list_scenarios, load
from qopc_kit.teaching.questions import lesson_7
from qopc_kit.teaching.questions import lessons_5_8 as questions

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = {"02": "02_logical_physical.ipynb", "05": "05_cancel.ipynb",
             "07": "07_edge_cases.ipynb"}
#: Every lesson whose recap states facts (07's recap is about the tags themselves).
RECAPS = {"02": NOTEBOOKS["02"], "03": "03_tracking_diff.ipynb", "04": "04_rollback.ipynb",
          "05": NOTEBOOKS["05"], "06": "06_acopc_lab.ipynb", "08": "08_why_quickopc.ipynb"}
QUESTION_MODULES = sorted((ROOT / "qopc_kit" / "teaching" / "questions").glob("*.py"))
EXPRESS = "[D: ETERNUS SF Express V15.0 Operation Guide, A.5.1]"


def cells(number: str) -> list[dict]:
    name = {**NOTEBOOKS, **RECAPS}[number]
    return json.loads((ROOT / "notebooks" / name).read_text())["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


def open_outputs(cell: dict) -> str:
    """What a static page shows of the cell's outputs without opening anything: the text
    outside every <details ...>...</details>; the dashboard's stored replay is left aside
    (another helper makes it open on its set-up frame)."""
    shown = []
    for output in cell.get("outputs", []):
        if "text" in output:
            shown.append("".join(output["text"]))
            continue
        data = output.get("data", {})
        page = "".join(data.get("text/html", ""))
        if "qopc-replay" in page:
            continue
        if page:
            shown.append(re.sub(r"<details[^>]*>.*?</details>", "", page, flags=re.S))
        else:
            shown.append("".join(data.get("text/plain", "")))
    return "\n".join(shown)


def section(number: str, heading: str) -> int:
    return next(i for i, c in enumerate(cells(number)) if text(c).startswith(f"## {heading}"))


# 1. No answer in the open ------------------------------------------------------------------

@pytest.mark.parametrize("number", [*sorted(NOTEBOOKS), "06"])
def test_in_text_shows_no_query_or_block_map_in_the_open(number):
    """The "In text" cells fold the state, the query, the block map and the diagram: they
    hold answers of the questions above."""
    found = cells(number)
    at = section(number, "In text")
    part = []
    for cell in found[at + 1:]:
        if cell["cell_type"] == "markdown":
            break
        part.append(cell)
    pages = "".join("".join(o.get("data", {}).get("text/html", ""))
                    for cell in part for o in cell["outputs"])
    assert "<details" in pages
    for cell in part:
        shown = open_outputs(cell)
        for marker in ("Rest Block", "Copy Phase", "queued ", "(was ", "rest ", "<svg",
                       "Copying/Tracking"):
            assert marker not in shown, (number, marker)


def test_a_fold_can_hold_a_view_under_its_text():
    shown = questions.folded("the text", "the summary", view_html="<svg>a diagram</svg>")
    page = shown._repr_html_()
    assert page.index("<details") < page.index("<svg>a diagram</svg>") < page.index("</details>")
    assert "a diagram" not in repr(shown) and "the summary" in repr(shown)


def test_lesson_5_prints_no_queued_count_before_l05_4():
    """Lesson 5 no longer prints the full start's queue (L05.4's answer) before asking it."""
    found = cells("05")
    asked = next(i for i, c in enumerate(found) if "l05_next_start" in text(c))
    answer = questions.l05_next_start(_after_lesson_5()).answer
    for cell in found[:asked]:
        shown = open_outputs(cell) + (text(cell) if cell["cell_type"] == "markdown" else "")
        assert f"queued: {answer}" not in shown
        assert not re.search(rf"\brest(?: Block)?\W+{answer}\b", shown, flags=re.I)


def _after_lesson_5():
    """Lesson 5's array replayed with the engine up to L05.4 (not with the lesson's cells)."""
    pair = _cancelled_mid_copy()
    array, src = pair.array, pair.source
    pair.start()
    array.run()
    src.write(0, "s")
    pair.cancel()
    pair.start()
    return pair


def test_l05_4_is_a_full_copy_and_nothing_open_says_so():
    """The engine's answer is every block; no open output or prose of lesson 5 says
    'full start: 12 of 12' or 'rest 12'."""
    pair = _after_lesson_5()
    assert pair.rest_blocks == pair.source.blocks == 12
    assert questions.l05_next_start(pair).answer == 12
    for cell in cells("05"):
        shown = open_outputs(cell)
        assert "12 of 12" not in shown and "rest 12" not in shown


# 2. Lesson 5 step 1 asks what its question checks ------------------------------------------

def test_lesson_5_step_1_asks_only_what_l05_1_checks():
    found = cells("05")
    asked = next(i for i, c in enumerate(found) if "l05_never_copied" in text(c))
    prose = " ".join(text(found[asked - 1]).split())
    assert "never copied" in prose
    assert not re.search(r"Predict: is the destination usable", prose)
    exercise = questions.l05_never_copied(_cancelled_mid_copy(), host_written=9)
    assert exercise.kind == "blocks" and "usable" not in exercise.question


def _cancelled_mid_copy():
    array = DiskArray("ET001", copy_rate=2)
    src, dst = array.add_volume(0x1, blocks=12), array.add_volume(0x6, blocks=12)
    src.write(slice(None), "ABCDEFGHIJKL")
    pair = array.add_copy_group("CG1", pairs=[(src, dst)]).pairs[0]
    pair.start()
    array.tick(2)
    dst.write(9, "w")
    pair.cancel()
    return pair


# 3. Refusals are [M, with the Fujitsu code] ------------------------------------------------

def test_l05_2_tags_the_refusal_m_with_the_fujitsu_code():
    pair = _cancelled_mid_copy()
    tried = questions.attempt(pair, diff=True)
    assert tried.refusal is not None and tried.refusal.code == 32793
    why = questions.l05_diff_after_cancel(tried).why
    assert "[M, with the Fujitsu code 32793" in why and "Cinder's Fujitsu driver" in why
    assert "[D: Cinder" not in why


@pytest.mark.parametrize("module", QUESTION_MODULES, ids=lambda p: p.name)
def test_no_question_module_tags_a_refusal_code_d(module):
    """A refusal is the kit's rule [M]; only the code's meaning comes from Cinder's driver."""
    source = re.sub(r'"\s*\n\s*f?"', "", module.read_text())  # join implicit concatenations
    assert "[D: Cinder" not in source and "[D: the code as" not in source
    for match in re.finditer(r"\b(32791|32793|32794|32821|35333|4097)\b", source):
        tail = source[match.end():match.end() + 25]
        assert not tail.lstrip(" ,)").startswith("[D"), (module.name, match.group(), tail)


# 4. Recaps tagged as SPEC.md tags them -----------------------------------------------------

def test_lesson_2_recap_tags_each_fact():
    recap = text(cells("02")[section("02", "Recap")])
    bullets = re.split(r"\n- ", recap)[1:]
    assert len(bullets) == 4 and all("[D:" in b or "[M]" in b for b in bullets)
    assert recap.count(EXPRESS) >= 4
    assert "Evaluator Group's analysis of the ETERNUS DX400 S2 (a third party" in recap
    assert "IBM's FlashCopy" in recap and "Fujitsu's description" not in recap
    assert re.search(r"stays in \*\*Tracking\*\* \[D: ETERNUS SF Express", recap)


def recap_of(number: str) -> str:
    found = [text(c) for c in cells(number) if "## Recap" in text(c)]
    return found[-1].split("## Recap", 1)[1]


@pytest.mark.parametrize("number", sorted({**NOTEBOOKS, **RECAPS}))
def test_recap_d_tags_name_their_document(number):
    recap = recap_of(number)
    assert "[D]" not in recap.replace("**[D]** facts", "")
    assert "Fujitsu's description" not in recap
    for tag in re.findall(r"\[D: ([^\]]+)\]", recap):
        assert any(doc in tag for doc in ("Express V15.0", "Evaluator Group", "CCM", "A.5.1",
                                          "IBM", "Hitachi", "ETERNUSmgr")), tag


@pytest.mark.parametrize("number", sorted(RECAPS))
def test_every_recap_fact_carries_a_tag(number):
    """Each bullet of the recap carries [D: document] or [M] (06's last bullet names the
    kit's own tools, no product fact)."""
    for bullet in re.split(r"\n- ", recap_of(number))[1:]:
        assert re.search(r"\[(D: |M\b)", bullet) or "the kit's own tools" in bullet, bullet
    assert "[D: Cinder" not in recap_of(number)


def test_lesson_5_recap_tags_the_refusal_m_and_the_cancel_d():
    recap = text(cells("05")[section("05", "Recap")])
    assert "[M, with the Fujitsu code 32793" in " ".join(recap.split())
    assert recap.count(EXPRESS) >= 3
    assert all("[D:" in b or "[M" in b for b in re.split(r"\n- ", recap)[1:])


# 5. load_into takes a number; a bad name is one line ---------------------------------------

@pytest.mark.parametrize("given", ["04", 4, "4", "04_restart_during_copy"])
def test_load_into_accepts_a_scenario_number(given):
    pytest.importorskip("ipywidgets")
    import qopc_kit

    panel = lesson_7.load_into(qopc_kit.dashboard(), given)
    expected = load("04_restart_during_copy").run().array  # the engine, not load_into
    assert expected is not None
    for name, want in expected.pairs.items():
        got = panel.array.pair(name)
        assert (got.state, got.rest_blocks, got.copied_blocks) == \
            (want.state, want.rest_blocks, want.copied_blocks)
    assert (panel.array.volume("ET001/0x6").image() == expected.volume("ET001/0x6").image()).all()


@pytest.mark.parametrize("bad", ["nope", "99", 0])
def test_load_into_names_a_bad_scenario_in_one_line(bad):
    pytest.importorskip("ipywidgets")
    import qopc_kit

    panel = qopc_kit.dashboard()
    with pytest.raises(ArgumentError) as caught:
        lesson_7.load_into(panel, bad)
    shown = caught.value._render_traceback_()
    assert len(shown) == 1 and "\n" not in shown[0]
    assert f"no scenario {str(bad)!r}" in shown[0]
    assert list_scenarios()[0] in shown[0]


def test_ipython_shows_the_bad_name_without_a_traceback(capsys):
    """In a notebook the error is the one line, no 'Traceback' and no NotFoundError frame."""
    pytest.importorskip("ipywidgets")
    interactive = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactive.InteractiveShell.instance()
    try:
        shell.run_cell("import qopc_kit\nfrom qopc_kit.teaching.questions.lesson_7 import "
                       "load_into\nload_into(qopc_kit.dashboard(), 'nope')")
    finally:
        interactive.InteractiveShell.clear_instance()
    printed = capsys.readouterr()
    shown = printed.out + printed.err
    assert "load_into: no scenario 'nope'" in shown
    assert "Traceback" not in shown and "NotFoundError" not in shown


def test_lesson_8_folds_the_first_weeks_totals():
    """08's In text keeps the week's totals (their share is near L08.2's answer) folded."""
    from qopc_kit.teaching.compare import week_of_backups

    week = week_of_backups(blocks=256, days=7, change_rate=0.1, copy_rate=16, seed=0)
    found = cells("08")
    at = section("08", "In text")
    page = "".join("".join(o.get("data", {}).get("text/html", "")) for o in found[at + 1]["outputs"])
    assert f"QuickOPC {week.quickopc_total} blocks copied" in page and "<details" in page
    for cell in found:
        shown = open_outputs(cell)
        assert f"QuickOPC {week.quickopc_total}" not in shown and "blocks copied in" not in shown


@pytest.mark.parametrize("module", QUESTION_MODULES, ids=lambda p: p.name)
def test_every_d_tag_of_a_question_names_its_document(module):
    """No bare [D] in a question's text: each [D] says which document (docstrings that talk
    about the tags are the exception)."""
    bare = re.findall(r"\[D\](?! (?:names|tags|with))", module.read_text())
    assert not bare, module.name
