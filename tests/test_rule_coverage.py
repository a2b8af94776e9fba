"""The rule-coverage table: every SPEC rule is taught by a tagged lesson cell and checked by an
exercise that declares it."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from qopc_kit import ArgumentError
from qopc_kit.teaching import coverage
from qopc_kit.teaching.exercises import answer_key

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

#: The rule ids of SPEC.md's rule list, written out here independently of the table.
SPEC_RULES = (
    "T-start", "T-complete", "T-diff", "T-diff-copy", "T-cancel-copy", "T-cancel-track",
    "T-suspend", "T-auto", "R-start", "R-diff", "R-cancel", "R-config", "S-multi",
    "B1", "B2", "B3", "B4", "B5", "B6", "V-reverse", "V-end", "U-query", "U-unusable",
    "U-refused", "U-unusable-source", "U-cascade")

EXERCISES = answer_key("ada")


def _cell_tags(notebook: str) -> set[str]:
    cells = nbformat.read(NOTEBOOKS / notebook, as_version=4).cells
    return {tag for cell in cells for tag in cell.get("metadata", {}).get("tags", [])}


def test_every_rule_has_one_row():
    """The table has exactly one row per rule id of SPEC.md, in its order."""
    assert coverage.RULE_IDS == SPEC_RULES
    assert [row[0] for row in coverage.rows()] == list(SPEC_RULES)


@pytest.mark.parametrize("rule", coverage.RULES, ids=lambda r: r.id)
def test_the_rules_exercise_exists_and_declares_it(rule):
    """A row's exercise is one of GENERATORS' exercises and lists the rule in ``rules``."""
    assert rule.exercise in EXERCISES, rule
    assert rule.id in EXERCISES[rule.exercise].rules, (rule.id, EXERCISES[rule.exercise].rules)


def test_every_declared_rule_is_known():
    """Every id an exercise declares in ``rules`` is a rule of the table; none is empty."""
    for seed in ("ada", 0, 1):
        for exercise in answer_key(seed).values():
            assert exercise.rules, exercise.key
            assert set(exercise.rules) <= set(SPEC_RULES), (exercise.key, exercise.rules)


@pytest.mark.parametrize("rule", coverage.RULES, ids=lambda r: r.id)
def test_the_rules_lesson_has_a_tagged_cell(rule):
    """The row's lesson notebook exists and has a cell tagged ``rule:<id>``."""
    assert (NOTEBOOKS / rule.lesson).is_file(), rule.lesson
    assert rule.cell_tag in _cell_tags(rule.lesson), (rule.lesson, rule.cell_tag)


def test_the_markdown_table_has_a_line_per_rule():
    """table_markdown(): a header, a rule line, then one line per rule naming its lesson
    and exercise."""
    lines = coverage.table_markdown().splitlines()
    assert lines[0] == "| " + " | ".join(coverage.COLUMNS) + " |"
    assert len(lines) == 2 + len(SPEC_RULES)
    for line, rule in zip(lines[2:], coverage.RULES, strict=True):
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        assert cells[0] == f"`{rule.id}`" and cells[3] == rule.lesson
        assert cells[4] == f"`rule:{rule.id}`" and cells[5] == rule.exercise


def test_an_unknown_rule_is_refused():
    """Asking for a rule that does not exist names the ones that do."""
    assert coverage.rule("B2").exercise == "2c"
    with pytest.raises(ArgumentError, match=r"no rule 'B9' \(rules: T-start, T-complete"):
        coverage.rule("B9")


def test_the_teachers_coverage_command_prints_one_row_per_rule(capsys) -> None:
    from qopc_kit.teaching.__main__ import main

    assert main(["coverage"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + len(coverage.RULES)
    for rule, line in zip(coverage.RULES, lines[2:], strict=True):
        assert line.startswith(f"| `{rule.id}` |")
        assert f"| {rule.exercise} | {', '.join(rule.scenarios)} |" in line
