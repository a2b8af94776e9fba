"""The rule-coverage table: for each rule of SPEC.md, the lesson that teaches it, the exercise
that checks it and the scenarios of the library that show it.

A lesson marks the cell that shows a rule with the cell tag ``rule:<id>``; an exercise lists
the rules it checks in :attr:`.model.Exercise.rules`; a scenario's golden transcript carries
the rule's ``evidence`` (a pattern). tests/test_rule_coverage.py holds the lesson and exercise
columns to the notebooks and the exercises, tests/test_site.py the scenarios to the library.
:func:`table_markdown` prints the table (``python -m qopc_kit.teaching coverage``); the site's
rules page (:mod:`qopc_kit.site_rules`) draws it with links to the scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.errors import ArgumentError


@dataclass(frozen=True)
class Rule:
    """One rule of SPEC.md: its ``id``, the ``group`` of SPEC it belongs to, its ``text`` with
    the [D]/[M] tags as SPEC gives them, the ``tag`` in short, the ``lesson`` notebook and the
    ``exercise`` that teach and check it, the ``scenarios`` that show it and the ``evidence``
    that their golden transcripts carry."""

    id: str
    group: str
    text: str
    tag: str
    lesson: str  # the notebook that teaches it, e.g. "02_logical_physical.ipynb"
    exercise: str  # the key of the exercise that checks it, e.g. "2c"
    scenarios: tuple[str, ...]
    evidence: str

    @property
    def cell_tag(self) -> str:
        """The tag of the lesson cell that shows the rule."""
        return f"rule:{self.id}"


_LOGICAL, _DIFF = "02_logical_physical.ipynb", "03_tracking_diff.ipynb"
_ROLLBACK, _CANCEL, _LAB = "04_rollback.ipynb", "05_cancel.ipynb", "06_acopc_lab.ipynb"
_EDGES = "07_edge_cases.ipynb"
_BLOCK_SOURCES = "D (Evaluator Group / IBM)"
_T, _R, _S = "Transitions", "Refusals (no change of state)", "Sessions"
_B, _V, _U = "Block-level rules", "Reverse copy", "What a user sees"

#: Every rule id of SPEC.md, in its order: transitions, refusals, sessions, block rules,
#: reverse copy, what a user sees. A tag "-" means SPEC.md gives the rule no tag.
RULES: tuple[Rule, ...] = (
    Rule("T-start", _T,
         "No session → Copying/Tracking on acopc start: the logical copy is complete at once, "
         "every block is queued [D: Express A.5.1].",
         "D", _LOGICAL, "2a",
         ("01_full_start", "10_auto_in_each_state"), r"Copying/Tracking"),
    Rule("T-complete", _T,
         "Copying/Tracking → Tracking when the last block leaves the queue [D: Express A.5.1]; "
         "at once, "
         "whatever moved that block [M].",
         "D; M (at once, any mover)", _LOGICAL, "7a",
         ("01_full_start", "02_last_block_any_mover"), r"Copying/Tracking -> Tracking"),
    Rule("T-diff", _T,
         "Tracking → Copying/Tracking on acopc start -diff; queued = source-tracked | "
         "destination-tracked blocks; destination changes rolled back [D: Express A.5.1].",
         "D", _DIFF, "3a",
         ("03_diff_from_tracking", "05_same_block_both_sides"), r"start .*-diff"),
    Rule("T-diff-copy", _T,
         "Copying/Tracking → Copying/Tracking on acopc start -diff: accepted [D: the CCM guide's "
         "acopc start, its -auto table]; what it "
         "queues is the kit's rule [M].",
         "D (accepted); M (queue rule)", _DIFF, "3c",
         ("04_restart_during_copy", "10_auto_in_each_state"), r"start .*-(diff|auto)"),
    Rule("T-cancel-copy", _T,
         "Copying/Tracking → No session on acopc cancel; the destination is unusable "
         "[D: Express A.5.1].",
         "D", _CANCEL, "5a",
         ("08_cancel_in_each_state",), r"(?i)unusable"),
    Rule("T-cancel-track", _T,
         "Tracking → No session on acopc cancel; the destination is usable [D: Express A.5.1]; "
         "the next start"
         " is full [M].",
         "D; M (next start full)", _CANCEL, "5b",
         ("08_cancel_in_each_state", "18_cancel_tracking_then_full"), r"cancel"),
    Rule("T-suspend", _T,
         "A failure on either volume → Error suspend; only cancel and a full start recover "
         "[D: ETERNUSmgr \"Advanced Copy Status\"; the CCM guide, acopc start -auto].",
         "D", _EDGES, "7a",
         ("09_error_suspend_auto", "19_failure_in_tracking"), r"Error suspend"),
    Rule("T-auto", _T,
         "acopc start -auto: full from No session, differential from Tracking and "
         "Copying/Tracking, cancel then full from Error suspend "
         "[D: the CCM guide, acopc start].",
         "D", _LAB, "6a",
         ("09_error_suspend_auto", "10_auto_in_each_state", "16_group_all_or_none"),
         r"start .*-auto"),
    Rule("R-start", _R,
         "A full start while the pair has a session is refused [M].",
         "M", _LAB, "6d",
         ("09_error_suspend_auto", "15_refused_starts"), r"(?i)session exists|already"),
    Rule("R-diff", _R,
         "start -diff with no session (32793) or in Error suspend (32794) is refused [M, with "
         "Fujitsu's codes].",
         "M (Fujitsu codes)", _LAB, "6d",
         ("09_error_suspend_auto", "15_refused_starts", "18_cancel_tracking_then_full"),
         r"3279[34]"),
    Rule("R-cancel", _R,
         "cancel with no session is refused: Session does not exist [M, with Fujitsu's "
         "wording].",
         "M (Fujitsu code)", _LAB, "6d",
         ("08_cancel_in_each_state", "15_refused_starts"), r"Session does not exist"),
    Rule("R-config", _R,
         "Size mismatch (4097), the same volume twice, a volume already a destination, a "
         "cascade (32821), the session limit (32791/35333) are refused [M, with Fujitsu's "
         "codes].",
         "M (Fujitsu codes)", _EDGES, "6d",
         ("12_refused_cascade", "15_refused_starts"), r"4097|32821"),
    Rule("S-multi", _S,
         "One source, several destinations (multi-copy) [D: ETERNUS Design "
         "Guide (Basic)]; each session keeps its own queue "
         "and tracking (SPEC.md gives this no tag).",
         "D", _EDGES, "7b",
         ("11_two_destinations",), r"SID"),
    Rule("B1", _B,
         "A source write to a queued block: copy-before-write [D: the Evaluator Group's "
         "analysis of the DX400 S2, IBM FlashCopy].",
         _BLOCK_SOURCES, _LOGICAL, "2a",
         ("02_last_block_any_mover", "07_copy_before_write"), r"write ET001/0x1"),
    Rule("B2", _B,
         "A destination read of a queued block: copy-on-read [D: the Evaluator Group, IBM "
         "FlashCopy].",
         _BLOCK_SOURCES, _LOGICAL, "2c",
         ("02_last_block_any_mover", "06_read_uncopied_block"), r"read ET001/0x"),
    Rule("B3", _B,
         "A destination write to a queued block: the block leaves the queue without a copy and"
         " is destination-tracked [D: the Evaluator Group, IBM FlashCopy].",
         _BLOCK_SOURCES, _ROLLBACK, "5a",
         ("02_last_block_any_mover",), r"write ET001/0x7"),
    Rule("B4", _B,
         "The background copier moves copy_rate blocks per tick, in ascending order [M]; "
         "Copied/Rest [M]; a new copy rate applies at once [D: EC/OPC Priority].",
         "M; D (rate change)", _LOGICAL, "2e",
         ("01_full_start", "14_copy_rate_mid_copy"), r"tick"),
    Rule("B5", _B,
         "Writes after a block was copied only mark tracking.",
         "-", _LOGICAL, "4a",
         ("07_copy_before_write",), r"write ET001/0x1"),
    Rule("B6", _B,
         "Physical and logical images differ while blocks are queued.",
         "-", _LOGICAL, "2d",
         ("01_full_start", "06_read_uncopied_block"), r"show"),
    Rule("V-reverse", _V,
         "start -r: a plain OPC from destination to source [D: the CCM guide, "
         "acopc start -r]; it needs the forward pair in "
         "Tracking [M]; the source's logical image changes at once.",
         "D; M (needs Tracking)", _LAB, "6b",
         ("13_reverse_after_backup", "17_reverse_rules"), r"start .*-r\b"),
    Rule("V-end", _V,
         "The reverse OPC ends by itself when its copy completes "
         "[D: ETERNUSmgr \"Advanced Copy Status\"]; the forward session "
         "records the restored blocks [M]; source writes since the backup are lost [D: ACM, restore].",
         "D; M (forward records)", _LAB, "6e",
         ("13_reverse_after_backup",), r"Copying -> No session"),
    Rule("U-query", _U,
         "acopc query: one row per pair, Source <=> Target, SID, OPC Status, Copy Phase, "
         "Copied, Rest [M: CCM's column names].",
         "M (CCM's columns)", _LOGICAL, "2b",
         ("01_full_start", "15_refused_starts"), r"acopc query"),
    Rule("U-unusable", _U,
         "An unusable destination says so everywhere and shows the blocks never copied; a full"
         " start repairs it [M].",
         "M", _CANCEL, "5a",
         ("08_cancel_in_each_state", "17_reverse_rules"), r"(?i)unusable"),
    Rule("U-refused", _U,
         "A refused command changes nothing and says why [M].",
         "M", _LAB, "6d",
         ("12_refused_cascade", "15_refused_starts", "16_group_all_or_none"), r"ERROR:"),
    Rule("U-unusable-source", _U,
         "A copy from an unusable source runs but warns [M].",
         "M", _EDGES, "6d",
         ("17_reverse_rules",), r"(?i)warning|unusable image"),
    Rule("U-cascade", _U,
         "The kit refuses cascades: the kit's simplification [M].",
         "M", _EDGES, "6d",
         ("12_refused_cascade",), r"32821"),
)

#: The rule ids, in SPEC order.
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)

COLUMNS = ("rule", "what it says", "SPEC tag", "lesson", "lesson cell tag", "exercise",
           "scenarios")


def rule(rule_id: str) -> Rule:
    """The rule ``rule_id``; raises ArgumentError naming the known ids for another."""
    for known in RULES:
        if known.id == rule_id:
            return known
    raise ArgumentError(f"no rule {rule_id!r} (rules: {', '.join(RULE_IDS)})")


def rows() -> list[tuple[str, ...]]:
    """The table: one row per rule, in :data:`COLUMNS`' order."""
    return [(r.id, r.text, r.tag, r.lesson, r.cell_tag, r.exercise, ", ".join(r.scenarios))
            for r in RULES]


def rules_for(scenario: str) -> list[Rule]:
    """The rules that ``scenario`` shows, in table order."""
    return [rule for rule in RULES if scenario in rule.scenarios]


def table_markdown() -> str:
    """The rule-coverage table as a Markdown table (``|`` in a cell escaped)."""
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    body = [line(tuple(f"`{c}`" if i in (0, 4) else c for i, c in enumerate(row)))
            for row in rows()]
    return "\n".join([line(COLUMNS), "|" + "---|" * len(COLUMNS), *body])
