"""The site's rules page: the rule-coverage table (:mod:`qopc_kit.teaching.coverage`, one
table for the lessons, the exercises and the site) drawn as HTML, each rule linked to the
scenarios that show it, its [D] and [M] tags marked up."""

from __future__ import annotations

import html
import re

from .teaching.coverage import RULES, rules_for

__all__ = ["RULES", "rule_html", "rules_for", "rules_table"]


_TAG = re.compile(r"\[([DM])(\]|[,:])")


def rule_html(text: str) -> str:
    """``text`` escaped, its [D] and [M] tags marked up for the page's style."""
    return _TAG.sub(lambda m: f'[<b class="tag-{m.group(1)}">{m.group(1)}</b>{m.group(2)}',
                    html.escape(text, quote=False))


def rules_table(titles: dict[str, str], prefix: str = "scenarios/",
                lessons: str = "lessons/") -> str:
    """The rules as one table per group: each rule with the lesson cell that teaches it, the
    exercise of lesson 9 that checks it, and links to the scenarios that show it."""
    parts: list[str] = []
    for group in dict.fromkeys(rule.group for rule in RULES):
        rows = "".join(
            f'<tr id="{rule.id}"><th scope="row"><a href="#{rule.id}">{rule.id}</a></th>'
            f"<td>{rule_html(rule.text)}</td>"
            f'<td><a href="{lessons}{rule.lesson.removesuffix(".ipynb")}.html">'
            f"{html.escape(rule.lesson.removesuffix('.ipynb'))}</a>"
            f"<br>exercise {html.escape(rule.exercise)}</td><td><ul>" + "".join(
                f'<li><a href="{prefix}{name}.html">{html.escape(titles.get(name, name))}'
                "</a></li>" for name in rule.scenarios) + "</ul></td></tr>"
            for rule in RULES if rule.group == group)
        parts.append(f"<h2>{html.escape(group)}</h2><table class=\"rules\"><thead><tr>"
                     "<th>Id</th><th>Rule</th><th>Taught in, checked by</th>"
                     "<th>Scenarios that show it</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
    return "".join(parts)
