"""The rule-coverage table: for each rule of SPEC.md, the lesson that teaches it and the
exercise that checks it.

A lesson marks the cell that shows a rule with the cell tag ``rule:<id>``; an exercise lists
the rules it checks in :attr:`.model.Exercise.rules`. :func:`rows` joins the two with the
rule's summary and its SPEC tag, :func:`table_markdown` prints the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.errors import ArgumentError


@dataclass(frozen=True)
class Rule:
    """One rule of SPEC.md: its id, a one-line summary and its tag there ([D], [M], both)."""

    id: str
    summary: str
    tag: str
    lesson: str  # the notebook that teaches it, e.g. "02_logical_physical.ipynb"
    exercise: str  # the key of the exercise that checks it, e.g. "2c"

    @property
    def cell_tag(self) -> str:
        """The tag of the lesson cell that shows the rule."""
        return f"rule:{self.id}"


_LOGICAL, _DIFF = "02_logical_physical.ipynb", "03_tracking_diff.ipynb"
_ROLLBACK, _CANCEL, _LAB = "04_rollback.ipynb", "05_cancel.ipynb", "06_acopc_lab.ipynb"
_EDGES = "07_edge_cases.ipynb"
_BLOCK_SOURCES = "D (Evaluator Group / IBM)"

#: Every rule id of SPEC.md, in its order: transitions, refusals, sessions, block rules,
#: reverse copy, what a user sees. A tag "-" means SPEC.md gives the rule no tag.
RULES: tuple[Rule, ...] = (
    Rule("T-start", "No session --start--> Copying/Tracking: logical copy at once, every block "
         "queued", "D", _LOGICAL, "2a"),
    Rule("T-complete", "Copying/Tracking --last block leaves the queue--> Tracking, whatever "
         "moved it", "D; M (at once, any mover)", _LOGICAL, "7a"),
    Rule("T-diff", "Tracking --start -diff--> Copying/Tracking; queued = src-trk | dst-trk; "
         "rollback", "D", _DIFF, "3a"),
    Rule("T-diff-copy", "Copying/Tracking --start -diff--> Copying/Tracking", "D (accepted); "
         "M (queue rule)", _DIFF, "3c"),
    Rule("T-cancel-copy", "Copying/Tracking --cancel--> No session, destination unusable", "D",
         _CANCEL, "5a"),
    Rule("T-cancel-track", "Tracking --cancel--> No session, destination usable; next start "
         "full", "D; M (next start full)", _CANCEL, "5b"),
    Rule("T-suspend", "a failure -> Error suspend; only cancel + full start recovers", "D",
         _EDGES, "7a"),
    Rule("T-auto", "start -auto: full / diff / cancel+full by state", "D", _LAB, "6a"),
    Rule("R-start", "full start refused while the pair has a session", "M", _LAB, "6d"),
    Rule("R-diff", "-diff refused with no session (32793) or in Error suspend (32794)",
         "M (Fujitsu codes)", _LAB, "6d"),
    Rule("R-cancel", "cancel refused with no session", "M (Fujitsu code)", _LAB, "6d"),
    Rule("R-config", "size 4097, same volume, already a destination, cascade 32821, session "
         "limit 32791/35333", "M (Fujitsu codes)", _EDGES, "6d"),
    Rule("S-multi", "one source, several destinations, each with its own queue and tracking",
         "D", _EDGES, "7b"),
    Rule("B1", "source write to a queued block: copy-before-write", _BLOCK_SOURCES, _LOGICAL,
         "2a"),
    Rule("B2", "destination read of a queued block: copy-on-read", _BLOCK_SOURCES, _LOGICAL,
         "2c"),
    Rule("B3", "destination write to a queued block: off the queue without a copy, "
         "dst-tracked", _BLOCK_SOURCES, _ROLLBACK, "5a"),
    Rule("B4", "background copier: copy_rate per tick, ascending; Copied/Rest; a rate change "
         "applies at once", "M; D (rate change)", _LOGICAL, "2e"),
    Rule("B5", "writes after a block was copied only mark tracking", "-", _LOGICAL, "4a"),
    Rule("B6", "physical and logical differ while blocks are queued", "-", _LOGICAL, "2d"),
    Rule("V-reverse", "start -r: a plain OPC dest->source, needs forward Tracking, logical "
         "image at once", "D; M (needs Tracking)", _LAB, "6b"),
    Rule("V-end", "the reverse OPC ends by itself when its copy completes; forward records the "
         "restored blocks; source writes since the backup lost", "D; M (forward records)",
         _LAB, "6e"),
    Rule("U-query", "acopc query row: Source <=> Target, SID, OPC Status, Copy Phase, Copied, "
         "Rest", "M (CCM's columns)", _LOGICAL, "2b"),
    Rule("U-unusable", "an unusable destination says so everywhere, shows never-copied blocks; "
         "a full start repairs", "M", _CANCEL, "5a"),
    Rule("U-refused", "a refused command changes nothing and says why", "M", _LAB, "6d"),
    Rule("U-unusable-source", "a copy from an unusable source runs but warns", "M", _EDGES,
         "6d"),
    Rule("U-cascade", "the kit refuses cascades: its simplification", "M", _EDGES, "6d"),
)

#: The rule ids, in SPEC order.
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)

COLUMNS = ("rule", "summary", "SPEC tag", "lesson", "lesson cell tag", "exercise")


def rule(rule_id: str) -> Rule:
    """The rule ``rule_id``; raises ArgumentError naming the known ids for another."""
    for known in RULES:
        if known.id == rule_id:
            return known
    raise ArgumentError(f"no rule {rule_id!r} (rules: {', '.join(RULE_IDS)})")


def rows() -> list[tuple[str, str, str, str, str, str]]:
    """The table: one row per rule, in :data:`COLUMNS`' order."""
    return [(r.id, r.summary, r.tag, r.lesson, r.cell_tag, r.exercise) for r in RULES]


def table_markdown() -> str:
    """The rule-coverage table as a Markdown table (``|`` in a cell escaped)."""
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    body = [line(tuple(f"`{c}`" if i in (0, 4) else c for i, c in enumerate(row)))
            for row in rows()]
    return "\n".join([line(COLUMNS), "|" + "---|" * len(COLUMNS), *body])
