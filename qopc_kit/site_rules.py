"""The rules of the behaviour the kit simulates, by id, each with the scenarios that show it.

The ids are those of the lessons' cell tags (``rule:<id>``); each rule carries its tags
as the specification does: [D] documented (the document named where it is not Fujitsu's),
[M] a modelling choice of the kit. ``RULES`` is the table of the site's rules page; every
scenario it names is in the library, and ``evidence`` is a pattern that the command part
of each of its scenarios' golden transcripts matches (tests/test_site.py checks both).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One rule: ``id``, the ``group`` it belongs to, its ``text`` with its [D]/[M] tags,
    the ``scenarios`` that show it and the ``evidence`` their transcripts carry."""

    id: str
    group: str
    text: str
    scenarios: tuple[str, ...]
    evidence: str


_T, _R, _S = "Transitions", "Refusals (no change of state)", "Sessions"
_B, _V, _U = "Block-level rules", "Reverse copy", "What a user sees"

RULES: tuple[Rule, ...] = (
    Rule("T-start", _T, "No session → Copying/Tracking on acopc start: the logical copy is "
         "complete at once, every block is queued [D].",
         ("01_full_start", "10_auto_in_each_state"), r"Copying/Tracking"),
    Rule("T-complete", _T, "Copying/Tracking → Tracking when the last block leaves the queue "
         "[D]; at once, whatever moved that block [M].",
         ("01_full_start", "02_last_block_any_mover"), r"Copying/Tracking -> Tracking"),
    Rule("T-diff", _T, "Tracking → Copying/Tracking on acopc start -diff; queued = "
         "source-tracked | destination-tracked blocks; destination changes rolled back [D].",
         ("03_diff_from_tracking", "05_same_block_both_sides"), r"start .*-diff"),
    Rule("T-diff-copy", _T, "Copying/Tracking → Copying/Tracking on acopc start -diff: "
         "accepted [D]; what it queues is the kit's rule [M].",
         ("04_restart_during_copy", "10_auto_in_each_state"), r"start .*-(diff|auto)"),
    Rule("T-cancel-copy", _T, "Copying/Tracking → No session on acopc cancel; the destination "
         "is unusable [D].", ("08_cancel_in_each_state",), r"(?i)unusable"),
    Rule("T-cancel-track", _T, "Tracking → No session on acopc cancel; the destination is "
         "usable [D]; the next start is full [M].",
         ("08_cancel_in_each_state", "18_cancel_tracking_then_full"), r"cancel"),
    Rule("T-suspend", _T, "A failure on either volume → Error suspend; only cancel and a "
         "full start recover [D].",
         ("09_error_suspend_auto", "19_failure_in_tracking"), r"Error suspend"),
    Rule("T-auto", _T, "acopc start -auto: full from No session, differential from Tracking "
         "and Copying/Tracking, cancel then full from Error suspend [D].",
         ("09_error_suspend_auto", "10_auto_in_each_state", "16_group_all_or_none"),
         r"start .*-auto"),
    Rule("R-start", _R, "A full start while the pair has a session is refused [M].",
         ("09_error_suspend_auto", "15_refused_starts"), r"(?i)session exists|already"),
    Rule("R-diff", _R, "start -diff with no session (32793) or in Error suspend (32794) is "
         "refused [M, with Fujitsu's codes].",
         ("09_error_suspend_auto", "15_refused_starts", "18_cancel_tracking_then_full"),
         r"3279[34]"),
    Rule("R-cancel", _R, "cancel with no session is refused: Session does not exist [M, "
         "with Fujitsu's wording].",
         ("08_cancel_in_each_state", "15_refused_starts"), r"Session does not exist"),
    Rule("R-config", _R, "Size mismatch (4097), the same volume twice, a volume already a "
         "destination, a cascade (32821), the session limit (32791/35333) are refused [M, "
         "with Fujitsu's codes].", ("12_refused_cascade", "15_refused_starts"),
         r"4097|32821"),
    Rule("S-multi", _S, "One source, several destinations (multi-copy) [D], each session with "
         "its own queue and tracking [D].", ("11_two_destinations",), r"SID"),
    Rule("B1", _B, "A source write to a queued block: copy-before-write [D: the Evaluator "
         "Group's analysis of the DX400 S2, IBM FlashCopy].",
         ("02_last_block_any_mover", "07_copy_before_write"), r"write ET001/0x1"),
    Rule("B2", _B, "A destination read of a queued block: copy-on-read [D: the Evaluator "
         "Group, IBM FlashCopy].", ("02_last_block_any_mover", "06_read_uncopied_block"),
         r"read ET001/0x"),
    Rule("B3", _B, "A destination write to a queued block: the block leaves the queue without "
         "a copy and is destination-tracked [D: the Evaluator Group, IBM FlashCopy].",
         ("02_last_block_any_mover",), r"write ET001/0x7"),
    Rule("B4", _B, "The background copier moves copy_rate blocks per tick, in ascending order "
         "[M]; Copied/Rest [M]; a new copy rate applies at once [D: EC/OPC Priority].",
         ("01_full_start", "14_copy_rate_mid_copy"), r"tick"),
    Rule("B5", _B, "Writes after a block was copied only mark tracking.",
         ("07_copy_before_write",), r"write ET001/0x1"),
    Rule("B6", _B, "Physical and logical images differ while blocks are queued.",
         ("01_full_start", "06_read_uncopied_block"), r"show"),
    Rule("V-reverse", _V, "start -r: a plain OPC from destination to source [D]; it needs "
         "the forward pair in Tracking [M]; the source's logical image changes at once.",
         ("13_reverse_after_backup", "17_reverse_rules"), r"start .*-r\b"),
    Rule("V-end", _V, "The reverse OPC ends by itself when its copy completes [D]; the "
         "forward session records the restored blocks [M]; source writes since the backup "
         "are lost [D].", ("13_reverse_after_backup",), r"Copying -> No session"),
    Rule("U-query", _U, "acopc query: one row per pair, Source <=> Target, SID, OPC Status, "
         "Copy Phase, Copied, Rest [M: CCM's column names].",
         ("01_full_start", "15_refused_starts"), r"acopc query"),
    Rule("U-unusable", _U, "An unusable destination says so everywhere and shows the blocks "
         "never copied; a full start repairs it [M].",
         ("08_cancel_in_each_state", "17_reverse_rules"), r"(?i)unusable"),
    Rule("U-refused", _U, "A refused command changes nothing and says why [M].",
         ("12_refused_cascade", "15_refused_starts", "16_group_all_or_none"), r"ERROR:"),
    Rule("U-unusable-source", _U, "A copy from an unusable source runs but warns [M].",
         ("17_reverse_rules",), r"(?i)warning|unusable image"),
    Rule("U-cascade", _U, "The kit refuses cascades: the kit's simplification [M].",
         ("12_refused_cascade",), r"32821"),
)


