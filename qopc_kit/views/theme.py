"""Colours and CSS shared by every HTML view, from JupyterLab's theme variables.

Each colour is ``var(--jp-..., fallback)``: JupyterLab's light and dark themes set the
variable; a static render (nbviewer, a plain browser) uses the fallback. Mark colours
are mid tones that read on both a light and a dark background, and every mark also has
a text symbol, so a render that strips ``<style>`` (GitHub) still says everything.
"""

from __future__ import annotations

import re

#: Colours of the marks, by key: CSS value for themed renders, plain hex for SVG attributes.
MARK_COLOURS: dict[str, tuple[str, str]] = {
    "queued": ("#b06a00", "#b06a00"),
    "source_tracked": ("var(--jp-brand-color1, #1976d2)", "#1976d2"),
    "destination_tracked": ("#c2185b", "#c2185b"),
    "rolled_back": ("var(--jp-error-color1, #d32f2f)", "#d32f2f"),
    "copied_before_write": ("var(--jp-success-color1, #388e3c)", "#388e3c"),
    "never_copied": ("#757575", "#757575"),
    "restore_queued": ("#00897b", "#00897b"),
    "never_restored": ("#757575", "#757575"),
    "source_only": ("#757575", "#757575"),
    "destination_only": ("#757575", "#757575"),
}

#: Lighter tones for JupyterLab's dark themes (body[data-jp-theme-light="false"]), where the
#: mid tones above fall under a 4.5:1 contrast on the dark background.
DARK_MARK_COLOURS: dict[str, str] = {
    "queued": "#ffb74d",
    "destination_tracked": "#f06292",
    "rolled_back": "#ff8a80",
    "never_copied": "#bdbdbd",
    "never_restored": "#bdbdbd",
    "source_tracked": "#90caf9",
    "copied_before_write": "#a5d6a7",
    "restore_queued": "#80cbc4",
    "source_only": "#bdbdbd",
    "destination_only": "#bdbdbd",
}

#: Fill of the current and previous state in the diagram (dark text on both).
CURRENT_FILL = "#ffd54f"
PREVIOUS_FILL = "#b3d4fc"
LAST_EDGE = "#c43e00"
DARK_LAST_EDGE = "#ff9e40"

_FG = "var(--jp-ui-font-color1, #1a1a1a)"
_FG2 = "var(--jp-ui-font-color2, #616161)"
_BG = "var(--jp-layout-color1, #ffffff)"
_BG2 = "var(--jp-layout-color2, #eeeeee)"
_BORDER = "var(--jp-border-color1, #bdbdbd)"
_MONO = "var(--jp-code-font-family, ui-monospace, Menlo, Consolas, monospace)"
_SANS = "var(--jp-ui-font-family, system-ui, -apple-system, 'Segoe UI', sans-serif)"


#: The marks drawn with the same shape (only their colour tells them apart).
SAME_CHANNEL: tuple[tuple[str, ...], ...] = (("queued", "restore_queued"),
                                              ("source_tracked", "destination_tracked"))

#: Dark theme signals: JupyterLab, VS Code's notebook webview, Colab.
DARK_SELECTORS: tuple[str, ...] = (
    'body[data-jp-theme-light="false"]',
    "body.vscode-dark", "body.vscode-high-contrast:not(.vscode-high-contrast-light)",
    'body[data-vscode-theme-kind="vscode-dark"]',
    'body[data-vscode-theme-kind="vscode-high-contrast"]',
    'html[theme="dark"]',
)
#: The class of a page's <html> that follows the browser's own colour scheme: the whole
#: page goes dark with the views (see :func:`os_scheme_css`). Any other page without a
#: theme signal stays light, since its own background (white, most often) is not ours.
OS_SCHEME = "qopc-os-scheme"
#: On such a page, with no notebook theme saying "light", the browser's preference decides.
_NOT_LIGHT = (f'html.{OS_SCHEME}:not([theme="light"]) body:not([data-jp-theme-light="true"])'
              ':not(.vscode-light):not(.vscode-high-contrast-light)')

