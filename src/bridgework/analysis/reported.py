"""How a reliability estimate is reported: the one rule for ICC estimates below zero.

An intraclass correlation is a share of variance, so its true value lies between 0 and 1; the
ANOVA estimate, though, falls below 0 whenever the workgroups' means differ less than the
spread within them would make them differ by chance (mean square between < mean square
within). Such a value says "no detectable difference between workgroups", not a negative
share, and the convention is to report it as 0 with a note (Bliese 2000, p. 355; LeBreton &
Senter 2008, question 16). ICC(2) = 1 − MSW/MSB can be far below 0 (−2.50 when MSW = 3.5 MSB),
which a reader would take for a measurement on some scale it is not.

Every path that shows an ICC — the results page, the XLSX and HTML reports, ``bridgework rc
analyze`` — reports it through :func:`reported_icc`, so none can show the raw negative. The
raw estimate stays available to an analyst who asks for it explicitly (``rc analyze
--raw-estimates`` adds ``reliability.raw``).

References
----------
Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In Klein &
Kozlowski (eds.), *Multilevel Theory, Research, and Methods in Organizations*. Jossey-Bass.
LeBreton, J. M. & Senter, J. L. (2008). Answers to 20 questions about interrater reliability
and interrater agreement. *Organizational Research Methods* 11(4), 815–852.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NEGATIVE_ICC_NOTE", "ReportedEstimate", "reported_icc"]

#: The plain-language note shown wherever an ICC below 0 is reported as 0.
NEGATIVE_ICC_NOTE = (
    "Shown as 0: the estimate came out below zero, which happens when workgroups differ from "
    "one another less than people within the same workgroup do. It means no detectable "
    "difference between workgroups, and by convention is reported as 0."
)


@dataclass(frozen=True)
class ReportedEstimate:
    """An estimate as readers see it.

    ``value`` is what to show (``None``: not available); ``raw`` the estimate as computed;
    ``floored`` whether ``value`` was raised to 0 from a negative ``raw``; ``note`` the
    plain-language note to show beside a floored value (``None`` otherwise).
    """

    value: float | None
    raw: float | None
    floored: bool
    note: str | None


def reported_icc(raw: float | None) -> ReportedEstimate:
    """An ICC(1) or ICC(2) estimate as it is reported: below 0 it is 0, with a note.

    Parameters
    ----------
    raw : float or None
        The ANOVA estimate (``None`` when not available, e.g. too few respondents).

    Returns
    -------
    ReportedEstimate
        ``value = max(raw, 0)``; ``floored`` and ``note`` set when ``raw < 0``.

    Examples
    --------
    >>> reported_icc(-2.5)  # doctest: +ELLIPSIS
    ReportedEstimate(value=0.0, raw=-2.5, floored=True, note='Shown as 0: ...')
    >>> reported_icc(0.31).value, reported_icc(0.31).note
    (0.31, None)
    >>> reported_icc(None).value is None
    True

    Notes
    -----
    O(1). Exactly 0 is not floored (no note): it is an estimate of no difference already.
    """
    if raw is None or raw >= 0:
        # "+ 0.0" turns a -0.0 into 0.0, which would otherwise print as "-0.00".
        value = None if raw is None else raw + 0.0
        return ReportedEstimate(value=value, raw=raw, floored=False, note=None)
    return ReportedEstimate(value=0.0, raw=raw, floored=True, note=NEGATIVE_ICC_NOTE)
