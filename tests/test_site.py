"""The static site (``python -m qopc_kit.site OUT``): every page is there, every relative link
and anchor resolves, nothing is loaded from the network, the scenario pages carry their
captions and golden transcripts, and the rules table names real scenarios."""

from __future__ import annotations

import html
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from qopc_kit import scenarios, site
from qopc_kit.export import script_entries
from qopc_kit.site_rules import RULES, rule_html, rules_for
from tests.test_replay import decoded

ROOT = Path(__file__).resolve().parent.parent
#: The rule ids of the lessons' cell tags (rule:<id>), in the order of the specification.
RULE_IDS = ["T-start", "T-complete", "T-diff", "T-diff-copy", "T-cancel-copy", "T-cancel-track",
            "T-suspend", "T-auto", "R-start", "R-diff", "R-cancel", "R-config", "S-multi",
            "B1", "B2", "B3", "B4", "B5", "B6", "V-reverse", "V-end", "U-query", "U-unusable",
            "U-refused", "U-unusable-source", "U-cascade"]


class Parsed(HTMLParser):
    """A page's ids, its links (href of <a>), and what it loads (src=, <link href>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.loads: list[str] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("id", "name"):
            if name in values and (name == "id" or tag == "a"):
                self.ids.add(values[name])
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        if tag == "link":
            self.loads.append(values.get("href", ""))
        if "src" in values or "srcset" in values:
            self.loads.append(values.get("src") or values.get("srcset", ""))
        if "style" in values:
            self.styles.append(values["style"])
        self._in = tag if tag in ("style", "script") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "script":
            self.scripts.append(data)


def parse(path: Path) -> Parsed:
    parsed = Parsed()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


def network_loads(path: Path) -> list[str]:
    """What ``path`` would fetch from elsewhere than its own folder tree: src= and <link>
    references, CSS url() and @import, and scripts' import() or fetch() of a URL."""
    parsed = parse(path)
    found = [ref for ref in parsed.loads if not ref.startswith("data:")]
    for css in parsed.styles:
        found += [ref for ref in re.findall(r"url\(\s*['\"]?([^'\")]*)", css)
                  if not ref.startswith(("data:", "#"))]
        found += re.findall(r"@import[^;]*", css)
    for script in parsed.scripts:
        found += re.findall(r"\b(?:import|fetch|importScripts)\s*\(\s*['\"`][^'\"`]*", script)
        found += re.findall(r"\bsrc\s*=\s*['\"]https?:[^'\"]*", script)
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, float]:
    out = tmp_path_factory.mktemp("site") / "site"
    began = time.monotonic()
    assert site.main([str(out)]) == 0
    return out, time.monotonic() - began


@pytest.fixture(scope="module")
def out(built) -> Path:
    return built[0]


def pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_exists_and_the_build_takes_seconds(built):
    out, seconds = built
    lessons = [path.stem for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    assert len(lessons) == 9
    expected = {"index.html", "rules.html", *(f"lessons/{name}.html" for name in lessons),
                *(f"scenarios/{name}.html" for name in scenarios.list_scenarios())}
    assert {str(path.relative_to(out)) for path in pages(out)} == expected
    assert seconds < 60, f"the site took {seconds:.1f} s to build"


def test_every_relative_link_and_anchor_resolves(out):
    checked = 0
    for page in pages(out):
        for href in parse(page).links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme and not parts.netloc, f"{page.name}: {href}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.relative_to(out)}: {href} -> no such file"
            assert out.resolve() in target.parents, f"{page.name}: {href} leaves the site"
            if parts.fragment:
                # As browsers do: the fragment as written, then percent-decoded.
                ids = parse(target).ids
                assert parts.fragment in ids or unquote(parts.fragment) in ids, \
                    f"{page.relative_to(out)}: {href} -> no such anchor"
            checked += 1
    assert checked > 200


def test_no_page_loads_anything_from_the_network(out):
    for page in pages(out):
        assert network_loads(page) == [], page.relative_to(out)
    # nbconvert's stock lab template would load require.js and MathJax from a CDN:
    stock = out / "stock.html"
    import nbformat
    from nbconvert import HTMLExporter

    text, _ = HTMLExporter(template_name="lab").from_notebook_node(
        nbformat.read(ROOT / "notebooks" / "01_tour.ipynb", as_version=4))
    stock.write_text(text, encoding="utf-8")
    try:
        assert any("require" in ref for ref in network_loads(stock))
    finally:
        stock.unlink()


def test_the_load_checker_finds_each_kind_of_load(tmp_path):
    for bad in ('<img src="https://x.test/a.png">', '<link rel="stylesheet" href="a.css">',
                "<style>b{background:url('//x.test/a.png')}</style>",
                "<style>@import 'x.css';</style>", '<script>import("https://x.test/m.js")</script>',
                '<p style="background:url(http://x.test/a.png)">'):
        page = tmp_path / "bad.html"
        page.write_text(bad, encoding="utf-8")
        assert network_loads(page), bad
    page.write_text('<a href="https://example.com/">prose link</a><img src="data:image/png;'
                    'base64,AAAA">', encoding="utf-8")
    assert network_loads(page) == []


def test_lessons_have_navigation_and_their_own_content(out):
    import nbformat

    lessons = site.lessons(ROOT / "notebooks")
    for number, lesson in enumerate(lessons):
        page = out / "lessons" / f"{lesson.name}.html"
        text = page.read_text(encoding="utf-8")
        links = parse(page).links
        assert "../index.html" in links
        if number:
            assert f"{lessons[number - 1].name}.html" in links
        if number + 1 < len(lessons):
            assert f"{lessons[number + 1].name}.html" in links
        assert ".ipynb" not in " ".join(links)
        notebook = nbformat.read(lesson.path, as_version=4)
        assert f"<title>{html.escape(lesson.title)}</title>" in text
        printed = [output.text.strip().splitlines()[0] for cell in notebook.cells
                   if cell.cell_type == "code" for output in cell.outputs
                   if output.output_type == "stream" and output.text.strip()]
        assert printed or number == 0, lesson.name
        for line in printed:  # the stored outputs, as stored (the notebook is not run)
            assert html.escape(line, quote=False) in text, (lesson.name, line)


def test_widgets_without_a_static_view_say_so(out):
    import nbformat

    def widget(text: str, **more: str):
        return nbformat.v4.new_output("display_data", data={
            site.WIDGET: {"model_id": "0", "version_major": 2, "version_minor": 0},
            "text/plain": text, **more})

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x", outputs=[
        widget("VBox(children=(Dropdown(),))"), widget("QuickOPC dashboard on ET001 <x>"),
        widget("QuickOPC dashboard", **{"text/html": "<b>its static view</b>"})])]
    site.note_widgets(notebook)
    shown = [output.data["text/html"] for output in notebook.cells[0].outputs]
    assert "VBox" not in shown[0] and site.WIDGET_NOTE in shown[0]
    assert "<pre>QuickOPC dashboard on ET001 &lt;x&gt;</pre>" in shown[1]
    assert site.WIDGET_NOTE in shown[1]
    assert shown[2] == "<b>its static view</b>"
    for page in (out / "lessons").glob("*.html"):  # a widget's repr means nothing on a page
        assert not re.search(r"\b(VBox|HBox|Box|Tab)\(children=", page.read_text("utf-8"))


