"""The lesson notebooks as stored: executed, clean, deterministic, and laid out alike.

nbval (``make test``) re-runs them and compares outputs; these checks read the files
only, so they also catch what nbval skips (saved widget state, missing sections).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LESSONS = [nb for nb in NOTEBOOKS if nb.name[:2] not in ("01", "09")]

#: The sections every lesson has, in this order (the tour and the exercises have their own).
SECTIONS = {
    "lesson": ["Goals", "What the manual says", "Predict, then run", "The panel", "In text",
               "Recap"],
    "01": ["Goals", "What the manual says", "The panel", "Predict, then run", "The lessons",
           "In text", "Recap"],
    "09": ["Goals", "What the manual says", "How it works", "The panel", "The exercises",
           "In text", "For the teacher", "Recap"],
}
MANUAL = "ETERNUS SF Express V15.0 Operation Guide, A.5.1"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def text_outputs(cell: dict) -> list[str]:
    """Every text an output carries (streams and each mime type's data)."""
    found = []
    for output in cell.get("outputs", []):
        if "text" in output:
            found.append("".join(output["text"]))
        for value in output.get("data", {}).values():
            found.append(value if isinstance(value, str) else
                         "".join(value) if isinstance(value, list) else json.dumps(value))
    return found


def headings(notebook: dict) -> list[str]:
    return [line[3:].strip() for cell in notebook["cells"] if cell["cell_type"] == "markdown"
            for line in source(cell).splitlines() if line.startswith("## ")]


def section(notebook: dict, title: str) -> str:
    """The markdown of section ``title`` (up to the next ``## `` heading)."""
    markdown = "\n".join(source(c) for c in notebook["cells"] if c["cell_type"] == "markdown")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    return match.group(1) if match else ""


def test_the_nine_lessons_are_there():
    """notebooks/ holds lessons 01 to 09, the tour first (make app and the browser tests use it)."""
    assert [nb.name[:2] for nb in NOTEBOOKS] == [f"0{n}" for n in range(1, 10)]
    assert NOTEBOOKS[0].name == "01_tour.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_saved_widget_state(path):
    """No widget state is stored: it is volatile, large, and nbval does not need it."""
    notebook = load(path)
    assert "widgets" not in notebook["metadata"]
    assert all("widgets" not in cell.get("metadata", {}) for cell in notebook["cells"])
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_executed_with_outputs_and_no_errors(path):
    """Every code cell was run in order, none raised or wrote to stderr, and results are shown."""
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    outputs = [o for c in code for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    printed = [o for o in outputs if o["output_type"] == "stream"]
    assert len(printed) >= 2, "a lesson prints its results so a static page shows them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_deterministic(path):
    """No memory address, timestamp or temporary path in what nbval compares."""
    for cell in load(path)["cells"]:
        for text in text_outputs(cell):
            assert not re.search(r"at 0x[0-9a-f]{6,}", text), text[:200]
            assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text), text[:200]
            assert "/tmp/" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_output_hidden_by_a_semicolon(path):
    """No code cell ends in ';': nbval runs cells outside IPython's history, so the
    semicolon would not hide the value there and the stored and fresh outputs would differ."""
    code = [source(c).rstrip() for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert not [text for text in code if text.endswith(";")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_sections_in_order(path):
    """Each lesson has its sections, in the same order as the others."""
    wanted = SECTIONS.get(path.name[:2], SECTIONS["lesson"])
    found = [h for h in headings(load(path)) if h in wanted]
    assert found == wanted


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_title_names_the_lesson(path):
    """The first cell is the lesson's title, numbered like the file."""
    first = source(load(path)["cells"][0]).splitlines()[0]
    number = int(path.name[:2])
    assert first.startswith("# qopc-kit: a tour" if number == 1 else f"# Lesson {number}: ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_quotes_the_manual(path):
    """The manual section quotes (or, in lesson 9, cites) the Express guide's A.5.1."""
    text = section(load(path), "What the manual says")
    assert MANUAL in text or "A.5.1" in text
    if path.name[:2] != "09":
        assert re.search(r"^> \S", text, re.M), "a quotation, as a markdown block quote"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_names_its_modelling_choices(path):
    """Lessons 2 to 8 say which of the facts they show are the kit's modelling choices."""
    markdown = "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    assert "modelling choice" in markdown and "[M]" in markdown


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_shows_the_dashboard(path):
    """Each lesson opens the dashboard, and its stored one-line text says what it shows."""
    cells = load(path)["cells"]
    panel = [c for c in cells if c["cell_type"] == "code" and "qopc_kit.dashboard(" in source(c)]
    assert panel, "no qopc_kit.dashboard(...) cell"
    plain = [o["data"]["text/plain"] for c in panel for o in c["outputs"] if "data" in o]
    assert any("".join(t).startswith("QuickOPC dashboard on ") for t in plain)


def test_tour_dashboard_is_untouched():
    """The tour's dashboard starts on a fresh lesson (the browser tests replay clicks on it)."""
    cells = load(NOTEBOOKS[0])["cells"]
    code = "\n".join(source(c) for c in cells if c["cell_type"] == "code")
    assert "panel = qopc_kit.dashboard(blocks=16, copy_rate=2)" in code
    assert not re.search(r"panel\.(buttons|array|pair)\b", code)


def test_exercises_hide_solutions_save_and_show_only_the_students_own_grade():
    """Lesson 9 shows each solution through the gated call, whose stored output is the
    refusal; it saves the answers and prints only the student's own regraded score: no
    answer, no solution, no student's answers anywhere in the stored outputs."""
    from qopc_kit.teaching.exercises import answer_key

    cells = load(NOTEBOOKS[-1])["cells"]
    outputs = "\n".join(t for c in cells for t in text_outputs(c))
    key = answer_key("guest")
    # The dashboard's stored replay (folded, its frame text open inside): not a solution.
    outputs = re.sub(r'<details open="open"><summary>This frame as text</summary>.*?</details>',
                     "", outputs, flags=re.S)
    outputs = re.sub(r'<details class="qopc-twin">.*?</details>', "", outputs, flags=re.S)
    assert "<details" not in outputs and "Answer: " not in outputs
    for name, exercise in key.items():
        assert f'print(exercises.solution("{name}"))' in [source(c) for c in cells]
        assert f"The solution to {name} opens after a right answer" in outputs
        assert exercise.why not in outputs
    code = "\n".join(source(c) for c in cells if c["cell_type"] == "code")
    assert "exercises.save(ANSWERS)" in code and "folder=ANSWERS" in code
    assert ".answer" not in code and "solution_html" not in code
    total = len(key)
    assert re.search(rf"^saved guest: \d+/{total} solved .* to guest\.json$", outputs, re.M)
    assert re.search(rf"^guest: \d+/{total} solved .*regraded from the name's seed", outputs,
                     re.M)
    assert "answers given:" not in outputs


def test_readme_lists_every_lesson():
    """The README's Lessons section has one line per notebook."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lessons = readme.split("\n## Lessons\n", 1)[1].split("\n## ", 1)[0]
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in lessons
    assert "environment.yml" in lessons and "Binder" in lessons and "JupyterHub" in lessons


@pytest.mark.parametrize("path", [*NOTEBOOKS, ROOT / "app" / "dashboard.ipynb"],
                         ids=lambda p: p.name)
def test_stored_outputs_hold_no_widget_view(path):
    """A stored output keeps its static fallback and no widget view: with no saved widget
    state, a trusted notebook would show "model not found" in its place (`make notebooks`
    drops the views); the live kernel draws the widgets anew."""
    for cell in load(path)["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            assert "application/vnd.jupyter.widget-view+json" not in data, source(cell)[:60]
            if data:
                assert "text/plain" in data, source(cell)[:60]
