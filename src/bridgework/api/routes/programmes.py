"""Coffee programmes and their dashboard figures (``read:programmes``).

The figures are :func:`bridgework.programmes.dashboard.programme_dashboard`'s at the level an
analyst sees on the page (``respondent_level=False``): released feedback counts, never a
comment, never who gave which answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from bridgework.api.auth import token_auth
from bridgework.api.models import Scope
from bridgework.api.pagination import Page
from bridgework.api.routes.common import ERRORS, RecordId
from bridgework.programmes import selectors
from bridgework.programmes.dashboard import Dashboard, programme_dashboard

router = Router(tags=["programmes"], auth=token_auth(Scope.PROGRAMMES))


class ProgrammeOut(Schema):
    id: int
    name: str
    description: str
    audience: str
    cadence: str
    group_size: int
    members: int


class RoundOut(Schema):
    number: int
    starts_on: date
    ends_on: date
    participants: int
    matched: int
    sit_out: int
    holdout: int
    met: int | None


class RatingOut(Schema):
    score: int
    count: int


class RCMovementOut(Schema):
    before_wave: str | None
    after_wave: str | None
    treated_n: int
    control_n: int
    treated_mean: float | None
    control_mean: float | None
    difference: float | None
    ci: list[float] | None
    p_value: float | None
    caution: str | None


class TieFormationOut(Schema):
    wave: str | None
    treated_n: int
    control_n: int
    treated_share: float | None
    control_share: float | None
    difference: float | None
    ci: list[float] | None
    p_value: float | None
    caution: str | None


class DashboardOut(Schema):
    programme: ProgrammeOut
    min_group_size: int
    enrolled: int
    rounds: list[RoundOut]
    meeting_rate: float | None
    feedback_count: int
    feedback_hidden: bool
    feedback_rounds_left_out: list[int]
    first_meeting_share: float | None
    cross_agency_share: float | None
    organisations: list[str]
    pairs_by_organisation: list[list[int]]
    ratings: list[RatingOut]
    mean_rating: float | None
    will_work_together: int | None
    rc: RCMovementOut | None
    rc_note: str
    ties: TieFormationOut | None
    ties_note: str


def _ci(values) -> list[float] | None:
    return None if values is None else [float(values[0]), float(values[1])]


def dashboard_document(programme, figures: Dashboard) -> dict[str, Any]:
    """The dashboard page's figures, as an analyst sees them."""
    rc = ties = None
    if figures.rc is not None:
        before, after = figures.rc_waves or (None, None)
        rc = {
            "before_wave": before,
            "after_wave": after,
            "treated_n": figures.rc.treated_n,
            "control_n": figures.rc.control_n,
            "treated_mean": figures.rc.treated_mean,
            "control_mean": figures.rc.control_mean,
            "difference": figures.rc.difference,
            "ci": _ci(figures.rc.ci),
            "p_value": figures.rc.p_value,
            "caution": figures.rc.caution,
        }
    if figures.ties is not None:
        ties = {
            "wave": figures.ties_wave,
            "treated_n": figures.ties.treated_n,
            "control_n": figures.ties.control_n,
            "treated_share": figures.ties.treated_share,
            "control_share": figures.ties.control_share,
            "difference": figures.ties.difference,
            "ci": _ci(figures.ties.ci),
            "p_value": figures.ties.p_value,
            "caution": figures.ties.caution,
        }
    return {
        "programme": programme,
        "min_group_size": figures.min_group_size,
        "enrolled": figures.enrolled,
        "rounds": [
            {
                "number": row["round"].number,
                "starts_on": row["round"].starts_on,
                "ends_on": row["round"].ends_on,
                **{key: row[key] for key in ("participants", "matched", "sit_out", "holdout")},
                "met": row["met"],
            }
            for row in figures.rounds
        ],
        "meeting_rate": figures.meeting_rate,
        "feedback_count": figures.feedback_count,
        "feedback_hidden": figures.feedback_hidden,
        "feedback_rounds_left_out": list(figures.feedback_rounds_left_out),
        "first_meeting_share": figures.first_meeting_share,
        "cross_agency_share": figures.cross_agency_share,
        "organisations": list(figures.organisations),
        "pairs_by_organisation": [list(row) for row in figures.matrix],
        "ratings": [{"score": score, "count": count} for score, count in figures.ratings],
        "mean_rating": figures.mean_rating,
        "will_work_together": figures.will_work_together,
        "rc": rc,
        "rc_note": figures.rc_note,
        "ties": ties,
        "ties_note": figures.ties_note,
    }


@router.get("", url_name="programmes", response={200: list[ProgrammeOut], **ERRORS})
@paginate(Page)
def programmes(request: HttpRequest):
    """The network's coffee programmes, oldest first."""
    return selectors.programmes_for(request.auth.network).order_by("pk")


@router.get("/{programme_id}", url_name="programme", response={200: ProgrammeOut, **ERRORS})
def programme(request: HttpRequest, programme_id: RecordId):
    return selectors.programmes_for(request.auth.network).get(pk=programme_id)


@router.get(
    "/{programme_id}/dashboard",
    url_name="programme_dashboard",
    response={200: DashboardOut, **ERRORS},
)
def dashboard(request: HttpRequest, programme_id: RecordId):
    """The programme's dashboard figures at the level an analyst sees (no comments)."""
    programme = selectors.programmes_for(request.auth.network).get(pk=programme_id)
    return dashboard_document(programme, programme_dashboard(programme, respondent_level=False))