def test_scenario_pages_carry_captions_and_the_golden_transcript(out):
    captions = 0
    for name in scenarios.list_scenarios():
        scenario = scenarios.load(name)
        text = (out / "scenarios" / f"{name}.html").read_text(encoding="utf-8")
        assert f'<pre class="golden">{html.escape(scenario.golden)}</pre>' in text, name
        assert f"<h1>{html.escape(scenario.title)}</h1>" in text
        _, entries = script_entries(site.without_header(scenario.text))
        _, whole = script_entries(scenario.text)
        assert [e.command for e in entries] == [e.command for e in whole]
        frames = decoded(text)  # the opening frame in the markup, the others in its table
        assert len(frames) == len(entries)
        for entry, (_, _, section) in zip(entries, frames, strict=True):
            if entry.caption:
                assert f'<p class="qopc-caption">{html.escape(entry.caption)}</p>' in section
                captions += 1
        assert scenario.title not in entries[0].caption  # shown once, above the replay
        for rule in rules_for(name):
            assert f'href="../rules.html#{rule.id}"' in text
        assert 'href="../index.html"' in text
    assert captions >= 10


def test_the_rules_table_is_consistent(out):
    assert [rule.id for rule in RULES] == RULE_IDS
    known = set(scenarios.list_scenarios())
    shown = set()
    for rule in RULES:
        assert rule.scenarios, f"{rule.id} names no scenario"
        for name in rule.scenarios:
            assert name in known, f"{rule.id}: no scenario {name}"
            golden = scenarios.load(name).golden
            said = "\n".join(line for line in golden.splitlines() if not line.startswith("#"))
            assert re.search(rule.evidence, said), f"{rule.id}: {name} shows no {rule.evidence}"
            shown.add(name)
    assert shown == known, f"scenarios under no rule: {sorted(known - shown)}"
    rules = parse(out / "rules.html")
    assert set(RULE_IDS) <= rules.ids
    for rule in RULES:
        for name in rule.scenarios:
            assert f"scenarios/{name}.html" in rules.links


def test_rule_tags_are_marked_up():
    assert rule_html("a [D] b [M: x] <c>") == \
        'a [<b class="tag-D">D</b>] b [<b class="tag-M">M</b>: x] &lt;c&gt;'


def test_bad_output_and_missing_nbconvert_are_clear_errors(tmp_path, monkeypatch, capsys):
    file = tmp_path / "a-file"
    file.write_text("x", encoding="utf-8")
    assert site.main([str(file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(site.SiteError, match="not empty and holds no earlier build"):
        site.build(busy)
    assert [path.name for path in busy.iterdir()] == ["notes.txt"]
    monkeypatch.setitem(sys.modules, "nbconvert", None)  # import nbconvert raises ImportError
    with pytest.raises(site.SiteError, match="needs nbconvert"):
        site.build(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_rebuild_replaces_the_pages_and_drops_stale_ones(out):
    stale = out / "scenarios" / "99_gone.html"
    stale.write_text("<p>from an earlier library</p>", encoding="utf-8")
    before = (out / "index.html").read_text(encoding="utf-8")
    assert site.main([str(out)]) == 0
    assert not stale.exists()
    assert (out / "index.html").read_text(encoding="utf-8") == before


def test_make_site_and_gitignore():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^site: .*\n\t\$\(BIN\)/python -m qopc_kit\.site site$", makefile, re.M)
    assert "site/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
