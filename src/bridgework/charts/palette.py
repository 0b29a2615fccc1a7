"""Colours of the pictures: colour-blind-safe, and text on them readable (WCAG AA).

Heatmaps use viridis (van der Walt & Smith, matplotlib 2015): a sequential scale that reads
the same in the common forms of colour blindness and in greyscale. Every heatmap cell also
writes its value (and an RC cell its band) in text, so no figure is told by colour alone.
The text colour on a cell is whichever of black and white contrasts more with its fill;
on any fill that is at least 4.58:1, above AA's 4.5:1 for normal text.

Tie bands on the maps use Okabe & Ito's colour-blind-safe palette (2008), each at least 3:1
against white (WCAG 1.4.11 for graphics), with a dash pattern of its own as well.
"""

from __future__ import annotations

__all__ = ["BAND_COLOURS", "BAND_DASHES", "contrast", "text_colour", "viridis"]

#: viridis at 0, 1/8, …, 1 (matplotlib's values); between stops, linear in RGB.
VIRIDIS = ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c",
           "#28ae80", "#5ec962", "#addc30", "#fde725")  # fmt: skip

#: Weak, moderate, strong.
BAND_COLOURS = ("#d55e00", "#0072b2", "#009e73")
BAND_DASHES = ((2, 3), (8, 4), (1, 0))
SUPPRESSED_FILL = "#dfe2e4"
SUPPRESSED_LINE = "#505a5f"
#: Bars and points: GOV.UK blue and dark grey, both well over 3:1 on white.
BAR = "#1d70b8"
BAR_OTHER = "#505a5f"
INK = "#0b0c0c"


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def viridis(t: float) -> str:
    """The viridis colour at ``t`` in [0, 1] (clipped).

    >>> viridis(0), viridis(1), viridis(0.5)
    ('#440154', '#fde725', '#21918c')
    """
    t = min(1.0, max(0.0, t))
    position = t * (len(VIRIDIS) - 1)
    low = min(int(position), len(VIRIDIS) - 2)
    share = position - low
    a, b = _rgb(VIRIDIS[low]), _rgb(VIRIDIS[low + 1])
    mixed = (round(255 * (x + (y - x) * share)) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours.

    >>> round(contrast("#000000", "#ffffff"), 1)
    21.0
    """
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour(fill: str) -> str:
    """Black or white, whichever reads better on ``fill``.

    >>> text_colour("#440154"), text_colour("#fde725")
    ('#ffffff', '#000000')
    """
    return "#000000" if contrast("#000000", fill) >= contrast("#ffffff", fill) else "#ffffff"
