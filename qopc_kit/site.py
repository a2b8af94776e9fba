"""The kit as a static site: ``python -m qopc_kit.site OUT`` (or ``make site``, into ``site/``).

It writes ``index.html`` (what the kit is, with links to everything), the nine lessons
as HTML (nbconvert's lab template, from the stored notebooks, never executed), one replay
page per scenario of the library (its comments as captions, its golden transcript below)
and ``rules.html`` (each rule linked to the scenarios that show it). Every page works from
``file://`` and on a static host: links are relative and nothing is loaded from the
network (nbconvert's require.js, MathJax, Mermaid and widget-manager scripts are left out;
its style sheets are inlined). Scripts stay inline, so the replays in the lessons run.

This module joins the shell, the views and the lessons, so it lives at the package's top.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import scenarios
from .engine.errors import QuickOPCError
from .export import export_html, script_entries
from .shell.materials import lessons_folder
from .site_rules import RULES, rule_html, rules_for, rules_table


class SiteError(QuickOPCError):
    """The site could not be built (nbconvert missing, no lessons, a bad output folder)."""


CSS = """
body.qopc-site,div.qopc-site{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;
  margin:0 auto;padding:8px 20px 40px;line-height:1.45;color:#1b1b1b;background:#fff;}
.qopc-site h1{font-size:1.5em;margin:.4em 0 .3em;line-height:1.25;}
.qopc-site h2{font-size:1.25em;margin:1.2em 0 .4em;}
nav.qopc-nav{display:flex;flex-wrap:wrap;gap:6px 18px;padding:8px 0;margin:0 0 8px;
  border-bottom:1px solid #d0d7de;font-family:system-ui,sans-serif;font-size:15px;}
nav.qopc-nav.qopc-bottom{border-bottom:0;border-top:1px solid #d0d7de;margin:24px 0 0;}
nav.qopc-nav a{color:#0b57a4;}
.qopc-site table.rules{border-collapse:collapse;width:100%;}
.qopc-site table.rules th,.qopc-site table.rules td{border:1px solid #d0d7de;padding:4px 8px;
  vertical-align:top;text-align:left;}
.qopc-site table.rules ul{margin:0;padding-left:1.1em;}
.qopc-site table.rules th[scope=row]{white-space:nowrap;}
.qopc-site table.rules tr:target{background:#fff6d6;}
.qopc-site b.tag-D{color:#0a6b2d;} .qopc-site b.tag-M{color:#8a4b00;}
.qopc-site ol.list li{margin:2px 0;}
.qopc-site .columns{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:0 32px;}
@media (max-width:800px){.qopc-site .columns{grid-template-columns:1fr;}}
.qopc-site pre.golden{background:#f6f8fa;border:1px solid #d0d7de;padding:8px;overflow:auto;
  font-size:13px;}
.qopc-site .facts li{margin:2px 0;}
.qopc-site .qopc-replay{margin-top:12px;}
"""

#: nbconvert's lab template without its network loads, with the site's navigation.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style>{{ resources.qopc_css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}{{ super() }}{{ resources.qopc_nav_top }}{%- endblock body_header -%}
{%- block body_footer -%}{{ resources.qopc_nav_bottom }}{{ super() }}{%- endblock body_footer -%}
"""
TEMPLATE_NAME = "qopc_site.html.j2"
LESSON_CSS = ("nav.qopc-nav{display:flex;flex-wrap:wrap;gap:6px 18px;padding:8px 20px;"
              "font-family:system-ui,sans-serif;font-size:15px;border-bottom:1px solid #d0d7de;}"
              "nav.qopc-nav.qopc-bottom{border-bottom:0;border-top:1px solid #d0d7de;}"
              "nav.qopc-nav a{color:#0b57a4;}")


@dataclass(frozen=True)
class Lesson:
    """A stored lesson: its notebook ``path``, its page's ``name`` and its ``title``."""

    path: Path
    name: str
    title: str


def lessons(folder: Path | None = None) -> list[Lesson]:
    """The lessons of ``folder`` (default: the kit's), in order, titled by their first
    heading (as plain text: without Markdown's backticks and stars)."""
    import nbformat

    found = []
    for path in sorted((folder or lessons_folder()).glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        title = path.stem
        for cell in notebook.cells:
            heading = re.match(r"#\s+(.+)", cell.source) if cell.cell_type == "markdown" else None
            if heading:
                title = re.sub(r"[`*]", "", heading.group(1)).strip()  # plain text
                break
        found.append(Lesson(path, path.stem, title))
    return found


def nav(links: list[tuple[str, str, str]], *, bottom: bool = False) -> str:
    """A navigation bar of (label, relative href, tooltip) links."""
    items = "".join(f'<a href="{html.escape(href, quote=True)}"'
                    + (f' title="{html.escape(tip, quote=True)}"' if tip else "")
                    + f">{html.escape(label)}</a>" for label, href, tip in links)
    where = " qopc-bottom" if bottom else ""
    return f'<nav class="qopc-nav{where}" aria-label="Site">{items}</nav>'


def sequence_links(names: list[str], index: int, titles: list[str], kind: str,
                   up: str = "../index.html") -> list[tuple[str, str, str]]:
    """Index, previous and next links, (label, href, tooltip), for page ``index`` of a
    sequence of ``names`` titled ``titles``."""
    links = [("Index", up, "")]
    if index > 0:
        links.append((f"← Previous {kind} ({index})", f"{names[index - 1]}.html",
                      titles[index - 1]))
    if index + 1 < len(names):
        links.append((f"Next {kind} ({index + 2}) →", f"{names[index + 1]}.html",
                      titles[index + 1]))
    return links


#: In the head of the site's own pages: a later build may replace a folder that has it.
GENERATOR = '<meta name="generator" content="qopc-kit site">'


def page(title: str, body: str) -> str:
    """A whole page of the site (its style inline)."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'{GENERATOR}<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f'<body class="qopc-site">{body}</body></html>\n')


def exporter() -> Any:
    """nbconvert's HTML exporter with the site's template (nbconvert imported here only)."""
    try:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter
    except ImportError as missing:
        raise SiteError(f"building the lessons' pages needs nbconvert ({missing}): it comes "
                        "with JupyterLab (pip install 'qopc-kit[lab]'), or pip install "
                        "nbconvert") from None
    return HTMLExporter(template_name="lab", template_file=TEMPLATE_NAME,
                        extra_loaders=[DictLoader({TEMPLATE_NAME: TEMPLATE})])


WIDGET = "application/vnd.jupyter.widget-view+json"
STATIC = ("text/html", "image/png", "image/svg+xml")
WIDGET_NOTE = ("An interactive control is here in the live lesson: open it in JupyterLab "
               "(<code>make lab</code>) to use it.")


def note_widgets(notebook: Any) -> None:
    """Give each widget output that has no static view a note saying so (in place, in
    memory): the widget needs a kernel; its text stays unless it is a Python repr."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET in data and not any(kind in data for kind in STATIC):
                said = data.get("text/plain", "")
                keep = ("" if not said or re.match(r"[A-Z]\w*\(", said)
                        else f"<pre>{html.escape(said)}</pre>")
                data["text/html"] = (f'<div class="qopc-widget-note">{keep}'
                                     f"<p><i>{WIDGET_NOTE}</i></p></div>")


def lesson_pages(convert: Any, found: list[Lesson], out: Path) -> list[Path]:
    """Each lesson as ``out/lessons/NAME.html`` (by the ``convert`` of ``exporter()``),
    links between lessons pointing at their pages."""
    import nbformat

    folder = out / "lessons"
    folder.mkdir(parents=True, exist_ok=True)
    names, titles = [lesson.name for lesson in found], [lesson.title for lesson in found]
    links = re.compile(r'href="(' + "|".join(map(re.escape, names)) + r')\.ipynb')
    written = []
    for number, lesson in enumerate(found):
        bar = sequence_links(names, number, titles, "lesson")
        resources = {"metadata": {"name": lesson.title}, "qopc_css": LESSON_CSS,
                     "qopc_nav_top": nav(bar), "qopc_nav_bottom": nav(bar, bottom=True)}
        notebook = nbformat.read(lesson.path, as_version=4)
        note_widgets(notebook)
        text, _ = convert.from_notebook_node(notebook, resources=resources)
        target = folder / f"{lesson.name}.html"
        target.write_text(links.sub(r'href="\1.html', text), encoding="utf-8")
        written.append(target)
    return written


def without_header(text: str) -> str:
    """Script ``text`` with its leading comment block blanked (the page shows it above the
    replay, so the first step's caption does not repeat it); line numbers are kept."""
    lines = text.splitlines()
    header = next((n for n, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return "\n".join([""] * header + lines[header:]) + "\n"


def scenario_pages(out: Path) -> list[Path]:
    """One replay page per scenario, ``out/scenarios/NAME.html``."""
    folder = out / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    names = scenarios.list_scenarios()
    loaded = [scenarios.load(name) for name in names]
    titles = [scenario.title for scenario in loaded]
    written = []
    for number, scenario in enumerate(loaded):
        array, entries = script_entries(without_header(scenario.text))
        bar = [*sequence_links(names, number, titles, "scenario"),
               ("Rules", "../rules.html", "")]
        facts = "".join(f"<li>{rule_html(str(fact))}</li>" for fact in scenario.facts)
        shows = ", ".join(f'<a href="../rules.html#{rule.id}">{rule.id}</a>'
                          for rule in rules_for(scenario.name))
        lead = (f'<style>{CSS}</style><div class="qopc-site">{nav(bar)}'
                f"<h1>{html.escape(scenario.title)}</h1>"
                f"<p>{html.escape(scenario.explanation)}</p>"
                f'<ul class="facts">{facts}</ul>'
                + "<p>" + (f"Rules it shows: {shows}. " if shows else "")
                + "Each step below is captioned by the script's comment before it; a refused"
                " command is a step of its own that changes nothing.</p>")
        extra = ("<h2>The golden transcript</h2><details open><summary>What the shell prints "
                 f"for {html.escape(scenario.name)}.qopc</summary>"
                 f'<pre class="golden">{html.escape(scenario.golden)}</pre></details>'
                 + nav(bar, bottom=True) + "</div>")
        target = export_html(array, folder / f"{scenario.name}.html", entries=entries,
                             title=f"{scenario.title} (qopc-kit scenario)", heading="",
                             lead=lead, extra=extra)
        written.append(target)
    return written


def rules_page(out: Path) -> Path:
    """``out/rules.html``: every rule with its tags and the scenarios that show it."""
    titles = {name: scenarios.load(name).title for name in scenarios.list_scenarios()}
    body = (nav([("Index", "index.html", "")]) + "<h1>The rules the kit simulates</h1>"
            "<p>Each rule of the kit's behaviour, by id, tagged as the specification tags "
            'it: <b class="tag-D">[D]</b> documented (by Fujitsu unless another source is '
            'named), <b class="tag-M">[M]</b> a modelling choice of the kit where no manual '
            "says it; each [D] names its document, and a clause the specification leaves "
            "untagged (B5, B6) carries no tag here either. The documents: Express A.5.1 is the "
            "ETERNUS SF Express V15.0 Operation Guide, A.5.1; the CCM guide is the ETERNUS SF "
            "AdvancedCopy Manager Copy Control Module guide (its acopc start page); ETERNUSmgr "
            "is the array's own manager (its Advanced Copy Status screen). Each names the lesson that teaches it and the exercise of lesson 9 that "
            "checks it, and links to the scenarios of the library that show it.</p>"
            + rules_table(titles) + nav([("Index", "index.html", "")], bottom=True))
    target = out / "rules.html"
    target.write_text(page("The rules the kit simulates (qopc-kit)", body), encoding="utf-8")
    return target


INTRO = (
    "<p><b>qopc-kit</b> is a teaching kit for <b>QuickOPC</b>, the differential snapshot "
    "copy of Fujitsu ETERNUS disk arrays. It simulates a disk array block by block: a "
    "start makes the logical copy at once, the physical copy follows in the background, "
    "and tracking records what changes so that the next start copies only that. You drive "
    "it with the same <code>acopc</code> commands as the real array, in Jupyter "
    "notebooks, a dashboard or a shell.</p><p>These pages are the kit's lessons as "
    "stored (the live ones run in JupyterLab: <code>make lab</code>), a replay of each "
    "scenario of its library, and the rules it follows. Nothing here needs a server or "
    "the network.</p>")


def index_page(out: Path, found: list[Lesson]) -> Path:
    """``out/index.html``: what the kit is, and links to every page."""
    lesson_items = "".join(f'<li><a href="lessons/{lesson.name}.html">'
                           f"{html.escape(lesson.title)}</a></li>" for lesson in found)
    scenario_items = "".join(
        f'<li><a href="scenarios/{name}.html">{html.escape(scenarios.load(name).title)}'
        "</a></li>" for name in scenarios.list_scenarios())
    body = (nav([("Lessons", "#lessons", ""), ("Scenarios", "#scenarios", ""),
                 ("Rules", "rules.html", "")]) + "<h1>qopc-kit: QuickOPC, block by block</h1>"
            + INTRO + '<div class="columns"><section><h2 id="lessons">The lessons</h2>'
            f'<ol class="list">{lesson_items}</ol><h2 id="rules">The rules</h2>'
            f'<p><a href="rules.html">The {len(RULES)} rules the kit follows</a>, each '
            "tagged documented [D] or modelling choice [M], with the scenarios that show "
            'it.</p></section><section><h2 id="scenarios">The scenario library</h2><p>Each '
            "scenario is a commented script; its page replays it step by step (slider, arrow "
            "keys or Play), with the array's state, Copied and Rest at every step, and its "
            f'golden transcript.</p><ol class="list">{scenario_items}</ol></section></div>')
    target = out / "index.html"
    target.write_text(page("qopc-kit: QuickOPC, block by block", body), encoding="utf-8")
    return target


def build(out: str | Path, *, lessons_from: Path | None = None) -> list[Path]:
    """Build the site into ``out``: a new or empty folder, or an earlier build (whose
    pages are replaced, stale ones removed); the pages written."""
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise SiteError(f"{target} is a file, not a folder for the site")
    index = target / "index.html"
    earlier = index.is_file() and GENERATOR in index.read_text(encoding="utf-8", errors="replace")
    if target.is_dir() and any(target.iterdir()) and not earlier:
        raise SiteError(f"{target} is not empty and holds no earlier build of the site: "
                        "give a new folder (e.g. site)")
    convert = exporter()  # fails, before anything is written, when nbconvert is missing
    found = lessons(lessons_from)
    if not found:
        raise SiteError(f"no lessons (NN_*.ipynb) in {lessons_from or lessons_folder()}")
    for stale in [*target.glob("lessons/*.html"), *target.glob("scenarios/*.html")]:
        stale.unlink()
    target.mkdir(parents=True, exist_ok=True)
    return [index_page(target, found), rules_page(target), *lesson_pages(convert, found, target),
            *scenario_pages(target)]


def main(argv: list[str] | None = None) -> int:
    """The command line: ``python -m qopc_kit.site OUT``."""
    parser = argparse.ArgumentParser(prog="python -m qopc_kit.site",
                                     description="Build the kit's static site into OUT.")
    parser.add_argument("out", type=Path, help="the folder to write (e.g. site)")
    args = parser.parse_args(argv)
    try:
        written = build(args.out)
    except (OSError, QuickOPCError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} pages to {args.out}/ (open {args.out / 'index.html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