#: The page colours of an OS-dark page: JupyterLab's variables, which every view reads,
#: set to dark tones (the text on them reads at more than 10:1).
_OS_DARK_PAGE = {"--jp-ui-font-color1": "#e6e6e6", "--jp-ui-font-color2": "#bdbdbd",
                 "--jp-layout-color1": "#1e1e1e", "--jp-layout-color2": "#2d2d2d",
                 "--jp-border-color1": "#8a8a8a", "--jp-border-color2": "#5c5c5c"}


def os_scheme_css() -> str:
    """The page-wide CSS of a page whose <html> has class :data:`OS_SCHEME`: light, or under
    the browser's dark preference dark background and text for the page and its views."""
    names = "".join(f"{name}:{value};" for name, value in _OS_DARK_PAGE.items())
    return (f"html.{OS_SCHEME}{{color-scheme:light dark;}}"
            f"@media (prefers-color-scheme: dark){{html.{OS_SCHEME}{{{names}}}"
            f"html.{OS_SCHEME} body{{background:#1e1e1e;color:#e6e6e6;}}}}")


def dark_rules(rules: str) -> str:
    """``rules`` (selector{...} pairs under a dark theme), for every dark signal."""
    pieces = re.findall(r"([^{}]+)\{([^{}]*)\}", rules)
    out = []
    for selector, body in pieces:
        parts = [s.strip() for s in selector.split(",")]
        out.append(",".join(f"{d} {p}" for d in DARK_SELECTORS for p in parts) + f"{{{body}}}")
    media = "".join(",".join(f"{_NOT_LIGHT} {p.strip()}" for p in sel.split(",")) + f"{{{body}}}"
                    for sel, body in pieces)
    return "".join(out) + f"@media (prefers-color-scheme: dark){{{media}}}"


def _mark_rules() -> str:
    rules, dark = [], []
    for key, (colour, _) in MARK_COLOURS.items():
        name = key.replace("_", "-")
        rules.append(f".qopc-sym-{name}{{color:{colour};}}")
    for key, colour in DARK_MARK_COLOURS.items():
        name = key.replace("_", "-")
        dark.append(f".qopc-sym-{name}{{color:{colour};}}")
    # The marks on the cells too: the mid tones fall under 3:1 on a dark cell.
    cells = {"queued": "border-color", "restore_queued": "border-color",
             "copied_before_write": "border-top-color", "rolled_back": "outline-color"}
    for key, prop in cells.items():
        dark.append(f".qopc-blockmap .qopc-cell.qopc-{key.replace('_', '-')}"
                    f"{{{prop}:{DARK_MARK_COLOURS[key]};}}")
    for key in ("source_tracked", "destination_tracked"):
        dark.append(f".qopc-blockmap .qopc-cell.qopc-{key.replace('_', '-')}"
                    f"{{box-shadow:inset 0 -3px 0 {DARK_MARK_COLOURS[key]};}}")
    return "".join(rules) + dark_rules("".join(dark))