def rules_for(scenario: str) -> list[Rule]:
    """The rules that ``scenario`` shows, in table order."""
    return [rule for rule in RULES if scenario in rule.scenarios]


_TAG = re.compile(r"\[([DM])(\]|[,:])")


def rule_html(text: str) -> str:
    """``text`` escaped, its [D] and [M] tags marked up for the page's style."""
    return _TAG.sub(lambda m: f'[<b class="tag-{m.group(1)}">{m.group(1)}</b>{m.group(2)}',
                    html.escape(text, quote=False))


def rules_table(titles: dict[str, str], prefix: str = "scenarios/") -> str:
    """The rules as one table per group, each rule linked to its scenarios' pages."""
    parts: list[str] = []
    for group in dict.fromkeys(rule.group for rule in RULES):
        rows = "".join(
            f'<tr id="{rule.id}"><th scope="row"><a href="#{rule.id}">{rule.id}</a></th>'
            f"<td>{rule_html(rule.text)}</td><td><ul>" + "".join(
                f'<li><a href="{prefix}{name}.html">{html.escape(titles.get(name, name))}'
                "</a></li>" for name in rule.scenarios) + "</ul></td></tr>"
            for rule in RULES if rule.group == group)
        parts.append(f"<h2>{html.escape(group)}</h2><table class=\"rules\"><thead><tr>"
                     "<th>Id</th><th>Rule</th><th>Scenarios that show it</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
    return "".join(parts)
