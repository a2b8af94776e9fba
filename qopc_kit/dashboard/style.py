"""The dashboard's style sheet: one screen at 1280x720, one column below about 1,000 px.

Sent once, in a ``<style>`` element of its own (an HTML widget that never changes), so a
click redraws no style sheet. The panel is a CSS container: its two columns (diagram on the
left, state, maps and buttons on the right) become one when the panel itself is narrow,
whatever the window's width (JupyterLab with its file browser open, a split screen). No
text in the panel is set below 11 px. A greyed button is not ``disabled`` (a disabled
button gets no hover, no focus and no click): it has the class ``qopc-unavailable``, a
tooltip saying why, and a line in the panel shown while it is hovered or focused.
"""

from __future__ import annotations

from ..views import theme

#: The button names whose "why unavailable" lines the sheet knows (their CSS slugs).
_WHY = ".qopc-dashboard:has(.qopc-btn-{slug}:hover, .qopc-btn-{slug}:focus-visible) .qopc-why-{slug}"

_LAYOUT = """
.qopc-dashboard { container-type: inline-size; font-size: 13px; max-width: 1400px; }
.qopc-dashboard .qopc-header { align-items: center; gap: 12px; min-height: 28px; }
.qopc-dashboard .qopc-header .qopc-title { font-size: 15px; }
.qopc-dashboard .qopc-grid { display: grid; gap: 4px 16px; align-items: start;
  grid-template-columns: minmax(0, 590px) minmax(0, 1fr); }
@container (max-width: 1000px) {
  .qopc-dashboard .qopc-grid { grid-template-columns: minmax(0, 1fr); }
}
.qopc-dashboard .qopc-left, .qopc-dashboard .qopc-right { min-width: 0; gap: 2px; }
.qopc-dashboard .qopc-diagram svg { max-width: 100%; height: auto; }
.qopc-dashboard .qopc-row { flex-wrap: wrap; align-items: center; gap: 4px 6px;
  margin: 1px 0; }
.qopc-dashboard .qopc-row > .widget-label:first-child { width: 64px; font-weight: 600;
  margin: 0; }
.qopc-dashboard .qopc-row .widget-slider .widget-label { min-width: 0; }
.qopc-dashboard .qopc-blockmap .qopc-sides { gap: 4px 16px; }
.qopc-dashboard .qopc-legend-compact { margin-top: 2px; gap: 2px 12px; }
.qopc-dashboard .qopc-row .widget-inline-hbox { margin: 0; }
.qopc-dashboard .qopc-row .widget-slider .widget-readout { min-width: 24px; overflow: visible; }
.qopc-dashboard .qopc-button { height: 28px; padding: 0 10px; margin: 0; }
.qopc-dashboard .qopc-button.qopc-unavailable { opacity: .45; cursor: help;
  border: 1px dashed var(--jp-border-color1, #9e9e9e); }
.qopc-dashboard .qopc-button.qopc-unavailable:focus-visible { opacity: .8; }
.qopc-dashboard .qopc-why { display: none; font-size: 12px; padding: 1px 6px;
  border-left: 4px solid var(--jp-border-color1, #9e9e9e); }
.qopc-dashboard .qopc-viewing { background: var(--jp-layout-color2, #eeeeee);
  border: 2px dashed var(--jp-border-color1, #9e9e9e); padding: 2px 6px; }
.qopc-dashboard .qopc-viewing .qopc-viewing-text { font-weight: 600; }
.qopc-dashboard .qopc-progress .widget-progress { width: 220px; margin: 0; }
.qopc-dashboard .qopc-map-hint { font-size: 12px; opacity: .8; margin: 0; }
.qopc-dashboard .qopc-msg { font-size: 13px; }
.qopc-dashboard .qopc-log { font-size: 12px; }
.qopc-dashboard .qopc-log td { white-space: normal; overflow-wrap: anywhere; }
.qopc-dashboard .qopc-tabs { margin-top: 6px; }
.qopc-dashboard a.qopc-download { color: #0b57a4; text-decoration: underline;
  text-underline-offset: 2px; cursor: pointer; }
.qopc-dashboard a.qopc-download:hover { text-decoration-thickness: 2px; }
"""

#: A download link reads as a link in either theme (JupyterLab and Voilà reset links to
#: plain text): #0b57a4 on white and #8ab4f8 on JupyterLab's dark grey are above 7:1.
_DARK_LINK = ".qopc-dashboard a.qopc-download{color:#8ab4f8;}"


def panel_style(buttons: tuple[str, ...] = ()) -> str:
    """The ``<style>`` element of the panel: the views' sheet, the layout and the rules that
    show each button's "why unavailable" line on hover or focus."""
    why = "".join(_WHY.format(slug=slug) + "{display:block;}" for slug in buttons)
    return f"{theme.style()}<style>{_LAYOUT}{theme.dark_rules(_DARK_LINK)}{why}</style>"
