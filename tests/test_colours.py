"""Mark colours: 3:1 against every background (WCAG 1.4.11), distinct under CVD, themed."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from qopc_kit.views import theme

LIGHT_BACKGROUNDS = ("#ffffff", "#eeeeee")  # page and the cell / header background
DARK_BACKGROUNDS = ("#111111", "#212121")  # JupyterLab dark layout colours

# Machado, Oliveira and Fernandes (2009), severity 1.0, applied to linear RGB.
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
# CIE76 distance that two same-shaped marks must keep. 2.3 is a just-noticeable difference
# for large patches side by side; marks are 2-3 px lines seen apart, and small fields lose
# much of their colour difference, so ten JNDs (about 23) is asked of each pair.
MIN_DELTA_E = 23.0


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance."""
    return float(_linear(_rgb(hex_colour)) @ np.array([0.2126, 0.7152, 0.0722]))


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(linear_rgb, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, deficiency: str | None = None) -> float:
    """CIE76 distance of two colours, as seen with ``deficiency`` (None: normal vision)."""
    la, lb = _linear(_rgb(a)), _linear(_rgb(b))
    if deficiency is not None:
        la, lb = MACHADO[deficiency] @ la, MACHADO[deficiency] @ lb
    return float(np.linalg.norm(_lab(la) - _lab(lb)))


def _palettes():
    light = {key: plain for key, (_, plain) in theme.MARK_COLOURS.items()}
    yield "light", light, LIGHT_BACKGROUNDS
    yield "dark", {**light, **theme.DARK_MARK_COLOURS}, DARK_BACKGROUNDS


def test_contrast_formula_matches_wcag_end_points():
    """Black on white is 21:1 and a colour on itself 1:1 (the formula, not a typed ratio)."""
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)


@pytest.mark.parametrize("name,palette,backgrounds", list(_palettes()))
def test_every_mark_has_3_to_1_on_its_backgrounds(name, palette, backgrounds):
    """Every mark colour is at least 3:1 against each background of its theme."""
    low = [(key, bg, round(contrast(c, bg), 2)) for key, c in palette.items()
           for bg in backgrounds if contrast(c, bg) < 3.0]
    assert low == [], f"{name} theme: marks under 3:1: {low}"


def test_dark_palette_covers_every_mark():
    """Each mark has a dark-theme colour (else the light mid tone shows on a dark page)."""
    assert set(theme.DARK_MARK_COLOURS) == set(theme.MARK_COLOURS)


def test_last_edge_contrast_in_both_themes():
    """The last transition's colour reads on the light and the dark background."""
    assert min(contrast(theme.LAST_EDGE, bg) for bg in LIGHT_BACKGROUNDS) >= 3.0
    assert min(contrast(theme.DARK_LAST_EDGE, bg) for bg in DARK_BACKGROUNDS) >= 3.0


@pytest.mark.parametrize("deficiency", [None, "protanopia", "deuteranopia"])
@pytest.mark.parametrize("name,palette,backgrounds", list(_palettes()))
def test_same_shaped_marks_stay_distinct(deficiency, name, palette, backgrounds):
    """Marks drawn with the same shape differ by CIE76 > MIN_DELTA_E, also under CVD."""
    close = []
    for group in theme.SAME_CHANNEL:
        for a, b in itertools.combinations(group, 2):
            d = delta_e(palette[a], palette[b], deficiency)
            if d <= MIN_DELTA_E:
                close.append((a, b, round(d, 1)))
    assert close == [], f"{name}/{deficiency}: too close: {close}"


def test_cvd_simulation_removes_red_green_difference():
    """The simulation works: pure red and green get much closer under deuteranopia."""
    assert delta_e("#ff0000", "#00a000", "deuteranopia") < delta_e("#ff0000", "#00a000") / 2


def test_dark_rules_follow_every_theme_signal():
    """The CSS applies the dark palette for JupyterLab, VS Code, Colab and the OS setting."""
    css = theme.CSS
    for selector in ('body[data-jp-theme-light="false"]', "body.vscode-dark",
                     "body.vscode-high-contrast", 'data-vscode-theme-kind="vscode-dark"',
                     'html[theme="dark"]', "@media (prefers-color-scheme: dark)"):
        assert selector in css, selector
        for key, colour in theme.DARK_MARK_COLOURS.items():
            rule = re.search(re.escape(selector) + r'[^{}]*\.qopc-sym-' + key.replace("_", "-")
                             + r'[^{]*\{color:' + re.escape(colour), css)
            assert rule or selector.startswith("@media"), (selector, key)
    media = css[css.index("@media (prefers-color-scheme: dark)"):]
    assert 'body:not([data-jp-theme-light="true"])' in media
    assert ".qopc-diagram text" in media  # the diagram follows the dark theme too
    assert 'html[theme="dark"] .qopc-diagram text' in css


def test_every_mark_keeps_a_text_symbol():
    """No meaning by colour alone: each coloured mark also has a symbol class in the CSS."""
    for key in theme.MARK_COLOURS:
        assert f".qopc-sym-{key.replace('_', '-')}{{" in theme.CSS