CSS = (
    # The root of every view: readable text and background in either theme.
    f".qopc-view{{font-family:{_SANS};font-size:13px;color:{_FG};line-height:1.35;}}"
    f".qopc-view .qopc-title{{font-weight:600;margin:2px 0;}}"
    f".qopc-view .qopc-note{{color:{_FG2};font-size:12px;margin:2px 0;}}"
    f".qopc-view .qopc-warn{{color:var(--jp-error-color1, #d32f2f);font-weight:600;}}"
    f".qopc-view code, .qopc-view pre{{font-family:{_MONO};}}"
    # Tables (query rows, volumes, the timeline).
    f".qopc-view table.qopc-table{{border-collapse:collapse;margin:4px 0;font-size:12px;}}"
    f".qopc-view table.qopc-table th, .qopc-view table.qopc-table td{{border:1px solid {_BORDER};"
    f"padding:2px 6px;text-align:left;vertical-align:top;color:{_FG};background:{_BG};}}"
    f".qopc-view table.qopc-table th{{background:{_BG2};font-weight:600;}}"
    f".qopc-view .qopc-num{{text-align:right;font-family:{_MONO};}}"
    # State chips.
    f".qopc-view .qopc-chip{{display:inline-block;padding:0 5px;border-radius:8px;"
    f"border:1px solid {_BORDER};font-size:11px;white-space:nowrap;}}"
    f".qopc-view .qopc-chip-COPYING_TRACKING, .qopc-view .qopc-chip-COPYING"
    f"{{border-color:#e08a00;}}"
    f".qopc-view .qopc-chip-TRACKING{{border-color:#388e3c;}}"
    f".qopc-view .qopc-chip-ERROR_SUSPEND{{border-color:#d32f2f;color:#d32f2f;}}"
    # Progress bars.
    f".qopc-view .qopc-bar{{display:inline-block;width:80px;height:8px;background:{_BG2};"
    f"border:1px solid {_BORDER};vertical-align:middle;margin-right:4px;}}"
    f".qopc-view .qopc-bar > span{{display:block;height:100%;background:#388e3c;}}"
    # Block maps: two volumes side by side, one cell per block.
    ".qopc-blockmap .qopc-sides{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start;}"
    ".qopc-blockmap .qopc-side{min-width:0;}"
    ".qopc-blockmap .qopc-cells{display:flex;flex-wrap:wrap;gap:2px;max-width:520px;}"
    f".qopc-blockmap .qopc-cell{{display:inline-flex;flex-direction:column;align-items:center;"
    f"min-width:26px;padding:1px 2px;border:1px solid {_BORDER};background:{_BG};"
    f"font-family:{_MONO};font-size:12px;box-sizing:border-box;}}"
    ".qopc-blockmap .qopc-cell .qopc-content{font-weight:600;}"
    ".qopc-blockmap .qopc-cell .qopc-no{font-size:11px;opacity:.6;vertical-align:baseline;"
    "line-height:1.1;}"
    ".qopc-blockmap .qopc-cell .qopc-syms{font-size:11px;min-height:12px;letter-spacing:1px;"
    "vertical-align:baseline;line-height:1.1;}"
    ".qopc-blockmap .qopc-record{margin-bottom:6px;}"
    ".qopc-blockmap .qopc-cell .qopc-discarded{opacity:.7;font-weight:400;}"
    ".qopc-blockmap .qopc-cell .qopc-reads{font-weight:700;}"
    f".qopc-blockmap .qopc-cell.qopc-queued{{border:2px dashed {MARK_COLOURS['queued'][0]};}}"
    f".qopc-blockmap .qopc-cell.qopc-restore-queued"
    f"{{border:2px dashed {MARK_COLOURS['restore_queued'][0]};}}"
    f".qopc-blockmap .qopc-cell.qopc-source-tracked"
    f"{{box-shadow:inset 0 -3px 0 {MARK_COLOURS['source_tracked'][0]};}}"
    f".qopc-blockmap .qopc-cell.qopc-destination-tracked"
    f"{{box-shadow:inset 0 -3px 0 {MARK_COLOURS['destination_tracked'][0]};}}"
    f".qopc-blockmap .qopc-cell.qopc-rolled-back{{outline:2px solid "
    f"{MARK_COLOURS['rolled_back'][0]};outline-offset:-4px;}}"
    f".qopc-blockmap .qopc-cell.qopc-copied-before-write"
    f"{{border-top:3px solid {MARK_COLOURS['copied_before_write'][0]};}}"
    ".qopc-blockmap .qopc-cell.qopc-never-copied, .qopc-blockmap .qopc-cell.qopc-never-restored"
    "{background:repeating-linear-gradient("
    "45deg, rgba(117,117,117,.35) 0 3px, transparent 3px 6px);}"
    # A block the other volume lacks: dotted and faded, outside the copy.
    ".qopc-blockmap .qopc-cell.qopc-source-only, .qopc-blockmap .qopc-cell.qopc-destination-only"
    "{border-style:dotted;opacity:.6;}"
    ".qopc-blockmap .qopc-cell.qopc-changed .qopc-content{text-decoration:underline;}"
    ".qopc-blockmap .qopc-legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:6px;"
    "font-size:12px;}"
    ".qopc-blockmap .qopc-legend .qopc-sym{font-family:monospace;font-weight:700;}"
    ".qopc-blockmap .qopc-legend sub{font-size:11px;}"
    ".qopc-blockmap .qopc-strip{display:block;margin:1px 0;}"
    ".qopc-blockmap .qopc-strip-label{display:inline-block;width:170px;font-size:12px;}"
    + _mark_rules()
    # The state diagram: Graphviz draws black on white; follow the theme instead.
    + "svg.qopc-diagram{max-width:100%;height:auto;}"
    f".qopc-diagram text{{fill:{_FG};}}"
    f".qopc-diagram .qopc-node path, .qopc-diagram .qopc-node polygon,"
    f" .qopc-diagram .qopc-node ellipse{{stroke:{_FG};}}"
    f".qopc-diagram .qopc-edge path{{stroke:{_FG2};}}"
    f".qopc-diagram .qopc-edge polygon{{stroke:{_FG2};fill:{_FG2};}}"
    f".qopc-diagram .qopc-node.qopc-previous path{{fill:{PREVIOUS_FILL};stroke-dasharray:5 3;"
    f"stroke-width:2;}}"
    f".qopc-diagram .qopc-node.qopc-current path{{fill:{CURRENT_FILL};stroke-width:3.5;}}"
    ".qopc-diagram text.qopc-emph{font-weight:700;}"
    ".qopc-diagram .qopc-node.qopc-current text, .qopc-diagram .qopc-node.qopc-previous text"
    "{fill:#1a1a1a;}"
    f".qopc-diagram .qopc-edge.qopc-last path{{stroke:{LAST_EDGE};stroke-width:3;}}"
    f".qopc-diagram .qopc-edge.qopc-last polygon{{stroke:{LAST_EDGE};fill:{LAST_EDGE};}}"
    f".qopc-diagram .qopc-edge.qopc-last text.qopc-emph{{fill:{LAST_EDGE};font-weight:700;}}"
    + dark_rules(f".qopc-diagram text{{fill:#e0e0e0;}}"
            f".qopc-diagram .qopc-node path{{stroke:#e0e0e0;}}"
            f".qopc-diagram .qopc-edge path{{stroke:#bdbdbd;}}"
            f".qopc-diagram .qopc-edge polygon{{stroke:#bdbdbd;fill:#bdbdbd;}}"
            f".qopc-diagram .qopc-node.qopc-current text,"
            f" .qopc-diagram .qopc-node.qopc-previous text{{fill:#1a1a1a;}}"
            f".qopc-diagram .qopc-edge.qopc-last path{{stroke:{DARK_LAST_EDGE};}}"
            f".qopc-diagram .qopc-edge.qopc-last polygon{{stroke:{DARK_LAST_EDGE};"
            f"fill:{DARK_LAST_EDGE};}}"
            f".qopc-diagram .qopc-edge.qopc-last text.qopc-emph{{fill:{DARK_LAST_EDGE};}}")
    # Timeline.
    + ".qopc-timeline td.qopc-step{white-space:nowrap;}"
    ".qopc-timeline tr.qopc-setup td{opacity:.7;}"
)


def style() -> str:
    """The ``<style>`` element every HTML view starts with (the same text every time)."""
    return f"<style>{CSS}</style>"
