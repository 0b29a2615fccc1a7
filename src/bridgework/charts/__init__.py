"""Pictures of results, rendered on the server as accessible SVG (see :mod:`.render`).

Each ``*_svg`` function takes the figures object of its page (the one the page's tables
read) and returns one ``<svg role="img">`` with a ``<title>`` and ``<desc>``, or ``""`` when
the page has nothing to draw. Pages include them with ``{% chart "name" figures %}``
(:mod:`bridgework.charts.templatetags.charts`); PDF reports can call them directly.
"""

from __future__ import annotations

from bridgework.charts.coffee import (
    coffee_effects_svg,
    coffee_matches_svg,
    coffee_participation_svg,
    coffee_ratings_svg,
)
from bridgework.charts.ona import ona_ei_index_svg, ona_ties_svg, roles_mix_svg
from bridgework.charts.progress import response_rates_svg
from bridgework.charts.rc import rc_change_svg, rc_heatmap_svg, rc_tie_map_svg

__all__ = [
    "CHARTS",
    "coffee_effects_svg",
    "coffee_matches_svg",
    "coffee_participation_svg",
    "coffee_ratings_svg",
    "ona_ei_index_svg",
    "ona_ties_svg",
    "rc_change_svg",
    "rc_heatmap_svg",
    "rc_tie_map_svg",
    "response_rates_svg",
    "roles_mix_svg",
]

#: Every picture by the name templates use.
CHARTS = {
    "rc_heatmap": rc_heatmap_svg,
    "rc_tie_map": rc_tie_map_svg,
    "rc_change": rc_change_svg,
    "ona_ei_index": ona_ei_index_svg,
    "ona_ties": ona_ties_svg,
    "roles_mix": roles_mix_svg,
    "response_rates": response_rates_svg,
    "coffee_participation": coffee_participation_svg,
    "coffee_matches": coffee_matches_svg,
    "coffee_ratings": coffee_ratings_svg,
    "coffee_effects": coffee_effects_svg,
}
